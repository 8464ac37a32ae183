//! Summaries: one measure, by period (rows) and by one dimension (columns), with totals, and
//! small cells suppressed unless an admin asks otherwise (audit-logged).

use serde::{Deserialize, Serialize};
use shiftlog_server_db::{AggregateQuery, AggregateRow, Dimension, Period, RecordFilter, Role};

use crate::suppress::{self, Cell};
use crate::{valid_id, OrgService, ServiceError, Staff};

/// What a summary counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of activities.
    Activities,
    /// People reached (a count, never who).
    PeopleReached,
    /// Naloxone doses given in overdose responses.
    NaloxoneDoses,
    /// Supplies handed out, by item.
    Supplies,
    /// Systems navigation tasks.
    NavigationTasks,
    /// Shift hours (by pay type: paid and unpaid).
    Hours,
    /// Debriefs requested: counts only.
    Debriefs,
}

impl Measure {
    /// Which records it reads.
    fn scope(self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Measure::Activities | Measure::PeopleReached => (Some("activity"), None),
            Measure::NaloxoneDoses => (Some("activity"), Some("overdose_response")),
            Measure::Supplies => (Some("activity"), Some("supplies_distributed")),
            Measure::NavigationTasks => (Some("activity"), Some("systems_navigation")),
            Measure::Hours => (Some("shift"), None),
            Measure::Debriefs => (Some("debrief_request"), None),
        }
    }

    /// The figure of one group.
    fn value(self, r: &AggregateRow) -> i64 {
        match self {
            Measure::Activities | Measure::NavigationTasks | Measure::Debriefs => r.records,
            Measure::PeopleReached => r.people_reached,
            Measure::NaloxoneDoses => r.naloxone_doses,
            Measure::Supplies => r.quantity,
            Measure::Hours => r.shift_minutes,
        }
    }

    /// Dimensions that make sense for it.
    fn allows(self, d: Dimension) -> bool {
        use Dimension::*;
        match self {
            Measure::Activities | Measure::PeopleReached => {
                matches!(d, None | Kind | Area | Role | Worker | OnShift)
            }
            Measure::NaloxoneDoses => matches!(d, None | Area | Role | Worker | OnShift),
            Measure::Supplies => matches!(d, Item),
            Measure::NavigationTasks => matches!(d, None | NavTask | NavOutcome | Area | Worker),
            Measure::Hours => matches!(d, None | PayType | Role | Worker | Area),
            // Debriefs stay counts for the whole organization: never by worker.
            Measure::Debriefs => matches!(d, None),
        }
    }
}

/// A summary request, as staff send it (query string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryRequest {
    /// What to count.
    pub measure: Measure,
    /// Rows.
    #[serde(default = "month")]
    pub period: Period,
    /// Columns.
    #[serde(default = "none")]
    pub by: Dimension,
    /// First local day, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    /// Last local day, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<String>,
    /// Only this activity kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Only this area.
    #[serde(default)]
    pub area: Option<String>,
    /// Admins only: show small counts (audit-logged).
    #[serde(default)]
    pub unsuppressed: bool,
}

fn month() -> Period {
    Period::Month
}

fn none() -> Dimension {
    Dimension::None
}

/// One row of a summary table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Period key, or `total`.
    pub label: String,
    /// One per column, the last being the row total. Counts are numbers or "<5" / "x";
    /// hours are numbers with one decimal.
    pub cells: Vec<serde_json::Value>,
}

/// A summary, ready to show or export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryTable {
    /// What was counted.
    pub measure: Measure,
    /// Rows.
    pub period: Period,
    /// Columns.
    pub by: Dimension,
    /// `count` or `hours`.
    pub unit: &'static str,
    /// True when small counts are hidden.
    pub suppressed: bool,
    /// Column keys, then `total`. An empty key means "not set".
    pub columns: Vec<String>,
    /// Period rows, then the `total` row.
    pub rows: Vec<SummaryRow>,
}

/// Checks the filter values staff type; every one is also a bound SQL parameter.
pub fn check_filter(
    from: &Option<String>,
    to: &Option<String>,
    kind: &Option<String>,
    area: &Option<String>,
) -> Result<(), ServiceError> {
    for (name, d) in [("from", from), ("to", to)] {
        if let Some(d) = d {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() || d.len() != 10 {
                return Err(ServiceError::BadRequest(format!(
                    "{name}: a date like 2026-11-30"
                )));
            }
        }
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ServiceError::BadRequest("from is after to".into()));
        }
    }
    for (name, v) in [("kind", kind), ("area", area)] {
        if let Some(v) = v {
            if !valid_id(v) {
                return Err(ServiceError::BadRequest(format!(
                    "{name}: letters, digits, _ and - only"
                )));
            }
        }
    }
    Ok(())
}

/// Pivots grouped rows into a table, suppressing counts when asked. Pure.
pub fn build_table(req: &SummaryRequest, rows: &[AggregateRow], suppressed: bool) -> SummaryTable {
    let mut periods: Vec<&str> = rows.iter().map(|r| r.period.as_str()).collect();
    periods.sort_unstable();
    periods.dedup();
    let mut keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut values = vec![vec![0i64; keys.len()]; periods.len()];
    for r in rows {
        if let (Ok(i), Ok(j)) = (
            periods.binary_search(&r.period.as_str()),
            keys.binary_search(&r.key.as_str()),
        ) {
            values[i][j] += req.measure.value(r);
        }
    }
    let hours = req.measure == Measure::Hours;
    let cells: Vec<Vec<serde_json::Value>> = if hours {
        suppress::with_totals(&values)
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|m| serde_json::json!((m as f64 / 6.0).round() / 10.0))
                    .collect()
            })
            .collect()
    } else {
        let grid = if suppressed {
            suppress::suppress(&values)
        } else {
            suppress::unsuppressed(&values)
        };
        grid.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| match c {
                        Cell::Shown(n) => serde_json::json!(n),
                        other => serde_json::json!(other.text()),
                    })
                    .collect()
            })
            .collect()
    };
    let labels = periods
        .iter()
        .map(|p| p.to_string())
        .chain(["total".to_string()]);
    SummaryTable {
        measure: req.measure,
        period: req.period,
        by: req.by,
        unit: if hours { "hours" } else { "count" },
        suppressed: suppressed && !hours,
        columns: keys
            .iter()
            .map(|k| k.to_string())
            .chain(["total".to_string()])
            .collect(),
        rows: labels
            .zip(cells)
            .map(|(label, cells)| SummaryRow { label, cells })
            .collect(),
    }
}

impl OrgService {
    /// A summary of the caller's organization. Any staff role gets suppressed counts; only an
    /// admin may ask for unsuppressed ones, and that is audit-logged.
    pub fn summary(
        &self,
        staff: &Staff,
        req: &SummaryRequest,
    ) -> Result<SummaryTable, ServiceError> {
        staff.require(Role::Viewer)?;
        if !req.measure.allows(req.by) {
            return Err(ServiceError::BadRequest(format!(
                "by: {:?} does not apply to {:?}",
                req.by, req.measure
            )));
        }
        check_filter(&req.from, &req.to, &req.kind, &req.area)?;
        if req.unsuppressed {
            staff.require(Role::Admin).map_err(|_| {
                ServiceError::Forbidden(
                    "Only an admin can see small counts. Ask for the suppressed summary.".into(),
                )
            })?;
            self.audit(
                &staff.org_id,
                &staff.actor,
                "unsuppressed_summary",
                serde_json::to_value(req).unwrap_or_default(),
            )?;
        }
        let (record_type, kind) = req.measure.scope();
        let query = AggregateQuery {
            filter: RecordFilter {
                from: req.from.clone(),
                to: req.to.clone(),
                record_type: record_type.map(String::from),
                kind: kind.map(String::from).or_else(|| req.kind.clone()),
                area: req.area.clone(),
            },
            period: req.period,
            dimension: req.by,
        };
        let rows = self.store.aggregate(&staff.org_id, &query)?;
        Ok(build_table(req, &rows, !req.unsuppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(period: &str, key: &str, records: i64) -> AggregateRow {
        AggregateRow {
            period: period.into(),
            key: key.into(),
            records,
            shift_minutes: records * 60,
            ..Default::default()
        }
    }

    fn req(measure: Measure, by: Dimension) -> SummaryRequest {
        SummaryRequest {
            measure,
            period: Period::Month,
            by,
            from: None,
            to: None,
            kind: None,
            area: None,
            unsuppressed: false,
        }
    }

    #[test]
    fn pivots_and_suppresses() {
        let rows = [
            row("2026-10", "outreach_contact", 12),
            row("2026-11", "outreach_contact", 30),
            row("2026-11", "overdose_response", 2),
        ];
        let t = build_table(&req(Measure::Activities, Dimension::Kind), &rows, true);
        assert_eq!(
            t.columns,
            ["outreach_contact", "overdose_response", "total"]
        );
        let cells: Vec<_> = t.rows.iter().map(|r| json!([r.label, r.cells])).collect();
        assert_eq!(
            cells,
            vec![
                json!(["2026-10", [12, 0, 12]]),
                json!(["2026-11", ["x", "<5", 32]]),
                json!(["total", ["x", "<5", 44]]),
            ]
        );
        let open = build_table(&req(Measure::Activities, Dimension::Kind), &rows, false);
        assert_eq!(open.rows[1].cells, vec![json!(30), json!(2), json!(32)]);
    }

    #[test]
    fn hours_are_not_counts() {
        let rows = [row("2026-11", "paid", 3), row("2026-11", "unpaid", 1)];
        let t = build_table(&req(Measure::Hours, Dimension::PayType), &rows, true);
        assert_eq!(t.unit, "hours");
        assert!(!t.suppressed);
        assert_eq!(t.rows[0].cells, vec![json!(3.0), json!(1.0), json!(4.0)]);
    }

    #[test]
    fn filters_are_checked() {
        let s = |v: &str| Some(v.to_string());
        assert!(check_filter(&s("2026-11-01"), &s("2026-11-30"), &None, &s("v6a")).is_ok());
        for (f, t, k, a) in [
            (s("2026-13-01"), None, None, None),
            (s("2026-11-30"), s("2026-11-01"), None, None),
            (None, None, s("x' OR '1'='1"), None),
            (None, None, None, s("a;DROP TABLE records")),
            (s("1 OR 1=1"), None, None, None),
        ] {
            assert!(
                check_filter(&f, &t, &k, &a).is_err(),
                "{f:?} {t:?} {k:?} {a:?}"
            );
        }
    }

    #[test]
    fn debriefs_are_never_by_worker() {
        assert!(!Measure::Debriefs.allows(Dimension::Worker));
        assert!(Measure::Debriefs.allows(Dimension::None));
    }
}
