//! The worker's pay ledger: one-line commands over `Core`'s pay API (docs/pay.md). Amounts
//! stay on the device; `share_payment` is the one way a line leaves it.

use shiftlog_core::{NewPayment, PaySummary, Payment, SummaryQuery};
use tauri::State;
use uuid::Uuid;

use crate::state::{err, AppState, Res};

#[tauri::command]
pub(crate) fn add_payment(
    state: State<'_, AppState>,
    lang: String,
    payment: NewPayment,
) -> Res<Payment> {
    state.core(&lang)?.add_payment(payment).map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn list_payments(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
) -> Res<Vec<Payment>> {
    state
        .core(&lang)?
        .list_payments(org_id.as_deref())
        .map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn edit_payment(
    state: State<'_, AppState>,
    lang: String,
    id: Uuid,
    payment: NewPayment,
) -> Res<Payment> {
    state
        .core(&lang)?
        .edit_payment(id, payment)
        .map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn delete_payment(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<()> {
    state.core(&lang)?.delete_payment(id).map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn share_payment(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<Payment> {
    state.core(&lang)?.share_payment(id).map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn pay_summary(
    state: State<'_, AppState>,
    lang: String,
    query: SummaryQuery,
) -> Res<PaySummary> {
    state.core(&lang)?.pay_summary(&query).map_err(err(&lang))
}

/// The pay form's fields, choices (how it was paid, in English and French) and limits, from
/// the record model.
#[tauri::command]
pub(crate) fn payment_form() -> shiftlog_core::kinds::KindDef {
    shiftlog_core::model::payment_definition()
}
