//! A line of the worker's pay ledger, as it travels once the worker chose to share it with
//! the organization that paid it. The ledger itself never leaves the device (docs/pay.md);
//! this body is only what a shared line says: how much, in what currency, on which day, how,
//! and for which shifts. The worker's note on the line is never part of it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::choices::PayMethod;
use super::{extra_fields, object, range};
use crate::catalogue::Label;
use crate::error::ValidationError;
use crate::kinds::{Choice, FieldDef, FieldKind, KindDef};
use crate::limits::{DEFAULT_CURRENCY, MAX_PAYMENT_CENTS, MAX_PAYMENT_SHIFTS};

/// A shared payment line's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentBody {
    /// Amount in the currency's smallest unit (cents).
    pub amount_cents: i64,
    /// ISO 4217 code, `CAD` unless said.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// The day it was paid (the record's local day).
    pub paid_on: NaiveDate,
    /// How it was paid.
    pub method: PayMethod,
    /// The shifts it was for (record ids), if the worker said.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shift_ids: Vec<Uuid>,
    /// Fields this version does not define (from a newer peer), kept verbatim.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

fn default_currency() -> String {
    DEFAULT_CURRENCY.to_string()
}

/// The body fields a shared payment defines.
pub const PAYMENT_FIELDS: &[&str] = &["amount_cents", "currency", "paid_on", "method", "shift_ids"];

impl PaymentBody {
    /// Parses a shared payment's body.
    pub fn parse(body: &Value) -> Result<PaymentBody, ValidationError> {
        let map = object(body)?;
        let mut p: PaymentBody = super::read(body)?;
        p.extra = extra_fields(map, PAYMENT_FIELDS);
        Ok(p)
    }

    /// The body as JSON, with the fields kept from a newer peer.
    pub fn to_json(&self) -> Value {
        super::with_extra(
            serde_json::to_value(self).unwrap_or(Value::Null),
            &self.extra,
        )
    }

    /// Checks the fields against the rules (the day against the record's time is checked
    /// by [`crate::check`]).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_amount(self.amount_cents)?;
        check_currency(&self.currency)?;
        check_shift_ids(&self.shift_ids)
    }
}

/// An amount is 1 cent to [`MAX_PAYMENT_CENTS`].
pub fn check_amount(cents: i64) -> Result<(), ValidationError> {
    range("amount_cents", Some(cents), 1, MAX_PAYMENT_CENTS)
}

/// A currency is three capital letters (ISO 4217: `CAD`, `USD`).
pub fn check_currency(c: &str) -> Result<(), ValidationError> {
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::BadCurrency(c.to_string()))
    }
}

/// At most [`MAX_PAYMENT_SHIFTS`] shifts, each a device-made id, none twice.
pub fn check_shift_ids(ids: &[Uuid]) -> Result<(), ValidationError> {
    if ids.len() > MAX_PAYMENT_SHIFTS {
        return Err(ValidationError::TooLong("shift_ids".into()));
    }
    for (i, id) in ids.iter().enumerate() {
        crate::check::check_id(*id)?;
        if ids[..i].contains(id) {
            return Err(ValidationError::Malformed(
                "shift_ids: a shift twice".into(),
            ));
        }
    }
    Ok(())
}

/// Reads an amount as a person types it: `40`, `40.5`, `40.00`, `40,00` (French), `$40`,
/// `1 200,50`. At most two decimals; the result is in cents and within the limits.
pub fn parse_amount(s: &str) -> Result<i64, ValidationError> {
    let bad = || ValidationError::Malformed("amount: a number like 40.00".into());
    let t: String = s
        .trim()
        .trim_start_matches('$')
        .trim_end_matches('$')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (whole, frac) = match t.rfind(['.', ',']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t.as_str(), ""),
    };
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    let cents = whole.checked_mul(100).and_then(|w| w.checked_add(frac));
    let cents = cents.ok_or_else(bad)?;
    check_amount(cents)?;
    Ok(cents)
}

/// `4000` → `40.00`: cents as a plain decimal (no currency sign, no grouping), for files.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// The form of a shared payment line: what the record-level workbook shows of it.
pub fn payment_definition() -> KindDef {
    let f = |id: &str, en: &str, fr: &str, kind: FieldKind, required: bool| FieldDef {
        id: id.into(),
        label: Some(Label::new(en, fr)),
        kind,
        required,
        default: None,
    };
    KindDef {
        id: "payment".into(),
        record_type: "payment",
        custom: false,
        label: Label::new("Payment shared", "Paiement partagé"),
        fields: vec![
            f(
                "amount_cents",
                "Amount paid",
                "Montant payé",
                FieldKind::Integer {
                    min: 1,
                    max: MAX_PAYMENT_CENTS,
                },
                true,
            ),
            f(
                "currency",
                "Currency",
                "Devise",
                FieldKind::Text { max_chars: 3 },
                false,
            ),
            f(
                "paid_on",
                "Date paid",
                "Date du paiement",
                FieldKind::Date,
                true,
            ),
            f(
                "method",
                "How it was paid",
                "Mode de paiement",
                FieldKind::Choice {
                    options: PayMethod::infos()
                        .into_iter()
                        .map(|c| Choice {
                            id: c.id.into(),
                            label: Label::new(c.en, c.fr),
                        })
                        .collect(),
                },
                true,
            ),
            f(
                "shift_ids",
                "For shifts",
                "Pour les quarts",
                FieldKind::TextList {
                    max_items: MAX_PAYMENT_SHIFTS,
                    max_chars: 36,
                },
                false,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_read_as_people_type_them() {
        for (s, cents) in [
            ("40", 4000),
            ("40.00", 4000),
            ("40,5", 4050),
            ("$40.25", 4025),
            ("1 200,50", 120_050),
            (" 0.01 ", 1),
            ("100000", 10_000_000),
        ] {
            assert_eq!(parse_amount(s), Ok(cents), "{s}");
        }
        for s in [
            "",
            "0",
            "0.00",
            "-5",
            "4.001",
            "forty",
            "1e3",
            "100000.01",
            "1.2.3",
            "..",
        ] {
            assert!(parse_amount(s).is_err(), "{s}");
        }
        assert_eq!(format_cents(4005), "40.05");
        assert_eq!(format_cents(120_050), "1200.50");
    }

    #[test]
    fn a_body_is_checked_and_keeps_a_newer_peers_fields() {
        let id = Uuid::now_v7();
        let b = PaymentBody::parse(&json!({
            "amount_cents": 4000, "paid_on": "2026-11-20", "method": "e_transfer",
            "shift_ids": [id], "later": 1
        }))
        .expect("parse");
        assert_eq!(b.currency, "CAD");
        assert_eq!(b.method, PayMethod::ETransfer);
        assert!(b.validate().is_ok());
        assert_eq!(b.to_json()["later"], 1);
        for (field, v) in [
            ("amount_cents", json!(0)),
            ("amount_cents", json!(MAX_PAYMENT_CENTS + 1)),
            ("currency", json!("cad")),
            ("currency", json!("CADX")),
            ("shift_ids", json!([id, id])),
            ("shift_ids", json!([Uuid::new_v4()])),
        ] {
            let mut body = b.to_json();
            body[field] = v.clone();
            let p = PaymentBody::parse(&body).expect("parse");
            assert!(p.validate().is_err(), "{field} = {v}");
        }
        for (field, v) in [("method", json!("bitcoin")), ("paid_on", json!("soon"))] {
            let mut body = b.to_json();
            body[field] = v;
            assert!(PaymentBody::parse(&body).is_err(), "{field}");
        }
    }
}
