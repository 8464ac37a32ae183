//! The organization's form for a kind (`Core::kind_definitions`): the defaults of the
//! options the worker did not give.

use serde::de::DeserializeOwned;
use shiftlog_core::catalogue::Catalogue;
use shiftlog_core::kinds::{kind_definitions, KindDef};
use shiftlog_core::Core;

use crate::exit::Failure;

/// One kind's form.
pub struct Form(KindDef);

impl Form {
    /// The form for `kind` in the organization's definitions. A kind the organization does
    /// not use falls back to the built-in form, so that the core, not the command line, says
    /// why the record cannot be saved.
    pub fn of(core: &Core, org: Option<&str>, kind: &str) -> Result<Form, Failure> {
        let find = |defs: Vec<KindDef>| defs.into_iter().find(|d| d.id == kind);
        find(core.kind_definitions(org)?)
            .or_else(|| find(kind_definitions(&Catalogue::default_catalogue())))
            .map(Form)
            .ok_or_else(|| Failure::Usage(format!("{kind}: there is no such form")))
    }

    /// What was given, else the field's default.
    pub fn or_default<T: DeserializeOwned>(
        &self,
        given: Option<T>,
        field: &str,
    ) -> Result<T, Failure> {
        if let Some(v) = given {
            return Ok(v);
        }
        let d = self.0.default_of(field).ok_or_else(|| {
            Failure::Usage(format!(
                "{}: give {field}; the form has no default",
                self.0.id
            ))
        })?;
        serde_json::from_value(d.clone()).map_err(|e| {
            Failure::Usage(format!(
                "{}: the form's default for {field} ({d}) cannot be read: {e}",
                self.0.id
            ))
        })
    }
}
