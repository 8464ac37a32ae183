//! The worker's pay ledger: what they were paid, by whom, when and how (migration 9,
//! docs/pay.md). A line stays on this device: the `payments` table is not the sync outbox.
//! Only when the worker shares a line is a separate `payment` record written into `records`,
//! holding the amount, currency, day, method and shifts (never the note); editing a shared
//! line edits that record, and deleting the line deletes it on the server too.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeZone};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::now;
use super::rows::{conv_err, parse_time, write_record, Derived};
use crate::model::{self, PayMethod, PaymentBody, Record, RecordSync, RecordType};
use crate::{Core, Result, ValidationError};

/// A payment the worker notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPayment {
    /// The organization that paid (the worker's first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217 code; `CAD` when `None`.
    #[serde(default)]
    pub currency: Option<String>,
    /// The day it was paid.
    pub paid_on: NaiveDate,
    /// How.
    pub method: PayMethod,
    /// The shifts it was for (shift record ids of that organization).
    #[serde(default)]
    pub shift_ids: Vec<Uuid>,
    /// A short note for the worker (never shared; no names).
    #[serde(default)]
    pub note: Option<String>,
}

/// A line of the pay ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// The organization that paid.
    pub org_id: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The day it was paid.
    pub paid_on: NaiveDate,
    /// How.
    pub method: PayMethod,
    /// The shifts it was for.
    pub shift_ids: Vec<Uuid>,
    /// The worker's note.
    pub note: Option<String>,
    /// When it was written down.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// The record shared with the organization, if the worker shared this line.
    pub shared_record_id: Option<Uuid>,
    /// Where the shared record stands (`None` when not shared).
    pub shared: Option<RecordSync>,
}

const COLS: &str = "id, org_id, amount_cents, currency, paid_on, method, shift_ids, note,
    created_at, updated_at, shared_record_id";

impl Core {
    /// Notes a payment in the worker's ledger. It stays on this device.
    pub fn add_payment(&self, p: NewPayment) -> Result<Payment> {
        let org_id = self.resolve_org(p.org_id.as_deref())?;
        let p = self.checked_payment(&org_id, p)?;
        let id = Uuid::now_v7();
        let t = now().to_rfc3339();
        self.db().execute(
            &format!("INSERT INTO payments ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, NULL)"),
            params![
                id.to_string(),
                org_id,
                p.amount_cents,
                p.currency,
                p.paid_on.to_string(),
                p.method.as_str(),
                ids_json(&p.shift_ids),
                p.note,
                t,
            ],
        )?;
        self.get_payment(id)
    }

    /// The ledger, newest payment first (one organization's when `org_id` is given).
    pub fn list_payments(&self, org_id: Option<&str>) -> Result<Vec<Payment>> {
        let rows: Vec<Payment> = {
            let db = self.db();
            let mut stmt = db.prepare(&format!(
                "SELECT {COLS} FROM payments WHERE ?1 IS NULL OR org_id = ?1
                 ORDER BY paid_on DESC, id DESC"
            ))?;
            let rows = stmt.query_map([org_id], row_to_payment)?;
            rows.collect::<Result<_, _>>()?
        };
        rows.into_iter().map(|p| self.with_share_state(p)).collect()
    }

    /// One line of the ledger.
    pub fn get_payment(&self, id: Uuid) -> Result<Payment> {
        let p = self
            .db()
            .query_row(
                &format!("SELECT {COLS} FROM payments WHERE id = ?1"),
                [id.to_string()],
                row_to_payment,
            )
            .optional()?
            .ok_or_else(|| ValidationError::NotFound(id.to_string()))?;
        self.with_share_state(p)
    }

    /// Changes a line. If it was shared, the shared record changes with it (and is sent
    /// again), so the organization never keeps a figure the worker corrected.
    pub fn edit_payment(&self, id: Uuid, p: NewPayment) -> Result<Payment> {
        let old = self.get_payment(id)?;
        let org_id = match p.org_id.as_deref() {
            Some(o) => self.resolve_org(Some(o))?,
            None => old.org_id.clone(),
        };
        if old.shared_record_id.is_some() && org_id != old.org_id {
            // A shared record belongs to the organization it went to.
            return Err(ValidationError::Malformed(
                "org_id: a shared line stays with its organization".into(),
            )
            .into());
        }
        let p = self.checked_payment(&org_id, p)?;
        // A shared record deleted on its own (from My records) is no longer updated.
        let shared = old
            .shared_record_id
            .and_then(|rid| self.get_record(rid).ok());
        let stamp = shared.as_ref().map(|_| self.stamp());
        let woke = stamp.is_some();
        {
            let mut db = self.db();
            let tx = db.transaction()?;
            tx.execute(
                "UPDATE payments SET org_id = ?2, amount_cents = ?3, currency = ?4, paid_on = ?5,
                     method = ?6, shift_ids = ?7, note = ?8, updated_at = ?9 WHERE id = ?1",
                params![
                    id.to_string(),
                    org_id,
                    p.amount_cents,
                    p.currency,
                    p.paid_on.to_string(),
                    p.method.as_str(),
                    ids_json(&p.shift_ids),
                    p.note,
                    now().to_rfc3339(),
                ],
            )?;
            if let Some(old_rec) = shared {
                let rec = Record {
                    occurred_at: day_start(p.paid_on),
                    version: old_rec.version + 1,
                    body: shared_body(&p).to_json(),
                    hlc: stamp,
                    ..old_rec
                };
                write_record(&tx, &rec, &Derived::default(), false)?;
            }
            tx.commit()?;
        }
        if woke {
            self.sync.wake();
        }
        self.get_payment(id)
    }

    /// Deletes a line from the ledger. A shared line is withdrawn from the organization too
    /// (its record is deleted and the deletion sent).
    pub fn delete_payment(&self, id: Uuid) -> Result<()> {
        let old = self.get_payment(id)?;
        if let Some(rid) = old.shared_record_id {
            match self.delete_record(rid) {
                Ok(()) | Err(crate::CoreError::Invalid(ValidationError::NotFound(_))) => {}
                Err(e) => return Err(e),
            }
        }
        self.db()
            .execute("DELETE FROM payments WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    /// Shares one line with the organization that paid: only now does a record about it
    /// leave the device, with the amount, currency, day, method and shifts (not the note).
    /// Sharing a line already shared changes nothing.
    pub fn share_payment(&self, id: Uuid) -> Result<Payment> {
        let p = self.get_payment(id)?;
        if p.shared_record_id.is_some() {
            return Ok(p);
        }
        let (org_id, local) = self.resolve_org_local(Some(&p.org_id))?;
        if local {
            return Err(ValidationError::NoServer.into());
        }
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::Payment,
            kind: RecordType::Payment.as_str().into(),
            occurred_at: day_start(p.paid_on),
            recorded_at: now(),
            version: 1,
            body: shared_body(&NewPayment {
                org_id: None,
                amount_cents: p.amount_cents,
                currency: Some(p.currency.clone()),
                paid_on: p.paid_on,
                method: p.method,
                shift_ids: p.shift_ids.clone(),
                note: None,
            })
            .to_json(),
            sync: RecordSync::Waiting,
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        {
            let mut db = self.db();
            let tx = db.transaction()?;
            write_record(&tx, &rec, &Derived::default(), true)?;
            link(&tx, id, rec.id)?;
            tx.commit()?;
        }
        self.sync.wake();
        self.get_payment(id)
    }

    /// The payment with its fields checked and tidied (currency defaulted, note trimmed).
    fn checked_payment(&self, org_id: &str, mut p: NewPayment) -> Result<NewPayment> {
        model::check_amount(p.amount_cents)?;
        let currency = p
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(model::DEFAULT_CURRENCY)
            .to_ascii_uppercase();
        model::check_currency(&currency)?;
        p.currency = Some(currency);
        super::not_future(day_start(p.paid_on))?;
        model::check_shift_ids(&p.shift_ids)?;
        p.note = p
            .note
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        model::note(p.note.as_deref())?;
        let db = self.db();
        let mut known = db.prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM records WHERE id = ?1 AND org_id = ?2
                 AND record_type = 'shift' AND deleted = 0)",
        )?;
        for s in &p.shift_ids {
            if !known.query_row(params![s.to_string(), org_id], |r| r.get::<_, bool>(0))? {
                return Err(ValidationError::NotFound(s.to_string()).into());
            }
        }
        Ok(p)
    }

    fn with_share_state(&self, mut p: Payment) -> Result<Payment> {
        if let Some(rid) = p.shared_record_id {
            // A record deleted by the worker unlinks its line (`delete_record`); one that is
            // gone otherwise was sent and then purged from this device by the retention
            // window: the organization has it.
            p.shared = Some(match self.get_record(rid) {
                Ok(r) => r.sync,
                Err(_) => RecordSync::Sent { at: p.updated_at },
            });
        }
        Ok(p)
    }
}

/// What a shared line says: the model's body, never the note.
fn shared_body(p: &NewPayment) -> PaymentBody {
    PaymentBody {
        amount_cents: p.amount_cents,
        currency: p
            .currency
            .clone()
            .unwrap_or_else(|| model::DEFAULT_CURRENCY.into()),
        paid_on: p.paid_on,
        method: p.method,
        shift_ids: p.shift_ids.clone(),
        extra: Default::default(),
    }
}

/// Midnight of `day` on this device's clock: the shared record's time, so its local day is
/// the day paid (the record model checks that they agree).
fn day_start(day: NaiveDate) -> DateTime<FixedOffset> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| midnight.and_utc().fixed_offset())
}

fn link(tx: &Transaction<'_>, id: Uuid, record_id: Uuid) -> Result<()> {
    tx.execute(
        "UPDATE payments SET shared_record_id = ?2 WHERE id = ?1",
        params![id.to_string(), record_id.to_string()],
    )?;
    Ok(())
}

fn ids_json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn row_to_payment(r: &rusqlite::Row<'_>) -> rusqlite::Result<Payment> {
    let uuid = |s: String, col| Uuid::parse_str(&s).map_err(|e| conv_err(col, e));
    let method: String = r.get(5)?;
    let shift_ids: String = r.get(6)?;
    let paid_on: String = r.get(4)?;
    Ok(Payment {
        id: uuid(r.get(0)?, 0)?,
        org_id: r.get(1)?,
        amount_cents: r.get(2)?,
        currency: r.get(3)?,
        paid_on: NaiveDate::parse_from_str(&paid_on, "%Y-%m-%d").map_err(|e| conv_err(4, e))?,
        method: PayMethod::parse(&method).ok_or_else(|| {
            conv_err(5, std::io::Error::other(format!("unknown method {method}")))
        })?,
        shift_ids: serde_json::from_str(&shift_ids).map_err(|e| conv_err(6, e))?,
        note: r.get(7)?,
        created_at: parse_time(r.get(8)?, 8)?,
        updated_at: parse_time(r.get(9)?, 9)?,
        shared_record_id: r
            .get::<_, Option<String>>(10)?
            .map(|s| uuid(s, 10))
            .transpose()?,
        shared: None,
    })
}
