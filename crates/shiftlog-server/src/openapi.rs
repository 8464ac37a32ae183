//! The OpenAPI document of the HTTP API, written by hand and served at
//! `/api/v1/openapi.json`. A test checks that every route of the router is in it.

/// The document.
pub const DOCUMENT: &str = include_str!("../openapi.json");

#[cfg(test)]
mod tests {
    use super::*;

    /// Every API route the router registers is described (read from the router's source, so a
    /// new route without documentation fails here).
    #[test]
    fn every_api_route_is_documented() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let paths = doc["paths"].as_object().expect("paths");
        let consts = [
            ("paths::INFO", shiftlog_wire::paths::INFO),
            ("paths::ENROLL", shiftlog_wire::paths::ENROLL),
            ("paths::PUSH", shiftlog_wire::paths::PUSH),
            ("paths::CATALOGUE", shiftlog_wire::paths::CATALOGUE),
            ("paths::PULL", shiftlog_wire::paths::PULL),
            ("paths::EXPORT_CSV", shiftlog_wire::paths::EXPORT_CSV),
            ("paths::OPENAPI", shiftlog_wire::paths::OPENAPI),
            ("paths::MESSAGES", shiftlog_wire::paths::MESSAGES),
            (
                "paths::MESSAGES_RECEIVED",
                shiftlog_wire::paths::MESSAGES_RECEIVED,
            ),
            ("api::STATEMENTS", shiftlog_statement::api::STATEMENTS),
            (
                "api::STATEMENT_KEYS",
                shiftlog_statement::api::STATEMENT_KEYS,
            ),
            ("api::VERIFY_API", shiftlog_statement::api::VERIFY_API),
            ("api::VERIFY_PAGE", shiftlog_statement::api::VERIFY_PAGE),
        ];
        let src = include_str!("http/mod.rs");
        let mut seen = 0;
        for after in src.split(".route(").skip(1) {
            let arg = after.split(',').next().expect("first argument").trim();
            let path = match arg.strip_prefix('"') {
                Some(p) => p.trim_end_matches('"').to_string(),
                None => consts
                    .iter()
                    .find(|(name, _)| *name == arg)
                    .map(|(_, p)| p.to_string())
                    .expect("known constant"),
            };
            assert!(paths.contains_key(&path), "{path} is not in openapi.json");
            seen += 1;
        }
        assert!(seen >= 19, "read {seen} routes");
    }
}
