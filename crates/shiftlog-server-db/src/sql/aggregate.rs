//! The grouped query behind every summary.

use super::{push_filter, Placeholder};
use crate::{AggregateQuery, Dimension, Period};

/// The grouped query for `q`, and its parameters after the organization id. Reads the
/// running totals (`totals`, `item_totals`, kept by triggers) except by worker, which
/// reads `records`.
pub fn aggregate(q: &AggregateQuery, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
    let t = match q.dimension {
        Dimension::Worker => "r",
        Dimension::Item => "i",
        _ => "t",
    };
    let period = match q.period {
        Period::Day => format!("{t}.day"),
        Period::Week => format!("{t}.week"),
        Period::Month => format!("{t}.month"),
    };
    let key = match q.dimension {
        Dimension::None => "''",
        Dimension::Kind => "t.kind",
        Dimension::Area => "t.area",
        Dimension::Role => "t.role",
        Dimension::Worker => "coalesce(w.pseudonym, '')",
        Dimension::Item => "i.item",
        Dimension::NavTask => "t.nav_task",
        Dimension::NavOutcome => "t.nav_outcome",
        Dimension::PayType => "t.pay_type",
        Dimension::OnShift => "CASE WHEN t.on_shift THEN 'on_shift' ELSE 'off_shift' END",
    };
    let from = match t {
        "r" => format!(
            "SELECT {period}, {key}, COUNT(*), CAST(SUM(r.people_reached) AS BIGINT),
                    CAST(SUM(r.naloxone_doses) AS BIGINT), CAST(SUM(r.minutes) AS BIGINT),
                    CAST(SUM(r.shift_minutes) AS BIGINT), CAST(0 AS BIGINT)
             FROM records r LEFT JOIN workers w ON w.id = r.worker_id
             WHERE r.org_id = {} AND NOT r.deleted",
            ph(1)
        ),
        "i" => format!(
            "SELECT {period}, {key}, CAST(SUM(i.lines) AS BIGINT), CAST(0 AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                    CAST(SUM(i.quantity) AS BIGINT)
             FROM item_totals i WHERE i.org_id = {} AND i.lines > 0",
            ph(1)
        ),
        _ => format!(
            "SELECT {period}, {key}, CAST(SUM(t.n) AS BIGINT), CAST(SUM(t.people_reached) AS BIGINT),
                    CAST(SUM(t.naloxone_doses) AS BIGINT), CAST(SUM(t.minutes) AS BIGINT),
                    CAST(SUM(t.shift_minutes) AS BIGINT), CAST(0 AS BIGINT)
             FROM totals t WHERE t.org_id = {} AND t.n > 0",
            ph(1)
        ),
    };
    let mut sql = from;
    let mut params = vec![org_id.to_string()];
    push_filter(&q.filter, t, ph, &mut sql, &mut params);
    sql.push_str(" GROUP BY 1, 2 ORDER BY 1, 2");
    (sql, params)
}
