//! `shiftlog sync` and `shiftlog status`.

use serde_json::json;
use shiftlog_core::Core;

use crate::exit::{Code, Failure};
use crate::input::runtime;
use crate::output::Output;

/// Sends what is waiting, then says what happened.
pub fn sync(core: &Core, out: &Output) -> Result<Code, Failure> {
    let r = runtime()?.block_on(core.sync_now())?;
    out.print(
        json!(r),
        format!(
            "Sent {} new, {} already there, {} need attention",
            r.accepted, r.already_had, r.rejected
        ),
    );
    Ok(Code::Ok)
}

/// What is waiting and when it was last sent.
pub fn status(core: &Core, out: &Output) -> Result<(), Failure> {
    let s = core.sync_status()?;
    out.print(
        json!(s),
        format!(
            "{} waiting to send, {} need attention, last sent {}",
            s.waiting,
            s.needs_attention,
            s.last_sent_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "never".into())
        ),
    );
    Ok(())
}
