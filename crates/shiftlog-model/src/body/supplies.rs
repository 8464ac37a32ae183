//! A supplies record: what was handed out, which naloxone kits replace one the person had
//! (and why), and what was brought back (used syringes, …), each as lines of their own.
//!
//! The replacement reasons and the returns are top-level fields beside `items`, not new
//! fields inside an item line: an item line refuses fields it does not know, so a device
//! from before them could not read a line that carried one. Beside `items` they are fields
//! an older device keeps verbatim (`extra`) and sends back after its own edits, and its
//! totals of what was handed out stay right.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::choices::{NaloxoneForm, ReplacementReason};
use super::range;
use crate::catalogue::Catalogue;
use crate::check::plain_text;
use crate::error::ValidationError;
use crate::limits::{MAX_QUANTITY, MAX_SUPPLY_LINES};

/// One line of a supplies record: an item and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyLine {
    /// Item id from the organization's catalogue, e.g. `naloxone_kit_nasal`.
    pub item: String,
    /// How many.
    pub quantity: i64,
}

/// How many of the naloxone kits handed out replace a kit the person had, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// A naloxone kit item that is also in `items`.
    pub item: String,
    /// How many of those kits (at most as many as were handed out).
    pub quantity: i64,
    /// Why.
    pub reason: ReplacementReason,
}

/// The details of a supplies record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Supplies {
    /// Handed out.
    pub items: Vec<SupplyLine>,
    /// Kits among `items` that replace one the person had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replacement>,
    /// Brought back (never counted as handed out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returned: Vec<SupplyLine>,
}

/// The top-level body fields of a supplies record.
pub(crate) const SUPPLIES_FIELDS: &[&str] = &["items", "replaced", "returned"];

/// One row of what a supplies record counts, as summaries keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyFlow {
    /// Item id.
    pub item: String,
    /// True for what was brought back.
    pub returned: bool,
    /// Replacement reason id, for kits handed out to replace one.
    pub reason: Option<&'static str>,
    /// How many.
    pub quantity: i64,
}

fn check_lines(
    field: &str,
    lines: &[SupplyLine],
    catalogue: &Catalogue,
) -> Result<(), ValidationError> {
    if lines.len() > MAX_SUPPLY_LINES {
        return Err(ValidationError::TooLong(field.into()));
    }
    for line in lines {
        plain_text(field, &line.item, false)?;
        if !catalogue.has_item(&line.item) {
            return Err(ValidationError::UnknownItem(line.item.clone()));
        }
        range("quantity", Some(line.quantity), 1, MAX_QUANTITY)?;
    }
    Ok(())
}

impl Supplies {
    /// Checks the lines against the catalogue: at least one line handed out or brought back;
    /// a replacement reason only for a naloxone kit handed out, and never for more kits than
    /// were handed out.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        if self.items.is_empty() && self.returned.is_empty() {
            return Err(ValidationError::NoItems);
        }
        check_lines("items", &self.items, catalogue)?;
        check_lines("returned", &self.returned, catalogue)?;
        if self.replaced.len() > MAX_SUPPLY_LINES {
            return Err(ValidationError::TooLong("replaced".into()));
        }
        let mut given: HashMap<&str, i64> = HashMap::new();
        for l in &self.items {
            *given.entry(l.item.as_str()).or_default() += l.quantity;
        }
        let mut replaced: HashMap<&str, i64> = HashMap::new();
        for r in &self.replaced {
            plain_text("replaced", &r.item, false)?;
            if !catalogue.has_item(&r.item) {
                return Err(ValidationError::UnknownItem(r.item.clone()));
            }
            if catalogue.naloxone(&r.item).map(|n| n.form) != Some(NaloxoneForm::Kit) {
                return Err(ValidationError::NotAKit(r.item.clone()));
            }
            range("quantity", Some(r.quantity), 1, MAX_QUANTITY)?;
            let total = replaced.entry(r.item.as_str()).or_default();
            *total += r.quantity;
            if *total > given.get(r.item.as_str()).copied().unwrap_or(0) {
                return Err(ValidationError::ReplacedMoreThanGiven(r.item.clone()));
            }
        }
        Ok(())
    }

    /// What the record counts, line by line: kits handed out split into those that replace
    /// one (by reason) and the rest, then what was brought back. Quantities handed out add
    /// up to `items`.
    pub fn flows(&self) -> Vec<SupplyFlow> {
        let mut left: HashMap<&str, i64> = HashMap::new();
        for r in &self.replaced {
            *left.entry(r.item.as_str()).or_default() += r.quantity;
        }
        let mut out = Vec::new();
        for l in &self.items {
            let take = left.get_mut(l.item.as_str()).map_or(0, |n| {
                let t = (*n).min(l.quantity);
                *n -= t;
                t
            });
            if l.quantity > take {
                out.push(SupplyFlow {
                    item: l.item.clone(),
                    returned: false,
                    reason: None,
                    quantity: l.quantity - take,
                });
            }
        }
        for r in &self.replaced {
            out.push(SupplyFlow {
                item: r.item.clone(),
                returned: false,
                reason: Some(r.reason.as_str()),
                quantity: r.quantity,
            });
        }
        out.extend(self.returned.iter().map(|l| SupplyFlow {
            item: l.item.clone(),
            returned: true,
            reason: None,
            quantity: l.quantity,
        }));
        out
    }
}

#[cfg(test)]
#[path = "supplies_tests.rs"]
mod tests;
