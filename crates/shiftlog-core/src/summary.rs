//! The worker's own summary: hours by pay type (unpaid and off-shift included), activities by
//! kind, supplies by item, naloxone doses, navigation tasks by outcome, debriefs requested,
//! per organization and across all. The record of work the studies say goes uncredited.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::error::Lang;
use crate::{Core, Result};

/// The period and organizations to summarize.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryQuery {
    /// Start (inclusive).
    pub from: DateTime<FixedOffset>,
    /// End (exclusive).
    pub to: DateTime<FixedOffset>,
    /// One organization, or all when `None`.
    #[serde(default)]
    pub org_id: Option<String>,
}

/// Figures for one organization, or for all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Shift hours by pay type id.
    pub hours_by_pay_type: BTreeMap<String, f64>,
    /// Paid shift hours (paid, on call, honorarium).
    pub paid_hours: f64,
    /// Unpaid shift hours (unpaid, volunteer).
    pub unpaid_hours: f64,
    /// Hours of activities done off shift (their minutes, travel included).
    pub off_shift_hours: f64,
    /// Activities off shift.
    pub off_shift_activities: u64,
    /// Activities by kind id.
    pub activities_by_kind: BTreeMap<String, u64>,
    /// Total activities.
    pub activities: u64,
    /// People reached (sum of counts).
    pub people_reached: i64,
    /// Supplies by item id.
    pub supplies_by_item: BTreeMap<String, i64>,
    /// Naloxone doses given.
    pub naloxone_doses: i64,
    /// Navigation tasks by outcome id.
    pub navigation_by_outcome: BTreeMap<String, u64>,
    /// Debriefs the worker asked for.
    pub debriefs_requested: u64,
    /// Training records.
    pub trainings: u64,
}

/// One organization's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgFigures {
    /// Organization id.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// Figures.
    pub figures: Figures,
}

/// The worker's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Start.
    pub from: DateTime<FixedOffset>,
    /// End.
    pub to: DateTime<FixedOffset>,
    /// Per organization.
    pub organizations: Vec<OrgFigures>,
    /// Across all.
    pub total: Figures,
}

const MS_PER_HOUR: f64 = 3_600_000.0;

fn add(f: &mut Figures, other: &Figures) {
    for (k, v) in &other.hours_by_pay_type {
        *f.hours_by_pay_type.entry(k.clone()).or_default() += v;
    }
    f.paid_hours += other.paid_hours;
    f.unpaid_hours += other.unpaid_hours;
    f.off_shift_hours += other.off_shift_hours;
    f.off_shift_activities += other.off_shift_activities;
    for (k, v) in &other.activities_by_kind {
        *f.activities_by_kind.entry(k.clone()).or_default() += v;
    }
    f.activities += other.activities;
    f.people_reached += other.people_reached;
    for (k, v) in &other.supplies_by_item {
        *f.supplies_by_item.entry(k.clone()).or_default() += v;
    }
    f.naloxone_doses += other.naloxone_doses;
    for (k, v) in &other.navigation_by_outcome {
        *f.navigation_by_outcome.entry(k.clone()).or_default() += v;
    }
    f.debriefs_requested += other.debriefs_requested;
    f.trainings += other.trainings;
}

impl Core {
    /// The worker's summary for a period of whole local days: from `from`'s date (inclusive)
    /// to `to`'s date (exclusive), each taken in its own UTC offset. A record counts on the
    /// local date it happened. Reads the running totals kept by the database's triggers
    /// (migration 2), so its cost grows with the number of days, not of records.
    pub fn summary(&self, q: &SummaryQuery) -> Result<Summary> {
        let from = q.from.format("%Y-%m-%d").to_string();
        let to = q.to.format("%Y-%m-%d").to_string();
        let db = self.db();
        let mut per_org: BTreeMap<String, Figures> = BTreeMap::new();
        let names: BTreeMap<String, String> = {
            let mut stmt = db.prepare_cached("SELECT id, name FROM organizations")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        {
            let mut stmt = db.prepare_cached(
                "SELECT org_id, record_type, kind, outcome, pay_type, on_shift, SUM(n),
                        SUM(minutes), SUM(people_reached), SUM(naloxone_doses), SUM(shift_ms)
                 FROM summary_rollup
                 WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR org_id = ?3)
                 GROUP BY org_id, record_type, kind, outcome, pay_type, on_shift
                 HAVING SUM(n) > 0",
            )?;
            let mut rows = stmt.query(params![from, to, q.org_id])?;
            while let Some(r) = rows.next()? {
                let org: String = r.get(0)?;
                let rt: String = r.get(1)?;
                let kind: String = r.get(2)?;
                let outcome: String = r.get(3)?;
                let pay: String = r.get(4)?;
                let on_shift: bool = r.get(5)?;
                let n: u64 = r.get(6)?;
                let minutes: i64 = r.get(7)?;
                let people: i64 = r.get(8)?;
                let doses: i64 = r.get(9)?;
                let shift_ms: i64 = r.get(10)?;
                let f = per_org.entry(org).or_default();
                match rt.as_str() {
                    "activity" => {
                        f.activities += n;
                        *f.activities_by_kind.entry(kind.clone()).or_default() += n;
                        f.people_reached += people;
                        f.naloxone_doses += doses;
                        if !on_shift {
                            f.off_shift_activities += n;
                            f.off_shift_hours += minutes as f64 / 60.0;
                        }
                        if kind == "systems_navigation" && !outcome.is_empty() {
                            *f.navigation_by_outcome.entry(outcome).or_default() += n;
                        }
                    }
                    "shift" => {
                        let hours = shift_ms as f64 / MS_PER_HOUR;
                        let pay = if pay.is_empty() {
                            "paid".to_string()
                        } else {
                            pay
                        };
                        if matches!(pay.as_str(), "unpaid" | "volunteer") {
                            f.unpaid_hours += hours;
                        } else {
                            f.paid_hours += hours;
                        }
                        *f.hours_by_pay_type.entry(pay).or_default() += hours;
                    }
                    "training" => f.trainings += n,
                    _ => {}
                }
            }
        }
        {
            let mut stmt = db.prepare_cached(
                "SELECT org_id, item, SUM(quantity) FROM supply_rollup
                 WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR org_id = ?3)
                 GROUP BY org_id, item HAVING SUM(quantity) <> 0",
            )?;
            let mut rows = stmt.query(params![from, to, q.org_id])?;
            while let Some(r) = rows.next()? {
                let f = per_org.entry(r.get(0)?).or_default();
                *f.supplies_by_item.entry(r.get(1)?).or_default() += r.get::<_, i64>(2)?;
            }
        }
        {
            let mut stmt = db.prepare_cached(
                "SELECT COALESCE(org_id, ''), COUNT(*) FROM checkins
                 WHERE debrief_requested = 1 AND substr(created_at, 1, 10) >= ?1
                   AND substr(created_at, 1, 10) < ?2 AND (?3 IS NULL OR org_id = ?3)
                 GROUP BY org_id",
            )?;
            let mut rows = stmt.query(params![from, to, q.org_id])?;
            while let Some(r) = rows.next()? {
                per_org.entry(r.get(0)?).or_default().debriefs_requested += r.get::<_, u64>(1)?;
            }
        }
        let mut total = Figures::default();
        let mut organizations = Vec::new();
        for (org_id, figures) in per_org {
            add(&mut total, &figures);
            organizations.push(OrgFigures {
                org_name: names
                    .get(&org_id)
                    .cloned()
                    .unwrap_or_else(|| org_id.clone()),
                org_id,
                figures,
            });
        }
        Ok(Summary {
            from: q.from,
            to: q.to,
            organizations,
            total,
        })
    }
}

/// Words for the summary export, in English and French.
fn word(key: &str, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let s = match key {
        "title" if fr => "Mon résumé de travail",
        "title" => "My work summary",
        "period" if fr => "Période",
        "period" => "Period",
        "all" if fr => "Tous les organismes",
        "all" => "All organizations",
        "paid_hours" if fr => "Heures payées (quarts)",
        "paid_hours" => "Paid hours (shifts)",
        "unpaid_hours" if fr => "Heures non payées (quarts)",
        "unpaid_hours" => "Unpaid hours (shifts)",
        "off_shift_hours" if fr => "Heures hors quart",
        "off_shift_hours" => "Hours off shift",
        "off_shift_activities" if fr => "Activités hors quart",
        "off_shift_activities" => "Activities off shift",
        "activities" if fr => "Activités",
        "activities" => "Activities",
        "people_reached" if fr => "Personnes rejointes",
        "people_reached" => "People reached",
        "naloxone_doses" if fr => "Doses de naloxone données",
        "naloxone_doses" => "Naloxone doses given",
        "debriefs_requested" if fr => "Débreffages demandés",
        "debriefs_requested" => "Debriefs requested",
        "trainings" if fr => "Formations",
        "trainings" => "Training",
        "hours" if fr => "Heures",
        "hours" => "Hours",
        "supplies" if fr => "Matériel remis",
        "supplies" => "Supplies handed out",
        "navigation" if fr => "Démarches d'accompagnement",
        "navigation" => "Navigation tasks",
        // Kinds, pay types and outcomes: the record model's words.
        other => {
            return shiftlog_model::kinds::builtin_label(other)
                .map(|l| l.get(lang).to_string())
                .unwrap_or_else(|| other.to_string())
        }
    };
    s.to_string()
}

fn item_label(cat: &Catalogue, id: &str, lang: Lang) -> String {
    cat.items
        .iter()
        .find(|i| i.id == id)
        .map(|i| i.label.get(lang).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Rows of (section, label, value) for one set of figures.
fn rows(f: &Figures, cat: &Catalogue, lang: Lang) -> Vec<(String, String, String)> {
    let h = |x: f64| format!("{x:.2}");
    let mut out = vec![
        (
            word("hours", lang),
            word("paid_hours", lang),
            h(f.paid_hours),
        ),
        (
            word("hours", lang),
            word("unpaid_hours", lang),
            h(f.unpaid_hours),
        ),
        (
            word("hours", lang),
            word("off_shift_hours", lang),
            h(f.off_shift_hours),
        ),
    ];
    for (k, v) in &f.hours_by_pay_type {
        out.push((word("hours", lang), word(k, lang), h(*v)));
    }
    out.push((
        word("activities", lang),
        word("activities", lang),
        f.activities.to_string(),
    ));
    for (k, v) in &f.activities_by_kind {
        out.push((word("activities", lang), word(k, lang), v.to_string()));
    }
    out.push((
        word("activities", lang),
        word("off_shift_activities", lang),
        f.off_shift_activities.to_string(),
    ));
    out.push((
        word("activities", lang),
        word("people_reached", lang),
        f.people_reached.to_string(),
    ));
    out.push((
        word("activities", lang),
        word("naloxone_doses", lang),
        f.naloxone_doses.to_string(),
    ));
    for (k, v) in &f.supplies_by_item {
        out.push((
            word("supplies", lang),
            item_label(cat, k, lang),
            v.to_string(),
        ));
    }
    for (k, v) in &f.navigation_by_outcome {
        out.push((word("navigation", lang), word(k, lang), v.to_string()));
    }
    out.push((
        word("activities", lang),
        word("debriefs_requested", lang),
        f.debriefs_requested.to_string(),
    ));
    out.push((
        word("activities", lang),
        word("trainings", lang),
        f.trainings.to_string(),
    ));
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// How a summary is written out for the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SummaryFormat {
    /// CSV (RFC 4180, UTF-8).
    Csv,
    /// A self-contained printable HTML page.
    Html,
}

impl Core {
    /// The worker's summary for `q`, written out with the labels of the organization's
    /// catalogue (the worker's first organization when the query spans all).
    pub fn summary_export(
        &self,
        q: &SummaryQuery,
        format: SummaryFormat,
        lang: Lang,
    ) -> Result<String> {
        let s = self.summary(q)?;
        let cat = self.catalogue(q.org_id.as_deref())?;
        // The pay part (paid hours against money received: crate::pay_summary).
        let pay = self.pay_summary(q)?;
        Ok(match format {
            SummaryFormat::Csv => s.to_csv(&cat, lang) + &pay.csv_rows(lang, csv_field),
            SummaryFormat::Html => s.to_html(&cat, lang).replace(
                "</body>",
                &(pay.html_section(lang, |t| {
                    t.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;")
                }) + "</body>"),
            ),
        })
    }
}

impl Summary {
    /// The summary as CSV (RFC 4180, UTF-8): organization, section, measure, value.
    pub fn to_csv(&self, cat: &Catalogue, lang: Lang) -> String {
        let mut out = String::from("organization,section,measure,value\r\n");
        let mut emit = |org: &str, f: &Figures| {
            for (sec, label, value) in rows(f, cat, lang) {
                out.push_str(&format!(
                    "{},{},{},{}\r\n",
                    csv_field(org),
                    csv_field(&sec),
                    csv_field(&label),
                    value
                ));
            }
        };
        for o in &self.organizations {
            emit(&o.org_name, &o.figures);
        }
        emit(&word("all", lang), &self.total);
        out
    }

    /// The summary as a self-contained printable HTML page (print it or save it as PDF).
    pub fn to_html(&self, cat: &Catalogue, lang: Lang) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut body = String::new();
        let mut section = |title: &str, f: &Figures| {
            body.push_str(&format!("<section><h2>{}</h2><table>", esc(title)));
            for (sec, label, value) in rows(f, cat, lang) {
                body.push_str(&format!(
                    "<tr><th scope=\"row\">{} · {}</th><td>{}</td></tr>",
                    esc(&sec),
                    esc(&label),
                    esc(&value)
                ));
            }
            body.push_str("</table></section>");
        };
        section(&word("all", lang), &self.total);
        for o in &self.organizations {
            section(&o.org_name, &o.figures);
        }
        format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
             <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#111}}\
             table{{border-collapse:collapse;width:100%;max-width:40rem}}\
             th,td{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}}\
             td{{text-align:right;font-variant-numeric:tabular-nums}}\
             @media print{{body{{margin:0}}section{{break-inside:avoid}}}}</style></head>\
             <body><h1>{title}</h1><p>{period}: {from} – {to}</p>{body}</body></html>",
            lang = if lang == Lang::Fr { "fr" } else { "en" },
            title = esc(&word("title", lang)),
            period = esc(&word("period", lang)),
            from = self.from.format("%Y-%m-%d"),
            to = self.to.format("%Y-%m-%d"),
        )
    }
}
