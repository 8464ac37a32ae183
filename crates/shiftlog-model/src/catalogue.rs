//! What an organization records: enabled activity kinds (built-in and its own, with typed
//! fields), supply items, areas, role titles with what each role is expected to do, and how
//! long synced records stay on the device. The default catalogue ships with the app so
//! logging works with no server at all.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::body::{NaloxoneForm, SupplyRoute, BUILTIN_KINDS};
use crate::error::{Lang, ValidationError};

/// A label in English and French.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

impl Label {
    /// A label from its English and French words.
    pub fn new(en: &str, fr: &str) -> Label {
        Label {
            en: en.into(),
            fr: fr.into(),
        }
    }

    /// The label in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }
}

/// A catalogue entry: id and label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id used in records.
    pub id: String,
    /// Label.
    pub label: Label,
    /// Supply items only: what kind of naloxone it is, if it is naloxone. Absent in
    /// catalogues saved before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naloxone: Option<NaloxoneItem>,
}

/// What a naloxone supply item is (Ontario's harm reduction database keeps kits apart from
/// single doses, and nasal apart from injectable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaloxoneItem {
    /// Kit or single dose.
    pub form: NaloxoneForm,
    /// Nasal or injectable; absent when not noted (the older `naloxone_kit` item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<SupplyRoute>,
}

/// The item ids whose naloxone attributes every organization shares: the four of the
/// default catalogue, and `naloxone_kit` from before kits were kept apart by route. An
/// organization that lists these ids gets them without saying more.
pub const NALOXONE_ITEMS: &[(&str, NaloxoneForm, Option<SupplyRoute>)] = &[
    (
        "naloxone_kit_nasal",
        NaloxoneForm::Kit,
        Some(SupplyRoute::Nasal),
    ),
    (
        "naloxone_kit_injectable",
        NaloxoneForm::Kit,
        Some(SupplyRoute::Injectable),
    ),
    (
        "naloxone_dose_nasal",
        NaloxoneForm::Dose,
        Some(SupplyRoute::Nasal),
    ),
    (
        "naloxone_dose_injectable",
        NaloxoneForm::Dose,
        Some(SupplyRoute::Injectable),
    ),
    ("naloxone_kit", NaloxoneForm::Kit, None),
];

/// The shared naloxone attributes of item `id`, if it is one of [`NALOXONE_ITEMS`].
pub fn builtin_naloxone(id: &str) -> Option<NaloxoneItem> {
    NALOXONE_ITEMS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, form, route)| NaloxoneItem {
            form: *form,
            route: *route,
        })
}

/// A role title, in the organization's words, with what the role is expected to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: Label,
    /// What someone in this role is expected to do, in plain words.
    pub expectations: Label,
}

/// The type of an organization-defined field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// A whole number within bounds.
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
        /// Allowed values.
        options: Vec<String>,
    },
    /// Short text (never names).
    Text {
        /// Longest.
        max_chars: usize,
    },
}

/// A field of an organization-defined kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Field id.
    pub id: String,
    /// Label.
    pub label: Label,
    /// Type.
    #[serde(flatten)]
    pub field_type: FieldType,
    /// Must be given.
    #[serde(default)]
    pub required: bool,
}

/// An organization-defined activity kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomKind {
    /// Kind id.
    pub id: String,
    /// Label.
    pub label: Label,
    /// Its fields.
    pub fields: Vec<FieldDef>,
}

/// An organization's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Enabled built-in kinds, in the order the UI shows them.
    pub kinds: Vec<String>,
    /// The organization's own kinds.
    #[serde(default)]
    pub custom_kinds: Vec<CustomKind>,
    /// Supply items.
    pub items: Vec<Entry>,
    /// Areas (coarse: neighbourhood, town, first three characters of a postal code).
    pub areas: Vec<Entry>,
    /// Role titles.
    pub roles: Vec<Role>,
    /// Days a synced record stays on the device.
    pub retention_days: u32,
}

impl Catalogue {
    /// The catalogue that ships with the app.
    pub fn default_catalogue() -> Catalogue {
        let entries = |list: &[(&str, &str, &str)]| {
            list.iter()
                .map(|(id, en, fr)| Entry {
                    id: (*id).into(),
                    label: Label::new(en, fr),
                    naloxone: builtin_naloxone(id),
                })
                .collect::<Vec<_>>()
        };
        Catalogue {
            kinds: BUILTIN_KINDS.iter().map(|k| (*k).to_string()).collect(),
            custom_kinds: Vec::new(),
            items: entries(&[
                ("naloxone_kit_nasal", "Naloxone kit, nasal", "Trousse de naloxone, nasale"),
                (
                    "naloxone_kit_injectable",
                    "Naloxone kit, injectable",
                    "Trousse de naloxone, injectable",
                ),
                ("naloxone_dose_nasal", "Naloxone dose, nasal", "Dose de naloxone, nasale"),
                (
                    "naloxone_dose_injectable",
                    "Naloxone dose, injectable",
                    "Dose de naloxone, injectable",
                ),
                ("syringes", "Syringes", "Seringues"),
                ("pipes", "Pipes", "Pipes"),
                ("test_strips", "Drug test strips", "Bandelettes de test"),
                ("sharps_container", "Sharps container", "Contenant à aiguilles"),
                ("wound_care", "Wound care kit", "Trousse de soins de plaies"),
                ("safer_sex", "Safer sex supplies", "Matériel pour sexualité sécuritaire"),
                ("other", "Other", "Autre"),
                // Kept so records made before kits were kept apart by route stay valid.
                ("naloxone_kit", "Naloxone kit (type not noted)", "Trousse de naloxone (type non noté)"),
            ]),
            areas: entries(&[
                ("downtown", "Downtown", "Centre-ville"),
                ("east_side", "East side", "Est"),
                ("west_side", "West side", "Ouest"),
                ("north", "North", "Nord"),
                ("south", "South", "Sud"),
                ("out_of_town", "Out of town", "Hors de la ville"),
            ]),
            roles: vec![
                Role {
                    id: "outreach".into(),
                    title: Label::new("Outreach worker", "Intervenant·e de proximité"),
                    expectations: Label::new(
                        "Walk the area, hand out supplies, respond to overdoses, and connect people with services.",
                        "Parcourir le secteur, remettre du matériel, intervenir lors de surdoses et orienter les gens vers les services.",
                    ),
                },
                Role {
                    id: "navigator".into(),
                    title: Label::new("Navigator", "Accompagnateur·rice"),
                    expectations: Label::new(
                        "Help people with applications, IDs, housing and appointments, and go with them when asked.",
                        "Aider avec les demandes, les pièces d'identité, le logement et les rendez-vous, et accompagner sur demande.",
                    ),
                },
                Role {
                    id: "site_worker".into(),
                    title: Label::new("Site worker", "Intervenant·e de site"),
                    expectations: Label::new(
                        "Staff the site, watch for overdoses and respond, and offer support and supplies.",
                        "Assurer la présence au site, surveiller et répondre aux surdoses, offrir soutien et matériel.",
                    ),
                },
            ],
            retention_days: 90,
        }
    }

    /// True if `kind` is enabled (built-in and listed, or the organization's own).
    pub fn kind_enabled(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind) || self.custom_kinds.iter().any(|k| k.id == kind)
    }

    /// True if `id` is one of the catalogue's items.
    pub fn has_item(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.id == id)
    }

    /// The naloxone attributes of item `id`, if it is a naloxone item here.
    pub fn naloxone(&self, id: &str) -> Option<NaloxoneItem> {
        self.items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.naloxone)
    }

    /// True if `id` is one of the catalogue's areas.
    pub fn has_area(&self, id: &str) -> bool {
        self.areas.iter().any(|i| i.id == id)
    }

    /// True if `id` is one of the catalogue's roles.
    pub fn has_role(&self, id: &str) -> bool {
        self.roles.iter().any(|r| r.id == id)
    }

    /// Checks an organization-defined kind's field values against their types.
    pub fn validate_custom(
        &self,
        kind: &str,
        fields: &Map<String, Value>,
    ) -> Result<(), ValidationError> {
        let Some(def) = self.custom_kinds.iter().find(|k| k.id == kind) else {
            return Err(ValidationError::UnknownKind(kind.into()));
        };
        for (name, _) in fields {
            if !def.fields.iter().any(|f| &f.id == name) {
                return Err(ValidationError::UnknownField(name.clone()));
            }
        }
        for f in &def.fields {
            let v = fields.get(&f.id).filter(|v| !v.is_null());
            let Some(v) = v else {
                if f.required {
                    return Err(ValidationError::Required(f.id.clone()));
                }
                continue;
            };
            let ok = match &f.field_type {
                FieldType::Integer { min, max } => {
                    v.as_i64().is_some_and(|x| (*min..=*max).contains(&x))
                }
                FieldType::Boolean => v.is_boolean(),
                FieldType::Choice { options } => {
                    v.as_str().is_some_and(|s| options.iter().any(|o| o == s))
                }
                FieldType::Text { max_chars } => {
                    let Some(s) = v.as_str() else {
                        return Err(ValidationError::Malformed(format!("{} must be text", f.id)));
                    };
                    crate::check::plain_text(&f.id, s, false)?;
                    s.chars().count() <= *max_chars
                }
            };
            if !ok {
                return Err(ValidationError::Malformed(format!(
                    "not a valid value for {}",
                    f.id
                )));
            }
        }
        Ok(())
    }
}

/// The device's catalogue from what the server sent: each section the organization defined
/// replaces the device's; an empty section keeps it. Labels are the organization's words, in
/// whatever language it wrote them.
pub fn from_wire(w: &shiftlog_wire::CatalogueResponse, mut current: Catalogue) -> Catalogue {
    let entry = |e: &shiftlog_wire::CatalogueEntryWire| Entry {
        id: e.id.clone(),
        label: Label::new(&e.label, &e.label),
        naloxone: None,
    };
    // A supply item is naloxone when the server says so, or when it is a shared id.
    let item = |e: &shiftlog_wire::CatalogueEntryWire| Entry {
        naloxone: e
            .unknown
            .get("naloxone")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .or_else(|| builtin_naloxone(&e.id)),
        ..entry(e)
    };
    if !w.activity_kinds.is_empty() {
        current.kinds = w
            .activity_kinds
            .iter()
            .filter(|k| BUILTIN_KINDS.contains(&k.id.as_str()))
            .map(|k| k.id.clone())
            .collect();
        for k in w
            .activity_kinds
            .iter()
            .filter(|k| !BUILTIN_KINDS.contains(&k.id.as_str()))
        {
            if !current.custom_kinds.iter().any(|c| c.id == k.id) {
                current.custom_kinds.push(CustomKind {
                    id: k.id.clone(),
                    label: Label::new(&k.label, &k.label),
                    fields: Vec::new(),
                });
            }
        }
    }
    if !w.supply_items.is_empty() {
        current.items = w.supply_items.iter().map(item).collect();
    }
    if !w.areas.is_empty() {
        current.areas = w.areas.iter().map(entry).collect();
    }
    if !w.roles.is_empty() {
        current.roles = w
            .roles
            .iter()
            .map(|r| Role {
                id: r.id.clone(),
                title: Label::new(&r.label, &r.label),
                expectations: Label::new(&r.description, &r.description),
            })
            .collect();
    }
    if w.retention_days > 0 {
        current.retention_days = w.retention_days;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_kind_fields_are_typed() {
        let mut cat = Catalogue::default_catalogue();
        cat.custom_kinds.push(CustomKind {
            id: "drop_in".into(),
            label: Label::new("Drop-in", "Halte-accueil"),
            fields: vec![
                FieldDef {
                    id: "visits".into(),
                    label: Label::new("Visits", "Visites"),
                    field_type: FieldType::Integer { min: 0, max: 500 },
                    required: true,
                },
                FieldDef {
                    id: "shower".into(),
                    label: Label::new("Shower", "Douche"),
                    field_type: FieldType::Boolean,
                    required: false,
                },
            ],
        });
        let f = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(cat
            .validate_custom("drop_in", &f(json!({"visits": 12})))
            .is_ok());
        assert!(cat
            .validate_custom("drop_in", &f(json!({"visits": 12, "shower": true})))
            .is_ok());
        assert_eq!(
            cat.validate_custom("drop_in", &f(json!({}))),
            Err(ValidationError::Required("visits".into()))
        );
        assert!(cat
            .validate_custom("drop_in", &f(json!({"visits": 501})))
            .is_err());
        assert!(cat
            .validate_custom("drop_in", &f(json!({"visits": 1, "name": "x"})))
            .is_err());
        let json = serde_json::to_value(&cat).expect("ser");
        let back: Catalogue = serde_json::from_value(json).expect("de");
        assert_eq!(back, cat);
    }
}
