//! The organization's catalogue: activity kinds, supply items, areas and roles, as devices
//! pull it and as a coordinator edits it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shiftlog_wire::{CatalogueEntryWire, CatalogueResponse, OrganizationInfo};

use crate::util::{has_control, valid_id};
use crate::{CatalogueEntry, OrgService, Role, ServiceError, Staff};

/// How long ingest trusts a catalogue it read. A change made through this instance is seen
/// at once (`set_catalogue` forgets it); one made through another instance sharing the
/// database, within this time, and a record refused against a remembered catalogue is
/// checked again against a fresh one, so a new area is never refused because of the cache.
const CATALOGUE_CACHE_FOR: Duration = Duration::from_secs(5);

/// Catalogues ingest read recently, per organization: a push would otherwise read six
/// things from storage before its first record (on SQLite, on the writer's connection).
#[derive(Default)]
pub(crate) struct CatalogueCache {
    entries: Mutex<HashMap<String, (Instant, Arc<CatalogueResponse>)>>,
    /// Bumped by every change, so a read that raced with one is not remembered.
    generation: AtomicU64,
}

impl CatalogueCache {
    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<CatalogueResponse>)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn forget(&self, org_id: &str) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries().remove(org_id);
    }
}

impl OrgService {
    /// The catalogue for checking a push, and whether it came from the cache (read again
    /// with [`OrgService::fresh_catalogue`] before refusing a record because of it).
    pub(crate) fn ingest_catalogue(
        &self,
        org_id: &str,
    ) -> Result<(Arc<CatalogueResponse>, bool), ServiceError> {
        if let Some((at, c)) = self.catalogues.entries().get(org_id) {
            if at.elapsed() < CATALOGUE_CACHE_FOR {
                return Ok((c.clone(), true));
            }
        }
        Ok((self.fresh_catalogue(org_id)?, false))
    }

    /// Reads the catalogue from storage and remembers it for ingest.
    pub(crate) fn fresh_catalogue(
        &self,
        org_id: &str,
    ) -> Result<Arc<CatalogueResponse>, ServiceError> {
        let generation = self.catalogues.generation.load(Ordering::Acquire);
        let c = Arc::new(self.catalogue(org_id)?);
        let mut entries = self.catalogues.entries();
        if self.catalogues.generation.load(Ordering::Acquire) == generation {
            entries.insert(org_id.to_string(), (Instant::now(), c.clone()));
        }
        Ok(c)
    }

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
        // Forgotten before and after: a push checked while the sections change reads them
        // again next time.
        self.catalogues.forget(&staff.org_id);
        for (name, entries) in sections {
            self.store
                .replace_catalogue_section(&staff.org_id, name, entries)?;
        }
        self.store
            .set_retention_days(&staff.org_id, catalogue.retention_days)?;
        self.catalogues.forget(&staff.org_id);
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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
