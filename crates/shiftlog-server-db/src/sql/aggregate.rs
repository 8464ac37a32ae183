//! The grouped query behind every summary.

use super::{push_filter, Placeholder};
use crate::{AggregateQuery, Dimension, Groups, Period};

/// The grouped query for `q`, and its parameters after the organization id. Reads the
/// running totals kept by triggers: `totals`, `item_totals`, `training_totals`, and by worker
/// `worker_totals` (always every group, summed: a view by worker is never protected). A row
/// of the totals is one stored group; with [`Groups::Each`] each small one comes back on its
/// own, named by its values.
pub fn aggregate(q: &AggregateQuery, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
    let t = match q.dimension {
        Dimension::Worker => "u",
        Dimension::Item | Dimension::Returned | Dimension::Reason => "i",
        Dimension::Topic => "w",
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
        Dimension::Item | Dimension::Returned => "i.item",
        Dimension::Reason => "i.reason",
        Dimension::Topic => "w.topic",
        Dimension::NavTask => "t.nav_task",
        Dimension::NavOutcome => "t.nav_outcome",
        Dimension::PayType => "t.pay_type",
        Dimension::OnShift => "CASE WHEN t.on_shift THEN 'on_shift' ELSE 'off_shift' END",
    };
    // Figures of a group: summed, or (one row per group) as they are.
    let each = matches!(q.groups, Groups::Each(_)) && t != "u";
    let sum = |e: &str| {
        if each {
            format!("CAST({e} AS BIGINT)")
        } else {
            format!("CAST(SUM({e}) AS BIGINT)")
        }
    };
    let (n, group) = match t {
        // Lines handed out with no reason keep the names they had before returns and reasons
        // were kept apart, so their protected counts did not change.
        "i" => (
            "i.lines",
            "i.item || '|' || i.day || '|' || i.area || CASE WHEN i.returned THEN '|returned'
             WHEN i.reason <> '' THEN '|' || i.reason ELSE '' END",
        ),
        "w" => ("w.n", "'training|' || w.day || '|' || w.topic"),
        "u" => ("u.n", "''"),
        _ => (
            "t.n",
            "t.kind || '|' || t.record_type || '|' || t.day || '|' || t.area || '|' || t.role
             || '|' || CASE WHEN t.on_shift THEN '1' ELSE '0' END || '|' || t.nav_task
             || '|' || t.nav_outcome || '|' || t.pay_type",
        ),
    };
    let group = if each { group } else { "''" };
    let size = match (q.groups, t) {
        (_, "u") | (Groups::All, _) => format!(" AND {n} > 0"),
        (Groups::AtLeast(min), _) => format!(" AND {n} >= {}", min.max(1)),
        (Groups::Each(max), _) => format!(" AND {n} BETWEEN 1 AND {max}"),
    };
    let from = match t {
        // Records of no (or an unknown) worker count under '', as the records' own join did.
        "u" => format!(
            "SELECT {period}, {key}, {}, {}, {}, {}, {}, CAST(0 AS BIGINT), ''
             FROM worker_totals u LEFT JOIN workers w ON w.id = u.worker_id
             WHERE u.org_id = {}{size}",
            sum("u.n"),
            sum("u.people_reached"),
            sum("u.naloxone_doses"),
            sum("u.minutes"),
            sum("u.shift_minutes"),
            ph(1)
        ),
        "i" => format!(
            "SELECT {period}, {key}, {}, CAST(0 AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                    {}, {group}
             FROM item_totals i WHERE i.org_id = {}{size}{lines}",
            sum("i.lines"),
            sum("i.quantity"),
            ph(1),
            lines = match q.dimension {
                Dimension::Returned => " AND i.returned",
                Dimension::Reason => " AND NOT i.returned AND i.reason <> ''",
                _ => " AND NOT i.returned",
            },
        ),
        "w" => format!(
            "SELECT {period}, {key}, {}, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),
                    CAST(0 AS BIGINT), CAST(0 AS BIGINT), {group}
             FROM training_totals w WHERE w.org_id = {}{size}",
            sum("w.n"),
            ph(1)
        ),
        _ => format!(
            "SELECT {period}, {key}, {}, {}, {}, {}, {}, CAST(0 AS BIGINT), {group}
             FROM totals t WHERE t.org_id = {}{size}",
            sum("t.n"),
            sum("t.people_reached"),
            sum("t.naloxone_doses"),
            sum("t.minutes"),
            sum("t.shift_minutes"),
            ph(1)
        ),
    };
    let mut sql = from;
    let mut params = vec![org_id.to_string()];
    push_filter(&q.filter, t, ph, &mut sql, &mut params);
    if each {
        sql.push_str(" ORDER BY 1, 2, 9");
    } else {
        sql.push_str(" GROUP BY 1, 2 ORDER BY 1, 2");
    }
    (sql, params)
}
