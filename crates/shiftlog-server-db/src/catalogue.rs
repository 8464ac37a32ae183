//! An organization's catalogue: kinds, items, areas, roles.

use serde::{Deserialize, Serialize};

/// One entry of an organization's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueEntry {
    /// Stable id, e.g. `naloxone_kit`.
    pub id: String,
    /// Label shown to workers.
    pub label: String,
    /// For role titles: what the role is expected to do. Optional elsewhere.
    #[serde(default)]
    pub description: String,
}

/// Catalogue sections, as stored.
pub const CATALOGUE_SECTIONS: &[&str] = &["kinds", "items", "areas", "roles"];
