//! What the checks look for in a source file's tokens: SQL in string literals, a crate named
//! in code, I/O in the record model.

use crate::lexer::{lex, non_test_tokens, Tok};

/// SQL statements in string literals outside test-only items: (line, the statement's start).
/// The house writes SQL keywords in capitals, so a sentence like "Select a kind from the
/// list" is not SQL. A literal that starts with a statement keyword counts on its own, so a
/// statement split over `concat!` pieces is still seen.
pub fn sql_in_source(src: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (line, tok) in non_test_tokens(src) {
        let Tok::Str(text) = tok else { continue };
        if let Some(pos) = sql_start(&text) {
            let at = line + text[..pos].matches('\n').count();
            let statement: String = text[pos..].split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = statement.chars().take(60).collect();
            out.push((at, short));
        }
    }
    out
}

/// The byte offset where SQL starts in a literal's text, if it holds SQL.
pub fn sql_start(text: &str) -> Option<usize> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let word_char = ch.is_ascii_alphanumeric() || ch == '_';
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    let within = |from: usize, n: usize, targets: &[&str]| {
        words
            .iter()
            .skip(from + 1)
            .take(n)
            .any(|(_, w)| targets.contains(w))
    };
    for (k, &(pos, word)) in words.iter().enumerate() {
        let sql = match word {
            "SELECT" => words.iter().skip(k + 1).any(|(_, w)| *w == "FROM"),
            "INSERT" | "REPLACE" => within(k, 3, &["INTO"]),
            "UPDATE" => within(k, 3, &["SET"]),
            "DELETE" => within(k, 1, &["FROM"]),
            "CREATE" | "DROP" | "ALTER" => within(k, 4, &["TABLE", "INDEX", "TRIGGER", "VIEW"]),
            "PRAGMA" => k + 1 < words.len(),
            _ => false,
        };
        let statement_first = k == 0
            && words.len() > 1
            && matches!(
                word,
                "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "CREATE" | "DROP" | "ALTER" | "WITH"
            )
            && text[..pos].trim().is_empty();
        if sql || statement_first {
            return Some(pos);
        }
    }
    None
}

/// Lines where code (not a comment or a string) names the crate.
pub fn crate_mentions(src: &str, krate: &str) -> Vec<usize> {
    let mut lines: Vec<usize> = lex(src)
        .into_iter()
        .filter(|(_, t)| matches!(t, Tok::Ident(w) if w == krate))
        .map(|(l, _)| l)
        .collect();
    lines.dedup();
    lines
}

/// I/O in code outside test-only items: `std::fs`, `std::net`, `std::process` (also inside
/// `std::{...}`), and the I/O crates.
pub fn io_uses(src: &str) -> Vec<(usize, String)> {
    const STD_IO: &[&str] = &["fs", "net", "process"];
    const CRATES: &[&str] = &[
        "rusqlite", "postgres", "r2d2", "reqwest", "tokio", "axum", "hyper",
    ];
    let toks = non_test_tokens(src);
    let ident = |i: usize| match toks.get(i) {
        Some((_, Tok::Ident(w))) => Some(w.as_str()),
        _ => None,
    };
    let punct = |i: usize, ch: char| matches!(toks.get(i), Some((_, Tok::Punct(p))) if *p == ch);
    let path_sep = |i: usize| punct(i, ':') && punct(i + 1, ':');
    let mut out = Vec::new();
    for (i, (line, tok)) in toks.iter().enumerate() {
        let Tok::Ident(w) = tok else { continue };
        if CRATES.contains(&w.as_str()) && path_sep(i + 1) {
            out.push((*line, format!("`{w}`")));
        }
        if w != "std" || !path_sep(i + 1) {
            continue;
        }
        if let Some(module) = ident(i + 3).filter(|m| STD_IO.contains(m)) {
            out.push((*line, format!("`std::{module}`")));
        } else if punct(i + 3, '{') {
            // use std::{collections::BTreeMap, fs, net::TcpStream};
            let mut depth = 0;
            let mut j = i + 3;
            while j < toks.len() {
                match &toks[j].1 {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Ident(m)
                        if depth == 1
                            && STD_IO.contains(&m.as_str())
                            && !path_sep(j.wrapping_sub(2)) =>
                    {
                        out.push((*line, format!("`std::{m}`")));
                    }
                    _ => {}
                }
                j += 1;
            }
        }
    }
    out
}
