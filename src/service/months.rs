//! A client's month through its life (SPEC §5): submit, confirm (also with the client's PIN on
//! the assistant's phone), dispute, approve, reopen; and as whom a confirmation is recorded.
//! The API and the clients' web page call the same steps.

use mobile_api::entries::Review;
use mobile_api::{Locale, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::entries::actor;
use crate::db::entries::Saved;
use crate::db::{self};
use crate::domain::text;
use crate::domain::time::Month;
use crate::error::ApiError;

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

/// The assistant (or a coordinator) hands in the month's record.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
) -> Result<(), ApiError> {
    let assistant = match caller.role {
        Role::Assistant => Some(caller.assistant_id.ok_or(ApiError::Forbidden)?),
        Role::Coordinator | Role::Admin => None,
        _ => return Err(ApiError::Forbidden),
    };
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::months::submit(txn, client_id, month, assistant, by, now)
            .await
            .map(|_| ())
    })
    .await
}

/// The client or a representative confirms exactly the entries and versions they saw (`seen`);
/// or, on the assistant's phone, the client with their PIN.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    seen: &[(Uuid, i32)],
    pin: Option<&str>,
) -> Result<(), ApiError> {
    let how = match caller.role {
        Role::Client | Role::Representative => {
            confirmed_as(state, caller, client_id, month).await?
        }
        Role::Assistant => {
            caller.may_see_client(state, client_id).await?;
            let pin = pin.ok_or_else(|| ApiError::invalid("pin", "required"))?;
            if !super::auth::check_pin(&state.env(), client_id, pin).await? {
                return Err(ApiError::invalid("pin", "out_of_range"));
            }
            "client_pin"
        }
        _ => return Err(ApiError::Forbidden),
    };
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::months::confirm(txn, client_id, month, seen, how, by, now)
            .await
            .map(|_| ())
    })
    .await
}

/// The client or a representative disputes single entries, each with a reason.
pub async fn dispute(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    entries: &[(Uuid, String)],
    comment: Option<&str>,
) -> Result<(), ApiError> {
    caller.require(&[Role::Client, Role::Representative])?;
    caller.may_see_client(state, client_id).await?;
    if entries.is_empty() {
        return Err(ApiError::invalid("entries", "empty"));
    }
    let mut items = Vec::with_capacity(entries.len());
    for (i, (id, why)) in entries.iter().enumerate() {
        items.push((*id, text::text(&format!("entries[{i}].reason"), why, 1000)?));
    }
    let comment = text::opt_text("comment", comment, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::months::dispute(txn, client_id, month, &items, comment, by, now)
            .await
            .map(|_| ())
    })
    .await
}

/// A coordinator approves the month; without the client's confirmation only with a reason.
pub async fn approve(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    let why = text::opt_text("reason", reason, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::months::approve(txn, client_id, month, why, by, now)
            .await
            .map(|_| ())
    })
    .await
}

/// A coordinator reopens the month, with a reason.
pub async fn reopen(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    let why = text::opt_text("reason", reason, 2000)?
        .ok_or_else(|| ApiError::invalid("reason", "required"))?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::months::reopen(txn, client_id, month, why, by, now)
            .await
            .map(|_| ())
    })
    .await
}

/// A coordinator's verdict on a late entry: approved it counts (the allowance checked again),
/// rejected it never does.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    entry_id: Uuid,
    body: &Review,
) -> Result<Saved, ApiError> {
    caller.require_staff()?;
    let approve = match body.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(ApiError::invalid_with(
                "decision",
                "out_of_range",
                serde_json::json!({ "allowed": ["approve", "reject"] }),
            ));
        }
    };
    let why = text::text("reason", &body.reason, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::ledger::review(txn, entry_id, approve, &why, by, now).await
    })
    .await
}
