//! Assignments: which assistant serves which client, for which service and period.

use chrono::NaiveDate;
use mobile_api::people::{Assignment, AssignmentCreate, AssignmentUpdate};
use mobile_api::{Page, Role};
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::people::{assignment_changed, assignment_snapshot};
use crate::db::entity::assignments;
use crate::db::{self, TransactionTrait, audit};
use crate::error::ApiError;

fn periods_overlap(
    a_from: NaiveDate,
    a_to: Option<NaiveDate>,
    b_from: NaiveDate,
    b_to: Option<NaiveDate>,
) -> bool {
    a_to.is_none_or(|t| t >= b_from) && b_to.is_none_or(|t| t >= a_from)
}

/// Refuses a second assignment of the same pair and service for overlapping periods.
async fn check_unique(txn: &impl crate::db::Conn, a: &assignments::Model) -> Result<(), ApiError> {
    let filter = db::people::AssignmentFilter {
        assistant_id: Some(a.assistant_id),
        client_id: Some(a.client_id),
        ..Default::default()
    };
    let (rows, _) = db::people::assignments(txn, &filter, 0, 10_000).await?;
    if let Some(other) = rows.iter().find(|o| {
        o.id != a.id
            && o.service == a.service
            && periods_overlap(o.valid_from, o.valid_to, a.valid_from, a.valid_to)
    }) {
        return Err(ApiError::conflict(
            "already_exists",
            json!({ "assignment_id": other.id }),
        ));
    }
    Ok(())
}

/// Assigns an assistant to a client; a second assignment of the pair and service for
/// overlapping periods is a conflict.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &AssignmentCreate,
) -> Result<assignments::Model, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let model = create_in(&txn, caller, body, now).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`create`] inside the caller's transaction (a client enrolled in one form).
pub async fn create_in(
    txn: &crate::db::Txn,
    caller: &Caller,
    body: &AssignmentCreate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<assignments::Model, ApiError> {
    if body.valid_to.is_some_and(|to| to < body.valid_from) {
        return Err(ApiError::invalid("valid_to", "period_reversed"));
    }
    db::people::assistant(txn, body.assistant_id)
        .await?
        .ok_or_else(|| ApiError::invalid("assistant_id", "unknown"))?;
    db::people::client(txn, body.client_id)
        .await?
        .ok_or_else(|| ApiError::invalid("client_id", "unknown"))?;
    let model = assignments::Model {
        id: Uuid::now_v7(),
        assistant_id: body.assistant_id,
        client_id: body.client_id,
        service: body.service.into(),
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        relative: body.relative.unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    check_unique(txn, &model).await?;
    super::people::add_assignment(txn, &model, Some(caller.user_id), now).await?;
    Ok(model)
}

/// Ends an assignment (or moves its end), or marks the assistant a relative of the client.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &AssignmentUpdate,
) -> Result<assignments::Model, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::assignment(&txn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut a = before.clone();
    if let Some(valid_to) = body.valid_to {
        if valid_to.is_some_and(|to| to < a.valid_from) {
            return Err(ApiError::invalid("valid_to", "period_reversed"));
        }
        a.valid_to = valid_to;
    }
    if let Some(relative) = body.relative {
        a.relative = relative;
    }
    a.updated_at = now;
    check_unique(&txn, &a).await?;
    db::people::update(&txn, a.clone()).await?;
    assignment_changed(&txn, &a, now).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "assignment_updated",
            subject_kind: "assignment",
            subject_id: id.to_string(),
            client_id: Some(a.client_id),
            before: Some(assignment_snapshot(&before)),
            after: Some(assignment_snapshot(&a)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

/// Assignments as their readers see them, with the names of whom they join.
pub async fn views(
    state: &AppState,
    rows: Vec<assignments::Model>,
) -> Result<Vec<Assignment>, ApiError> {
    let clients =
        db::people::client_names(&state.db, rows.iter().map(|a| a.client_id).collect()).await?;
    let assistants =
        db::people::assistant_names(&state.db, rows.iter().map(|a| a.assistant_id).collect())
            .await?;
    let name = |list: &[(Uuid, String)], id: Uuid| {
        list.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|a| Assignment {
            id: a.id,
            assistant_name: name(&assistants, a.assistant_id),
            assistant_id: a.assistant_id,
            client_name: name(&clients, a.client_id),
            client_id: a.client_id,
            service: *a.service,
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            relative: a.relative,
            created_at: a.created_at,
        })
        .collect())
}

/// One assignment as its readers see it.
pub async fn view(state: &AppState, a: assignments::Model) -> Result<Assignment, ApiError> {
    let mut one = views(state, vec![a]).await?;
    one.pop()
        .ok_or_else(|| ApiError::Internal("an assignment lost its view".into()))
}

/// A page of assignments, filtered by (assistant, client, valid on a day): staff see all; an
/// assistant sees their own.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    (assistant_id, client_id, active_on): (Option<Uuid>, Option<Uuid>, Option<NaiveDate>),
    (offset, limit): (u64, u64),
) -> Result<Page<Assignment>, ApiError> {
    let assistant_id = match caller.role {
        Role::Coordinator | Role::Admin => assistant_id,
        Role::Assistant => {
            if assistant_id.is_some_and(|a| Some(a) != caller.assistant_id) {
                return Err(ApiError::Forbidden);
            }
            Some(caller.assistant_id.ok_or(ApiError::Forbidden)?)
        }
        _ => return Err(ApiError::Forbidden),
    };
    let filter = db::people::AssignmentFilter {
        assistant_id,
        client_id,
        active_on,
        ending_not_before: None,
    };
    let (rows, total) = db::people::assignments(&state.db, &filter, offset, limit).await?;
    Ok(Page {
        items: views(state, rows).await?,
        total,
        offset,
        limit,
    })
}

/// One assignment: staff, or its assistant (404 for anyone else).
pub async fn read(state: &AppState, caller: &Caller, id: Uuid) -> Result<Assignment, ApiError> {
    let a = db::people::assignment(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !caller.is_staff() && caller.assistant_id != Some(a.assistant_id) {
        return Err(ApiError::NotFound);
    }
    view(state, a).await
}
