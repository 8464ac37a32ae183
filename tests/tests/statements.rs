//! Work statements an employer can verify (issue 14, part 3), end to end with the real
//! server on loopback: a worker logs a shift and an activity, syncs, asks for a statement;
//! the device keeps it only after checking it with the organization's published keys; the
//! saved file verifies offline; a tampered copy, a check against keys that are not the
//! organization's, and a statement whose key the admin revoked are each refused with their
//! reason. The printable page carries each statement's code and a QR code of its verify page.

use chrono::{Duration, Local, Utc};
use shiftlog_core::statements::{parse_file, verify_file, KeySet, VerifyError};
use shiftlog_core::{EndShift, Lang, StartShift};
use shiftlog_system_tests::{enrolled_device, supplies};

fn keys_of(server: &shiftlog_system_tests::TestServer, org: &str) -> KeySet {
    server.service.published_keys(org).expect("published keys")
}

fn one_result(
    text: &str,
    keys: &KeySet,
) -> Result<shiftlog_core::statements::Verified, VerifyError> {
    let mut all = verify_file(text, keys).expect("readable file");
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_is_signed_kept_verified_offline_and_refused_when_altered_unknown_or_revoked() {
    let e = enrolled_device("harbour", "Harbour Outreach").await;
    let core = &e.core;
    let started = (Utc::now() - Duration::hours(3)).fixed_offset();
    core.start_shift(StartShift {
        started_at: Some(started),
        ..StartShift::default()
    })
    .expect("start");
    core.log_activity(supplies("naloxone_kit", 2)).expect("log");
    core.end_shift(EndShift::default()).expect("end");
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.accepted, 2, "{report:?}");

    let today = Local::now().date_naive();
    let from = today - Duration::days(6);
    let outcomes = core
        .request_statement(None, from, today)
        .await
        .expect("request");
    assert_eq!(outcomes.len(), 1);
    let kept = outcomes
        .into_iter()
        .next()
        .map(|o| o.result.expect("statement kept"))
        .expect("one outcome");
    let st = &kept.signed.statement;
    assert_eq!(st.organization.id, "harbour");
    assert_eq!((st.period.from, st.period.to), (from, today));
    let minutes = st.total_minutes();
    assert!((179..=181).contains(&minutes), "shift minutes {minutes}");
    let supplies_line = st
        .activities
        .iter()
        .find(|a| a.kind == "supplies_distributed")
        .expect("supplies counted");
    assert_eq!(supplies_line.count, 1);
    assert_eq!(kept.short_code.len(), 11);
    assert!(kept
        .verify_url
        .ends_with(&format!("/verify?code={}", kept.short_code)));
    assert_eq!(core.statements().expect("list").len(), 1);

    // Offline: the saved file and the key list the device kept, no server involved.
    let file = core
        .statement_file(std::slice::from_ref(&kept.id))
        .expect("file");
    let kept_keys: KeySet = serde_json::from_str(
        &core
            .statement_keys_file(std::slice::from_ref(&kept.id))
            .expect("keys"),
    )
    .expect("key list");
    let ok = one_result(&file, &kept_keys).expect("verifies");
    assert_eq!(ok.short_code, kept.short_code);
    assert_eq!(kept_keys, keys_of(&e.server, "harbour"));

    // Altered: one more hour written into the file.
    let mut doc: serde_json::Value = serde_json::from_str(&file).expect("json");
    let m = doc["statement"]["hours"][0]["minutes"]
        .as_u64()
        .expect("minutes");
    doc["statement"]["hours"][0]["minutes"] = (m + 60).into();
    let tampered = serde_json::to_string(&doc).expect("json");
    let err = one_result(&tampered, &kept_keys).expect_err("altered");
    assert_eq!(err, VerifyError::Altered);
    assert!(err.message(Lang::Fr).starts_with("MODIFIÉE"));

    // Unknown key: checked against another organization's keys.
    e.server
        .service
        .ensure_organization("other", "Other Org")
        .expect("org");
    e.server
        .service
        .cli_rotate_statement_key("other")
        .expect("key");
    let other = keys_of(&e.server, "other");
    assert_eq!(other.keys.len(), 1);
    let err = one_result(&file, &other).expect_err("unknown key");
    assert_eq!(err.code(), "unknown_key", "{err:?}");

    // Revoked: the admin revokes the key; the fresh key list refuses what it signed.
    e.server
        .service
        .cli_revoke_statement_key("harbour", &kept.signed.key_id)
        .expect("revoke");
    let err = one_result(&file, &keys_of(&e.server, "harbour")).expect_err("revoked");
    assert_eq!(err.code(), "revoked_key", "{err:?}");
    assert!(err.message(Lang::En).contains("REVOKED KEY"));

    // The next statement is signed with a new key and kept beside the first.
    let again = core
        .request_statement(Some(&kept.org_id), from, today)
        .await
        .expect("request again");
    let second = again
        .into_iter()
        .next()
        .map(|o| o.result.expect("second kept"))
        .expect("one outcome");
    assert_ne!(second.signed.key_id, kept.signed.key_id);
    assert_eq!(core.statements().expect("list").len(), 2);

    // Both on one printable page, each with its code and a QR code of its verify page.
    let page = core.work_record_html(&[], Lang::Fr).expect("page");
    assert!(page.contains("Relevé de travail"));
    for s in [&kept, &second] {
        assert!(page.contains(&s.short_code), "code {}", s.short_code);
    }
    assert_eq!(page.matches("<svg class=\"qr\"").count(), 2);
    let both = core.statement_file(&[]).expect("file of both");
    assert_eq!(parse_file(&both).expect("parse").len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_period_that_cannot_be_signed_is_refused_before_asking() {
    let e = enrolled_device("harbour", "Harbour Outreach").await;
    let today = Local::now().date_naive();
    let err = e
        .core
        .request_statement(None, today, today - Duration::days(1))
        .await
        .expect_err("backwards");
    assert_eq!(err.code(), "statement_period");
    let err = e
        .core
        .request_statement(None, today - Duration::days(400), today)
        .await
        .expect_err("too long");
    assert_eq!(err.code(), "statement_period");
    assert!(e.core.statements().expect("list").is_empty());
}
