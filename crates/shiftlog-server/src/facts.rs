//! What the server reads out of a record when it arrives: the envelope rules, and the figures
//! summaries group by ([`Facts`]). Pure functions over `docs/records.md`'s bodies.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::Value;
use shiftlog_server_db::Facts;
use shiftlog_wire::RecordEnvelope;

/// Record types this server stores.
pub const RECORD_TYPES: &[&str] = &["activity", "shift", "debrief_request", "training"];

/// Why a record is refused, as a sentence a worker can act on; `Ok` if it may be stored.
pub fn check_envelope(r: &RecordEnvelope) -> Result<(), String> {
    if !RECORD_TYPES.contains(&r.record_type.as_str()) {
        return Err(format!(
            "record_type \u{201c}{}\u{201d} is not known to this server",
            r.record_type
        ));
    }
    if r.version == 0 {
        return Err("version must be 1 or more".into());
    }
    if !r.body.is_object() {
        return Err("body must be a JSON object".into());
    }
    if r.kind.is_empty() || r.kind.len() > 64 || crate::has_control(&r.kind, false) {
        return Err("kind must be 1 to 64 characters".into());
    }
    check_body(r)
}

/// Checks the fields of a body that `docs/records.md` defines (protocol 1): types, ranges and
/// enum values of the fields that are present. Fields it does not define are kept as they are
/// (a newer device may send them); a wrong value is refused with a sentence naming the field.
pub fn check_body(r: &RecordEnvelope) -> Result<(), String> {
    if r.deleted {
        return Ok(());
    }
    let b = &r.body;
    let present = |k: &str| b.get(k).filter(|v| !v.is_null());
    let int = |k: &str, lo: i64, hi: i64| -> Result<(), String> {
        match present(k) {
            None => Ok(()),
            Some(v) => match v.as_i64() {
                Some(n) if (lo..=hi).contains(&n) => Ok(()),
                _ => Err(format!("{k}: a whole number from {lo} to {hi}")),
            },
        }
    };
    let boolean = |k: &str| -> Result<(), String> {
        match present(k) {
            Some(v) if !v.is_boolean() => Err(format!("{k}: true or false")),
            _ => Ok(()),
        }
    };
    let string = |k: &str, max: usize| -> Result<(), String> {
        match present(k) {
            None => Ok(()),
            Some(v) => match v.as_str() {
                Some(t) if t.chars().count() <= max => Ok(()),
                _ => Err(format!("{k}: text of at most {max} characters")),
            },
        }
    };
    let one_of = |k: &str, allowed: &[&str]| -> Result<(), String> {
        match present(k) {
            None => Ok(()),
            Some(v) => match v.as_str() {
                Some(t) if allowed.contains(&t) => Ok(()),
                _ => Err(format!("{k}: one of {}", allowed.join(", "))),
            },
        }
    };
    let time = |k: &str| -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, String> {
        match present(k) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(Some)
                .ok_or_else(|| format!("{k}: a date and time like 2026-11-20T10:42:00-08:00")),
        }
    };
    string("note", 280)?;
    string("area", 64)?;
    string("role", 64)?;
    match r.record_type.as_str() {
        "activity" => {
            if let Some(v) = present("shift_id") {
                if v.as_str()
                    .and_then(|t| uuid::Uuid::parse_str(t).ok())
                    .is_none()
                {
                    return Err("shift_id: a shift's id".into());
                }
            }
            boolean("on_shift")?;
            int("minutes", 0, 1440)?;
            int("people_reached", 0, 10_000)?;
            match r.kind.as_str() {
                "overdose_response" => {
                    one_of("called_911", &["yes", "no", "unknown"])?;
                    one_of("outcome", &["survived", "transported", "died", "unknown"])?;
                    for k in [
                        "ems_arrived",
                        "rescue_breathing",
                        "oxygen",
                        "recovery_position",
                        "stayed_until_recovery_or_ems",
                        "kit_replaced",
                    ] {
                        boolean(k)?;
                    }
                    if let Some(n) = present("naloxone") {
                        let doses = n.get("doses").and_then(Value::as_i64);
                        let route = n.get("route").and_then(Value::as_str);
                        if !matches!(doses, Some(0..=20))
                            || !matches!(route, None | Some("intranasal" | "intramuscular"))
                        {
                            return Err(
                                "naloxone: doses from 0 to 20, route intranasal or intramuscular"
                                    .into(),
                            );
                        }
                    }
                }
                "supplies_distributed" => {
                    let lines = b.get("items").and_then(Value::as_array);
                    let ok = lines.is_some_and(|l| {
                        !l.is_empty()
                            && l.iter().all(|line| {
                                line.get("item")
                                    .and_then(Value::as_str)
                                    .is_some_and(|i| !i.is_empty() && i.len() <= 64)
                                    && matches!(
                                        line.get("quantity").and_then(Value::as_i64),
                                        Some(1..=10_000)
                                    )
                            })
                    });
                    if !ok {
                        return Err(
                            "items: at least one line, each an item and a quantity from 1 to 10000"
                                .into(),
                        );
                    }
                }
                "systems_navigation" => {
                    one_of(
                        "task",
                        &[
                            "id",
                            "income_assistance",
                            "disability_assistance",
                            "housing",
                            "bank_account",
                            "health_appointment",
                            "pharmacy",
                            "legal",
                            "other",
                        ],
                    )?;
                    one_of("contact_type", &["phone", "in_person", "accompaniment"])?;
                    one_of("outcome", &["completed", "pending", "declined"])?;
                    int("travel_minutes", 0, 1440)?;
                    int("out_of_pocket_cents", 0, i64::MAX)?;
                    if let Some(d) = present("follow_up_date") {
                        if d.as_str()
                            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                            .is_none()
                        {
                            return Err("follow_up_date: a date like 2026-11-30".into());
                        }
                    }
                    if let Some(bs) = present("barriers") {
                        let ok = bs.as_array().is_some_and(|a| {
                            a.len() <= 20
                                && a.iter()
                                    .all(|x| x.as_str().is_some_and(|t| t.chars().count() <= 80))
                        });
                        if !ok {
                            return Err("barriers: at most 20 short texts".into());
                        }
                    }
                    if let Some(rf) = present("referral") {
                        let ok = rf.get("destination").and_then(Value::as_str).is_some()
                            && matches!(
                                rf.get("type").and_then(Value::as_str),
                                Some("passive" | "active" | "warm_handoff")
                            );
                        if !ok {
                            return Err(
                                "referral: a destination and a type (passive, active, warm_handoff)"
                                    .into(),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        "shift" => {
            one_of(
                "pay_type",
                &["paid", "unpaid", "volunteer", "on_call", "honorarium"],
            )?;
            let start = time("started_at")?;
            let end = time("ended_at")?;
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    return Err("ended_at: after started_at".into());
                }
            }
        }
        "training" => {
            string("topic", 120)?;
            one_of("status", &["received", "wanted"])?;
            int("minutes", 0, 100_000)?;
        }
        _ => {}
    }
    Ok(())
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key)
        .and_then(Value::as_str)
        .map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
}

/// A non-negative count from the body, capped at `max` so one bad record cannot swamp a sum.
fn count(body: &Value, key: &str, max: i64) -> i64 {
    body.get(key)
        .and_then(Value::as_i64)
        .map(|n| n.clamp(0, max))
        .unwrap_or(0)
}

/// Monday of `day`'s ISO week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// The figures of one record. Days are the device's local days (the offset it sent).
pub fn facts(r: &RecordEnvelope) -> Facts {
    let b = &r.body;
    let day = r.occurred_at.date_naive();
    let mut f = Facts {
        day: day.format("%Y-%m-%d").to_string(),
        week: week_start(day).format("%Y-%m-%d").to_string(),
        month: day.format("%Y-%m").to_string(),
        area: text(b, "area"),
        role: text(b, "role"),
        on_shift: b.get("on_shift").and_then(Value::as_bool).unwrap_or(true),
        ..Facts::default()
    };
    match r.record_type.as_str() {
        "activity" => {
            f.minutes = count(b, "minutes", 1440);
            f.people_reached = count(b, "people_reached", 10_000);
            match r.kind.as_str() {
                "overdose_response" => {
                    f.naloxone_doses = b
                        .get("naloxone")
                        .map(|n| count(n, "doses", 20))
                        .unwrap_or(0);
                }
                "supplies_distributed" => {
                    if let Some(items) = b.get("items").and_then(Value::as_array) {
                        for line in items {
                            if let Some(item) = text(line, "item") {
                                f.items.push((item, count(line, "quantity", 10_000)));
                            }
                        }
                    }
                }
                "systems_navigation" => {
                    f.nav_task = text(b, "task");
                    f.nav_outcome = text(b, "outcome");
                    f.minutes += count(b, "travel_minutes", 1440);
                }
                _ => {}
            }
        }
        "shift" => {
            f.pay_type = text(b, "pay_type");
            let at = |k: &str| {
                b.get(k)
                    .and_then(Value::as_str)
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            };
            if let (Some(start), Some(end)) = (at("started_at"), at("ended_at")) {
                f.shift_minutes = (end - start).num_minutes().clamp(0, 7 * 24 * 60);
            }
        }
        "training" => f.minutes = count(b, "minutes", 1440),
        _ => {}
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(record_type: &str, kind: &str, at: &str, body: Value) -> RecordEnvelope {
        serde_json::from_value(json!({
            "id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11", "version": 1,
            "record_type": record_type, "kind": kind,
            "occurred_at": at, "recorded_at": at, "body": body
        }))
        .expect("envelope")
    }

    #[test]
    fn overdose_response_counts_doses_on_the_local_day() {
        let f = facts(&env(
            "activity",
            "overdose_response",
            "2026-11-29T23:30:00-08:00",
            json!({"area": "downtown", "on_shift": false, "naloxone": {"doses": 2, "route": "intranasal"}}),
        ));
        assert_eq!(
            (f.day.as_str(), f.week.as_str(), f.month.as_str()),
            ("2026-11-29", "2026-11-23", "2026-11")
        );
        assert_eq!(f.naloxone_doses, 2);
        assert_eq!(f.area.as_deref(), Some("downtown"));
        assert!(!f.on_shift);
    }

    #[test]
    fn table_of_bodies() {
        let cases = [
            (
                env(
                    "activity",
                    "supplies_distributed",
                    "2026-11-20T10:00:00Z",
                    json!({"items": [{"item": "naloxone_kit", "quantity": 2}, {"item": "syringes", "quantity": 10}]}),
                ),
                Facts {
                    items: vec![("naloxone_kit".into(), 2), ("syringes".into(), 10)],
                    ..Default::default()
                },
            ),
            (
                env(
                    "activity",
                    "systems_navigation",
                    "2026-11-20T10:00:00Z",
                    json!({"task": "housing", "outcome": "pending", "minutes": 30, "travel_minutes": 15}),
                ),
                Facts {
                    nav_task: Some("housing".into()),
                    nav_outcome: Some("pending".into()),
                    minutes: 45,
                    ..Default::default()
                },
            ),
            (
                env(
                    "shift",
                    "shift",
                    "2026-11-20T10:00:00Z",
                    json!({"started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T13:30:00Z", "pay_type": "unpaid", "role": "outreach"}),
                ),
                Facts {
                    pay_type: Some("unpaid".into()),
                    shift_minutes: 210,
                    role: Some("outreach".into()),
                    ..Default::default()
                },
            ),
            (
                env(
                    "shift",
                    "shift",
                    "2026-11-20T10:00:00Z",
                    json!({"started_at": "2026-11-20T10:00:00Z", "ended_at": null, "pay_type": "paid"}),
                ),
                Facts {
                    pay_type: Some("paid".into()),
                    ..Default::default()
                },
            ),
            (
                env(
                    "activity",
                    "outreach_contact",
                    "2026-11-20T10:00:00Z",
                    json!({"people_reached": -5, "minutes": 99999}),
                ),
                Facts {
                    minutes: 1440,
                    ..Default::default()
                },
            ),
            (
                env(
                    "debrief_request",
                    "debrief_request",
                    "2026-11-20T10:00:00Z",
                    json!({}),
                ),
                Facts::default(),
            ),
        ];
        for (rec, want) in cases {
            let mut got = facts(&rec);
            (got.day, got.week, got.month, got.on_shift) = Default::default();
            assert_eq!(got, want, "{}", rec.body);
        }
    }

    #[test]
    fn body_table() {
        let cases: &[(&str, &str, Value, Option<&str>)] = &[
            (
                "activity",
                "outreach_contact",
                json!({"minutes": 30, "people_reached": 4, "future": 1}),
                None,
            ),
            (
                "activity",
                "outreach_contact",
                json!({"minutes": 1441}),
                Some("minutes"),
            ),
            (
                "activity",
                "outreach_contact",
                json!({"people_reached": "many"}),
                Some("people_reached"),
            ),
            (
                "activity",
                "outreach_contact",
                json!({"on_shift": "yes"}),
                Some("on_shift"),
            ),
            (
                "activity",
                "outreach_contact",
                json!({"shift_id": "nope"}),
                Some("shift_id"),
            ),
            (
                "activity",
                "overdose_response",
                json!({"called_911": "yes", "naloxone": {"doses": 2, "route": "intranasal"}, "outcome": "survived"}),
                None,
            ),
            (
                "activity",
                "overdose_response",
                json!({"naloxone": null, "outcome": null}),
                None,
            ),
            (
                "activity",
                "overdose_response",
                json!({"naloxone": {"doses": 21}}),
                Some("naloxone"),
            ),
            (
                "activity",
                "overdose_response",
                json!({"called_911": "maybe"}),
                Some("called_911"),
            ),
            (
                "activity",
                "supplies_distributed",
                json!({"items": []}),
                Some("items"),
            ),
            (
                "activity",
                "supplies_distributed",
                json!({"items": [{"item": "pipes", "quantity": 0}]}),
                Some("items"),
            ),
            (
                "activity",
                "supplies_distributed",
                json!({"items": [{"item": "pipes", "quantity": 3}]}),
                None,
            ),
            (
                "activity",
                "systems_navigation",
                json!({"task": "housing", "contact_type": "accompaniment", "outcome": "pending", "follow_up_date": "2026-12-01", "referral": {"destination": "BC Housing", "type": "warm_handoff"}, "barriers": ["no ID"]}),
                None,
            ),
            (
                "activity",
                "systems_navigation",
                json!({"task": "spying"}),
                Some("task"),
            ),
            (
                "activity",
                "systems_navigation",
                json!({"follow_up_date": "tomorrow"}),
                Some("follow_up_date"),
            ),
            (
                "activity",
                "my_org_kind",
                json!({"fields": {"anything": true}}),
                None,
            ),
            (
                "shift",
                "shift",
                json!({"started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T09:00:00Z"}),
                Some("ended_at"),
            ),
            (
                "shift",
                "shift",
                json!({"started_at": "2026-11-20T10:00:00Z", "pay_type": "paid"}),
                None,
            ),
            (
                "shift",
                "shift",
                json!({"pay_type": "cash"}),
                Some("pay_type"),
            ),
            (
                "training",
                "training",
                json!({"topic": "naloxone", "status": "wanted"}),
                None,
            ),
            (
                "training",
                "training",
                json!({"status": "maybe"}),
                Some("status"),
            ),
        ];
        for (rt, kind, body, err) in cases {
            let got = check_body(&env(rt, kind, "2026-11-20T10:00:00Z", body.clone()));
            match err {
                None => assert!(got.is_ok(), "{kind} {body}: {got:?}"),
                Some(field) => assert!(
                    got.as_ref().is_err_and(|m| m.starts_with(field)),
                    "{kind} {body}: {got:?}"
                ),
            }
        }
    }

    #[test]
    fn envelope_rules() {
        let ok = env("shift", "shift", "2026-11-20T10:00:00Z", json!({}));
        assert!(check_envelope(&ok).is_ok());
        let bad_type = env("client", "x", "2026-11-20T10:00:00Z", json!({}));
        assert!(check_envelope(&bad_type).is_err());
        let long_note = env(
            "activity",
            "meal_service",
            "2026-11-20T10:00:00Z",
            json!({"note": "a".repeat(281)}),
        );
        assert!(check_envelope(&long_note)
            .expect_err("too long")
            .contains("280"));
    }
}
