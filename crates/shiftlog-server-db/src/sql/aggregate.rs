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
    if t == "u" {
        return by_worker(q, &period, key, org_id, ph);
    }
    // Figures of a group: summed, or (one row per group) as they are.
    let each = matches!(q.groups, Groups::Each(_));
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
        _ => (
            "t.n",
            "t.kind || '|' || t.record_type || '|' || t.day || '|' || t.area || '|' || t.role
             || '|' || CASE WHEN t.on_shift THEN '1' ELSE '0' END || '|' || t.nav_task
             || '|' || t.nav_outcome || '|' || t.pay_type",
        ),
    };
    let group = if each { group } else { "''" };
    let size = match q.groups {
        Groups::All => format!(" AND {n} > 0"),
        Groups::AtLeast(min) => format!(" AND {n} >= {}", min.max(1)),
        Groups::Each(max) => format!(" AND {n} BETWEEN 1 AND {max}"),
    };
    let from = match t {
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

/// By worker: every group (a view by worker is never protected), summed by worker id first so
/// only one row per period and worker meets `workers`. Records of no (or an unknown) worker
/// count under '', as the records' own join with `workers` did.
fn by_worker(
    q: &AggregateQuery,
    period: &str,
    key: &str,
    org_id: &str,
    ph: Placeholder,
) -> (String, Vec<String>) {
    let mut inner = format!(
        "SELECT {period} AS p, u.worker_id AS worker_id, SUM(u.n) AS n,
                SUM(u.people_reached) AS people_reached, SUM(u.naloxone_doses) AS naloxone_doses,
                SUM(u.minutes) AS minutes, SUM(u.shift_minutes) AS shift_minutes
         FROM worker_totals u WHERE u.org_id = {} AND u.n > 0",
        ph(1)
    );
    let mut params = vec![org_id.to_string()];
    push_filter(&q.filter, "u", ph, &mut inner, &mut params);
    let sql = format!(
        "SELECT g.p, {key}, CAST(SUM(g.n) AS BIGINT), CAST(SUM(g.people_reached) AS BIGINT),
                CAST(SUM(g.naloxone_doses) AS BIGINT), CAST(SUM(g.minutes) AS BIGINT),
                CAST(SUM(g.shift_minutes) AS BIGINT), CAST(0 AS BIGINT), ''
         FROM ({inner} GROUP BY 1, 2) g LEFT JOIN workers w ON w.id = g.worker_id
         GROUP BY 1, 2 ORDER BY 1, 2"
    );
    (sql, params)
}
