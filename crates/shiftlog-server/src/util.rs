//! Small helpers shared by the rooms of the service: secrets, ids, text checks, QR codes.

use sha2::{Digest, Sha256};

use crate::{ServiceError, StorageError};

/// A random secret, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> Result<String, ServiceError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}"))))?;
    Ok(hex::encode(b))
}

/// `n` characters from an alphabet with no look-alike characters.
pub(crate) fn random_code(n: usize) -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw)
        .map_err(|e| ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}"))))?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Tokens and codes are high-entropy random values, so a plain SHA-256 is enough to make a
/// stolen database useless for impersonation (no need for a slow password hash).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// An id typed by staff (organization, catalogue entry): letters, digits, `_` and `-`.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True if `s` holds a control character (NUL and the like): never stored, and PostgreSQL
/// refuses NUL in text. `allow_newlines` lets multi-line descriptions through.
pub fn has_control(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
}

/// A worker pseudonym: `W-` and 4 to 8 letters or digits.
pub fn valid_pseudonym(s: &str) -> bool {
    s.strip_prefix("W-")
        .is_some_and(|r| (4..=8).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An SVG QR code of `text` (an enrollment link), for the dashboard to show beside the code.
pub fn qr_svg(text: &str) -> Result<String, ServiceError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| ServiceError::BadRequest(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_pseudonyms() {
        for (s, ok) in [
            ("naloxone_kit", true),
            ("V6A", true),
            ("", false),
            ("a b", false),
            ("x' OR 1=1 --", false),
        ] {
            assert_eq!(valid_id(s), ok, "{s}");
        }
        for (s, ok) in [
            ("W-7F3K", true),
            ("W-7F3", false),
            ("X-7F3K", false),
            ("W-7F3K;", false),
        ] {
            assert_eq!(valid_pseudonym(s), ok, "{s}");
        }
    }
}
