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
    if let Some(note) = r.body.get("note").and_then(Value::as_str) {
        if note.chars().count() > 280 {
            return Err("note: at most 280 characters".into());
        }
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
