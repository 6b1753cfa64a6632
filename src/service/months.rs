//! A client's month: who confirms it, and as whom.

use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db;
use crate::domain::time::Month;
use crate::error::ApiError;
use mobile_api::Role;

/// How a client's or representative's confirmation is recorded: `client`, `representative`, or
/// `representative_also_assistant` when the representative worked sessions of that month.
pub async fn confirmed_as(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    month: Month,
) -> Result<&'static str, ApiError> {
    caller.may_see_client(state, client_id).await?;
    if caller.role == Role::Client {
        return Ok("client");
    }
    let user = db::session::user(&state.db, caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let worked = match user.assistant_id {
        Some(a) => db::months::live_entries(&state.db, client_id, month)
            .await?
            .iter()
            .any(|e| e.assistant_id == a),
        None => false,
    };
    Ok(if worked {
        "representative_also_assistant"
    } else {
        "representative"
    })
}
