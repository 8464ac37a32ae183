//! The joining link a coordinator hands over (the dashboard's link and QR code):
//! `shiftlog://join?server=<percent-encoded URL>&code=<code>`. The app opens it straight
//! into the join screen with both filled in; the worker still presses Join.

use serde::Serialize;

/// What a joining link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinLink {
    /// The server's address, e.g. `https://shiftlog.example.org/`.
    pub server: String,
    /// The one-time code, e.g. `ABCDE-23456`.
    pub code: String,
}

/// Reads a joining link; `None` for anything else (another scheme or host, a missing or
/// empty field, a server that is not an http(s) address, control characters).
pub fn parse_join_link(link: &str) -> Option<JoinLink> {
    let url = url::Url::parse(link.trim()).ok()?;
    if url.scheme() != "shiftlog" || url.host_str() != Some("join") {
        return None;
    }
    let field = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty() && v.len() <= 2048 && !v.chars().any(char::is_control))
    };
    let server = field("server")?;
    if !(server.starts_with("https://") || server.starts_with("http://")) {
        return None;
    }
    Some(JoinLink {
        server,
        code: field("code")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_dashboards_links_and_nothing_else() {
        assert_eq!(
            parse_join_link(
                "shiftlog://join?server=https%3A%2F%2Fshiftlog.example.org%2F&code=ABCDE-23456"
            ),
            Some(JoinLink {
                server: "https://shiftlog.example.org/".into(),
                code: "ABCDE-23456".into()
            })
        );
        for bad in [
            "https://join?server=https%3A%2F%2Fa%2F&code=X",
            "shiftlog://enroll?server=https%3A%2F%2Fa%2F&code=X",
            "shiftlog://join?server=https%3A%2F%2Fa%2F",
            "shiftlog://join?server=javascript%3Aalert(1)&code=X",
            "shiftlog://join?server=https%3A%2F%2Fa%2F&code=%0A",
            "not a link",
        ] {
            assert_eq!(parse_join_link(bad), None, "{bad}");
        }
    }
}
