//! Enrolling a client from one form: the client, their first decision, the assistant who starts
//! on the decision's first day, and a login, all or nothing.

use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::TransactionTrait;
use crate::error::ApiError;

/// What one form enrols: the client, their first decision, and optionally the assistant who
/// starts on the decision's first day and a login (the client's own, or a representative's).
pub struct Enrolment {
    pub client: mobile_api::people::ClientCreate,
    pub decision: mobile_api::people::DecisionCreate,
    pub assistant_id: Option<Uuid>,
    pub login: Option<mobile_api::people::UserCreate>,
}

/// Enrols a client from one form, all or nothing: the record, the decision, the assignment and
/// the login are written in one transaction, so a refusal of any part leaves nothing behind.
pub async fn enrol(state: &AppState, caller: &Caller, e: Enrolment) -> Result<Uuid, ApiError> {
    caller.require_staff()?;
    let now = state.clock.now();
    let client = super::people::client_model(state, &e.client, now)?;
    let hash = match &e.login {
        Some(l) => Some(super::auth::password_hash(&state.passwords, &l.password).await?),
        None => None,
    };
    let txn = state.db.begin().await?;
    super::people::add_client(&txn, &client, Some(caller.user_id), now).await?;
    super::decisions::create_in(&txn, caller, client.id, &e.decision, now).await?;
    if let Some(assistant_id) = e.assistant_id {
        let body = mobile_api::people::AssignmentCreate {
            assistant_id,
            client_id: client.id,
            service: e.decision.service,
            valid_from: e.decision.valid_from,
            valid_to: None,
            relative: None,
        };
        super::assignments::create_in(&txn, caller, &body, now).await?;
    }
    if let (Some(mut login), Some(hash)) = (e.login, hash) {
        match login.role {
            mobile_api::Role::Client => login.client_id = Some(client.id),
            _ => login.client_ids = Some(vec![client.id]),
        }
        super::users::create_in(&txn, caller, &login, hash, now).await?;
    }
    txn.commit().await?;
    Ok(client.id)
}
