//! The organization's catalogue: activity kinds, supply items, areas and roles, as devices
//! pull it and as a coordinator edits it.

use shiftlog_wire::{CatalogueEntryWire, CatalogueResponse, OrganizationInfo};

use crate::util::{has_control, valid_id};
use crate::{CatalogueEntry, OrgService, Role, ServiceError, Staff};

impl OrgService {
    /// The organization's catalogue as devices pull it.
    pub fn catalogue(&self, org_id: &str) -> Result<CatalogueResponse, ServiceError> {
        let name = self
            .store
            .organization_name(org_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {org_id}")))?;
        let section = |s: &str| -> Result<Vec<CatalogueEntryWire>, ServiceError> {
            Ok(self
                .store
                .catalogue_section(org_id, s)?
                .into_iter()
                .map(|e| CatalogueEntryWire {
                    id: e.id,
                    label: e.label,
                    description: e.description,
                    unknown: Default::default(),
                })
                .collect())
        };
        Ok(CatalogueResponse {
            organization: OrganizationInfo {
                id: org_id.to_string(),
                name,
            },
            activity_kinds: section("kinds")?,
            supply_items: section("items")?,
            areas: section("areas")?,
            roles: section("roles")?,
            retention_days: self.store.retention_days(org_id)?,
            unknown: Default::default(),
        })
    }

    /// Replaces the catalogue (coordinator or admin). Audit-logged.
    pub fn set_catalogue(
        &self,
        staff: &Staff,
        catalogue: &CatalogueEdit,
    ) -> Result<(), ServiceError> {
        staff.require(Role::Coordinator)?;
        if !(1..=3650).contains(&catalogue.retention_days) {
            return Err(ServiceError::BadRequest(
                "retention_days: from 1 to 3650".into(),
            ));
        }
        let sections = [
            ("kinds", &catalogue.activity_kinds),
            ("items", &catalogue.supply_items),
            ("areas", &catalogue.areas),
            ("roles", &catalogue.roles),
        ];
        for (name, entries) in sections {
            check_entries(name, entries)?;
        }
        for (name, entries) in sections {
            self.store
                .replace_catalogue_section(&staff.org_id, name, entries)?;
        }
        self.store
            .set_retention_days(&staff.org_id, catalogue.retention_days)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "catalogue_change",
            serde_json::json!({
                "activity_kinds": catalogue.activity_kinds.len(),
                "supply_items": catalogue.supply_items.len(),
                "areas": catalogue.areas.len(),
                "roles": catalogue.roles.len(),
                "retention_days": catalogue.retention_days,
            }),
        )
    }
}

/// The catalogue as a coordinator edits it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEdit {
    /// Activity kinds the organization uses.
    pub activity_kinds: Vec<CatalogueEntry>,
    /// Supply items.
    pub supply_items: Vec<CatalogueEntry>,
    /// Areas (coarse: neighbourhood, town, postal prefix).
    pub areas: Vec<CatalogueEntry>,
    /// Role titles, each with what the role is expected to do.
    pub roles: Vec<CatalogueEntry>,
    /// Days synced records stay on devices.
    pub retention_days: u32,
}

fn check_entries(section: &str, entries: &[CatalogueEntry]) -> Result<(), ServiceError> {
    if entries.len() > 500 {
        return Err(ServiceError::BadRequest(format!(
            "{section}: at most 500 entries"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        if !valid_id(&e.id) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: id \u{201c}{}\u{201d}: use letters, digits, _ and -, at most 64",
                e.id.chars().take(64).collect::<String>()
            )));
        }
        if !seen.insert(e.id.as_str()) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: id \u{201c}{}\u{201d} appears twice",
                e.id
            )));
        }
        if e.label.trim().is_empty() || e.label.chars().count() > 80 || has_control(&e.label, false)
        {
            return Err(ServiceError::BadRequest(format!(
                "{section}: {}: label must be 1 to 80 characters",
                e.id
            )));
        }
        if e.description.chars().count() > 1000 || has_control(&e.description, true) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: {}: description at most 1000 characters, no control characters",
                e.id
            )));
        }
        if section == "roles" && e.description.trim().is_empty() {
            return Err(ServiceError::BadRequest(format!(
                "roles: {}: say in plain words what this role is expected to do",
                e.id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_must_say_what_they_do() {
        let e = |id: &str, d: &str| CatalogueEntry {
            id: id.into(),
            label: "Label".into(),
            description: d.into(),
        };
        assert!(check_entries("roles", &[e("outreach", "Street outreach and supplies")]).is_ok());
        assert!(check_entries("roles", &[e("outreach", " ")]).is_err());
        assert!(check_entries("areas", &[e("v6a", "")]).is_ok());
        assert!(check_entries("areas", &[e("v6a", ""), e("v6a", "")]).is_err());
    }
}
