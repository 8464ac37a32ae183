//! Errors on their way to the client: a status, a stable code and words a worker or a
//! coordinator can act on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shiftlog_wire::{codes, ErrorBody};

use crate::ServiceError;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(ErrorBody {
                code: self.code.into(),
                message: self.message,
            }),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::InvalidCode => ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_CODE,
                "That code is not valid: it may be mistyped, used already, or expired. Ask your coordinator for a new one.",
            ),
            ServiceError::Unauthorized => ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHORIZED,
                "This request needs a valid token or sign-in. Sign in again, or join the organization again with a new code.",
            ),
            ServiceError::TokenExpired => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "This token has expired; ask an admin for a new one.",
            ),
            ServiceError::DeviceRevoked => ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::DEVICE_REVOKED,
                "This device was removed by your organization. Your records stay on the device. Ask your coordinator for a new code.",
            ),
            ServiceError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, m),
            ServiceError::Csrf => ApiError::new(
                StatusCode::FORBIDDEN,
                codes::CSRF,
                "This change came without the page's security token. Reload the page and try again.",
            ),
            ServiceError::RateLimited(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::RATE_LIMITED,
                    format!("Too many attempts. Wait {secs} seconds and try again."),
                )
            },
            ServiceError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                format!("No such {what} in your organization."),
            ),
            ServiceError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, m),
            ServiceError::BadRequest(m) => ApiError::bad_request(m),
            ServiceError::Invalid(code, m) => ApiError::new(StatusCode::BAD_REQUEST, code, m),
            ServiceError::Storage(e) => {
                tracing::error!(error = %crate::observe::logs::chain(&e), "storage error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::INTERNAL,
                    "The server could not do this right now. Nothing was lost; try again later.",
                )
            }
        }
    }
}
