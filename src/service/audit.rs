//! Reading the audit log: pages of it for staff, and the check of its hash chain.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db;
use crate::error::ApiError;

pub use crate::db::audit::Verdict;

/// One record as staff read it.
pub struct Record {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub client_id: Option<Uuid>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A page of the log, newest first, before record `before`; with how many records the client has
/// when the page is of one client.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    client_id: Option<Uuid>,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<Record>, Option<u64>), ApiError> {
    caller.require_staff()?;
    let (rows, total) = db::audit::page(&state.db, client_id, before, limit.clamp(1, 500)).await?;
    let rows = rows
        .into_iter()
        .map(|r| Record {
            id: r.id,
            at: r.at,
            actor: r.actor_user_id,
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            client_id: r.client_id,
            before: r.before,
            after: r.after,
        })
        .collect();
    Ok((rows, total))
}

/// Recomputes the whole chain: intact, or the first record that was altered.
pub async fn verify(state: &AppState, caller: &Caller) -> Result<Verdict, ApiError> {
    caller.require_staff()?;
    Ok(db::audit::verify(&state.db).await?)
}
