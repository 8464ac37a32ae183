//! A summary table from its groups: protected (each group counted as the method says) or
//! exact (admins), pivoted by period and key, with totals that are sums of the same groups.
//! Pure.

use std::collections::HashMap;

use shiftlog_server_db::AggregateRow;

use super::{Key, SMALL};

/// How a table's figures read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// A number of records.
    Count,
    /// A sum (people, doses, quantities) shown as a whole number.
    Sum,
    /// Minutes shown as hours with one decimal.
    Hours,
}

/// One cell before it is shown: its (protected) records and its (protected) figure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Acc {
    /// Records (after protection when protected).
    pub records: i64,
    /// The figure (after protection when protected).
    pub value: f64,
    /// Holds a small group whose figure has no average to count at: never shown.
    pub unknown: bool,
}

impl Acc {
    fn add(&mut self, o: Acc) {
        self.records += o.records;
        self.value += o.value;
        self.unknown |= o.unknown;
    }

    /// The published cell.
    pub fn show(self, figure: Figure, protected: bool) -> serde_json::Value {
        use serde_json::json;
        let hours = |m: f64| json!((m / 6.0).round() / 10.0);
        if !protected {
            return match figure {
                Figure::Hours => hours(self.value),
                _ => json!(self.value.round() as i64),
            };
        }
        match figure {
            _ if self.records == 0 => match figure {
                Figure::Hours => json!(0.0),
                _ => json!(0),
            },
            Figure::Count if self.records <= SMALL => json!("<5"),
            Figure::Count => json!(self.records),
            _ if self.records <= SMALL || self.unknown => json!("x"),
            Figure::Hours => hours(self.value),
            Figure::Sum => json!(self.value.round() as i64),
        }
    }
}

/// Per-record averages over the organization's groups of 5 or more, by kind (or item), and
/// over all of them: what a small group's figure counts at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Averages {
    by_key: HashMap<String, f64>,
    all: Option<f64>,
}

impl Averages {
    /// From the large groups' rows (`key` = kind or item) and their figures.
    pub fn of(rows: &[AggregateRow], value: impl Fn(&AggregateRow) -> i64) -> Averages {
        let mut sums: HashMap<String, (i64, i64)> = HashMap::new();
        for r in rows {
            let e = sums.entry(r.key.clone()).or_default();
            e.0 += value(r);
            e.1 += r.records;
        }
        let (v, n) = sums.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Averages {
            all: (n > 0).then(|| v as f64 / n as f64),
            by_key: sums
                .into_iter()
                .filter(|(_, (_, n))| *n > 0)
                .map(|(k, (v, n))| (k, v as f64 / n as f64))
                .collect(),
        }
    }

    /// The average for a group named `group` (its first part is its kind or item).
    fn for_group(&self, group: &str) -> Option<f64> {
        let head = group.split('|').next().unwrap_or_default();
        self.by_key.get(head).copied().or(self.all)
    }
}

/// The cells of a table: periods (sorted), keys (sorted), and the grid with a total column and
/// a total row appended, every total a sum of the cells it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Row labels, without `total`.
    pub periods: Vec<String>,
    /// Column keys, without `total`.
    pub keys: Vec<String>,
    /// (periods + 1) × (keys + 1) cells.
    pub cells: Vec<Vec<Acc>>,
}

/// Pivots contributions `(period, key, acc)` into a grid with totals.
pub fn pivot(parts: Vec<(String, String, Acc)>) -> Grid {
    let mut periods: Vec<String> = parts.iter().map(|p| p.0.clone()).collect();
    periods.sort_unstable();
    periods.dedup();
    let mut keys: Vec<String> = parts.iter().map(|p| p.1.clone()).collect();
    keys.sort_unstable();
    keys.dedup();
    let (np, nk) = (periods.len(), keys.len());
    let mut cells = vec![vec![Acc::default(); nk + 1]; np + 1];
    for (p, k, a) in parts {
        if let (Ok(i), Ok(j)) = (periods.binary_search(&p), keys.binary_search(&k)) {
            for (r, c) in [(i, j), (i, nk), (np, j), (np, nk)] {
                cells[r][c].add(a);
            }
        }
    }
    Grid {
        periods,
        keys,
        cells,
    }
}

/// Contributions of exact rows (groups counted as they are: admins, or groups of 5 or more).
pub fn exact(
    rows: &[AggregateRow],
    value: impl Fn(&AggregateRow) -> i64,
) -> Vec<(String, String, Acc)> {
    rows.iter()
        .map(|r| {
            let a = Acc {
                records: r.records,
                value: value(r) as f64,
                unknown: false,
            };
            (r.period.clone(), r.key.clone(), a)
        })
        .collect()
}

/// Contributions of small groups (one row each, named): each counts as 1 or 4 records, and
/// its figure as that many records at the average (`None` for counts, where the figure is the
/// records).
pub fn small(
    key: &Key,
    rows: &[AggregateRow],
    averages: Option<&Averages>,
) -> Vec<(String, String, Acc)> {
    rows.iter()
        .map(|r| {
            let n = key.protected_count(&r.group, r.records);
            let (value, unknown) = match averages {
                None => (n as f64, false),
                Some(av) => match av.for_group(&r.group) {
                    Some(mean) => (n as f64 * mean, false),
                    None => (0.0, true),
                },
            };
            let a = Acc {
                records: n,
                value,
                unknown,
            };
            (r.period.clone(), r.key.clone(), a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(period: &str, key: &str, group: &str, records: i64, people: i64) -> AggregateRow {
        AggregateRow {
            period: period.into(),
            key: key.into(),
            group: group.into(),
            records,
            people_reached: people,
            ..Default::default()
        }
    }

    #[test]
    fn totals_are_sums_of_the_cells_they_cover() {
        let g = pivot(vec![
            (
                "m1".into(),
                "a".into(),
                Acc {
                    records: 3,
                    value: 3.0,
                    unknown: false,
                },
            ),
            (
                "m1".into(),
                "b".into(),
                Acc {
                    records: 5,
                    value: 5.0,
                    unknown: false,
                },
            ),
            (
                "m2".into(),
                "a".into(),
                Acc {
                    records: 4,
                    value: 4.0,
                    unknown: true,
                },
            ),
        ]);
        assert_eq!(g.periods, ["m1", "m2"]);
        let recs: Vec<Vec<i64>> = g
            .cells
            .iter()
            .map(|r| r.iter().map(|a| a.records).collect())
            .collect();
        assert_eq!(recs, vec![vec![3, 5, 8], vec![4, 0, 4], vec![7, 5, 12]]);
        assert!(g.cells[2][0].unknown && g.cells[2][2].unknown && !g.cells[0][2].unknown);
    }

    #[test]
    fn cells_show_in_plain_symbols() {
        let a = |records, value, unknown| Acc {
            records,
            value,
            unknown,
        };
        let cases = [
            (a(0, 0.0, false), Figure::Count, json!(0)),
            (a(1, 1.0, false), Figure::Count, json!("<5")),
            (a(4, 4.0, false), Figure::Count, json!("<5")),
            (a(5, 5.0, false), Figure::Count, json!(5)),
            (a(4, 40.0, false), Figure::Sum, json!("x")),
            (a(8, 40.4, false), Figure::Sum, json!(40)),
            (a(8, 40.0, true), Figure::Sum, json!("x")),
            (a(6, 90.0, false), Figure::Hours, json!(1.5)),
            (a(0, 0.0, false), Figure::Hours, json!(0.0)),
        ];
        for (acc, f, want) in cases {
            assert_eq!(acc.show(f, true), want, "{acc:?} {f:?}");
        }
        assert_eq!(a(2, 7.0, false).show(Figure::Sum, false), json!(7));
    }

    /// A small group's own people reached never reach the table: it counts at the average of
    /// the large groups of its kind (else of all kinds; else the cell is "x").
    #[test]
    fn small_groups_count_at_the_average_of_large_ones() {
        let large = [
            row("m", "outreach_contact", "", 10, 30),
            row("m", "overdose_response", "", 5, 5),
        ];
        let av = Averages::of(&large, |r| r.people_reached);
        let key = Key::from_stored("k");
        let one =
            |group: &str, people| small(&key, &[row("m", "", group, 1, people)], Some(&av))[0].2;
        assert_eq!(one("outreach_contact|activity|d", 7).value, 3.0);
        assert_eq!(one("outreach_contact|activity|d", 0).value, 3.0);
        assert_eq!(one("meal_service|activity|d", 9).value, 35.0 / 15.0);
        let none = small(&key, &[row("m", "", "g", 1, 7)], Some(&Averages::default()));
        assert!(none[0].2.unknown);
    }
}
