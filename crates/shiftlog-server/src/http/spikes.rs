//! Overdose spike routes: thresholds (coordinators and admins) and notices (any staff role).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::extract::{blocking, JsonBody};
use super::ApiError;
use crate::openapi::answers::{Forbidden, TooLarge, Unauthorized};
use crate::spikes::{SpikeNotice, SpikeSettings};
use crate::{OrgService, ServiceError, Staff};
use shiftlog_server_db::SpikeThreshold;

/// The code of a refused threshold.
pub const BAD_SPIKE_THRESHOLD: &str = "bad_spike_threshold";

/// Overdose spike thresholds (coordinators and admins): one per area of the catalogue, and a
/// default (`area: null`) for every area without its own; `threshold: null` is off.
#[utoipa::path(
    get,
    path = "/api/v1/staff/spike-thresholds",
    tag = "staff",
    operation_id = "spikeThresholds",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "The thresholds, the organization's areas and what a threshold may be", body = SpikeSettings), Unauthorized, Forbidden)
)]
pub(super) async fn spike_settings(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<SpikeSettings>, ApiError> {
    Ok(Json(blocking(move || svc.spike_settings(&who)).await?))
}

/// One threshold as asked for.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ThresholdRequest {
    /// An area of the catalogue; none for the default.
    #[serde(default)]
    area: Option<String>,
    /// 2 to 50 responses; none: off.
    #[serde(default)]
    threshold: Option<i64>,
    /// 6, 12, 24 or 48.
    window_hours: i64,
}

/// The whole list of thresholds.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ThresholdsRequest {
    /// Each area once, at most one default.
    thresholds: Vec<ThresholdRequest>,
}

/// A number as asked for, or 0 if it cannot be one (the service then refuses it).
fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Replace the overdose spike thresholds (coordinators and admins; audit-logged).
///
/// Areas of the catalogue only, each once, at most one default; threshold 2 to 50 (or null:
/// off); window 6, 12, 24 or 48 hours. A refused list changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/staff/spike-thresholds",
    tag = "staff",
    operation_id = "setSpikeThresholds",
    security(("staffToken" = []), ("session" = [])),
    request_body = ThresholdsRequest,
    responses(
        (status = 200, description = "The thresholds as stored", body = SpikeSettings),
        (status = 400, description = "`bad_spike_threshold`: an area not in the catalogue or given twice, a second default, a threshold outside 2 to 50, or another window; or a body that is not valid (`bad_request`)", body = shiftlog_wire::ErrorBody),
        Unauthorized, Forbidden, TooLarge
    )
)]
pub(super) async fn set_spike_thresholds(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<ThresholdsRequest>,
) -> Result<Json<SpikeSettings>, ApiError> {
    let thresholds = req
        .thresholds
        .into_iter()
        .map(|t| SpikeThreshold {
            area: t.area,
            threshold: t.threshold.map(count),
            window_hours: count(t.window_hours),
        })
        .collect();
    match blocking(move || Ok(svc.set_spike_thresholds(&who, thresholds))).await? {
        Ok(settings) => Ok(Json(settings)),
        Err(ServiceError::BadRequest(m)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            BAD_SPIKE_THRESHOLD,
            m,
        )),
        Err(e) => Err(e.into()),
    }
}

/// The areas whose overdose responses in their trailing window reach their threshold (any
/// staff role).
///
/// Responses count by when they happened; a time more than 10 minutes ahead of the server is
/// not counted. A notice never carries an exact count (`at_least` is the threshold, or 5, 10,
/// 20 or 50 when reached), a worker or a record. Nothing is sent anywhere.
#[utoipa::path(
    get,
    path = "/api/v1/staff/spike-notices",
    tag = "staff",
    operation_id = "spikeNotices",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "Notices, by area name", body = Vec<SpikeNotice>), Unauthorized)
)]
pub(super) async fn spike_notices(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<SpikeNotice>>, ApiError> {
    let now = chrono::Utc::now();
    Ok(Json(blocking(move || svc.spike_notices(&who, now)).await?))
}
