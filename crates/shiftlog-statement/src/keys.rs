//! Statement keys: an organization's Ed25519 signing key, its key id, and the list of public
//! keys a verifier trusts (what the server publishes at `/api/v1/statement-keys/{org}`).
//!
//! A key id is the first 16 hex digits of the SHA-256 of the 32-byte public key: short enough
//! to read on a page, long enough (64 bits) that two keys of one organization never share one.
//! This crate does no I/O, so a new key's 32 random bytes come from the caller.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canonical::signed_bytes;
use crate::content::Statement;

/// The `format` of a published key list.
pub const KEYS_FORMAT: &str = "shiftlog.statement-keys.v1";

/// The key id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    hex::encode(&digest[..8])
}

/// An organization's private signing key. Its bytes never leave the server.
pub struct StatementKey {
    key: SigningKey,
}

impl std::fmt::Debug for StatementKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StatementKey({})", self.key_id())
    }
}

impl StatementKey {
    /// The key made from 32 secret bytes (random for a new key, stored ones to reload it).
    pub fn from_secret(secret: &[u8; 32]) -> StatementKey {
        StatementKey {
            key: SigningKey::from_bytes(secret),
        }
    }

    /// The 32 secret bytes, to store.
    pub fn secret(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The key id.
    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }

    /// The signature over a statement's [`signed_bytes`].
    pub(crate) fn sign_bytes(&self, statement: &Statement) -> [u8; 64] {
        self.key.sign(&signed_bytes(statement)).to_bytes()
    }
}

/// Checks a signature with a public key; false for a key that is not a curve point.
pub(crate) fn signature_holds(
    public_key: &[u8; 32],
    statement: &Statement,
    sig: &[u8; 64],
) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let signature = ed25519_dalek::Signature::from_bytes(sig);
    key.verify_strict(&signed_bytes(statement), &signature)
        .is_ok()
}

/// One public key an organization signs (or signed) with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishedKey {
    /// [`key_id`] of `public_key`.
    pub key_id: String,
    /// The organization it speaks for.
    pub organization_id: String,
    /// The 32-byte Ed25519 public key, hex.
    pub public_key: String,
    /// When it was made.
    #[serde(with = "crate::content::utc_seconds")]
    pub created_at: DateTime<Utc>,
    /// When a newer key replaced it; it still verifies what it signed before.
    #[serde(default, with = "opt_utc_seconds")]
    pub retired_at: Option<DateTime<Utc>>,
    /// When it was revoked; nothing it signed is trusted any more, whatever the date.
    #[serde(default, with = "opt_utc_seconds")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl PublishedKey {
    /// The public key's bytes, if `public_key` is 64 hex digits.
    pub fn public_key_bytes(&self) -> Option<[u8; 32]> {
        let bytes = hex::decode(&self.public_key).ok()?;
        bytes.try_into().ok()
    }

    /// The entry is the key it names: its `key_id` is [`key_id`] of its own public key. An
    /// entry that is not can never verify anything, revoke or retire anything, or hide the
    /// real key.
    pub fn is_consistent(&self) -> bool {
        self.public_key_bytes()
            .is_some_and(|k| key_id(&k) == self.key_id)
    }

    /// The same key speaking for the same organization (one key, one organization: another
    /// organization's list saying something about this key is about another entry).
    fn same_key(&self, other: &PublishedKey) -> bool {
        self.key_id == other.key_id
            && self.public_key_bytes().is_some()
            && self.public_key_bytes() == other.public_key_bytes()
            && self.organization_id == other.organization_id
    }
}

/// The earlier of two optional times (a revocation or retirement is never pushed later).
fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The public keys a verifier trusts: an organization's published list, or several
/// organizations' lists put together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeySet {
    /// Always [`KEYS_FORMAT`].
    #[cfg_attr(feature = "openapi", schema(example = json!(KEYS_FORMAT)))]
    pub format: String,
    /// The keys.
    pub keys: Vec<PublishedKey>,
}

impl KeySet {
    /// A list of these keys.
    pub fn new(keys: Vec<PublishedKey>) -> KeySet {
        KeySet {
            format: KEYS_FORMAT.to_string(),
            keys,
        }
    }

    /// Adds another list's keys. An entry that is not the key it names is left out; the same
    /// key for the same organization keeps the earliest revocation and retirement either
    /// list gives (a revocation is never forgotten), and nothing a list says about a key
    /// with another public key or organization touches this one.
    pub fn merge(&mut self, other: KeySet) {
        for key in other.keys.into_iter().filter(PublishedKey::is_consistent) {
            match self.keys.iter_mut().find(|k| k.same_key(&key)) {
                Some(mine) => {
                    mine.revoked_at = earliest(mine.revoked_at, key.revoked_at);
                    mine.retired_at = earliest(mine.retired_at, key.retired_at);
                }
                None => self.keys.push(key),
            }
        }
    }

    /// The first consistent entry with this id.
    pub fn get(&self, key_id: &str) -> Option<&PublishedKey> {
        self.keys
            .iter()
            .find(|k| k.key_id == key_id && k.is_consistent())
    }

    /// What this list says about `public_key` speaking for `organization_id`, every entry of
    /// it folded into one (the earliest revocation and retirement): `Err(Some(org))` when the
    /// list knows the key only for another organization, `Err(None)` when not at all.
    pub fn lookup(
        &self,
        public_key: &[u8; 32],
        organization_id: &str,
    ) -> Result<PublishedKey, Option<String>> {
        let id = key_id(public_key);
        let entries: Vec<&PublishedKey> = self
            .keys
            .iter()
            .filter(|k| k.key_id == id && k.public_key_bytes().as_ref() == Some(public_key))
            .collect();
        let mut mine = entries
            .iter()
            .filter(|k| k.organization_id == organization_id);
        let Some(first) = mine.next() else {
            return Err(entries.first().map(|k| k.organization_id.clone()));
        };
        let mut folded = (*first).clone();
        for k in mine {
            folded.revoked_at = earliest(folded.revoked_at, k.revoked_at);
            folded.retired_at = earliest(folded.retired_at, k.retired_at);
        }
        Ok(folded)
    }
}

/// An optional time in the one spelling of [`crate::content::utc_seconds`].
pub mod opt_utc_seconds {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::content::utc_seconds::FORMAT;

    /// Writes the time or `null`.
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.format(FORMAT).to_string()),
            None => s.serialize_none(),
        }
    }

    /// Reads a time in the one spelling, or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) => NaiveDateTime::parse_from_str(&s, FORMAT)
                .map(|t| Some(t.and_utc()))
                .map_err(|_| serde::de::Error::custom("time is not YYYY-MM-DDTHH:MM:SSZ")),
        }
    }
}
