//! Small-cell suppression for summary tables: counts from 1 to 4 show as "<5" (primary), and
//! other cells are hidden as "x" (secondary) until no row or column, with its total, lets a
//! reader work a hidden count out by subtraction. Pure functions; table-tested below.

use serde::Serialize;

/// Counts from 1 to this many are hidden.
pub const SMALL: i64 = 4;

/// One published cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// Shown as is.
    Shown(i64),
    /// A count from 1 to 4, shown as "<5".
    #[serde(serialize_with = "small")]
    Small,
    /// Hidden so that a small count cannot be worked out, shown as "x".
    #[serde(serialize_with = "hidden")]
    Hidden,
}

fn small<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("<5")
}

fn hidden<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("x")
}

impl Cell {
    /// As text for CSV and XLSX.
    pub fn text(self) -> String {
        match self {
            Cell::Shown(n) => n.to_string(),
            Cell::Small => "<5".into(),
            Cell::Hidden => "x".into(),
        }
    }
}

/// `values` (rows × columns of counts) with a total column appended to each row and a total
/// row appended at the end: the full grid a reader sees.
pub fn with_totals(values: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let cols = values.first().map_or(0, Vec::len);
    let mut grid: Vec<Vec<i64>> = values
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.push(r.iter().sum());
            r
        })
        .collect();
    let totals: Vec<i64> = (0..=cols)
        .map(|j| grid.iter().map(|r| r[j]).sum())
        .collect();
    grid.push(totals);
    grid
}

/// Which cells of the full grid (from [`with_totals`]) must be hidden.
pub fn hidden_cells(grid: &[Vec<i64>]) -> Vec<Vec<bool>> {
    let rows = grid.len();
    let cols = grid.first().map_or(0, Vec::len);
    let mut hide: Vec<Vec<bool>> = grid
        .iter()
        .map(|r| r.iter().map(|&v| (1..=SMALL).contains(&v)).collect())
        .collect();
    // Every row and every column is a line: its interior cells add up to its last cell.
    let lines: Vec<Vec<(usize, usize)>> = (0..rows)
        .map(|i| (0..cols).map(|j| (i, j)).collect())
        .chain((0..cols).map(|j| (0..rows).map(|i| (i, j)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for line in &lines {
            if line.iter().filter(|&&(i, j)| hide[i][j]).count() != 1 {
                continue;
            }
            // One hidden cell in a line is found by subtraction: hide the smallest other
            // non-zero cell (a zero hides nothing), or else the line's total.
            let (interior, total) = line.split_at(line.len() - 1);
            let pick = interior
                .iter()
                .filter(|&&(i, j)| !hide[i][j] && grid[i][j] > 0)
                .min_by_key(|&&(i, j)| (grid[i][j], i, j))
                .or_else(|| total.first().filter(|&&(i, j)| !hide[i][j]));
            if let Some(&(i, j)) = pick {
                hide[i][j] = true;
                changed = true;
            }
        }
        if !changed {
            return hide;
        }
    }
}

/// The published grid: `values` with totals, suppressed.
pub fn suppress(values: &[Vec<i64>]) -> Vec<Vec<Cell>> {
    let grid = with_totals(values);
    let hide = hidden_cells(&grid);
    grid.iter()
        .zip(hide)
        .map(|(r, h)| {
            r.iter()
                .zip(h)
                .map(|(&v, h)| match (h, (1..=SMALL).contains(&v)) {
                    (false, _) => Cell::Shown(v),
                    (true, true) => Cell::Small,
                    (true, false) => Cell::Hidden,
                })
                .collect()
        })
        .collect()
}

/// The grid with totals, nothing hidden (admins only; audit-logged by the caller).
pub fn unsuppressed(values: &[Vec<i64>]) -> Vec<Vec<Cell>> {
    with_totals(values)
        .into_iter()
        .map(|r| r.into_iter().map(Cell::Shown).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cell::{Hidden as X, Shown as S, Small as L};

    #[test]
    fn table() {
        type Case = (Vec<Vec<i64>>, Vec<Vec<Cell>>);
        let cases: Vec<Case> = vec![
            // Nothing small: nothing hidden.
            (
                vec![vec![10, 20], vec![30, 40]],
                vec![
                    vec![S(10), S(20), S(30)],
                    vec![S(30), S(40), S(70)],
                    vec![S(40), S(60), S(100)],
                ],
            ),
            // One small cell: its row partner, its column partner and the diagonal go too,
            // so neither the row nor the column total gives it away.
            (
                vec![vec![3, 20], vec![30, 40]],
                vec![
                    vec![L, X, S(23)],
                    vec![X, X, S(70)],
                    vec![S(33), S(60), S(93)],
                ],
            ),
            // Zeros are never hidden and never help: the total goes instead.
            (
                vec![vec![2, 0, 0]],
                vec![vec![L, S(0), S(0), L], vec![L, S(0), S(0), L]],
            ),
            // Two small cells in one row hide each other; the columns need partners.
            (
                vec![vec![1, 2, 50], vec![10, 11, 60]],
                vec![
                    vec![L, L, S(50), S(53)],
                    vec![X, X, S(60), S(81)],
                    vec![S(11), S(13), S(110), S(134)],
                ],
            ),
            // A small row total is hidden with its cell; the columns then need partners.
            (
                vec![vec![0, 3], vec![0, 9]],
                vec![vec![S(0), L, L], vec![S(0), X, X], vec![S(0), S(12), S(12)]],
            ),
            // Empty table.
            (vec![], vec![vec![S(0)]]),
        ];
        for (values, want) in cases {
            assert_eq!(suppress(&values), want, "{values:?}");
        }
    }

    /// Over many random tables: every small count is hidden, zeros never are, and no row or
    /// column has exactly one hidden cell (which subtraction from its total would reveal).
    #[test]
    fn no_line_ever_has_a_single_hidden_cell() {
        let mut seed: u64 = 0x5eed;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..2000 {
            let rows = 1 + next(5) as usize;
            let cols = 1 + next(5) as usize;
            let values: Vec<Vec<i64>> = (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| match next(3) {
                            0 => 0,
                            1 => 1 + next(4) as i64,
                            _ => next(40) as i64,
                        })
                        .collect()
                })
                .collect();
            let grid = with_totals(&values);
            let out = suppress(&values);
            for (i, row) in grid.iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    if (1..=SMALL).contains(&v) {
                        assert_eq!(out[i][j], Cell::Small, "{values:?}");
                    }
                    if v == 0 {
                        assert_eq!(out[i][j], Cell::Shown(0), "{values:?}");
                    }
                }
            }
            let hid = |i: usize, j: usize| out[i][j] != Cell::Shown(grid[i][j]);
            for i in 0..grid.len() {
                let n = (0..grid[0].len()).filter(|&j| hid(i, j)).count();
                assert_ne!(n, 1, "row {i} of {values:?}: {out:?}");
            }
            for j in 0..grid[0].len() {
                let n = (0..grid.len()).filter(|&i| hid(i, j)).count();
                assert_ne!(n, 1, "column {j} of {values:?}: {out:?}");
            }
        }
    }
}
