//! Data sets for the attacker: random ones from a seed, and hand-made hard ones. Each record
//! is kept in the test's own terms (the truth the attacker is scored against) and turned into
//! the wire envelope a device would push.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

/// Activity kinds the data sets use.
pub const KINDS: [&str; 4] = [
    "outreach_contact",
    "overdose_response",
    "supplies_distributed",
    "systems_navigation",
];
/// Areas ("" = not set).
pub const AREAS: [&str; 3] = ["a1", "a2", ""];
/// Role titles.
pub const ROLES: [&str; 2] = ["r1", "r2"];
/// Supply items.
pub const ITEMS: [&str; 2] = ["naloxone_kit", "syringes"];
/// Systems navigation tasks and outcomes.
pub const TASKS: [&str; 2] = ["housing", "id"];
pub const OUTCOMES: [&str; 2] = ["completed", "pending"];
/// Shift pay types.
pub const PAYS: [&str; 2] = ["paid", "unpaid"];
/// Devices (one worker each).
pub const WORKERS: usize = 3;
/// Days the data covers: across a week boundary and a month boundary.
pub const DAYS: i64 = 9;

/// The first day.
pub fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 27).expect("date")
}

/// Day `i` of the data set.
pub fn day(i: usize) -> NaiveDate {
    day0() + Duration::days(i as i64)
}

/// One record, in the test's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    /// `activity`, `shift` or `debrief_request`.
    pub rt: &'static str,
    /// Activity kind (`shift`, `debrief_request` for the others).
    pub kind: &'static str,
    pub day: usize,
    pub area: &'static str,
    pub role: &'static str,
    pub on_shift: bool,
    pub worker: usize,
    pub people: i64,
    pub doses: i64,
    pub items: Vec<(&'static str, i64)>,
    pub task: &'static str,
    pub outcome: &'static str,
    pub pay: &'static str,
    /// Shift length in minutes.
    pub minutes: i64,
}

impl Rec {
    fn activity(kind: &'static str, day: usize, area: &'static str, worker: usize) -> Rec {
        Rec {
            rt: "activity",
            kind,
            day,
            area,
            role: ROLES[0],
            on_shift: true,
            worker,
            people: 0,
            doses: 0,
            items: if kind == "supplies_distributed" {
                vec![(ITEMS[0], 1)]
            } else {
                vec![]
            },
            task: if kind == "systems_navigation" {
                TASKS[0]
            } else {
                ""
            },
            outcome: if kind == "systems_navigation" {
                OUTCOMES[0]
            } else {
                ""
            },
            pay: "",
            minutes: 0,
        }
    }

    fn shift(day: usize, pay: &'static str, minutes: i64, worker: usize) -> Rec {
        Rec {
            rt: "shift",
            kind: "shift",
            pay,
            minutes,
            ..Rec::activity("outreach_contact", day, "", worker)
        }
    }

    fn debrief(day: usize, worker: usize) -> Rec {
        Rec {
            rt: "debrief_request",
            kind: "debrief_request",
            ..Rec::activity("outreach_contact", day, "", worker)
        }
    }

    /// The envelope a device pushes.
    pub fn envelope(&self, n: u32) -> Value {
        let d = day(self.day);
        let at = format!("{d}T10:00:00-08:00");
        let body = match self.rt {
            "shift" => {
                let end = d.and_hms_opt(9, 0, 0).expect("t") + Duration::minutes(self.minutes);
                json!({
                    "started_at": format!("{d}T09:00:00-08:00"),
                    "ended_at": format!("{}-08:00", end.format("%Y-%m-%dT%H:%M:%S")),
                    "pay_type": self.pay, "role": self.role,
                    "area": (!self.area.is_empty()).then_some(self.area),
                })
            }
            "debrief_request" => json!({}),
            _ => {
                let mut b = json!({
                    "on_shift": self.on_shift, "role": self.role,
                    "area": (!self.area.is_empty()).then_some(self.area),
                    "people_reached": self.people,
                });
                match self.kind {
                    "overdose_response" => {
                        b["naloxone"] = json!({"doses": self.doses, "route": "intranasal"});
                        b["outcome"] = json!("survived");
                        b["called_911"] = json!("yes");
                    }
                    "supplies_distributed" => {
                        b["items"] = self
                            .items
                            .iter()
                            .map(|(i, q)| json!({"item": i, "quantity": q}))
                            .collect();
                    }
                    "systems_navigation" => {
                        b["task"] = json!(self.task);
                        b["outcome"] = json!(self.outcome);
                        b["contact_type"] = json!("in_person");
                    }
                    _ => {}
                }
                b
            }
        };
        json!({
            "id": format!("01936d5e-8f7a-7cc0-8a5e-{n:012x}"), "version": 1,
            "record_type": self.rt, "kind": self.kind, "occurred_at": at,
            "recorded_at": at, "body": body,
        })
    }
}

/// A small deterministic generator (no dependency): the same seed, the same data set.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn below(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % m
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// A random data set of about `n` records: mostly sparse, so most cells are small.
pub fn random(seed: u64, n: usize) -> Vec<Rec> {
    let mut g = Lcg::new(seed);
    let mut out = Vec::new();
    for _ in 0..n {
        let d = g.below(DAYS as u64) as usize;
        let w = g.below(WORKERS as u64) as usize;
        let r = match g.below(10) {
            0 => Rec::shift(d, g.pick(&PAYS), 30 * (4 + g.below(13) as i64), w),
            1 => Rec::debrief(d, w),
            _ => {
                let kind = g.pick(&KINDS);
                let mut r = Rec::activity(kind, d, g.pick(&AREAS), w);
                r.role = g.pick(&ROLES);
                r.on_shift = g.below(4) != 0;
                r.people = g.below(8) as i64;
                r.doses = 1 + g.below(5) as i64;
                if kind == "supplies_distributed" {
                    r.items = vec![(g.pick(&ITEMS), 1 + g.below(20) as i64)];
                    if g.below(3) == 0 {
                        r.items
                            .push((ITEMS[1 - (r.items[0].0 == ITEMS[1]) as usize], 5));
                    }
                }
                if kind == "systems_navigation" {
                    r.task = g.pick(&TASKS);
                    r.outcome = g.pick(&OUTCOMES);
                }
                r
            }
        };
        out.push(r);
    }
    out
}

/// Hand-made hard cases, each a pattern the issue names, on top of some ordinary volume.
pub fn hard(case: usize) -> Vec<Rec> {
    let mut out = Vec::new();
    // Volume: 12 outreach contacts every day in a1, by worker 0, so totals are large.
    for d in 0..DAYS as usize {
        for _ in 0..12 {
            out.push(Rec::activity("outreach_contact", d, "a1", 0));
        }
    }
    match case {
        // `[<5, <5, 0, 5 | 7]`-like rows: one overdose, one navigation, five supplies on a day.
        0 => {
            for d in [1, 4, 6] {
                out.push(Rec::activity("overdose_response", d, "a2", 1));
                out.push(Rec::activity("systems_navigation", d, "a2", 1));
                for _ in 0..5 {
                    out.push(Rec::activity("supplies_distributed", d, "a2", 2));
                }
            }
        }
        // Four singletons in one day: a "<5" total of four "<5" cells.
        1 => {
            for (k, kind) in KINDS.iter().enumerate() {
                let mut r = Rec::activity(kind, 3, "a2", k % WORKERS);
                r.role = ROLES[k % 2];
                out.push(r);
            }
        }
        // One overdose response with 5 doses; one contact that reached 7 people.
        2 => {
            let mut od = Rec::activity("overdose_response", 2, "a2", 1);
            od.doses = 5;
            out.push(od);
            let mut c = Rec::activity("outreach_contact", 5, "a2", 2);
            c.people = 7;
            out.push(c);
        }
        // Every worker's shift every day: hours by worker by day.
        _ => {
            for d in 0..DAYS as usize {
                for w in 0..WORKERS {
                    out.push(Rec::shift(
                        d,
                        PAYS[w % 2],
                        240 + 30 * ((d + w) as i64 % 5),
                        w,
                    ));
                }
            }
            out.push(Rec::activity("overdose_response", 7, "a2", 1));
        }
    }
    out
}
