//! The refusals routes share, each with its status and the JSON error body
//! ([`ErrorBody`]). A handler's `#[utoipa::path]` lists the ones it can give.

use shiftlog_wire::ErrorBody;
use utoipa::IntoResponses;

/// The request body or a parameter is not valid; `message` says which.
#[derive(IntoResponses)]
#[response(status = 400)]
pub struct BadRequest(pub ErrorBody);

/// No valid token or session (`unauthorized`, `token_expired`), or the device was removed by
/// its organization (`device_revoked`).
#[derive(IntoResponses)]
#[response(status = 401)]
pub struct Unauthorized(pub ErrorBody);

/// Signed in, but the role or token scope does not allow this (`forbidden`), or a dashboard
/// change came without its `X-CSRF-Token` header (`csrf_token_missing`).
#[derive(IntoResponses)]
#[response(status = 403)]
pub struct Forbidden(pub ErrorBody);

/// No such thing in the caller's organization.
#[derive(IntoResponses)]
#[response(status = 404)]
pub struct NotFound(pub ErrorBody);

/// A name is taken, or the change would leave the organization without an admin.
#[derive(IntoResponses)]
#[response(status = 409)]
pub struct Conflict(pub ErrorBody);

/// The body is larger than the server's limit (`max_body_bytes` in `/api/v1/info`), after
/// any gzip is undone.
#[derive(IntoResponses)]
#[response(status = 413)]
pub struct TooLarge(pub ErrorBody);

/// The body is not `application/json`.
#[derive(IntoResponses)]
#[response(status = 415)]
pub struct NotJson(pub ErrorBody);

/// Too many attempts from this address or device: wait the seconds in `Retry-After`.
#[derive(IntoResponses)]
#[response(
    status = 429,
    headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
)]
pub struct RateLimited(pub ErrorBody);
