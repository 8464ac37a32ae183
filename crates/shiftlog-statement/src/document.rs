//! The file a device stores and `shiftlog verify FILE` reads: JSON with the statement, the
//! key id, the public key and the signature (both hex). A printed page from several
//! organizations is a [`StatementFile`] holding one signed statement each; [`parse_file`]
//! reads either form.
//!
//! The public key travels with the statement so that anyone can tell "altered" from
//! "signed by a key I do not know" offline; it is trusted only when a key list the verifier
//! holds has the same key id with the same key.

use chrono::{DurationRound, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::code::short_code;
use crate::content::Statement;
use crate::keys::{key_id, StatementKey};
use crate::verify::VerifyError;

/// The `format` of one signed statement.
pub const SIGNED_FORMAT: &str = "shiftlog.signed-statement.v1";
/// The `format` of a file holding several.
pub const FILE_FORMAT: &str = "shiftlog.statements.v1";
/// The largest file [`parse_file`] reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The most statements one file holds.
pub const MAX_STATEMENTS: usize = 64;

/// A statement with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedStatement {
    /// Always [`SIGNED_FORMAT`].
    #[cfg_attr(feature = "openapi", schema(example = json!(SIGNED_FORMAT)))]
    pub format: String,
    /// What was signed.
    pub statement: Statement,
    /// The signing key's id ([`key_id`]).
    pub key_id: String,
    /// The signing key's public half, 64 hex digits.
    pub public_key: String,
    /// The Ed25519 signature over [`crate::canonical::signed_bytes`], 128 hex digits.
    pub signature: String,
}

/// Several signed statements (one per organization on a printed page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementFile {
    /// Always [`FILE_FORMAT`].
    pub format: String,
    /// The statements.
    pub statements: Vec<SignedStatement>,
}

impl StatementFile {
    /// A file of these statements.
    pub fn new(statements: Vec<SignedStatement>) -> StatementFile {
        StatementFile {
            format: FILE_FORMAT.to_string(),
            statements,
        }
    }
}

/// Signs a statement (its `issued_at` cut to whole seconds first, as it is written).
pub fn sign(mut statement: Statement, key: &StatementKey) -> SignedStatement {
    if let Ok(t) = statement.issued_at.duration_trunc(TimeDelta::seconds(1)) {
        statement.issued_at = t;
    }
    let signature = key.sign_bytes(&statement);
    SignedStatement {
        format: SIGNED_FORMAT.to_string(),
        statement,
        key_id: key.key_id(),
        public_key: hex::encode(key.public_key()),
        signature: hex::encode(signature),
    }
}

impl SignedStatement {
    /// The JSON file text (pretty-printed; the signature does not depend on the layout).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The signature's bytes, if it is 128 hex digits.
    pub fn signature_bytes(&self) -> Option<[u8; 64]> {
        hex::decode(&self.signature).ok()?.try_into().ok()
    }

    /// The public key's bytes, if it is 64 hex digits.
    pub fn public_key_bytes(&self) -> Option<[u8; 32]> {
        hex::decode(&self.public_key).ok()?.try_into().ok()
    }

    /// The short code printed with it, if the signature is well formed.
    pub fn short_code(&self) -> Option<String> {
        self.signature_bytes().map(|s| short_code(&s))
    }

    /// Checks the parts that need no key list: the formats, the hex, and that the key id is
    /// the public key's.
    pub(crate) fn check_form(&self) -> Result<([u8; 32], [u8; 64]), VerifyError> {
        if self.format != SIGNED_FORMAT {
            return Err(VerifyError::Malformed(format!(
                "unknown format {:?}",
                self.format
            )));
        }
        if self.statement.format != crate::content::STATEMENT_FORMAT {
            return Err(VerifyError::Malformed(format!(
                "unknown statement format {:?}",
                self.statement.format
            )));
        }
        let public = self
            .public_key_bytes()
            .ok_or_else(|| VerifyError::Malformed("public_key is not 64 hex digits".into()))?;
        let signature = self
            .signature_bytes()
            .ok_or_else(|| VerifyError::Malformed("signature is not 128 hex digits".into()))?;
        if key_id(&public) != self.key_id {
            return Err(VerifyError::Malformed(
                "key_id is not the id of public_key".into(),
            ));
        }
        Ok((public, signature))
    }
}

/// Reads a file holding one signed statement or a [`StatementFile`].
pub fn parse_file(text: &str) -> Result<Vec<SignedStatement>, VerifyError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(VerifyError::Malformed(format!(
            "the file is over {} KiB",
            MAX_FILE_BYTES / 1024
        )));
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if format == FILE_FORMAT {
        let file: StatementFile =
            serde_json::from_str(text).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if file.statements.is_empty() || file.statements.len() > MAX_STATEMENTS {
            return Err(VerifyError::Malformed(format!(
                "a file holds 1 to {MAX_STATEMENTS} statements"
            )));
        }
        return Ok(file.statements);
    }
    // From the text, not the value: serde refuses a field written twice only there.
    let one: SignedStatement =
        serde_json::from_str(text).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    Ok(vec![one])
}
