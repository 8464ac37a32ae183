//! Overdose spike notices (docs/privacy.md "Spike notices"): the organization sets, per area
//! of its own catalogue (and a default for every area, or off), how many overdose responses
//! in a trailing window of 6, 12, 24 or 48 hours make a notice; the dashboard shows the areas
//! that reach it.
//!
//! Records count by when they happened (`occurred_at`), not when they arrived, so a rural
//! worker's late sync still counts where it belongs; a time past the device's own drift
//! allowance after now (10 minutes) is not trusted and counts only once that time comes.
//! A notice names an area of the organization's list, never anything finer, and says how many
//! as "the threshold or more" (or 5, 10, 20 or 50 or more, whichever it reached), never an
//! exact count and never a worker or a record. Nothing is sent anywhere: a notice is only
//! what the dashboard reads; a coordinator may turn it into a message to the organization's
//! own devices.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use shiftlog_server_db::{Role, SpikeThreshold};

use crate::{OrgService, ServiceError, Staff};

/// The activity kind spike notices count.
pub const SPIKE_KIND: &str = "overdose_response";
/// The fewest responses a threshold may be.
pub const THRESHOLD_MIN: u32 = 2;
/// The most responses a threshold may be.
pub const THRESHOLD_MAX: u32 = 50;
/// The windows a threshold may count over, in hours.
pub const WINDOW_HOURS: [u32; 4] = [6, 12, 24, 48];
/// Counts at or past these show as "this many or more" when above the threshold.
const BANDS: [u32; 4] = [5, 10, 20, 50];

/// An area of the catalogue, as the settings form lists it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SpikeArea {
    /// Area id.
    pub id: String,
    /// Its words.
    pub label: String,
}

/// What a threshold may be.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SpikeLimits {
    /// Fewest responses.
    pub threshold_min: u32,
    /// Most responses.
    pub threshold_max: u32,
    /// Windows, in hours.
    pub window_hours: Vec<u32>,
}

/// The thresholds, the areas they may name and what they may be.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SpikeSettings {
    /// As set, the default (`area: null`) first.
    pub thresholds: Vec<SpikeThreshold>,
    /// The organization's areas.
    pub areas: Vec<SpikeArea>,
    /// What a threshold may be.
    pub limits: SpikeLimits,
}

/// One area that reached its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SpikeNotice {
    /// Area id (of the organization's list).
    pub area: String,
    /// Its words.
    pub area_label: String,
    /// The threshold it reached.
    pub threshold: u32,
    /// The window, in hours.
    pub window_hours: u32,
    /// "This many or more": the threshold, or the largest of 5, 10, 20, 50 reached above it.
    /// Never the exact count.
    pub at_least: u32,
    /// The window's start (RFC 3339, UTC).
    pub since: String,
    /// When this was worked out (RFC 3339, UTC).
    pub checked_at: String,
}

/// What a notice says of `count` responses that reached `threshold`: never the count itself
/// unless it is the threshold or a band.
pub fn at_least(threshold: u32, count: u64) -> u32 {
    BANDS
        .iter()
        .copied()
        .filter(|&b| b > threshold && u64::from(b) <= count)
        .max()
        .unwrap_or(threshold)
}

fn bad(message: String) -> ServiceError {
    ServiceError::BadRequest(message)
}

/// Refuses a threshold list that names an area twice, an area not in `areas`, a second
/// default, a count outside 2 to 50, or another window than 6, 12, 24 or 48 hours.
pub fn check_thresholds(
    thresholds: &[SpikeThreshold],
    areas: &[SpikeArea],
) -> Result<(), ServiceError> {
    let mut seen = std::collections::BTreeSet::new();
    for t in thresholds {
        let name = t.area.as_deref().unwrap_or("the default");
        if !seen.insert(t.area.clone()) {
            return Err(bad(format!(
                "area: {name} is given twice; give each area once."
            )));
        }
        if let Some(area) = &t.area {
            if !areas.iter().any(|a| &a.id == area) {
                return Err(bad(format!(
                    "area: {area:.64} is not one of your organization's areas; add it to the catalogue first."
                )));
            }
        }
        if let Some(n) = t.threshold {
            if !(THRESHOLD_MIN..=THRESHOLD_MAX).contains(&n) {
                return Err(bad(format!(
                    "threshold: {name}: a threshold is {THRESHOLD_MIN} to {THRESHOLD_MAX} overdose responses; {n} was asked for."
                )));
            }
        }
        if !WINDOW_HOURS.contains(&t.window_hours) {
            return Err(bad(format!(
                "window_hours: {name}: the window is 6, 12, 24 or 48 hours; {} was asked for.",
                t.window_hours
            )));
        }
    }
    Ok(())
}

impl OrgService {
    fn spike_areas(&self, org_id: &str) -> Result<Vec<SpikeArea>, ServiceError> {
        Ok(self
            .store
            .catalogue_section(org_id, "areas")?
            .into_iter()
            .map(|e| SpikeArea {
                id: e.id,
                label: e.label,
            })
            .collect())
    }

    /// The spike thresholds with the areas they may name (coordinator or admin).
    pub fn spike_settings(&self, staff: &Staff) -> Result<SpikeSettings, ServiceError> {
        staff.require(Role::Coordinator)?;
        Ok(SpikeSettings {
            thresholds: self.store.spike_thresholds(&staff.org_id)?,
            areas: self.spike_areas(&staff.org_id)?,
            limits: SpikeLimits {
                threshold_min: THRESHOLD_MIN,
                threshold_max: THRESHOLD_MAX,
                window_hours: WINDOW_HOURS.to_vec(),
            },
        })
    }

    /// Replaces the spike thresholds (coordinator or admin): areas of the organization's
    /// catalogue only, each once, at most one default. Audit-logged.
    pub fn set_spike_thresholds(
        &self,
        staff: &Staff,
        mut thresholds: Vec<SpikeThreshold>,
    ) -> Result<SpikeSettings, ServiceError> {
        staff.require(Role::Coordinator)?;
        check_thresholds(&thresholds, &self.spike_areas(&staff.org_id)?)?;
        thresholds.sort_by(|a, b| a.area.cmp(&b.area));
        self.store
            .replace_spike_thresholds(&staff.org_id, &thresholds)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "spike_thresholds",
            serde_json::json!({"thresholds": thresholds}),
        )?;
        self.spike_settings(staff)
    }

    /// The areas whose overdose responses in their trailing window up to `now` reach their
    /// threshold (any staff role: the notice carries no exact count, worker or record).
    pub fn spike_notices(
        &self,
        staff: &Staff,
        now: DateTime<Utc>,
    ) -> Result<Vec<SpikeNotice>, ServiceError> {
        staff.require(Role::Viewer)?;
        let org = &staff.org_id;
        let thresholds = self.store.spike_thresholds(org)?;
        let default = thresholds.iter().find(|t| t.area.is_none());
        // Each area of the catalogue under its own rule, or the default; grouped by window.
        let mut by_window: BTreeMap<u32, Vec<(SpikeArea, u32)>> = BTreeMap::new();
        for area in self.spike_areas(org)? {
            let rule = thresholds
                .iter()
                .find(|t| t.area.as_deref() == Some(area.id.as_str()))
                .or(default);
            if let Some(SpikeThreshold {
                threshold: Some(n),
                window_hours,
                ..
            }) = rule
            {
                by_window.entry(*window_hours).or_default().push((area, *n));
            }
        }
        let until = now + Duration::minutes(shiftlog_model::limits::DEVICE_FUTURE_MINUTES);
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut notices = Vec::new();
        for (hours, areas) in by_window {
            let since = now - Duration::hours(i64::from(hours));
            let counts = self.store.activities_by_area(
                org,
                SPIKE_KIND,
                since.timestamp_millis(),
                until.timestamp_millis(),
            )?;
            for (area, threshold) in areas {
                let count = counts
                    .iter()
                    .find(|c| c.area == area.id)
                    .map_or(0, |c| c.records);
                if count >= u64::from(threshold) {
                    notices.push(SpikeNotice {
                        area: area.id,
                        area_label: area.label,
                        threshold,
                        window_hours: hours,
                        at_least: at_least(threshold, count),
                        since: stamp(since),
                        checked_at: stamp(now),
                    });
                }
            }
        }
        notices.sort_by(|a, b| a.area_label.cmp(&b.area_label));
        Ok(notices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_never_say_an_exact_count_below_5_nor_above_a_band() {
        let table = [
            (3, 3, 3),
            (3, 4, 3),
            (3, 5, 5),
            (3, 9, 5),
            (3, 10, 10),
            (3, 19, 10),
            (3, 49, 20),
            (3, 500, 50),
            (4, 4, 4),
            (7, 8, 7),
            (7, 12, 10),
            (20, 22, 20),
            (50, 80, 50),
        ];
        for (threshold, count, says) in table {
            assert_eq!(at_least(threshold, count), says, "{threshold} {count}");
        }
    }

    #[test]
    fn thresholds_are_checked() {
        let areas = vec![SpikeArea {
            id: "downtown".into(),
            label: "Downtown".into(),
        }];
        let t = |area: Option<&str>, threshold, window_hours| SpikeThreshold {
            area: area.map(str::to_string),
            threshold,
            window_hours,
        };
        let ok = [
            vec![],
            vec![t(None, Some(3), 24), t(Some("downtown"), None, 24)],
            vec![t(Some("downtown"), Some(2), 6), t(None, Some(50), 48)],
        ];
        for set in ok {
            assert!(check_thresholds(&set, &areas).is_ok(), "{set:?}");
        }
        let refused = [
            vec![t(None, Some(1), 24)],
            vec![t(None, Some(51), 24)],
            vec![t(None, Some(3), 7)],
            vec![t(None, Some(3), 0)],
            vec![t(Some("harbour"), Some(3), 24)],
            vec![t(None, Some(3), 24), t(None, None, 24)],
            vec![
                t(Some("downtown"), Some(3), 24),
                t(Some("downtown"), None, 24),
            ],
        ];
        for set in refused {
            assert!(check_thresholds(&set, &areas).is_err(), "{set:?}");
        }
    }
}
