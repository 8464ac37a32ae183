//! A small Rust lexer: enough to tell code from comments and string literals, and test-only
//! items from the rest.

#[derive(Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    /// A string literal's content, escapes replaced by a space (line continuations kept as
    /// newlines, so line numbers stay right).
    Str(String),
    Punct(char),
    /// Numbers, char literals and lifetimes.
    Other,
}

/// Tokens with the line each starts on.
pub fn lex(src: &str) -> Vec<(usize, Tok)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident_start = |ch: char| ch == '_' || ch.is_alphabetic();
    let ident_char = |ch: char| ch == '_' || ch.is_alphanumeric();
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            let start = line;
            let (content, next, lines) = quoted(&c, i + 1);
            out.push((start, Tok::Str(content)));
            line += lines;
            i = next;
        } else if ch == '\'' {
            // A char literal ('a', '\n', '"') or a lifetime ('a, 'static).
            if at(i + 1) == '\\' {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
            }
            out.push((line, Tok::Other));
        } else if ident_start(ch) {
            let s = i;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            if raw_prefix
                && (at(i) == '"' || (at(i) == '#' && (at(i + 1) == '"' || at(i + 1) == '#')))
            {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1; // the opening quote
                let s = i;
                let start = line;
                loop {
                    if i >= c.len() {
                        break;
                    }
                    if c[i] == '"' && (0..hashes).all(|h| at(i + 1 + h) == '#') {
                        break;
                    }
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                out.push((start, Tok::Str(c[s..i.min(c.len())].iter().collect())));
                i += 1 + hashes;
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                let start = line;
                let (content, next, lines) = quoted(&c, i + 1);
                out.push((start, Tok::Str(content)));
                line += lines;
                i = next;
            } else if word == "r" && at(i) == '#' && ident_start(at(i + 1)) {
                // A raw identifier, r#type.
                i += 1;
                let s = i;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
                out.push((line, Tok::Ident(c[s..i].iter().collect())));
            } else {
                out.push((line, Tok::Ident(word)));
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            out.push((line, Tok::Other));
        } else {
            out.push((line, Tok::Punct(ch)));
            i += 1;
        }
    }
    out
}

/// The content of a quoted literal starting after its opening quote: (content, index after
/// the closing quote, newlines inside).
pub fn quoted(c: &[char], mut i: usize) -> (String, usize, usize) {
    let mut content = String::new();
    let mut lines = 0;
    while i < c.len() && c[i] != '"' {
        if c[i] == '\\' {
            match c.get(i + 1) {
                Some('\n') => {
                    content.push('\n');
                    lines += 1;
                }
                _ => content.push(' '),
            }
            i += 2;
            continue;
        }
        if c[i] == '\n' {
            lines += 1;
        }
        content.push(c[i]);
        i += 1;
    }
    (content, i + 1, lines)
}

/// Token ranges (start, end exclusive) of items under `#[cfg(test)]` (or any `cfg` naming
/// `test` without `not`); the whole file for an inner `#![cfg(test)]`.
pub fn test_spans(toks: &[(usize, Tok)]) -> Vec<(usize, usize)> {
    let punct = |i: usize, ch: char| matches!(toks.get(i), Some((_, Tok::Punct(p))) if *p == ch);
    let ident = |i: usize, s: &str| matches!(toks.get(i), Some((_, Tok::Ident(w))) if w == s);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let inner = punct(i, '#') && punct(i + 1, '!');
        let open = if inner { i + 2 } else { i + 1 };
        if !(punct(i, '#') && punct(open, '[') && ident(open + 1, "cfg")) {
            i += 1;
            continue;
        }
        // The attribute's tokens up to its closing bracket.
        let mut j = open + 1;
        let mut depth = 1;
        let (mut test, mut not) = (false, false);
        while j < toks.len() && depth > 0 {
            j += 1;
            match toks.get(j) {
                Some((_, Tok::Punct('['))) => depth += 1,
                Some((_, Tok::Punct(']'))) => depth -= 1,
                Some((_, Tok::Ident(w))) if w == "test" => test = true,
                Some((_, Tok::Ident(w))) if w == "not" => not = true,
                _ => {}
            }
        }
        if !test || not {
            i = j;
            continue;
        }
        if inner {
            return vec![(0, toks.len())];
        }
        // The item: up to a `;` outside brackets, or the end of its first `{ ... }`.
        let mut k = j + 1;
        let mut brackets = 0i32;
        let end = loop {
            match toks.get(k) {
                None => break toks.len(),
                Some((_, Tok::Punct('(' | '['))) => brackets += 1,
                Some((_, Tok::Punct(')' | ']'))) => brackets -= 1,
                Some((_, Tok::Punct(';'))) if brackets == 0 => break k + 1,
                Some((_, Tok::Punct('{'))) if brackets == 0 => {
                    let mut braces = 0;
                    while k < toks.len() {
                        match toks[k].1 {
                            Tok::Punct('{') => braces += 1,
                            Tok::Punct('}') => {
                                braces -= 1;
                                if braces == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                    break (k + 1).min(toks.len());
                }
                _ => {}
            }
            k += 1;
        };
        spans.push((i, end));
        i = end;
    }
    spans
}

/// Tokens outside test-only items.
pub fn non_test_tokens(src: &str) -> Vec<(usize, Tok)> {
    let toks = lex(src);
    let spans = test_spans(&toks);
    toks.into_iter()
        .enumerate()
        .filter(|(i, _)| !spans.iter().any(|(s, e)| (*s..*e).contains(i)))
        .map(|(_, t)| t)
        .collect()
}

/// Lines inside test-only items.
pub fn test_only_lines(src: &str) -> usize {
    let toks = lex(src);
    test_spans(&toks)
        .iter()
        .map(|&(s, e)| {
            let first = toks[s].0;
            let last = toks[e.saturating_sub(1).max(s)].0;
            last - first + 1
        })
        .sum()
}
