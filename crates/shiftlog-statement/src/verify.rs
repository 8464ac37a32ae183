//! Verifying a signed statement against the keys a verifier trusts, in this order:
//!
//! 1. **malformed**: not a signed statement of a known format, bad hex, or a key id that is
//!    not its public key's;
//! 2. **altered**: the signature does not hold over the statement with the public key that
//!    came with it (a changed field, or a signature from elsewhere);
//! 3. **unknown key**: the signature holds, but no trusted key has this id and this public
//!    key (anyone can make a key; only a key list from the organization makes it theirs);
//! 4. **wrong organization**: the key is trusted for another organization than the one the
//!    statement names;
//! 5. **revoked key**: the organization revoked the key. Every statement it signed is
//!    refused, whatever its `issued_at`, because whoever held the key could write any date;
//!    the worker asks for a new statement, signed with the current key;
//! 6. **retired key**: the statement is dated after a newer key replaced this one. On
//!    rotation the server destroys the old private key and signs only with the new one, so
//!    a later date means the old key was used where it should not have been. Statements dated
//!    before the rotation keep verifying.

use chrono::{DateTime, Utc};
use shiftlog_model::error::Lang;

use crate::code::short_code;
use crate::content::Statement;
use crate::document::{parse_file, SignedStatement};
use crate::keys::{signature_holds, KeySet, PublishedKey};

/// A statement whose signature holds under a trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// What was signed.
    pub statement: Statement,
    /// The trusted key that signed it.
    pub key: PublishedKey,
    /// Its short code.
    pub short_code: String,
}

/// Why a statement is not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a signed statement that this version reads.
    #[error("malformed statement: {0}")]
    Malformed(String),
    /// The signature does not hold: something was changed after signing.
    #[error("the statement was altered after it was signed")]
    Altered,
    /// Signed by a key the verifier does not trust.
    #[error("signed by unknown key {key_id}")]
    UnknownKey {
        /// The key's id.
        key_id: String,
    },
    /// The key speaks for another organization.
    #[error("key {key_id} belongs to organization {key_org}, not {statement_org}")]
    WrongOrganization {
        /// The key's id.
        key_id: String,
        /// The organization the key list gives it.
        key_org: String,
        /// The organization the statement names.
        statement_org: String,
    },
    /// The organization revoked the key.
    #[error("key {key_id} was revoked on {revoked_at}")]
    RevokedKey {
        /// The key's id.
        key_id: String,
        /// When.
        revoked_at: DateTime<Utc>,
        /// The date the statement carries (not to be trusted: the key signed it).
        issued_at: DateTime<Utc>,
    },
    /// Dated after the key was replaced by a newer one.
    #[error("key {key_id} was replaced on {retired_at}, before the statement's date")]
    RetiredKey {
        /// The key's id.
        key_id: String,
        /// When it was replaced.
        retired_at: DateTime<Utc>,
    },
}

impl VerifyError {
    /// A stable code (for JSON answers and exit codes).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::Altered => "altered",
            VerifyError::UnknownKey { .. } => "unknown_key",
            VerifyError::WrongOrganization { .. } => "wrong_organization",
            VerifyError::RevokedKey { .. } => "revoked_key",
            VerifyError::RetiredKey { .. } => "retired_key",
        }
    }

    /// A sentence a verifier can act on, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let day = |t: &DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        match (self, lang) {
            (VerifyError::Malformed(why), Lang::En) => {
                format!("This is not a shiftlog work statement this version can read ({why}).")
            }
            (VerifyError::Malformed(why), Lang::Fr) => format!(
                "Ce n\u{2019}est pas une attestation de travail shiftlog que cette version sait lire ({why})."
            ),
            (VerifyError::Altered, Lang::En) => {
                "ALTERED: the statement was changed after the organization signed it. Do not \
                 rely on it; ask the worker for a new one."
                    .into()
            }
            (VerifyError::Altered, Lang::Fr) => {
                "MODIFIÉE : l\u{2019}attestation a été changée après sa signature par \
                 l\u{2019}organisme. Ne vous y fiez pas ; demandez-en une nouvelle."
                    .into()
            }
            (VerifyError::UnknownKey { key_id }, Lang::En) => format!(
                "UNKNOWN KEY: signed with key {key_id}, which is not one of the organization\u{2019}s \
                 published keys. Check on the organization\u{2019}s own verify page."
            ),
            (VerifyError::UnknownKey { key_id }, Lang::Fr) => format!(
                "CLÉ INCONNUE : signée avec la clé {key_id}, qui n\u{2019}est pas une clé publiée \
                 par l\u{2019}organisme. Vérifiez sur la page de vérification de l\u{2019}organisme."
            ),
            (VerifyError::WrongOrganization { key_id, statement_org, .. }, Lang::En) => format!(
                "WRONG ORGANIZATION: key {key_id} does not belong to organization {statement_org}, \
                 which the statement names."
            ),
            (VerifyError::WrongOrganization { key_id, statement_org, .. }, Lang::Fr) => format!(
                "MAUVAIS ORGANISME : la clé {key_id} n\u{2019}appartient pas à l\u{2019}organisme \
                 {statement_org} que nomme l\u{2019}attestation."
            ),
            (VerifyError::RevokedKey { key_id, revoked_at, .. }, Lang::En) => format!(
                "REVOKED KEY: the organization revoked key {key_id} on {}. Nothing signed with it \
                 is trusted, whatever its date. Ask the worker for a new statement.",
                day(revoked_at)
            ),
            (VerifyError::RevokedKey { key_id, revoked_at, .. }, Lang::Fr) => format!(
                "CLÉ RÉVOQUÉE : l\u{2019}organisme a révoqué la clé {key_id} le {}. Rien de ce \
                 qu\u{2019}elle a signé n\u{2019}est fiable, quelle que soit la date. Demandez une \
                 nouvelle attestation.",
                day(revoked_at)
            ),
            (VerifyError::RetiredKey { key_id, retired_at }, Lang::En) => format!(
                "RETIRED KEY: key {key_id} was replaced on {}, before the date this statement \
                 carries. Ask the worker for a new statement.",
                day(retired_at)
            ),
            (VerifyError::RetiredKey { key_id, retired_at }, Lang::Fr) => format!(
                "CLÉ REMPLACÉE : la clé {key_id} a été remplacée le {}, avant la date de cette \
                 attestation. Demandez une nouvelle attestation.",
                day(retired_at)
            ),
        }
    }
}

/// Whether the signature holds with the public key that came with the statement: `Ok` means
/// not altered (but not yet trusted).
pub fn check_integrity(doc: &SignedStatement) -> Result<(), VerifyError> {
    let (public, signature) = doc.check_form()?;
    if signature_holds(&public, &doc.statement, &signature) {
        Ok(())
    } else {
        Err(VerifyError::Altered)
    }
}

/// Verifies one signed statement against the trusted keys (see the module's order).
pub fn verify(doc: &SignedStatement, trusted: &KeySet) -> Result<Verified, VerifyError> {
    let (public, signature) = doc.check_form()?;
    if !signature_holds(&public, &doc.statement, &signature) {
        return Err(VerifyError::Altered);
    }
    let unknown = || VerifyError::UnknownKey {
        key_id: doc.key_id.clone(),
    };
    // Every entry for this key and organization counts (a revocation in any of them);
    // entries that are not the key they name count for nothing.
    let key = match trusted.lookup(&public, &doc.statement.organization.id) {
        Ok(key) => key,
        Err(None) => return Err(unknown()),
        Err(Some(key_org)) => {
            return Err(VerifyError::WrongOrganization {
                key_id: doc.key_id.clone(),
                key_org,
                statement_org: doc.statement.organization.id.clone(),
            })
        }
    };
    if let Some(revoked_at) = key.revoked_at {
        return Err(VerifyError::RevokedKey {
            key_id: doc.key_id.clone(),
            revoked_at,
            issued_at: doc.statement.issued_at,
        });
    }
    if let Some(retired_at) = key.retired_at {
        if doc.statement.issued_at > retired_at {
            return Err(VerifyError::RetiredKey {
                key_id: doc.key_id.clone(),
                retired_at,
            });
        }
    }
    Ok(Verified {
        statement: doc.statement.clone(),
        key: key.clone(),
        short_code: short_code(&signature),
    })
}

/// Reads a file ([`parse_file`]) and verifies each statement in it.
pub fn verify_file(
    text: &str,
    trusted: &KeySet,
) -> Result<Vec<Result<Verified, VerifyError>>, VerifyError> {
    Ok(parse_file(text)?
        .iter()
        .map(|doc| verify(doc, trusted))
        .collect())
}
