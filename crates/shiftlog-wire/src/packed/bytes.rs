//! The packed push's bytes: LEB128 varints (zigzag for signed ones), strings as a length then
//! UTF-8, and the reader that takes them back without ever reading past the end.

use chrono::{DateTime, Datelike, FixedOffset, TimeZone};

use super::{add, bad, PackedError};

pub(super) fn put(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push((v as u8) | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

pub(super) fn put_signed(w: &mut Vec<u8>, v: i64) {
    put(w, ((v << 1) ^ (v >> 63)) as u64);
}

pub(super) fn put_str(w: &mut Vec<u8>, s: &str) {
    put(w, s.len() as u64);
    w.extend_from_slice(s.as_bytes());
}

pub(super) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Reader { b, at: 0 }
    }

    pub(super) fn left(&self) -> usize {
        self.b.len() - self.at
    }

    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], PackedError> {
        if n > self.left() {
            return bad(format!(
                "it is cut short in {what} (byte {} of {})",
                self.at,
                self.b.len()
            ));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    pub(super) fn varint(&mut self, what: &str) -> Result<u64, PackedError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1, what)?[0];
            let part = u64::from(byte & 0x7f);
            if shift == 63 && part > 1 {
                return bad(format!("{what} is a number too large"));
            }
            v |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        bad(format!("{what} is a number too large"))
    }

    pub(super) fn signed(&mut self, what: &str) -> Result<i64, PackedError> {
        let z = self.varint(what)?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    pub(super) fn len(&mut self, what: &str) -> Result<usize, PackedError> {
        usize::try_from(self.varint(what)?).or_else(|_| bad(format!("{what} is too large")))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, PackedError> {
        u32::try_from(self.varint(what)?).or_else(|_| bad(format!("{what} is too large")))
    }

    pub(super) fn utf8(&mut self, n: usize, what: &str) -> Result<&'a str, PackedError> {
        std::str::from_utf8(self.take(n, what)?).or_else(|_| bad(format!("{what} is not UTF-8")))
    }

    pub(super) fn string(&mut self, what: &str) -> Result<String, PackedError> {
        let n = self.len(what)?;
        Ok(self.utf8(n, what)?.to_string())
    }

    /// A time written by [`put_time`] against the same reference and offset.
    pub(super) fn time(
        &mut self,
        reference: (i64, i64),
        prev_offset: i32,
        what: &str,
    ) -> Result<DateTime<FixedOffset>, PackedError> {
        let secs = add(reference.0, self.signed(what)?, what)?;
        let ns = add(reference.1, self.signed(what)?, what)?;
        let off = i64::from(prev_offset)
            .checked_add(self.signed(what)?)
            .and_then(|o| i32::try_from(o).ok())
            .and_then(|o| o.checked_mul(60))
            .and_then(FixedOffset::east_opt)
            .ok_or_else(|| PackedError(format!("{what} has a UTC offset out of range")))?;
        let time = u32::try_from(ns)
            .ok()
            .and_then(|ns| DateTime::from_timestamp(secs, ns))
            .map(|utc| off.from_utc_datetime(&utc.naive_utc()))
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or_else(|| PackedError(format!("{what} is a time out of range")))?;
        Ok(time)
    }
}
