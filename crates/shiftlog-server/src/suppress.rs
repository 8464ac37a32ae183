//! Small-number protection for everything that leaves the organization (docs/privacy.md).
//!
//! Every summary is a sum of *stored groups*: the records of one local day that share every
//! value a viewer can split or filter by (kind, area, role, on or off shift, navigation task
//! and outcome, pay type; for supplies, the item). A group of 5 or more records counts
//! exactly. A group of 1 to 4 records counts as 1 or as 4, drawn once with a secret key of the
//! organization (a group of n counts as 4 with chance (n − 1) / 3, so totals stay right on
//! average), and its people reached, doses, supplies or minutes count as that many records at
//! the organization's own average per record over its groups of 5 or more. Every cell, total,
//! filtered view, date range, period and export is then a sum of the same protected groups:
//! all of them agree, and no subtraction or combination of them reaches behind a group's
//! protected value. A count from 1 to 4 after protection shows as "<5"; a sum over 1 to 4
//! protected records shows as "x". Pure functions here; the summary reads the groups.

pub mod table;

use sha2::{Digest, Sha256};

use crate::{OrgService, ServiceError};
use shiftlog_server_db::CatalogueEntry;

/// Groups of 1 to this many records are protected.
pub const SMALL: i64 = 4;

/// What a protected group of 1 to 4 records may count as.
pub const ROUNDED_TO: [i64; 2] = [1, SMALL];

/// The name of the method, as summaries declare it.
pub const METHOD: &str = "small_groups_count_as_1_or_4";

/// The organization's secret for the draws.
#[derive(Clone)]
pub struct Key(String);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A key from its stored text (tests and tools).
    pub fn from_stored(s: &str) -> Key {
        Key(s.to_string())
    }

    /// What a stored group of `records` records counts as: itself from 5 up (and 0),
    /// else 1 or 4, the same every time for the same group and the same number of records.
    pub fn protected_count(&self, group: &str, records: i64) -> i64 {
        if records <= 0 || records > SMALL {
            return records.max(0);
        }
        let h = Sha256::new()
            .chain_update(self.0.as_bytes())
            .chain_update([0x1f])
            .chain_update(group.as_bytes())
            .chain_update([0x1f])
            .chain_update(records.to_le_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&h[..8]);
        // u = x / 2^64 is uniform in [0, 1): four when u < (n - 1) / 3.
        let x = u64::from_le_bytes(first) as u128;
        if x * 3 < ((records - 1) as u128) << 64 {
            ROUNDED_TO[1]
        } else {
            ROUNDED_TO[0]
        }
    }
}

/// Where an organization's key is kept: a catalogue section that no endpoint serves.
const KEY_SECTION: &str = "_protection_key";

/// One process makes an organization's key at a time.
static KEY_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl OrgService {
    /// The organization's protection key, made on first use and kept for good: a new key
    /// would give every small group a second draw, and two draws of the same group say more
    /// than one.
    pub fn protection_key(&self, org_id: &str) -> Result<Key, ServiceError> {
        let read = || -> Result<Option<Key>, ServiceError> {
            Ok(self
                .store
                .catalogue_section(org_id, KEY_SECTION)?
                .into_iter()
                .next()
                .map(|e| Key(e.id)))
        };
        if let Some(k) = read()? {
            return Ok(k);
        }
        let _guard = KEY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = read()? {
            return Ok(k);
        }
        let fresh = crate::util::random_hex(32)?;
        self.store.replace_catalogue_section(
            org_id,
            KEY_SECTION,
            &[CatalogueEntry {
                id: fresh,
                label: "summary protection key".into(),
                description: "docs/privacy.md".into(),
            }],
        )?;
        read()?.ok_or_else(|| ServiceError::BadRequest("no protection key".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_groups_and_zero_count_exactly() {
        let k = Key::from_stored("k");
        for n in [0, 5, 6, 17, 1000] {
            assert_eq!(k.protected_count("g", n), n);
        }
    }

    /// Small groups count as 1 or 4 only; 1 is always 1, 4 always 4, and 2 and 3 are drawn
    /// with chances that keep sums right on average.
    #[test]
    fn small_groups_count_as_1_or_4_and_stay_right_on_average() {
        let k = Key::from_stored("a secret");
        for n in 1..=4i64 {
            let draws: Vec<i64> = (0..3000)
                .map(|g| k.protected_count(&format!("group {g}"), n))
                .collect();
            assert!(draws.iter().all(|d| ROUNDED_TO.contains(d)));
            let mean = draws.iter().sum::<i64>() as f64 / draws.len() as f64;
            assert!((mean - n as f64).abs() < 0.12, "{n}: {mean}");
        }
        assert_eq!(k.protected_count("x", 1), 1);
        assert_eq!(k.protected_count("x", 4), 4);
    }

    /// The same group draws the same; another key draws differently.
    #[test]
    fn draws_are_fixed_by_the_key_and_the_group() {
        let (a, b) = (Key::from_stored("a"), Key::from_stored("b"));
        let d = |k: &Key| -> Vec<i64> {
            (0..200)
                .map(|g| k.protected_count(&format!("g{g}"), 2))
                .collect()
        };
        assert_eq!(d(&a), d(&a));
        assert_ne!(d(&a), d(&b));
    }
}
