//! The pay part of the worker's own summary: paid shift hours against the money received,
//! by month and by organization, with unpaid hours beside them. Hours come from the shift
//! totals the database keeps (`summary_rollup`); money from the worker's own pay ledger
//! (`payments`, which never leaves the device). Shown to the worker only, and written into
//! their summary's CSV and HTML.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Lang;
use crate::summary::SummaryQuery;
use crate::{Core, Result};

/// Hours and money for one month and organization, or a total of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayFigures {
    /// Paid shift hours (paid, on call, honorarium).
    pub paid_hours: f64,
    /// Unpaid shift hours (unpaid, volunteer).
    pub unpaid_hours: f64,
    /// Money received, in cents, by currency (`CAD` → 4000).
    pub received_cents: BTreeMap<String, i64>,
    /// Payments noted.
    pub payments: u64,
    /// Of them, shared with the organization.
    pub shared: u64,
}

impl PayFigures {
    fn add(&mut self, o: &PayFigures) {
        self.paid_hours += o.paid_hours;
        self.unpaid_hours += o.unpaid_hours;
        for (c, v) in &o.received_cents {
            *self.received_cents.entry(c.clone()).or_default() += v;
        }
        self.payments += o.payments;
        self.shared += o.shared;
    }

    /// Money received per paid hour, in cents, when it was all in one currency.
    pub fn per_paid_hour_cents(&self) -> Option<(String, i64)> {
        match (self.received_cents.iter().next(), self.received_cents.len()) {
            (Some((c, v)), 1) if self.paid_hours > 0.0 => {
                Some((c.clone(), (*v as f64 / self.paid_hours).round() as i64))
            }
            _ => None,
        }
    }
}

/// One month of one organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Organization id.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// Figures.
    pub figures: PayFigures,
}

/// Paid hours against money received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaySummary {
    /// By month and organization, oldest month first.
    pub rows: Vec<PayRow>,
    /// By organization, all months (`month` is empty).
    pub by_org: Vec<PayRow>,
    /// By month, all organizations (`org_id` and `org_name` are empty).
    pub by_month: Vec<PayRow>,
    /// Everything.
    pub total: PayFigures,
}

const MS_PER_HOUR: f64 = 3_600_000.0;

impl Core {
    /// Paid hours against money received for the period and organizations of `q` (whole
    /// local days, as [`Core::summary`]).
    pub fn pay_summary(&self, q: &SummaryQuery) -> Result<PaySummary> {
        let from = q.from.format("%Y-%m-%d").to_string();
        let to = q.to.format("%Y-%m-%d").to_string();
        let mut cells: BTreeMap<(String, String), PayFigures> = BTreeMap::new();
        let db = self.db();
        let names: BTreeMap<String, String> = {
            let mut stmt = db.prepare_cached("SELECT id, name FROM organizations")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        {
            let mut stmt = db.prepare_cached(
                "SELECT substr(day, 1, 7), org_id, pay_type, SUM(shift_ms) FROM summary_rollup
                 WHERE record_type = 'shift' AND day >= ?1 AND day < ?2
                   AND (?3 IS NULL OR org_id = ?3)
                 GROUP BY 1, 2, 3 HAVING SUM(n) > 0",
            )?;
            let mut rows = stmt.query(params![from, to, q.org_id])?;
            while let Some(r) = rows.next()? {
                let f = cells.entry((r.get(0)?, r.get(1)?)).or_default();
                let pay: String = r.get(2)?;
                let hours = r.get::<_, i64>(3)? as f64 / MS_PER_HOUR;
                // The pay types the record model counts as unpaid work.
                let unpaid = crate::model::PayType::parse(&pay).is_some_and(|p| p.is_unpaid());
                if unpaid {
                    f.unpaid_hours += hours;
                } else {
                    f.paid_hours += hours;
                }
            }
        }
        {
            let mut stmt = db.prepare_cached(
                "SELECT substr(paid_on, 1, 7), org_id, currency, SUM(amount_cents), COUNT(*),
                        COUNT(shared_record_id)
                 FROM payments WHERE paid_on >= ?1 AND paid_on < ?2
                   AND (?3 IS NULL OR org_id = ?3)
                 GROUP BY 1, 2, 3",
            )?;
            let mut rows = stmt.query(params![from, to, q.org_id])?;
            while let Some(r) = rows.next()? {
                let f = cells.entry((r.get(0)?, r.get(1)?)).or_default();
                *f.received_cents.entry(r.get(2)?).or_default() += r.get::<_, i64>(3)?;
                f.payments += r.get::<_, u64>(4)?;
                f.shared += r.get::<_, u64>(5)?;
            }
        }
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        let mut by_org: BTreeMap<String, PayFigures> = BTreeMap::new();
        let mut by_month: BTreeMap<String, PayFigures> = BTreeMap::new();
        let mut total = PayFigures::default();
        let mut rows = Vec::new();
        for ((month, org_id), f) in cells {
            by_org.entry(org_id.clone()).or_default().add(&f);
            by_month.entry(month.clone()).or_default().add(&f);
            total.add(&f);
            rows.push(PayRow {
                month,
                org_name: name(&org_id),
                org_id,
                figures: f,
            });
        }
        Ok(PaySummary {
            rows,
            by_org: by_org
                .into_iter()
                .map(|(org_id, figures)| PayRow {
                    month: String::new(),
                    org_name: name(&org_id),
                    org_id,
                    figures,
                })
                .collect(),
            by_month: by_month
                .into_iter()
                .map(|(month, figures)| PayRow {
                    month,
                    org_id: String::new(),
                    org_name: String::new(),
                    figures,
                })
                .collect(),
            total,
        })
    }
}

fn word(key: &str, lang: Lang) -> &'static str {
    let fr = lang == Lang::Fr;
    match key {
        "pay" if fr => "Paie",
        "pay" => "Pay",
        "title" if fr => "Heures payées et argent reçu",
        "title" => "Paid hours and money received",
        "month" if fr => "Mois",
        "month" => "Month",
        "org" if fr => "Organisme",
        "org" => "Organization",
        "all_months" if fr => "Tous les mois",
        "all_months" => "All months",
        "all_orgs" if fr => "Tous les organismes",
        "all_orgs" => "All organizations",
        "paid_hours" if fr => "Heures payées",
        "paid_hours" => "Paid hours",
        "unpaid_hours" if fr => "Heures non payées",
        "unpaid_hours" => "Unpaid hours",
        "received" if fr => "Reçu",
        "received" => "Received",
        "per_hour" if fr => "Reçu par heure payée",
        "per_hour" => "Received per paid hour",
        "private" if fr => {
            "Ces montants restent sur votre appareil, sauf les lignes que vous avez partagées."
        }
        "private" => "These amounts stay on your device, except lines you shared.",
        _ => "",
    }
}

/// `40.00 CAD; 5.00 USD`, or `0.00` when nothing was received.
fn money(f: &PayFigures) -> String {
    if f.received_cents.is_empty() {
        return "0.00".into();
    }
    f.received_cents
        .iter()
        .map(|(c, v)| format!("{} {c}", crate::model::format_cents(*v)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn lines(s: &PaySummary, lang: Lang) -> Vec<(String, String, PayFigures)> {
    let mut out: Vec<(String, String, PayFigures)> = s
        .rows
        .iter()
        .map(|r| (r.month.clone(), r.org_name.clone(), r.figures.clone()))
        .collect();
    for r in &s.by_org {
        out.push((
            word("all_months", lang).into(),
            r.org_name.clone(),
            r.figures.clone(),
        ));
    }
    for r in &s.by_month {
        out.push((
            r.month.clone(),
            word("all_orgs", lang).into(),
            r.figures.clone(),
        ));
    }
    out.push((
        word("all_months", lang).into(),
        word("all_orgs", lang).into(),
        s.total.clone(),
    ));
    out
}

impl PaySummary {
    /// Rows of the summary CSV (organization, section, measure, value), after its own.
    pub fn csv_rows(&self, lang: Lang, field: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for (month, org, f) in lines(self, lang) {
            let sec = format!("{} {month}", word("pay", lang));
            let mut put = |measure: String, value: String| {
                out.push_str(&format!(
                    "{},{},{},{}\r\n",
                    field(&org),
                    field(&sec),
                    field(&measure),
                    field(&value)
                ));
            };
            put(
                word("paid_hours", lang).into(),
                format!("{:.2}", f.paid_hours),
            );
            put(
                word("unpaid_hours", lang).into(),
                format!("{:.2}", f.unpaid_hours),
            );
            if f.received_cents.is_empty() {
                put(
                    format!(
                        "{} ({})",
                        word("received", lang),
                        crate::model::DEFAULT_CURRENCY
                    ),
                    "0.00".into(),
                );
            }
            for (c, v) in &f.received_cents {
                put(
                    format!("{} ({c})", word("received", lang)),
                    crate::model::format_cents(*v),
                );
            }
        }
        out
    }

    /// A section of the summary's HTML page: one table, month and organization by row.
    pub fn html_section(&self, lang: Lang, esc: impl Fn(&str) -> String) -> String {
        let mut h = format!(
            "<section><h2>{}</h2><p>{}</p><table><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>",
            esc(word("title", lang)),
            esc(word("private", lang)),
            esc(word("month", lang)),
            esc(word("org", lang)),
            esc(word("paid_hours", lang)),
            esc(word("unpaid_hours", lang)),
            esc(word("received", lang)),
        );
        for (month, org, f) in lines(self, lang) {
            h.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td></tr>",
                esc(&month),
                esc(&org),
                f.paid_hours,
                f.unpaid_hours,
                esc(&money(&f)),
            ));
        }
        h.push_str("</table></section>");
        h
    }
}
