//! Verifying statements on the server, for its public verify page and API: each statement is
//! checked (by `shiftlog_statement::verify`, the same check `shiftlog verify` makes offline)
//! against the keys this server publishes for the organization it names, and looked up in
//! the register of statements this server issued.
//!
//! A statement found by its short code is shown only as the register holds it: the code is
//! 50 bits of the signature's hash, so the page never answers a guess, and the public routes
//! are limited per address (`statement_attempt`).

use serde::Serialize;
use shiftlog_model::error::Lang;
use shiftlog_statement::{normalize_code, parse_file, verify, SignedStatement, Statement};

use crate::{OrgService, ServiceError};

/// What the verify page and API answer: one result per statement of the document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    /// The results, in the document's order.
    pub results: Vec<VerifyResult>,
}

/// One statement's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VerifyResult {
    /// True when signed by a trusted key of the organization and not altered.
    pub verified: bool,
    /// `verified`, or why not: `malformed`, `altered`, `unknown_key`, `wrong_organization`,
    /// `revoked_key`, `retired_key`.
    pub code: &'static str,
    /// A sentence in the language asked for.
    pub message: String,
    /// The statement's short code.
    pub short_code: Option<String>,
    /// The signing key's id.
    pub key_id: Option<String>,
    /// When this server's register holds exactly this statement: when it was issued.
    pub registered_at: Option<String>,
    /// What the document says (when it could be read), verified or not.
    pub statement: Option<Statement>,
}

impl VerifyResult {
    fn malformed(e: &shiftlog_statement::VerifyError, lang: Lang) -> VerifyResult {
        VerifyResult {
            verified: false,
            code: e.code(),
            message: e.message(lang),
            short_code: None,
            key_id: None,
            registered_at: None,
            statement: None,
        }
    }
}

fn verified_words(lang: Lang) -> String {
    match lang {
        Lang::En => "VERIFIED: signed by the organization with one of its published keys, and \
                     not changed since."
            .into(),
        Lang::Fr => "VÉRIFIÉE : signée par l\u{2019}organisme avec une de ses clés publiées, et \
                     inchangée depuis."
            .into(),
    }
}

impl OrgService {
    fn verify_one(&self, doc: &SignedStatement, lang: Lang) -> Result<VerifyResult, ServiceError> {
        let org = &doc.statement.organization.id;
        // An organization this server does not have: no key of it is trusted here.
        let trusted = match self.published_keys(org) {
            Ok(k) => k,
            Err(ServiceError::NotFound(_)) => Default::default(),
            Err(e) => return Err(e),
        };
        let outcome = verify(doc, &trusted);
        let short_code = doc.short_code();
        let registered_at = match &short_code {
            Some(code) => self
                .store
                .issued_statement(code)?
                .filter(|s| {
                    parse_file(&s.document)
                        .ok()
                        .and_then(|d| d.into_iter().next())
                        .is_some_and(|d| {
                            d.signature == doc.signature && d.statement == doc.statement
                        })
                })
                .map(|s| shiftlog_server_db::work_statements::key_time(s.issued_at)),
            None => None,
        };
        let (verified, code, message) = match &outcome {
            Ok(_) => (true, "verified", verified_words(lang)),
            Err(e) => (false, e.code(), e.message(lang)),
        };
        Ok(VerifyResult {
            verified,
            code,
            message,
            short_code,
            key_id: Some(doc.key_id.clone()),
            registered_at,
            statement: Some(doc.statement.clone()),
        })
    }

    /// Verifies a document (one signed statement or a file of them) pasted or sent by
    /// anyone. A document that cannot be read is one `malformed` result, not an error.
    pub fn verify_statements(&self, text: &str, lang: Lang) -> Result<VerifyReport, ServiceError> {
        let docs = match parse_file(text) {
            Ok(d) => d,
            Err(e) => {
                return Ok(VerifyReport {
                    results: vec![VerifyResult::malformed(&e, lang)],
                })
            }
        };
        let results = docs
            .iter()
            .map(|d| self.verify_one(d, lang))
            .collect::<Result<_, _>>()?;
        Ok(VerifyReport { results })
    }

    /// The statement this server issued under `code`, verified as it is now (a key revoked
    /// since shows it revoked); `None` for a code it never issued or that cannot be one.
    pub fn verify_code(
        &self,
        code: &str,
        lang: Lang,
    ) -> Result<Option<VerifyReport>, ServiceError> {
        let Some(code) = normalize_code(code) else {
            return Ok(None);
        };
        match self.store.issued_statement(&code)? {
            Some(s) => Ok(Some(self.verify_statements(&s.document, lang)?)),
            None => Ok(None),
        }
    }
}
