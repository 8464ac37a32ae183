//! The attacker's reasoning: exact linear algebra over everything published as a number
//! (Gaussian elimination modulo a large prime: a hidden cell whose atoms are a combination of
//! published cells is worked out exactly), and interval reasoning over every row and column
//! of every table with the published bounds ("<5", "x", zeros), both fed back into each other
//! until nothing changes.

use std::collections::{BTreeMap, HashMap};

const P: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((a as u128 * b as u128) % P as u128) as u64
}

fn sub(a: u64, b: u64) -> u64 {
    (a + P - b) % P
}

fn inv(a: u64) -> u64 {
    let (mut r, mut b, mut e) = (1u64, a, P - 2);
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, b);
        }
        b = mul(b, b);
        e >>= 1;
    }
    r
}

fn modp(v: i64) -> u64 {
    v.rem_euclid(P as i64) as u64
}

fn signed(v: u64) -> i64 {
    if v > P / 2 {
        -((P - v) as i64)
    } else {
        v as i64
    }
}

/// Published equations in reduced row-echelon form.
#[derive(Default)]
pub struct Basis {
    rows: HashMap<usize, (BTreeMap<usize, u64>, u64)>,
}

impl Basis {
    /// Reduces `row` against the basis; returns the residual and the value of what was
    /// subtracted.
    fn reduce(&self, mut row: BTreeMap<usize, u64>, mut rhs: u64) -> (BTreeMap<usize, u64>, u64) {
        let mut i = 0;
        while let Some((&c, &f)) = row.range(i..).next() {
            if let Some((prow, prhs)) = self.rows.get(&c) {
                for (&j, &v) in prow {
                    let e = row.entry(j).or_insert(0);
                    *e = sub(*e, mul(f, v));
                    if *e == 0 {
                        row.remove(&j);
                    }
                }
                rhs = sub(rhs, mul(f, *prhs));
            }
            i = c + 1;
        }
        (row, rhs)
    }

    /// Adds `Σ atoms = value`.
    pub fn add(&mut self, atoms: &[usize], value: i64) {
        let row = atoms.iter().map(|&a| (a, 1)).collect();
        let (row, rhs) = self.reduce(row, modp(value));
        if let Some((&c, &f)) = row.iter().next() {
            let k = inv(f);
            let row = row.into_iter().map(|(j, v)| (j, mul(v, k))).collect();
            self.rows.insert(c, (row, mul(rhs, k)));
        }
    }

    /// The exact value of `Σ atoms`, if the published numbers determine it.
    pub fn solve(&self, atoms: &[usize]) -> Option<i64> {
        let row = atoms.iter().map(|&a| (a, 1)).collect();
        let (row, rhs) = self.reduce(row, 0);
        // row = target - combination, rhs = -(value of the combination)
        row.is_empty().then(|| -signed(rhs))
    }
}

/// What a published cell says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    Number(i64),
    Small,
    Hidden,
}

/// Bounds on one set of atoms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub lo: i64,
    pub hi: i64,
}

/// One system of unknowns: its sets (deduplicated), their bounds, and the tables' lines.
pub struct Solver {
    pub sets: Vec<Vec<usize>>,
    index: HashMap<Vec<usize>, usize>,
    pub bounds: Vec<Bounds>,
    /// (interior sets, total set) of every row and column of every table.
    lines: Vec<(Vec<usize>, usize)>,
    basis: Basis,
    in_basis: Vec<bool>,
    /// Two different numbers published for the same cells.
    pub inconsistent: usize,
}

pub const INF: i64 = i64::MAX / 4;

impl Solver {
    pub fn new() -> Solver {
        Solver {
            sets: Vec::new(),
            index: HashMap::new(),
            bounds: Vec::new(),
            lines: Vec::new(),
            basis: Basis::default(),
            in_basis: Vec::new(),
            inconsistent: 0,
        }
    }

    /// The id of a set of atoms, with what was published about it.
    pub fn observe(&mut self, mut atoms: Vec<usize>, shown: Shown, small: Bounds) -> usize {
        atoms.sort_unstable();
        atoms.dedup();
        let id = match self.index.get(&atoms) {
            Some(&id) => id,
            None => {
                self.index.insert(atoms.clone(), self.sets.len());
                self.sets.push(atoms);
                self.bounds.push(Bounds { lo: 0, hi: INF });
                self.in_basis.push(false);
                self.sets.len() - 1
            }
        };
        let b = match shown {
            Shown::Number(v) => Bounds { lo: v, hi: v },
            Shown::Small => small,
            Shown::Hidden => Bounds {
                lo: small.hi + 1,
                hi: INF,
            },
        };
        let old = self.bounds[id];
        if old.lo == old.hi && b.lo == b.hi && old.lo != b.lo && matches!(shown, Shown::Number(_)) {
            self.inconsistent += 1;
        }
        self.bounds[id] = Bounds {
            lo: old.lo.max(b.lo),
            hi: old.hi.min(b.hi),
        };
        id
    }

    /// Records that the set `total` is the sum of the sets `interior`.
    pub fn line(&mut self, interior: Vec<usize>, total: usize) {
        self.lines.push((interior, total));
    }

    /// Interval reasoning over one line: `Σ interior - total = 0`.
    fn tighten(&mut self, interior: &[usize], total: usize) -> bool {
        let mut changed = false;
        let terms: Vec<(usize, i64)> = interior
            .iter()
            .map(|&s| (s, 1))
            .chain([(total, -1)])
            .collect();
        for (k, &(s, c)) in terms.iter().enumerate() {
            // c·x_s = -Σ_{j≠k} c_j x_j
            let (mut lo, mut hi) = (0i64, 0i64);
            for (j, &(t, cj)) in terms.iter().enumerate() {
                if j == k {
                    continue;
                }
                let b = self.bounds[t];
                let (l, h) = if cj > 0 { (-b.hi, -b.lo) } else { (b.lo, b.hi) };
                lo = lo.saturating_add(l).max(-INF);
                hi = hi.saturating_add(h).min(INF);
            }
            let (lo, hi) = if c > 0 { (lo, hi) } else { (-hi, -lo) };
            let b = self.bounds[s];
            let nb = Bounds {
                lo: b.lo.max(lo),
                hi: b.hi.min(hi),
            };
            if nb != b && nb.lo <= nb.hi {
                self.bounds[s] = nb;
                changed = true;
            }
        }
        changed
    }

    /// Runs both kinds of reasoning to a fixed point.
    pub fn run(&mut self) {
        for _round in 0..8 {
            let mut changed = false;
            let before = self.basis.rows.len();
            for id in 0..self.sets.len() {
                let b = self.bounds[id];
                if b.lo == b.hi && !self.in_basis[id] {
                    self.basis.add(&self.sets[id], b.lo);
                    self.in_basis[id] = true;
                }
            }
            // Only a grown basis can work out more.
            let grown = self.basis.rows.len() > before || _round == 0;
            for id in (0..self.sets.len()).filter(|_| grown) {
                if self.bounds[id].lo != self.bounds[id].hi {
                    if let Some(v) = self.basis.solve(&self.sets[id]) {
                        self.bounds[id] = Bounds { lo: v, hi: v };
                        changed = true;
                    }
                }
            }
            for _ in 0..20 {
                let lines = std::mem::take(&mut self.lines);
                let mut any = false;
                for (interior, total) in &lines {
                    any |= self.tighten(interior, *total);
                }
                self.lines = lines;
                changed |= any;
                if !any {
                    break;
                }
            }
            if !changed {
                break;
            }
        }
    }
}
