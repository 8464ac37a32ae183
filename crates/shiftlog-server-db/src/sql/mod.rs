//! SQL shared by the backends: both speak this subset, only placeholders differ
//! (`?1` for SQLite, `$1` for PostgreSQL). Column names come from enums, never from input;
//! every value from a request is a bound parameter.

mod aggregate;
mod records;

pub use aggregate::aggregate;
pub use records::{insert_items, insert_record, insert_records, update_record, RECORD_COLUMNS};

use crate::RecordFilter;

/// Placeholder style of a backend.
pub type Placeholder = fn(usize) -> String;

/// Appends the filter's conditions on table `t` (`records`, `totals` or `item_totals`,
/// which have `day` and `area`) to `sql`, pushing their values onto `params` (`params`
/// already holds the organization id as parameter 1). `item_totals` only holds supplies
/// lines, so there the type and kind filters compare with that constant.
pub(crate) fn push_filter(
    filter: &RecordFilter,
    t: &str,
    ph: Placeholder,
    sql: &mut String,
    params: &mut Vec<String>,
) {
    let items = t == "i";
    let mut cond = |column: String, op: &str, value: &Option<String>| {
        if let Some(v) = value {
            params.push(v.clone());
            sql.push_str(&format!(" AND {column} {op} {}", ph(params.len())));
        }
    };
    cond(format!("{t}.day"), ">=", &filter.from);
    cond(format!("{t}.day"), "<=", &filter.to);
    let (record_type, kind) = if items {
        (
            "'activity'".to_string(),
            "'supplies_distributed'".to_string(),
        )
    } else {
        (format!("{t}.record_type"), format!("{t}.kind"))
    };
    cond(record_type, "=", &filter.record_type);
    cond(kind, "=", &filter.kind);
    cond(format!("{t}.area"), "=", &filter.area);
}

/// The record-level export query for `filter`.
pub fn export(filter: &RecordFilter, org_id: &str, ph: Placeholder) -> (String, Vec<String>) {
    let mut sql = format!(
        "SELECT r.id, r.record_type, r.kind, r.occurred_at, r.recorded_at, r.received_at,
                r.version, r.device_id, coalesce(w.pseudonym, ''), r.area, r.role, r.body
         FROM records r LEFT JOIN workers w ON w.id = r.worker_id
         WHERE r.org_id = {} AND NOT r.deleted",
        ph(1)
    );
    let mut params = vec![org_id.to_string()];
    push_filter(filter, "r", ph, &mut sql, &mut params);
    sql.push_str(" ORDER BY r.occurred_utc_ms, r.id");
    (sql, params)
}

/// The pull query, shared by the backends: the worker's changes after a cursor, oldest first.
pub const PULL_SQL: &str = "SELECT c.seq, r.id, r.version, r.record_type, r.kind, r.occurred_at,
        r.recorded_at, r.deleted, r.hlc, r.body, r.unknown
    FROM record_changes c JOIN records r ON r.id = c.record_id
    WHERE c.org_id = {1} AND c.worker_id = {2} AND r.device_id <> {3} AND c.seq > {4}
    ORDER BY c.seq LIMIT {5}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_are_parameters_never_sql() {
        let evil = "x' OR '1'='1".to_string();
        let f = RecordFilter {
            kind: Some(evil.clone()),
            area: Some(evil.clone()),
            ..Default::default()
        };
        let (sql, params) = export(&f, "org", |n| format!("${n}"));
        assert!(!sql.contains("OR '1'"), "{sql}");
        assert_eq!(params, vec!["org".to_string(), evil.clone(), evil]);
        assert!(sql.contains("r.kind = $2") && sql.contains("r.area = $3"));
    }
}
