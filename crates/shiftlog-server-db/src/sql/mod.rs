//! SQL shared by the backends: both speak this subset, only placeholders differ
//! (`?1` for SQLite, `$1` for PostgreSQL). Column names come from enums, never from input;
//! every value from a request is a bound parameter.

mod aggregate;
mod epoch;
mod records;
mod statements;
mod tokens;

use std::sync::OnceLock;

pub use aggregate::aggregate;
pub use epoch::*;
pub use records::{
    insert_changes, insert_items, insert_record, insert_records, update_record, PreparedRow,
    RecordRow, RECORD_COLUMNS,
};
pub use statements::*;
pub use tokens::*;

use crate::RecordFilter;

/// Placeholder style of a backend.
pub type Placeholder = fn(usize) -> String;

/// The SQL a backend speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `?1`; one writer connection, so no row locks.
    Sqlite,
    /// `$1`; rows locked with `FOR UPDATE` where several instances may race.
    Postgres,
}

impl Dialect {
    /// The placeholder for parameter `n` (from 1).
    pub fn placeholder(self) -> Placeholder {
        match self {
            Dialect::Sqlite => |n| format!("?{n}"),
            Dialect::Postgres => |n| format!("${n}"),
        }
    }
}

/// One SQL text for both backends, written with `$1` placeholders. A locking statement also
/// carries the clause PostgreSQL appends (`FOR UPDATE`); SQLite needs none, having one writer.
#[derive(Debug)]
pub struct Statement {
    text: &'static str,
    postgres_lock: &'static str,
    rendered: [OnceLock<String>; 2],
}

impl Statement {
    /// A statement that differs between backends only in placeholders.
    pub const fn new(text: &'static str) -> Statement {
        Statement::locking(text, "")
    }

    /// A statement that PostgreSQL runs with `lock` appended.
    pub const fn locking(text: &'static str, lock: &'static str) -> Statement {
        Statement {
            text,
            postgres_lock: lock,
            rendered: [OnceLock::new(), OnceLock::new()],
        }
    }

    /// The text for `dialect`, rendered once.
    pub fn text(&self, dialect: Dialect) -> &str {
        let (slot, lock) = match dialect {
            Dialect::Sqlite => (0, ""),
            Dialect::Postgres => (1, self.postgres_lock),
        };
        self.rendered[slot].get_or_init(|| render(self.text, dialect.placeholder()) + lock)
    }
}

/// `text` with every `$n` placeholder replaced by `ph(n)`.
pub fn render(text: &str, ph: Placeholder) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&ph(n)),
            Err(_) => out.push('$'),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Appends the filter's conditions on table `t` (`records`, `totals` or `item_totals`,
/// which have `day` and `area`) to `sql`, pushing their values onto `params` (`params`
/// already holds the organization id as parameter 1). `item_totals` only holds supplies
/// lines, so there the type and kind filters compare with that constant.
pub(crate) fn push_filter(
    filter: &RecordFilter,
    t: &str,
    ph: Placeholder,
    sql: &mut String,
    params: &mut Vec<String>,
) {
    let mut cond = |column: String, op: &str, value: &Option<String>| {
        if let Some(v) = value {
            params.push(v.clone());
            sql.push_str(&format!(" AND {column} {op} {}", ph(params.len())));
        }
    };
    cond(format!("{t}.day"), ">=", &filter.from);
    cond(format!("{t}.day"), "<=", &filter.to);
    let (record_type, kind, area) = match t {
        "i" => (
            "'activity'".to_string(),
            "'supplies_distributed'".to_string(),
            format!("{t}.area"),
        ),
        // Wanted training: no kind of its own, and no area.
        "w" => (
            "'training'".to_string(),
            "'training'".to_string(),
            "''".to_string(),
        ),
        _ => (
            format!("{t}.record_type"),
            format!("{t}.kind"),
            format!("{t}.area"),
        ),
    };
    cond(record_type, "=", &filter.record_type);
    cond(kind, "=", &filter.kind);
    cond(area, "=", &filter.area);
}

/// The record-level export query for `filter`.
pub fn export(filter: &RecordFilter, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
    let mut sql = format!(
        "SELECT r.id, r.record_type, r.kind, r.occurred_at, r.recorded_at, r.received_at,
                r.version, r.device_id, coalesce(w.pseudonym, ''), r.area, r.role, r.body
         FROM records r LEFT JOIN workers w ON w.id = r.worker_id
         WHERE r.org_id = {} AND NOT r.deleted",
        ph(1)
    );
    let mut params = vec![org_id.to_string()];
    push_filter(filter, "r", ph, &mut sql, &mut params);
    sql.push_str(" ORDER BY r.occurred_utc_ms, r.id");
    (sql, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_render_per_dialect() {
        assert_eq!(
            INSERT_CHANGE.text(Dialect::Sqlite),
            "INSERT INTO record_changes (record_id, org_id, worker_id) VALUES (?1, ?2, ?3)"
        );
        // The multi-row form is the same statement, repeated per row.
        let ph = Dialect::Sqlite.placeholder();
        assert_eq!(insert_changes(1, ph), INSERT_CHANGE.text(Dialect::Sqlite));
        assert!(insert_changes(2, ph).ends_with("VALUES (?1, ?2, ?3), (?4, ?5, ?6)"));
        assert_eq!(
            RECORD_HEAD.text(Dialect::Postgres),
            format!("{} FOR UPDATE", RECORD_HEAD.text),
        );
        assert!(!RECORD_HEAD.text(Dialect::Sqlite).contains("FOR UPDATE"));
        assert_eq!(
            render("$12, $3::text[], $", |n| format!("<{n}>")),
            "<12>, <3>::text[], $"
        );
        assert!(!PULL.text(Dialect::Sqlite).contains('$'));
    }

    #[test]
    fn filter_values_are_parameters_never_sql() {
        let evil = "x' OR '1'='1".to_string();
        let f = RecordFilter {
            kind: Some(evil.clone()),
            area: Some(evil.clone()),
            ..Default::default()
        };
        let (sql, params) = export(&f, "org", |n| format!("${n}"));
        assert!(!sql.contains("OR '1'"), "{sql}");
        assert_eq!(params, vec!["org".to_string(), evil.clone(), evil]);
        assert!(sql.contains("r.kind = $2") && sql.contains("r.area = $3"));
    }
}
