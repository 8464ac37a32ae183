//! The fields, choices, limits and defaults of every form, drawn from the one record model: the
//! app's forms and the command line's options are built from these definitions, for built-in
//! kinds and organization-defined kinds alike, so they cannot disagree with the rules.
//!
//! Field ids are paths into the body: `naloxone.doses` is `body.naloxone.doses`.

use serde::Serialize;
use serde_json::{json, Value};

use crate::body::{
    ChoiceInfo, ContactType, NaloxoneRoute, NavOutcome, NavTask, OverdoseOutcome, PayType,
    ReferralType, ReplacementReason, TrainingStatus, YesNoUnknown, BUILTIN_KINDS,
};
use crate::catalogue::{Catalogue, FieldType, Label};
use crate::limits::*;

/// One choice of a field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// Stable id, as stored.
    pub id: String,
    /// Words for it.
    pub label: Label,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// A whole number.
    Integer {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
    /// Yes or no.
    Boolean,
    /// One of a list.
    Choice {
        /// The choices, in the order to show them.
        options: Vec<Choice>,
    },
    /// Short text (never names).
    Text {
        /// Longest.
        max_chars: usize,
    },
    /// A date (`YYYY-MM-DD`).
    Date,
    /// Item and quantity lines.
    Items {
        /// The organization's items.
        options: Vec<Choice>,
        /// Most lines.
        max_lines: usize,
        /// Largest quantity on a line.
        max_quantity: i64,
    },
    /// Naloxone kits handed out that replace one the person had: lines of kit, quantity and
    /// reason (`replaced`).
    Replacements {
        /// The naloxone kit items, the only ones a reason applies to.
        kits: Vec<Choice>,
        /// The reasons.
        reasons: Vec<Choice>,
        /// Most lines.
        max_lines: usize,
    },
    /// A list of short texts.
    TextList {
        /// Most entries.
        max_items: usize,
        /// Longest entry.
        max_chars: usize,
    },
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDef {
    /// Path into the body (`naloxone.doses`).
    pub id: String,
    /// Words for it, when the definition has them (the app has its own for built-in fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    /// What it holds.
    #[serde(flatten)]
    pub kind: FieldKind,
    /// Must be given.
    pub required: bool,
    /// The value a new record starts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// A form: an activity kind, or another record type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindDef {
    /// Kind id (the record type for shifts and training).
    pub id: String,
    /// `activity`, `shift` or `training`.
    pub record_type: &'static str,
    /// True for kinds the organization defined.
    pub custom: bool,
    /// Words for it.
    pub label: Label,
    /// Its fields, in the order to show them.
    pub fields: Vec<FieldDef>,
}

impl KindDef {
    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The default of a field, if it has one.
    pub fn default_of(&self, id: &str) -> Option<&Value> {
        self.field(id).and_then(|f| f.default.as_ref())
    }
}

fn choices(infos: Vec<ChoiceInfo>) -> Vec<Choice> {
    infos
        .into_iter()
        .map(|c| Choice {
            id: c.id.into(),
            label: Label::new(c.en, c.fr),
        })
        .collect()
}

fn field(id: &str, kind: FieldKind, required: bool, default: Option<Value>) -> FieldDef {
    FieldDef {
        id: id.into(),
        label: None,
        kind,
        required,
        default,
    }
}

fn int(id: &str, max: i64) -> FieldDef {
    field(id, FieldKind::Integer { min: 0, max }, false, None)
}

fn boolean(id: &str) -> FieldDef {
    field(id, FieldKind::Boolean, false, Some(json!(false)))
}

fn choice(id: &str, options: Vec<ChoiceInfo>, default: Option<&str>) -> FieldDef {
    field(
        id,
        FieldKind::Choice {
            options: choices(options),
        },
        true,
        default.map(|d| json!(d)),
    )
}

fn catalogue_choice(id: &str, entries: Vec<Choice>) -> FieldDef {
    field(id, FieldKind::Choice { options: entries }, false, None)
}

/// The fields every activity has, after its own.
fn common(cat: &Catalogue) -> Vec<FieldDef> {
    vec![
        int("people_reached", MAX_PEOPLE),
        int("minutes", MAX_MINUTES),
        areas(cat),
        field("on_shift", FieldKind::Boolean, false, Some(json!(true))),
        note(),
    ]
}

fn areas(cat: &Catalogue) -> FieldDef {
    catalogue_choice(
        "area",
        cat.areas
            .iter()
            .map(|a| Choice {
                id: a.id.clone(),
                label: a.label.clone(),
            })
            .collect(),
    )
}

fn roles(cat: &Catalogue) -> FieldDef {
    catalogue_choice(
        "role",
        cat.roles
            .iter()
            .map(|r| Choice {
                id: r.id.clone(),
                label: r.title.clone(),
            })
            .collect(),
    )
}

fn note() -> FieldDef {
    field(
        "note",
        FieldKind::Text {
            max_chars: MAX_NOTE_CHARS,
        },
        false,
        None,
    )
}

/// The words for a built-in kind or record type, and for the fixed choices a summary groups
/// by (pay types, navigation outcomes); `None` for anything else (an organization's own ids).
pub fn builtin_label(id: &str) -> Option<Label> {
    let (en, fr) = match id {
        "overdose_response" => (
            "Overdose response",
            "Intervention lors d\u{2019}une surdose",
        ),
        "supplies_distributed" => ("Supplies handed out", "Matériel remis"),
        "outreach_contact" => ("Outreach contact", "Contact de proximité"),
        "peer_education" => ("Peer education", "Éducation par les pairs"),
        "emotional_support" => ("Emotional support or group", "Soutien émotionnel ou groupe"),
        "meal_service" => ("Meal service", "Service de repas"),
        "systems_navigation" => (
            "Navigation and accompaniment",
            "Accompagnement et démarches",
        ),
        "shift" => ("Shift", "Quart"),
        "training" => ("Training", "Formation"),
        "debrief_request" => ("Debrief asked for", "Débreffage demandé"),
        "payment" => ("Payment shared", "Paiement partagé"),
        other => {
            let choice = PayType::parse(other)
                .map(|p| (p.as_str(), PayType::infos()))
                .or_else(|| NavOutcome::parse(other).map(|o| (o.as_str(), NavOutcome::infos())));
            let (id, infos) = choice?;
            let c = infos.into_iter().find(|c| c.id == id)?;
            (c.en, c.fr)
        }
    };
    Some(Label::new(en, fr))
}

fn builtin(kind: &str, cat: &Catalogue) -> Vec<FieldDef> {
    let mut own = match kind {
        "overdose_response" => vec![
            field(
                "naloxone.doses",
                FieldKind::Integer {
                    min: 0,
                    max: MAX_DOSES,
                },
                false,
                Some(json!(0)),
            ),
            choice(
                "naloxone.route",
                NaloxoneRoute::infos(),
                Some(NaloxoneRoute::Intranasal.as_str()),
            ),
            choice(
                "called_911",
                YesNoUnknown::infos(),
                Some(YesNoUnknown::Unknown.as_str()),
            ),
            choice(
                "outcome",
                OverdoseOutcome::infos(),
                Some(OverdoseOutcome::Survived.as_str()),
            ),
            boolean("ems_arrived"),
            boolean("rescue_breathing"),
            boolean("oxygen"),
            boolean("recovery_position"),
            boolean("stayed_until_recovery_or_ems"),
            boolean("kit_replaced"),
        ],
        "supplies_distributed" => {
            let item_choices = |only_kits: bool| {
                cat.items
                    .iter()
                    .filter(|i| {
                        !only_kits
                            || i.naloxone.map(|n| n.form) == Some(crate::body::NaloxoneForm::Kit)
                    })
                    .map(|i| Choice {
                        id: i.id.clone(),
                        label: i.label.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            let lines = |id: &str| {
                field(
                    id,
                    FieldKind::Items {
                        options: item_choices(false),
                        max_lines: MAX_SUPPLY_LINES,
                        max_quantity: MAX_QUANTITY,
                    },
                    // Handed out or brought back: one of the two must have a line.
                    false,
                    None,
                )
            };
            vec![
                lines("items"),
                field(
                    "replaced",
                    FieldKind::Replacements {
                        kits: item_choices(true),
                        reasons: choices(ReplacementReason::infos()),
                        max_lines: MAX_SUPPLY_LINES,
                    },
                    false,
                    None,
                ),
                lines("returned"),
            ]
        }
        "systems_navigation" => vec![
            choice("task", NavTask::infos(), Some(NavTask::Id.as_str())),
            choice(
                "contact_type",
                ContactType::infos(),
                Some(ContactType::Accompaniment.as_str()),
            ),
            int("travel_minutes", MAX_MINUTES),
            choice(
                "outcome",
                NavOutcome::infos(),
                Some(NavOutcome::Completed.as_str()),
            ),
            field(
                "referral.destination",
                FieldKind::Text {
                    max_chars: MAX_REFERRAL_CHARS,
                },
                false,
                None,
            ),
            FieldDef {
                required: false,
                ..choice(
                    "referral.type",
                    ReferralType::infos(),
                    Some(ReferralType::Passive.as_str()),
                )
            },
            field(
                "barriers",
                FieldKind::TextList {
                    max_items: MAX_BARRIERS,
                    max_chars: MAX_BARRIER_CHARS,
                },
                false,
                None,
            ),
            field("follow_up_date", FieldKind::Date, false, None),
            int("out_of_pocket_cents", MAX_OUT_OF_POCKET_CENTS),
        ],
        _ => Vec::new(),
    };
    own.extend(common(cat));
    own
}

/// Every form the organization's catalogue enables: its built-in activity kinds in the order
/// it lists them, its own kinds, then shifts and training.
pub fn kind_definitions(cat: &Catalogue) -> Vec<KindDef> {
    let mut out: Vec<KindDef> = cat
        .kinds
        .iter()
        .filter(|k| BUILTIN_KINDS.contains(&k.as_str()))
        .map(|k| KindDef {
            id: k.clone(),
            record_type: "activity",
            custom: false,
            label: builtin_label(k).unwrap_or_else(|| Label::new(k, k)),
            fields: builtin(k, cat),
        })
        .collect();
    for k in &cat.custom_kinds {
        let mut fields: Vec<FieldDef> = k
            .fields
            .iter()
            .map(|f| FieldDef {
                id: format!("fields.{}", f.id),
                label: Some(f.label.clone()),
                kind: match &f.field_type {
                    FieldType::Integer { min, max } => FieldKind::Integer {
                        min: *min,
                        max: *max,
                    },
                    FieldType::Boolean => FieldKind::Boolean,
                    FieldType::Choice { options } => FieldKind::Choice {
                        options: options
                            .iter()
                            .map(|o| Choice {
                                id: o.clone(),
                                label: Label::new(o, o),
                            })
                            .collect(),
                    },
                    FieldType::Text { max_chars } => FieldKind::Text {
                        max_chars: *max_chars,
                    },
                },
                required: f.required,
                default: None,
            })
            .collect();
        fields.extend(common(cat));
        out.push(KindDef {
            id: k.id.clone(),
            record_type: "activity",
            custom: true,
            label: k.label.clone(),
            fields,
        });
    }
    out.push(KindDef {
        id: "shift".into(),
        record_type: "shift",
        custom: false,
        label: Label::new("Shift", "Quart"),
        fields: vec![
            roles(cat),
            choice("pay_type", PayType::infos(), Some(PayType::Paid.as_str())),
            areas(cat),
            note(),
        ],
    });
    out.push(KindDef {
        id: "training".into(),
        record_type: "training",
        custom: false,
        label: Label::new("Training", "Formation"),
        fields: vec![
            field(
                "topic",
                FieldKind::Text {
                    max_chars: MAX_TOPIC_CHARS,
                },
                true,
                None,
            ),
            choice(
                "status",
                TrainingStatus::infos(),
                Some(TrainingStatus::Received.as_str()),
            ),
            int("minutes", MAX_MINUTES),
        ],
    });
    out
}

/// Sets `value` at a dotted `path` in a JSON object, making the objects on the way.
pub fn set_path(body: &mut Value, path: &str, value: Value) {
    let mut cur = body;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let Some(map) = cur.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(p.to_string(), value);
            return;
        }
        cur = map.entry(p.to_string()).or_insert_with(|| json!({}));
    }
}

#[cfg(test)]
#[path = "kinds_tests.rs"]
mod tests;
