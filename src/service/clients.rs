//! Clients as their readers see them: who may list and read which client, and what of them.

use mobile_api::people::{Client, PersonRef};
use mobile_api::{Page, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::clients;
use crate::db::{self};
use crate::domain::text;
use crate::error::ApiError;

/// The client as the caller may see it: the personal code only for staff.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    c: clients::Model,
) -> Result<Client, ApiError> {
    let representatives = db::people::representatives_of(&state.db, c.id)
        .await?
        .into_iter()
        .map(|(id, name)| PersonRef { id, name })
        .collect();
    Ok(Client {
        id: c.id,
        name: c.name,
        birth_date: c.birth_date,
        personal_code: caller.staff_only(c.personal_code),
        disability_group: c.disability_group,
        locale: *c.locale,
        email: c.email,
        phone: c.phone,
        active: c.active,
        representatives,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// The ids of the clients whose records the caller may read, or None for staff (every client). Accountants
/// see no client records.
pub async fn visible_ids(state: &AppState, caller: &Caller) -> Result<Option<Vec<Uuid>>, ApiError> {
    Ok(match caller.role {
        Role::Coordinator | Role::Admin => None,
        Role::Accountant => return Err(ApiError::Forbidden),
        Role::Client => Some(caller.client_id.into_iter().collect()),
        Role::Representative => Some(db::session::represented(&state.db, caller.user_id).await?),
        Role::Assistant => {
            // Clients of an assignment in force or to come: a former assistant's list no
            // longer holds the client.
            let today = crate::domain::time::riga_date(state.clock.now());
            let filter = db::people::AssignmentFilter {
                assistant_id: Some(caller.assistant_id.ok_or(ApiError::Forbidden)?),
                ending_not_before: Some(today),
                ..Default::default()
            };
            let (rows, _) = db::people::assignments(&state.db, &filter, 0, 10_000).await?;
            Some(rows.into_iter().map(|a| a.client_id).collect())
        }
    })
}

/// A page of the clients the caller relates to (staff: every client), by name; `q` is part of
/// the name, diacritics and case aside.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: Option<&str>,
    active: Option<bool>,
    (offset, limit): (u64, u64),
) -> Result<Page<Client>, ApiError> {
    let filter = db::people::ClientFilter {
        q: q.map(str::trim)
            .filter(|q| !q.is_empty())
            .map(text::search_fold),
        active,
        only: visible_ids(state, caller).await?,
    };
    let (rows, total) = db::people::clients(&state.db, &filter, offset, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        items.push(view(state, caller, c).await?);
    }
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One client the caller relates to.
pub async fn read(state: &AppState, caller: &Caller, client_id: Uuid) -> Result<Client, ApiError> {
    if caller.role == Role::Accountant {
        return Err(ApiError::Forbidden);
    }
    caller.may_see_client(state, client_id).await?;
    let c = db::people::client(&state.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    view(state, caller, c).await
}

/// Whether the client has a PIN to confirm on an assistant's phone (staff only).
pub async fn has_pin(state: &AppState, caller: &Caller, client_id: Uuid) -> Result<bool, ApiError> {
    caller.require_staff()?;
    Ok(crate::db::people::client(&state.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .pin_hash
        .is_some())
}
