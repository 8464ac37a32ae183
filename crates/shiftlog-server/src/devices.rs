//! Enrolled devices: their rate limit, pulling their worker's records, and how staff list and
//! revoke them.

use std::time::Instant;

use uuid::Uuid;

use crate::{DeviceAuth, DeviceInfo, OrgService, Role, ServiceError, Staff};

impl OrgService {
    /// Counts one request of `device` against its per-minute limit.
    pub fn device_rate(&self, device: &DeviceAuth) -> Result<(), ServiceError> {
        self.device_limiter
            .hit(&device.device_id.to_string(), Instant::now())
            .map_err(|w| self.limited("device", w))
    }

    /// The worker's own records written from their other devices, after `after`, at most
    /// `limit` (1 to 1000) at a time.
    pub fn pull(
        &self,
        device: &DeviceAuth,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, ServiceError> {
        if !(1..=1000).contains(&limit) {
            return Err(ServiceError::BadRequest("limit: from 1 to 1000".into()));
        }
        Ok(self.store.pull_records(
            &device.org_id,
            device.worker_id,
            device.device_id,
            after,
            limit,
        )?)
    }

    /// The organization's devices (coordinator or admin). Not for viewers: a device's name
    /// ("Sam's phone") beside its worker pseudonym would tell them whose records are whose.
    pub fn devices(&self, staff: &Staff) -> Result<Vec<DeviceInfo>, ServiceError> {
        staff.require(Role::Coordinator)?;
        Ok(self.store.list_devices(&staff.org_id)?)
    }

    /// Revokes a device of the caller's organization (coordinator or admin). Audit-logged.
    pub fn revoke_device(&self, staff: &Staff, device_id: Uuid) -> Result<(), ServiceError> {
        staff.require(Role::Coordinator)?;
        self.store.revoke_device(&staff.org_id, device_id)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "revoke_device",
            serde_json::json!({"device": device_id}),
        )
    }
}
