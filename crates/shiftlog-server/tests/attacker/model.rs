//! What a viewer can ask for, and which stored groups ("atoms") each published cell adds up.
//! The attacker's unknowns are the atoms: every combination of the values a viewer can see
//! (days, kinds, areas, roles, workers, ...), so the attacker assumes nothing it could not
//! read off the tables themselves.

use std::collections::HashMap;

use chrono::Datelike;

use super::data::*;

/// Which records an atom is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fam {
    Act,
    Shift,
    Debrief,
    Item,
}

/// The finest combination of visible values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Atom {
    pub fam: Fam,
    pub day: usize,
    pub kind: &'static str,
    pub area: &'static str,
    pub role: &'static str,
    pub on: bool,
    pub worker: usize,
    pub task: &'static str,
    pub outcome: &'static str,
    pub pay: &'static str,
    pub item: &'static str,
}

/// Every atom of a family.
pub fn grid(fam: Fam) -> Vec<Atom> {
    let mut out = Vec::new();
    for day in 0..DAYS as usize {
        let base = Atom {
            fam,
            day,
            kind: "",
            area: "",
            role: "",
            on: true,
            worker: 0,
            task: "",
            outcome: "",
            pay: "",
            item: "",
        };
        match fam {
            Fam::Item => {
                for area in AREAS {
                    for item in ITEMS {
                        out.push(Atom {
                            kind: "supplies_distributed",
                            area,
                            item,
                            ..base.clone()
                        });
                    }
                }
            }
            Fam::Debrief => {
                for worker in 0..WORKERS {
                    out.push(Atom {
                        kind: "debrief_request",
                        worker,
                        ..base.clone()
                    });
                }
            }
            Fam::Shift => {
                for (area, role, worker, pay) in iproduct4(&AREAS, &ROLES, WORKERS, &PAYS) {
                    out.push(Atom {
                        kind: "shift",
                        area,
                        role,
                        worker,
                        pay,
                        ..base.clone()
                    });
                }
            }
            Fam::Act => {
                for kind in KINDS {
                    let nav: Vec<(&str, &str)> = if kind == "systems_navigation" {
                        TASKS
                            .iter()
                            .flat_map(|t| OUTCOMES.iter().map(move |o| (*t, *o)))
                            .collect()
                    } else {
                        vec![("", "")]
                    };
                    for (area, role, worker, on) in
                        iproduct4(&AREAS, &ROLES, WORKERS, &[true, false])
                    {
                        for &(task, outcome) in &nav {
                            out.push(Atom {
                                kind,
                                area,
                                role,
                                on,
                                worker,
                                task,
                                outcome,
                                ..base.clone()
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn iproduct4<A: Copy, C: Copy>(
    a: &[A],
    b: &[&'static str],
    n: usize,
    c: &[C],
) -> Vec<(A, &'static str, usize, C)> {
    let mut v = Vec::new();
    for &x in a {
        for &y in b {
            for w in 0..n {
                for &z in c {
                    v.push((x, y, w, z));
                }
            }
        }
    }
    v
}

/// The atom a record (or one supplies line of it) belongs to.
pub fn atom_of(r: &Rec, item: Option<&'static str>) -> Atom {
    let fam = match (r.rt, item) {
        (_, Some(_)) => Fam::Item,
        ("shift", _) => Fam::Shift,
        ("debrief_request", _) => Fam::Debrief,
        _ => Fam::Act,
    };
    Atom {
        fam,
        day: r.day,
        kind: r.kind,
        area: r.area,
        role: if matches!(fam, Fam::Debrief | Fam::Item) {
            ""
        } else {
            r.role
        },
        on: if fam == Fam::Act { r.on_shift } else { true },
        worker: if fam == Fam::Item { 0 } else { r.worker },
        task: r.task,
        outcome: r.outcome,
        pay: r.pay,
        item: item.unwrap_or(""),
    }
}

/// What a summary counts, with the names the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Activities,
    PeopleReached,
    NaloxoneDoses,
    Supplies,
    NavigationTasks,
    Hours,
    Debriefs,
}

pub const MEASURES: [Measure; 7] = [
    Measure::Activities,
    Measure::PeopleReached,
    Measure::NaloxoneDoses,
    Measure::Supplies,
    Measure::NavigationTasks,
    Measure::Hours,
    Measure::Debriefs,
];

/// The unknowns a measure's cells add up: measures over the same records and the same
/// figure share them, so the attacker combines their tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum System {
    ActCount,
    ActPeople,
    ActDoses,
    ItemQuantity,
    ShiftMinutes,
    DebriefCount,
}

impl Measure {
    pub fn api(self) -> &'static str {
        match self {
            Measure::Activities => "activities",
            Measure::PeopleReached => "people_reached",
            Measure::NaloxoneDoses => "naloxone_doses",
            Measure::Supplies => "supplies",
            Measure::NavigationTasks => "navigation_tasks",
            Measure::Hours => "hours",
            Measure::Debriefs => "debriefs",
        }
    }

    pub fn system(self) -> System {
        match self {
            Measure::Activities | Measure::NavigationTasks => System::ActCount,
            Measure::PeopleReached => System::ActPeople,
            Measure::NaloxoneDoses => System::ActDoses,
            Measure::Supplies => System::ItemQuantity,
            Measure::Hours => System::ShiftMinutes,
            Measure::Debriefs => System::DebriefCount,
        }
    }

    /// True when the figure is a number of records (else a sum).
    pub fn is_count(self) -> bool {
        matches!(
            self,
            Measure::Activities | Measure::NavigationTasks | Measure::Debriefs
        )
    }

    /// The "by" values the API allows.
    pub fn bys(self) -> &'static [&'static str] {
        match self {
            Measure::Activities | Measure::PeopleReached => {
                &["none", "kind", "area", "role", "worker", "on_shift"]
            }
            Measure::NaloxoneDoses => &["none", "area", "role", "worker", "on_shift"],
            Measure::Supplies => &["item"],
            Measure::NavigationTasks => &["none", "nav_task", "nav_outcome", "area", "worker"],
            Measure::Hours => &["none", "pay_type", "role", "worker", "area"],
            Measure::Debriefs => &["none"],
        }
    }

    fn family(self) -> Fam {
        match self {
            Measure::Supplies => Fam::Item,
            Measure::Hours => Fam::Shift,
            Measure::Debriefs => Fam::Debrief,
            _ => Fam::Act,
        }
    }

    /// The kind the measure is limited to (then a `kind` filter is ignored).
    fn forced_kind(self) -> Option<&'static str> {
        match self {
            Measure::NaloxoneDoses => Some("overdose_response"),
            Measure::Supplies => Some("supplies_distributed"),
            Measure::NavigationTasks => Some("systems_navigation"),
            _ => None,
        }
    }
}

/// A summary request.
#[derive(Debug, Clone, PartialEq)]
pub struct Req {
    pub measure: Measure,
    pub period: &'static str,
    pub by: &'static str,
    pub from: Option<usize>,
    pub to: Option<usize>,
    pub kind: Option<&'static str>,
    pub area: Option<&'static str>,
}

impl Req {
    pub fn query(&self) -> String {
        let mut q = format!(
            "measure={}&period={}&by={}",
            self.measure.api(),
            self.period,
            self.by
        );
        if let Some(f) = self.from {
            q += &format!("&from={}", day(f));
        }
        if let Some(t) = self.to {
            q += &format!("&to={}", day(t));
        }
        if let Some(k) = self.kind {
            q += &format!("&kind={k}");
        }
        if let Some(a) = self.area {
            q += &format!("&area={a}");
        }
        q
    }

    /// The row label of an atom's day.
    pub fn label(&self, d: usize) -> String {
        let d = day(d);
        match self.period {
            "day" => d.to_string(),
            "week" => {
                (d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)).to_string()
            }
            _ => d.format("%Y-%m").to_string(),
        }
    }

    /// True if `a` is counted by this request at all.
    pub fn covers(&self, a: &Atom) -> bool {
        let m = self.measure;
        a.fam == m.family()
            && m.forced_kind().is_none_or(|k| a.kind == k)
            && (m.forced_kind().is_some() || self.kind.is_none_or(|k| a.kind == k))
            && self.area.is_none_or(|x| a.area == x)
            && self.from.is_none_or(|f| a.day >= f)
            && self.to.is_none_or(|t| a.day <= t)
    }

    /// The column key of an atom.
    pub fn key(&self, a: &Atom, pseudonyms: &[String]) -> String {
        match self.by {
            "kind" => a.kind.into(),
            "area" => a.area.into(),
            "role" => a.role.into(),
            "worker" => pseudonyms[a.worker].clone(),
            "on_shift" => if a.on { "on_shift" } else { "off_shift" }.into(),
            "nav_task" => a.task.into(),
            "nav_outcome" => a.outcome.into(),
            "pay_type" => a.pay.into(),
            "item" => a.item.into(),
            _ => String::new(),
        }
    }
}

/// What each atom truly holds: its number of records (supplies: lines) and its figures.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    pub records: HashMap<Atom, i64>,
    pub people: HashMap<Atom, i64>,
    pub doses: HashMap<Atom, i64>,
    pub quantity: HashMap<Atom, i64>,
    pub minutes: HashMap<Atom, i64>,
}

impl Truth {
    pub fn of(recs: &[Rec]) -> Truth {
        let mut t = Truth::default();
        for r in recs {
            if r.kind == "supplies_distributed" {
                for &(item, q) in &r.items {
                    let a = atom_of(r, Some(item));
                    *t.records.entry(a.clone()).or_default() += 1;
                    *t.quantity.entry(a).or_default() += q;
                }
            }
            let a = atom_of(r, None);
            *t.records.entry(a.clone()).or_default() += 1;
            *t.people.entry(a.clone()).or_default() += r.people;
            *t.doses.entry(a.clone()).or_default() += r.doses;
            *t.minutes.entry(a).or_default() += r.minutes;
        }
        t
    }

    /// An atom's figure in `system`.
    pub fn value(&self, s: System, a: &Atom) -> i64 {
        let m = match s {
            System::ActCount | System::DebriefCount => &self.records,
            System::ActPeople => &self.people,
            System::ActDoses => &self.doses,
            System::ItemQuantity => &self.quantity,
            System::ShiftMinutes => &self.minutes,
        };
        m.get(a).copied().unwrap_or(0)
    }
}
