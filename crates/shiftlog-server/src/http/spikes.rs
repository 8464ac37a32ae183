//! Overdose spike routes: thresholds (coordinators and admins) and notices (any staff role).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::extract::{blocking, JsonBody};
use super::ApiError;
use crate::spikes::{SpikeNotice, SpikeSettings};
use crate::{OrgService, ServiceError, Staff};
use shiftlog_server_db::SpikeThreshold;

/// The code of a refused threshold.
pub const BAD_SPIKE_THRESHOLD: &str = "bad_spike_threshold";

pub(super) async fn spike_settings(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<SpikeSettings>, ApiError> {
    Ok(Json(blocking(move || svc.spike_settings(&who)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ThresholdRequest {
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    threshold: Option<i64>,
    window_hours: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ThresholdsRequest {
    thresholds: Vec<ThresholdRequest>,
}

/// A number as asked for, or 0 if it cannot be one (the service then refuses it).
fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

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

pub(super) async fn spike_notices(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<SpikeNotice>>, ApiError> {
    let now = chrono::Utc::now();
    Ok(Json(blocking(move || svc.spike_notices(&who, now)).await?))
}
