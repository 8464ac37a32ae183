//! What an organization records: its supply items (and, later, kinds, areas and roles).
//! The default catalogue ships with the app so logging works with no server at all.

use serde::{Deserialize, Serialize};

use crate::error::Lang;

/// A supply item an organization hands out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplyItem {
    /// Stable id used in records.
    pub id: String,
    /// English label.
    pub label_en: String,
    /// French label.
    pub label_fr: String,
}

impl SupplyItem {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.label_en,
            Lang::Fr => &self.label_fr,
        }
    }
}

/// An organization's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Supply items, in the order the UI shows them.
    pub items: Vec<SupplyItem>,
}

impl Catalogue {
    /// The catalogue that ships with the app.
    pub fn default_catalogue() -> Catalogue {
        let items = [
            ("naloxone_kit", "Naloxone kit", "Trousse de naloxone"),
            ("syringes", "Syringes", "Seringues"),
            ("pipes", "Pipes", "Pipes"),
            ("test_strips", "Drug test strips", "Bandelettes de test"),
            (
                "sharps_container",
                "Sharps container",
                "Contenant à aiguilles",
            ),
            ("wound_care", "Wound care kit", "Trousse de soins de plaies"),
            (
                "safer_sex",
                "Safer sex supplies",
                "Matériel pour sexualité sécuritaire",
            ),
            ("other", "Other", "Autre"),
        ];
        Catalogue {
            items: items
                .iter()
                .map(|(id, en, fr)| SupplyItem {
                    id: (*id).into(),
                    label_en: (*en).into(),
                    label_fr: (*fr).into(),
                })
                .collect(),
        }
    }

    /// True if `id` is one of the catalogue's items.
    pub fn has_item(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.id == id)
    }
}
