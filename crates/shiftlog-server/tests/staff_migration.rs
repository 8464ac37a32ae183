//! A SQLite database made by schema 4 (login names unique on the whole server) opens,
//! migrates to schema 5 (unique per organization) and keeps its staff and their live
//! sessions; afterwards another organization can take the same name.

use shiftlog_server::{Role, SqliteStorage, Storage};
use shiftlog_server_db::StaffAccount;

const SCHEMA_1_TO_4: [&str; 4] = [
    include_str!("../../shiftlog-server-sqlite/migrations/0001_init.sql"),
    include_str!("../../shiftlog-server-sqlite/migrations/0002_workers_staff_summaries.sql"),
    include_str!("../../shiftlog-server-sqlite/migrations/0003_totals.sql"),
    include_str!("../../shiftlog-server-sqlite/migrations/0004_changes.sql"),
];

#[test]
fn schema_4_staff_and_sessions_survive_the_per_organization_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for (i, m) in SCHEMA_1_TO_4.iter().enumerate() {
            conn.execute_batch(m).expect("old schema");
            conn.pragma_update(None, "user_version", i + 1)
                .expect("version");
        }
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             INSERT INTO organizations (id, name, created_at) VALUES ('a', 'A', '2026-11-01T00:00:00Z');
             INSERT INTO organizations (id, name, created_at) VALUES ('b', 'B', '2026-11-01T00:00:00Z');
             INSERT INTO staff VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 'a', 'ada', 'h', 'admin', '2026-11-01T00:00:00Z');
             INSERT INTO sessions (token_hash, csrf_hash, staff_id, created_at, expires_at)
               VALUES ('t', 'c', '01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', '2026-11-01T00:00:00Z', '2999-01-01T00:00:00Z');",
        )
        .expect("old rows");
    }
    let s = SqliteStorage::open_file(&path).expect("migrates");
    let found = s.staff_by_username("ada").expect("query");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].org_id, "a");
    let (_, account) = s.session("t").expect("query").expect("session kept");
    assert_eq!(account.username, "ada");
    let twin = StaffAccount {
        id: uuid::Uuid::now_v7(),
        org_id: "b".into(),
        username: "ada".into(),
        password_hash: "h2".into(),
        role: Role::Viewer,
        disabled: false,
    };
    s.create_staff(&twin).expect("the name is free in b");
    let again = StaffAccount {
        id: uuid::Uuid::now_v7(),
        ..twin
    };
    assert!(s.create_staff(&again).is_err(), "still unique inside b");
    assert_eq!(s.staff_by_username("ada").expect("query").len(), 2);
}
