//! A determined viewer: pushes a data set it knows to a real server, asks for every summary a
//! viewer may ask for, and tries to work out small counts from what comes back. Scored
//! against the truth, so a claim counts only when it is a sound deduction that is right.
#![allow(dead_code)]

pub mod ask;
pub mod data;
pub mod model;
pub mod solve;

pub use ask::{collect, exports_differ, load, requests, World};

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use data::*;
use model::*;
use solve::{Bounds, Shown, Solver};

/// What the attacker found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// Distinct hidden cells whose true number of records is 1 to 4.
    pub small_cells: usize,
    /// Of those, the ones whose count the attacker pinned to one value...
    pub recovered: usize,
    /// ...and was right.
    pub right: usize,
    /// Narrowed below the documented protection (but not pinned).
    pub narrowed: usize,
    /// Cells of 1 to 4 records whose sum (people, doses, supplies, minutes) was published as a
    /// number or worked out exactly.
    pub sums_exposed: usize,
    /// The same cells published with two different numbers (two looks at the noise).
    pub inconsistent: usize,
    /// A published cell contradicting the documented method (the method's own claim is wrong).
    pub unsound: usize,
    /// Requests refused.
    pub refused: usize,
    /// Exports that differ from the API's tables.
    pub exports_differ: usize,
}

impl Report {
    /// Nothing found.
    pub fn clean(&self) -> bool {
        self.recovered == 0
            && self.narrowed == 0
            && self.sums_exposed == 0
            && self.inconsistent == 0
            && self.unsound == 0
            && self.exports_differ == 0
    }
}

fn shown(v: &Value, hours: bool) -> Shown {
    match v {
        Value::String(s) if s == "<5" => Shown::Small,
        Value::String(_) => Shown::Hidden,
        v if hours => Shown::Number((v.as_f64().expect("number") * 60.0).round() as i64),
        v => Shown::Number(
            v.as_i64()
                .unwrap_or_else(|| v.as_f64().expect("number").round() as i64),
        ),
    }
}

/// The true counts a protected count `v` can stand for under the documented method: every
/// stored group of 1 to 4 records counts as 1 or 4 (a 1 was 1, 2 or 3; a 4 was 2, 3 or 4),
/// larger groups exactly. The narrowest reading the attacker may take is the one with the
/// fewest small groups; it returns how many true counts stay possible in the widest reading
/// the attacker cannot rule out, which is what a sound deduction must respect.
pub fn possible(v: std::ops::RangeInclusive<i64>) -> HashSet<i64> {
    let mut out = HashSet::new();
    for v in v {
        // v = large + ones + 4·fours, large 0 or ≥ 5, each small group spread over its range.
        for fours in 0..=v / 4 {
            for ones in 0..=(v - 4 * fours) {
                let large = v - 4 * fours - ones;
                if large != 0 && large < 5 {
                    continue;
                }
                for t in (large + ones + 2 * fours)..=(large + 3 * ones + 4 * fours) {
                    out.insert(t);
                }
            }
        }
    }
    out
}

/// Attacks the answers. `protected` is the method the tables declare (`None`: the plain
/// reading of earlier versions, where numbers are exact, "<5" is 1 to 4 and "x" 5 or more).
pub fn attack(w: &World, reqs: &[Req], answers: &[Option<Value>]) -> Report {
    let mut rep = Report::default();
    let protected = answers
        .iter()
        .flatten()
        .any(|t| t.get("protection").is_some());
    let grids: HashMap<Fam, Vec<Atom>> = [Fam::Act, Fam::Shift, Fam::Debrief, Fam::Item]
        .into_iter()
        .map(|f| (f, grid(f)))
        .collect();
    // The system a cell's numbers and bounds go to: (figure, counts-of-a-protected-sum).
    let key_of = |m: Measure| -> (System, bool) {
        if !protected || m.is_count() {
            (m.system(), false)
        } else {
            // Protected sums: their numbers are imputed; their "x" and numbers bound the
            // protected number of records, kept with the counts of the same records.
            match m {
                Measure::Supplies => (System::ItemQuantity, true),
                Measure::Hours => (System::ShiftMinutes, true),
                _ => (System::ActCount, false),
            }
        }
    };
    let mut solvers: HashMap<(System, bool), Solver> = HashMap::new();
    // Pass 1: atoms published as zero are zero.
    let mut zero: HashSet<(System, bool, usize)> = HashSet::new();
    let cells = |req: &Req, t: &Value| -> Vec<(usize, usize, Vec<usize>, Value)> {
        let fam_atoms = &grids[&fam_of(req.measure)];
        let cols: Vec<String> = t["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| c.as_str().expect("col").to_string())
            .collect();
        let rows = t["rows"].as_array().expect("rows");
        // Each covered atom once, by its row label and column key.
        let mut buckets: HashMap<(String, String), Vec<usize>> = HashMap::new();
        let labels: Vec<String> = (0..DAYS as usize).map(|d| req.label(d)).collect();
        for (k, a) in fam_atoms.iter().enumerate() {
            if req.covers(a) {
                buckets
                    .entry((labels[a.day].clone(), req.key(a, &w.pseudonyms)))
                    .or_default()
                    .push(k);
            }
        }
        let mut out = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let label = row["label"].as_str().expect("label");
            for (j, v) in row["cells"].as_array().expect("cells").iter().enumerate() {
                let set: Vec<usize> = buckets
                    .iter()
                    .filter(|((l, c), _)| {
                        (label == "total" || l == label) && (cols[j] == "total" || *c == cols[j])
                    })
                    .flat_map(|(_, v)| v.iter().copied())
                    .collect();
                out.push((i, j, set, v.clone()));
            }
        }
        out
    };
    let mut tables = Vec::new();
    for (req, ans) in reqs.iter().zip(answers) {
        let Some(t) = ans else {
            rep.refused += 1;
            continue;
        };
        let c = cells(req, t);
        let hours = req.measure == Measure::Hours;
        let key = key_of(req.measure);
        let sum_as_count = protected && !req.measure.is_count();
        for (_, _, set, v) in &c {
            let s = shown(v, hours && !sum_as_count);
            // A protected sum of 0 may still hold records (an average of 0): no zeros there.
            if s == Shown::Number(0) && !sum_as_count {
                for &a in set {
                    zero.insert((key.0, key.1, a));
                }
            }
        }
        tables.push((req, c, key, sum_as_count));
    }
    // Pass 2: every cell's set of non-zero atoms, with what was published about it.
    let small = Bounds { lo: 1, hi: 4 };
    for (req, c, key, sum_as_count) in &tables {
        let hours = req.measure == Measure::Hours && !sum_as_count;
        let solver = solvers.entry(*key).or_insert_with(Solver::new);
        let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, j, set, v) in c {
            let nz: Vec<usize> = set
                .iter()
                .copied()
                .filter(|&a| !zero.contains(&(key.0, key.1, a)))
                .collect();
            let mut s = shown(v, hours);
            let mut bounds = small;
            if *sum_as_count {
                // A protected sum: a number (but 0) means 5 or more records after
                // protection; "x" 1 to 4, or any number where there is no average to use.
                s = match s {
                    Shown::Number(0) => Shown::Hidden,
                    Shown::Number(_) => Shown::Hidden,
                    _ => Shown::Small,
                };
                bounds = match (shown(v, false), s) {
                    (Shown::Number(0), _) => Bounds { lo: -1, hi: -1 },
                    (_, Shown::Small) => Bounds {
                        lo: 1,
                        hi: solve::INF,
                    },
                    _ => small,
                };
            }
            ids.insert((*i, *j), solver.observe(nz, s, bounds));
        }
        let nrows = c.iter().map(|x| x.0).max().map_or(0, |m| m + 1);
        let ncols = c.iter().map(|x| x.1).max().map_or(0, |m| m + 1);
        for i in 0..nrows {
            let interior = (0..ncols - 1).map(|j| ids[&(i, j)]).collect();
            solver.line(interior, ids[&(i, ncols - 1)]);
        }
        for j in 0..ncols {
            let interior = (0..nrows - 1).map(|i| ids[&(i, j)]).collect();
            solver.line(interior, ids[&(nrows - 1, j)]);
        }
    }
    // Score every system.
    let mut seen_exposed: HashSet<(System, Vec<usize>)> = HashSet::new();
    for ((sys, is_count_of_sum), solver) in solvers.iter_mut() {
        solver.run();
        rep.inconsistent += solver.inconsistent;
        let fam = match sys {
            System::ItemQuantity => Fam::Item,
            System::ShiftMinutes => Fam::Shift,
            System::DebriefCount => Fam::Debrief,
            _ => Fam::Act,
        };
        let atoms = &grids[&fam];
        let counting = matches!(sys, System::ActCount | System::DebriefCount) || *is_count_of_sum;
        for (id, set) in solver.sets.iter().enumerate() {
            let recs: i64 = set
                .iter()
                .map(|&a| w.truth.records.get(&atoms[a]).copied().unwrap_or(0))
                .sum();
            if !(1..=4).contains(&recs) {
                continue;
            }
            let b = solver.bounds[id];
            if counting {
                rep.small_cells += 1;
                if protected {
                    if b.hi - b.lo > 8 {
                        continue;
                    }
                    let p = possible(b.lo..=b.hi);
                    if !p.contains(&recs) {
                        rep.unsound += 1;
                    } else if p.len() == 1 {
                        rep.recovered += 1;
                        rep.right += 1;
                    } else if p.len() < 3 {
                        rep.narrowed += 1;
                    }
                } else if b.lo == b.hi {
                    rep.recovered += 1;
                    rep.right += (b.lo == recs) as usize;
                } else if b.hi - b.lo < 3 {
                    rep.narrowed += 1;
                }
            } else if !protected && b.lo == b.hi && seen_exposed.insert((*sys, set.clone())) {
                // Plain reading of a sum over 1 to 4 records: exposed if right.
                let truth: i64 = set.iter().map(|&a| w.truth.value(*sys, &atoms[a])).sum();
                rep.sums_exposed += (truth == b.lo) as usize;
            }
        }
    }
    rep
}

fn fam_of(m: Measure) -> Fam {
    match m {
        Measure::Supplies => Fam::Item,
        Measure::Hours => Fam::Shift,
        Measure::Debriefs => Fam::Debrief,
        _ => Fam::Act,
    }
}
