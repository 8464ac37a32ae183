//! `shiftlog summary`: the worker's own summary for a month or a range of days.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, NaiveDate};
use serde_json::json;
use shiftlog_core::{Core, SummaryFormat, SummaryQuery};

use crate::args::FormatArg;
use crate::exit::Failure;
use crate::input::local_midnight;
use crate::output::Output;

/// What `shiftlog summary` was given.
pub struct SummaryArgs {
    /// YYYY-MM.
    pub month: Option<String>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// One organization only.
    pub org: Option<String>,
    /// Output format.
    pub format: FormatArg,
    /// File to write.
    pub out: Option<PathBuf>,
}

/// Writes the summary.
pub fn summary(core: &Core, out: &Output, a: SummaryArgs) -> Result<(), Failure> {
    let (from, to) = period(a.month, a.from, a.to)?;
    let q = SummaryQuery {
        from,
        to,
        org_id: a.org.clone(),
    };
    let lang = out.lang;
    let text = match (a.format, out.json) {
        (_, true) | (FormatArg::Json, _) => {
            let mut v = json!(core.summary(&q)?);
            // Paid hours against money received: the worker's own, for their eyes.
            v["pay"] = json!(core.pay_summary(&q)?);
            v.to_string()
        }
        (FormatArg::Csv, _) => core.summary_export(&q, SummaryFormat::Csv, lang)?,
        (FormatArg::Html, _) => core.summary_export(&q, SummaryFormat::Html, lang)?,
        (FormatArg::Text, _) => core
            .summary_export(&q, SummaryFormat::Csv, lang)?
            .lines()
            .skip(1)
            .map(|l| l.replace(',', "  "))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    match a.out {
        Some(path) => std::fs::write(&path, text)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?,
        None => println!("{text}"),
    }
    Ok(())
}

/// The local midnights that bound the period: the days given, else the month (default: this
/// month).
fn period(
    month: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(DateTime<FixedOffset>, DateTime<FixedOffset>), Failure> {
    Ok(match (month, from, to) {
        (_, Some(f), Some(t)) => (
            local_midnight(f),
            local_midnight(t + chrono::Duration::days(1)),
        ),
        (m, _, _) => {
            let first = match m {
                Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                    .map_err(|_| Failure::Usage(format!("--month {m}: use YYYY-MM")))?,
                None => {
                    let today = Local::now().date_naive();
                    today - chrono::Duration::days(i64::from(chrono::Datelike::day0(&today)))
                }
            };
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(|| Failure::Usage("month out of range".into()))?;
            (local_midnight(first), local_midnight(next))
        }
    })
}
