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
use crate::statements::verify::VerifyReport;
use crate::OrgService;

/// `?lang=` on the public routes (and `?code=` on the page).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyQuery {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

impl VerifyQuery {
    fn lang(&self) -> Lang {
        self.lang.as_deref().map(Lang::parse).unwrap_or_default()
    }
}

/// The page's form: a pasted document.
#[derive(Debug, Deserialize)]
pub(super) struct VerifyForm {
    document: String,
}

pub(super) async fn issue(
    State(svc): State<OrgService>,
    Device(device): Device,
    JsonBody(req): JsonBody<StatementRequest>,
) -> Result<Json<SignedStatement>, ApiError> {
    Ok(Json(
        blocking(move || svc.issue_statement(&device, &req)).await?,
    ))
}

pub(super) async fn keys(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    Path(org_id): Path<String>,
) -> Result<Json<KeySet>, ApiError> {
    svc.statement_attempt(client)?;
    Ok(Json(blocking(move || svc.published_keys(&org_id)).await?))
}

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
