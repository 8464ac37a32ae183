//! Dashboard sessions end after 30 minutes unused (and 8 hours in all): a session last used
//! 31 minutes ago is refused and removed; one used 29 minutes ago works and its last use moves
//! to now. Both backends, over HTTP.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_a_used_one_stays() {
    for b in BACKENDS {
        let r = start(b).await;
        let s = staff_session(&r, "demo", "ada", "admin").await;
        let hash = shiftlog_server::hash_secret(s.cookie.split_once('=').expect("cookie").1);
        let set_last_use = |minutes: i64| {
            let h = hash.clone();
            call(&r.service, move |svc| {
                svc.store()
                    .touch_session(&h, chrono::Utc::now() - chrono::Duration::minutes(minutes))
                    .expect("touch")
            })
        };
        set_last_use(29).await;
        let me = s.get(&r, "/api/v1/staff/me").send().await.expect("me");
        assert_eq!(me.status().as_u16(), 200, "{b:?}");
        let h = hash.clone();
        let (session, _) = call(&r.service, move |svc| svc.store().session(&h).expect("q"))
            .await
            .expect("session");
        assert!(
            chrono::Utc::now() - session.last_used_at < chrono::Duration::seconds(30),
            "{b:?}: the use was written down"
        );

        set_last_use(31).await;
        let me = s.get(&r, "/api/v1/staff/me").send().await.expect("me");
        assert_eq!(me.status().as_u16(), 401, "{b:?}: idle 31 minutes");
        let h = hash.clone();
        let gone = call(&r.service, move |svc| svc.store().session(&h).expect("q")).await;
        assert!(gone.is_none(), "{b:?}: the idle session is removed");
    }
}
