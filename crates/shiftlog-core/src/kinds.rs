//! The forms the app and the command line draw: the record model's kind definitions
//! (`shiftlog_model::kinds`) for an organization's catalogue.

use crate::{Core, Result};

pub use shiftlog_model::kinds::{kind_definitions, set_path, Choice, FieldDef, FieldKind, KindDef};

impl Core {
    /// Every form the organization uses: fields, choices, limits and defaults, for its
    /// built-in kinds, its own kinds, shifts and training (the worker's first organization
    /// when `org_id` is `None`; the default catalogue when there is none).
    pub fn kind_definitions(&self, org_id: Option<&str>) -> Result<Vec<KindDef>> {
        Ok(kind_definitions(&self.catalogue(org_id)?))
    }
}
