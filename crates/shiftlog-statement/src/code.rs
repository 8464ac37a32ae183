//! The short code printed on a statement and typed on the verify page: 10 characters of
//! Crockford base32 (digits and capitals without I, L, O, U) of the SHA-256 of the signature,
//! shown in two groups of five (`7K3QD-M9X2A`). 50 bits: a code names one statement of an
//! organization's register; it is a way to look a statement up, not a proof (the signature
//! is the proof).

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code (without the dash).
pub const CODE_LEN: usize = 10;

/// The code of a signature, grouped for reading aloud: `XXXXX-XXXXX`.
pub fn short_code(signature: &[u8; 64]) -> String {
    let digest = Sha256::digest(signature);
    // The first 50 bits, five at a time.
    let mut bits: u64 = 0;
    for byte in &digest[..7] {
        bits = (bits << 8) | u64::from(*byte);
    }
    bits >>= 56 - 50;
    let mut out = String::with_capacity(CODE_LEN + 1);
    for i in 0..CODE_LEN {
        let shift = 5 * (CODE_LEN - 1 - i);
        let index = ((bits >> shift) & 31) as usize;
        if i == 5 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[index]));
    }
    out
}

/// A code as someone typed it, in the printed form, or `None` if it cannot be one: case,
/// spaces and dashes do not matter, and O, I and L are read as 0, 1 and 1 (Crockford).
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut chars = String::with_capacity(CODE_LEN);
    for c in typed.chars() {
        if c == '-' || c == ' ' {
            continue;
        }
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        chars.push(c);
        if chars.len() > CODE_LEN {
            return None;
        }
    }
    if chars.len() != CODE_LEN {
        return None;
    }
    Some(format!("{}-{}", &chars[..5], &chars[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_two_groups_of_five_and_reads_back() {
        let code = short_code(&[7u8; 64]);
        assert_eq!(code.len(), 11);
        assert_eq!(code.as_bytes()[5], b'-');
        assert_eq!(normalize_code(&code.to_lowercase()), Some(code.clone()));
        assert_eq!(normalize_code(&code.replace('-', " ")), Some(code.clone()));
        assert_ne!(short_code(&[8u8; 64]), code);
    }

    #[test]
    fn look_alike_letters_are_read_as_digits_and_the_rest_refused() {
        assert_eq!(normalize_code("oilOI-00000"), Some("01101-00000".into()));
        assert_eq!(normalize_code("UUUUU-00000"), None);
        assert_eq!(normalize_code("12345"), None);
        assert_eq!(normalize_code("12345-678901"), None);
        assert_eq!(normalize_code("12345-6789é"), None);
        assert_eq!(normalize_code(""), None);
    }
}
