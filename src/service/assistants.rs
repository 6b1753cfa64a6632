//! Assistants as their readers see them: staff and accountants (payroll needs names and IBANs),
//! and each assistant themself.

use mobile_api::people::Assistant;
use mobile_api::{Page, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::assistants;
use crate::db::{self};
use crate::domain::text;
use crate::error::ApiError;

/// The assistant as the caller may see them: the personal code only for staff.
pub fn view(caller: &Caller, a: assistants::Model) -> Assistant {
    Assistant {
        id: a.id,
        name: a.name,
        email: a.email,
        phone: a.phone,
        personal_code: caller.staff_only(a.personal_code),
        iban: a.iban,
        insurance_status: *a.insurance_status,
        active: a.active,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// A page of assistants, by name, for staff and accountants.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: Option<&str>,
    active: Option<bool>,
    (offset, limit): (u64, u64),
) -> Result<Page<Assistant>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let q = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(text::search_fold);
    let (rows, total) =
        db::people::assistants(&state.db, q.as_deref(), active, offset, limit).await?;
    Ok(Page {
        items: rows.into_iter().map(|a| view(caller, a)).collect(),
        total,
        offset,
        limit,
    })
}

/// One assistant: for staff, accountants, and the assistant themself.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    assistant_id: Uuid,
) -> Result<Assistant, ApiError> {
    let allowed = matches!(
        caller.role,
        Role::Coordinator | Role::Admin | Role::Accountant
    ) || caller.assistant_id == Some(assistant_id);
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let a = db::people::assistant(&state.db, assistant_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(view(caller, a))
}

/// An assistant's insurance statuses with the days they apply from, oldest first (empty when
/// the status never changed).
pub async fn insurance_history(
    state: &AppState,
    caller: &Caller,
    assistant_id: Uuid,
) -> Result<Vec<(chrono::NaiveDate, mobile_api::InsuranceStatus)>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    Ok(db::people::insurance_periods(&state.db, &[assistant_id])
        .await?
        .remove(&assistant_id)
        .unwrap_or_default())
}
