//! Summaries: one measure, by period (rows) and by one dimension (columns), with totals, and
//! small numbers protected (crate::suppress, docs/privacy.md) unless an admin asks otherwise
//! (audit-logged).

use serde::{Deserialize, Serialize};
use shiftlog_server_db::{
    AggregateQuery, AggregateRow, Dimension, Groups, Period, RecordFilter, Role,
};

use crate::suppress::table::{self, Acc, Averages, Figure, Grid};
use crate::suppress::{METHOD, SMALL};
use crate::{valid_id, OrgService, ServiceError, Staff};

/// What a summary counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of activities.
    Activities,
    /// People reached (a count, never who).
    PeopleReached,
    /// Naloxone doses given in overdose responses.
    NaloxoneDoses,
    /// Supplies: handed out by item, brought back by item, or naloxone kits that replace
    /// one by why.
    Supplies,
    /// Systems navigation tasks.
    NavigationTasks,
    /// Shift hours (by pay type: paid and unpaid).
    Hours,
    /// Debriefs requested: counts only.
    Debriefs,
    /// Training workers would like, by topic: counts only.
    TrainingWanted,
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
            Measure::TrainingWanted => (Some("training"), None),
        }
    }

    /// The figure of one group.
    fn value(self, r: &AggregateRow) -> i64 {
        match self {
            Measure::Activities
            | Measure::NavigationTasks
            | Measure::Debriefs
            | Measure::TrainingWanted => r.records,
            Measure::PeopleReached => r.people_reached,
            Measure::NaloxoneDoses => r.naloxone_doses,
            Measure::Supplies => r.quantity,
            Measure::Hours => r.shift_minutes,
        }
    }

    /// How its cells read.
    fn figure(self) -> Figure {
        match self {
            Measure::Activities
            | Measure::NavigationTasks
            | Measure::Debriefs
            | Measure::TrainingWanted => Figure::Count,
            Measure::Hours => Figure::Hours,
            _ => Figure::Sum,
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
            Measure::Supplies => matches!(d, Item | Returned | Reason),
            Measure::NavigationTasks => matches!(d, None | NavTask | NavOutcome | Area | Worker),
            Measure::Hours => matches!(d, None | PayType | Role | Worker | Area),
            // Debriefs stay counts for the whole organization: never by worker.
            Measure::Debriefs => matches!(d, None),
            // Only wanted training is kept by topic; the total column counts every topic.
            Measure::TrainingWanted => matches!(d, Topic),
        }
    }
}

/// A summary request, as staff send it (query string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryRequest {
    /// What to count.
    #[param(inline)]
    pub measure: Measure,
    /// Rows.
    #[serde(default = "month")]
    #[param(inline)]
    pub period: Period,
    /// Columns.
    #[serde(default = "none")]
    #[param(inline)]
    pub by: Dimension,
    /// First local day, `YYYY-MM-DD`.
    #[serde(default)]
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<String>,
    /// Last local day, `YYYY-MM-DD`.
    #[serde(default)]
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<String>,
    /// Only this activity kind.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub kind: Option<String>,
    /// Only this area.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SummaryRow {
    /// Period key, or `total`.
    pub label: String,
    /// One per column, the last being the row total. Counts are numbers or "<5" / "x";
    /// hours are numbers with one decimal.
    pub cells: Vec<serde_json::Value>,
}

/// A summary, ready to show or export.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SummaryTable {
    /// What was counted.
    pub measure: Measure,
    /// Rows.
    pub period: Period,
    /// Columns.
    pub by: Dimension,
    /// `count` or `hours`.
    pub unit: &'static str,
    /// True when small numbers are protected.
    pub suppressed: bool,
    /// The protection method when protected (docs/privacy.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<&'static str>,
    /// What "<5" and "x" mean, in plain words, when protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
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

/// What a protected summary says about "<5" and "x", in plain words.
pub const NOTE: &str = "Small numbers are protected. Groups of 1 to 4 records count as 1 or 4, \
so totals stay right on average and no one can work a small number out. \
\"<5\": fewer than 5. \"x\": hidden, because it is made of fewer than 5 records.";

/// The table from its grid. Pure.
pub fn build_table(req: &SummaryRequest, grid: Grid, protected: bool) -> SummaryTable {
    let figure = req.measure.figure();
    let labels = grid.periods.iter().cloned().chain(["total".to_string()]);
    SummaryTable {
        measure: req.measure,
        period: req.period,
        by: req.by,
        unit: if figure == Figure::Hours {
            "hours"
        } else {
            "count"
        },
        suppressed: protected,
        protection: protected.then_some(METHOD),
        note: protected.then_some(NOTE),
        columns: grid
            .keys
            .iter()
            .cloned()
            .chain(["total".to_string()])
            .collect(),
        rows: labels
            .zip(grid.cells)
            .map(|(label, cells)| SummaryRow {
                label,
                cells: cells
                    .into_iter()
                    .map(|c| c.show(figure, protected))
                    .collect(),
            })
            .collect(),
    }
}

/// Topics are what workers typed: in a protected summary, a topic asked for fewer than 5
/// times (as protected) goes under "" (other topics), so a rare topic's words, which could
/// point at someone, are not published. Every cell stays a sum of protected groups.
fn rare_topics_together(parts: Vec<(String, String, Acc)>) -> Vec<(String, String, Acc)> {
    let mut totals: std::collections::HashMap<String, i64> = Default::default();
    for (_, k, a) in &parts {
        *totals.entry(k.clone()).or_default() += a.records;
    }
    parts
        .into_iter()
        .map(|(p, k, a)| {
            let rare = totals.get(&k).copied().unwrap_or(0) <= SMALL;
            (p, if rare { String::new() } else { k }, a)
        })
        .collect()
}

impl OrgService {
    /// A summary of the caller's organization. Any staff role gets it protected
    /// (crate::suppress); only an admin may ask for it unprotected, and that is audit-logged.
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
        let protected = !req.unsuppressed;
        if protected && req.by == Dimension::Worker {
            return Err(ServiceError::BadRequest(
                "by worker: each worker is one person, so figures by worker are not in \
                 protected summaries. An admin can see them unprotected (this is logged)."
                    .into(),
            ));
        }
        let (record_type, kind) = req.measure.scope();
        let filter = RecordFilter {
            from: req.from.clone(),
            to: req.to.clone(),
            record_type: record_type.map(String::from),
            kind: kind.map(String::from).or_else(|| req.kind.clone()),
            area: req.area.clone(),
        };
        let query = |groups| AggregateQuery {
            filter: filter.clone(),
            period: req.period,
            dimension: req.by,
            groups,
        };
        let m = req.measure;
        let value = |r: &AggregateRow| m.value(r);
        let org = &staff.org_id;
        let parts = if protected {
            let key = self.protection_key(org)?;
            let large = self
                .store
                .aggregate(org, &query(Groups::AtLeast(SMALL + 1)))?;
            let small = self.store.aggregate(org, &query(Groups::Each(SMALL)))?;
            let averages = match m.figure() {
                Figure::Count => None,
                _ => Some(self.averages(org, m, req.by)?),
            };
            let mut parts = table::exact(&large, value);
            parts.extend(table::small(&key, &small, averages.as_ref()));
            if req.by == Dimension::Topic {
                parts = rare_topics_together(parts);
            }
            parts
        } else {
            table::exact(&self.store.aggregate(org, &query(Groups::All))?, value)
        };
        Ok(build_table(req, table::pivot(parts), protected))
    }

    /// Per-record averages of `m` over the organization's groups of 5 or more, all time, by
    /// kind (supplies: by item, what was brought back apart): what small groups count at.
    fn averages(&self, org_id: &str, m: Measure, by: Dimension) -> Result<Averages, ServiceError> {
        let (record_type, kind) = m.scope();
        let q = AggregateQuery {
            filter: RecordFilter {
                record_type: record_type.map(String::from),
                kind: kind.map(String::from),
                ..RecordFilter::default()
            },
            period: Period::Month,
            dimension: match (m, by) {
                (Measure::Supplies, Dimension::Returned) => Dimension::Returned,
                (Measure::Supplies, _) => Dimension::Item,
                _ => Dimension::Kind,
            },
            groups: Groups::AtLeast(SMALL + 1),
        };
        let rows = self.store.aggregate(org_id, &q)?;
        Ok(Averages::of(&rows, |r| m.value(r)))
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

    fn cells(t: &SummaryTable) -> Vec<serde_json::Value> {
        t.rows.iter().map(|r| json!([r.label, r.cells])).collect()
    }

    /// Groups of 5 or more count exactly; a small group counts as 1 or 4 and shows as "<5";
    /// every total is the sum of the cells it covers, the small group included as counted.
    #[test]
    fn pivots_and_protects() {
        let large = [
            row("2026-10", "outreach_contact", 12),
            row("2026-11", "outreach_contact", 30),
        ];
        let mut small = row("2026-11", "overdose_response", 2);
        small.group = "overdose_response|activity|2026-11-10|v6b".into();
        let key = crate::suppress::Key::from_stored("test key");
        let n = key.protected_count(&small.group, 2);
        let r = req(Measure::Activities, Dimension::Kind);
        let mut parts = table::exact(&large, |r| r.records);
        parts.extend(table::small(&key, &[small], None));
        let t = build_table(&r, table::pivot(parts), true);
        assert_eq!(
            t.columns,
            ["outreach_contact", "overdose_response", "total"]
        );
        assert_eq!(
            cells(&t),
            vec![
                json!(["2026-10", [12, 0, 12]]),
                json!(["2026-11", [30, "<5", 30 + n]]),
                json!(["total", [42, "<5", 42 + n]]),
            ]
        );
        assert_eq!(t.protection, Some(METHOD));
        let open = build_table(&r, table::pivot(table::exact(&large, |r| r.records)), false);
        assert_eq!(open.rows[1].cells, vec![json!(30), json!(30)]);
        assert!(open.protection.is_none() && !open.suppressed);
    }

    /// Hours are protected like every other figure: a small group's hours are hidden.
    #[test]
    fn hours_are_protected_too() {
        let large = [row("2026-11", "paid", 6)];
        let mut small = row("2026-11", "unpaid", 1);
        small.shift_minutes = 180;
        small.group = "shift|shift|2026-11-04".into();
        let av = Averages::of(&large, |r| r.shift_minutes);
        let key = crate::suppress::Key::from_stored("k");
        let mut parts = table::exact(&large, |r| r.shift_minutes);
        parts.extend(table::small(&key, &[small], Some(&av)));
        let t = build_table(
            &req(Measure::Hours, Dimension::PayType),
            table::pivot(parts),
            true,
        );
        assert_eq!(t.unit, "hours");
        // 6 shifts of an hour; the unpaid one counts as one shift at the average hour.
        assert_eq!(t.rows[0].cells, vec![json!(6.0), json!("x"), json!(7.0)]);
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
