//! Statement routes: a device asks for its worker's signed statement; anyone fetches an
//! organization's statement keys, verifies a document through the JSON API, or opens the
//! verify page (`?code=` or a pasted document). The public routes are limited per address.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use shiftlog_model::error::Lang;
use shiftlog_statement::api::StatementRequest;
use shiftlog_statement::{KeySet, SignedStatement};
use shiftlog_wire::codes;

use super::extract::{blocking, ClientIp, Device, JsonBody, QueryParams};
use super::verify_page;
use super::ApiError;
use crate::openapi::answers::{BadRequest, NotFound, RateLimited, TooLarge, Unauthorized};
use crate::statements::verify::VerifyReport;
use crate::OrgService;

/// `?lang=` on the public routes (and `?code=` on the page).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyQuery {
    /// `en` or `fr`: the language of the verdicts (English otherwise).
    #[serde(default)]
    #[param(max_length = 10)]
    lang: Option<String>,
    /// A short code, `XXXXX-XXXXX` (the page only).
    #[serde(default)]
    #[param(max_length = 40)]
    code: Option<String>,
}

/// `?lang=` alone: the routes that read no code.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Only describes the query; `VerifyQuery` reads it.
pub(super) struct LangQuery {
    /// `en` or `fr`: the language of the verdicts (English otherwise).
    #[param(max_length = 10)]
    lang: Option<String>,
}

impl VerifyQuery {
    fn lang(&self) -> Lang {
        self.lang.as_deref().map(Lang::parse).unwrap_or_default()
    }
}

/// The page's form: a pasted document.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct VerifyForm {
    /// The statement file's text, as pasted.
    document: String,
}

/// A signed statement of this device's worker's work for a period, counted from the records
/// the server holds (counts only, nothing about people served).
#[utoipa::path(
    post,
    path = shiftlog_statement::api::STATEMENTS,
    tag = "device",
    operation_id = "requestStatement",
    security(("deviceToken" = [])),
    request_body = StatementRequest,
    responses(
        (status = 200, description = "The signed statement", body = SignedStatement),
        (status = 400, description = "Not valid, or a period that ends before it starts, is longer than 366 days or ends in the future", body = shiftlog_wire::ErrorBody),
        Unauthorized, TooLarge, RateLimited
    )
)]
pub(super) async fn issue(
    State(svc): State<OrgService>,
    Device(device): Device,
    JsonBody(req): JsonBody<StatementRequest>,
) -> Result<Json<SignedStatement>, ApiError> {
    Ok(Json(
        blocking(move || svc.issue_statement(&device, &req)).await?,
    ))
}

/// An organization's statement keys with their retired and revoked dates (public: what a
/// verifier trusts).
#[utoipa::path(
    get,
    path = shiftlog_statement::api::STATEMENT_KEYS,
    tag = "statements",
    operation_id = "statementKeys",
    params(("org_id" = String, Path, description = "The organization's id")),
    responses((status = 200, description = "The keys, newest first", body = KeySet), NotFound, RateLimited)
)]
pub(super) async fn keys(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    Path(org_id): Path<String>,
) -> Result<Json<KeySet>, ApiError> {
    svc.statement_attempt(client)?;
    Ok(Json(blocking(move || svc.published_keys(&org_id)).await?))
}

/// Verify a signed statement, or a file of them, against this server's published keys
/// (public). A document that cannot be read is one `malformed` result.
#[utoipa::path(
    post,
    path = shiftlog_statement::api::VERIFY_API,
    tag = "statements",
    operation_id = "verifyStatements",
    params(LangQuery),
    request_body(content = Object, description = "A signed statement, or a statement file", content_type = "application/json"),
    responses((status = 200, description = "One verdict per statement", body = VerifyReport), BadRequest, TooLarge, RateLimited)
)]
pub(super) async fn verify_api(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    QueryParams(q): QueryParams<VerifyQuery>,
    JsonBody(doc): JsonBody<serde_json::Value>,
) -> Result<Json<VerifyReport>, ApiError> {
    svc.statement_attempt(client)?;
    let lang = q.lang();
    Ok(Json(
        blocking(move || svc.verify_statements(&doc.to_string(), lang)).await?,
    ))
}

fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, verify_page::CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

/// The public verify page: a form, or with `?code=` the statement this server issued under
/// that short code and whether it still verifies.
#[utoipa::path(
    get,
    path = shiftlog_statement::api::VERIFY_PAGE,
    tag = "statements",
    operation_id = "verifyPage",
    params(VerifyQuery),
    responses(
        (status = 200, description = "The page", body = String, content_type = "text/html"),
        (status = 400, description = "A query it does not read", body = shiftlog_wire::ErrorBody),
        (status = 404, description = "No statement has this code here", body = String, content_type = "text/html"),
        RateLimited
    )
)]
pub(super) async fn verify_page_get(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    QueryParams(q): QueryParams<VerifyQuery>,
) -> Result<Response, ApiError> {
    svc.statement_attempt(client)?;
    let lang = q.lang();
    let Some(code) = q.code.clone().filter(|c| !c.trim().is_empty()) else {
        return Ok(page(StatusCode::OK, verify_page::render(lang, None, None)));
    };
    let typed = code.clone();
    let found = blocking(move || svc.verify_code(&code, lang)).await?;
    Ok(match found {
        Some(report) => page(
            StatusCode::OK,
            verify_page::render(lang, Some(&typed), Some(&report)),
        ),
        None => page(
            StatusCode::NOT_FOUND,
            verify_page::render_not_found(lang, &typed),
        ),
    })
}

/// The public verify page for a pasted statement file.
#[utoipa::path(
    post,
    path = shiftlog_statement::api::VERIFY_PAGE,
    tag = "statements",
    operation_id = "verifyPagePost",
    params(LangQuery),
    request_body(content = VerifyForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The page with one verdict per statement", body = String, content_type = "text/html"),
        (status = 400, description = "No `document` field, or a query it does not read", body = shiftlog_wire::ErrorBody),
        TooLarge, RateLimited
    )
)]
pub(super) async fn verify_page_post(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    QueryParams(q): QueryParams<VerifyQuery>,
    form: Result<Form<VerifyForm>, FormRejection>,
) -> Result<Response, ApiError> {
    svc.statement_attempt(client)?;
    let Form(form) = form.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            format!("Send the form with a `document` field: {e}"),
        )
    })?;
    let lang = q.lang();
    let report = blocking(move || svc.verify_statements(&form.document, lang)).await?;
    Ok(page(
        StatusCode::OK,
        verify_page::render(lang, None, Some(&report)),
    ))
}
