//! A client's month as a whole: its state (SPEC §5). Here: the assistant's submission.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::entity::{assignments, entries, month_disputes, month_sheets};
use super::entries::{WriteError, lock, record_months};
use super::{audit, people};
use crate::domain::ledger::Actor;
use crate::domain::month::{Refused, Step, next};
use crate::domain::rules::{self, Refusal, day_of};
use crate::domain::time::Month;
use mobile_api::{EntryStatus, ErrorCode, MonthState};

/// The state after `step`, or the refusal as an error with the month's figures.
fn step(sheet: &month_sheets::Model, step: Step) -> Result<MonthState, WriteError> {
    let details = json!({ "month": sheet.month, "state": sheet.state });
    next(*sheet.state, step).or_else(|why| match why {
        Refused::Locked => refused(ErrorCode::MonthLocked, details),
        Refused::WrongState => refused(ErrorCode::MonthState, details),
        Refused::ReasonRequired => refused(
            ErrorCode::ValidationFailed,
            json!({ "field": "reason", "reason": "required" }),
        ),
    })
}

fn refused<T>(code: ErrorCode, details: serde_json::Value) -> Result<T, WriteError> {
    Err(WriteError::Refused(Refusal { code, details }))
}

/// The assistant hands in the month's record: `open` → `submitted`. Submitting again, or a month
/// already disputed, changes nothing; a confirmed, approved or closed month is `month_locked`.
pub async fn submit(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    assistant_id: Option<Uuid>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    if people::client(db, client_id).await?.is_none() {
        return refused(ErrorCode::NotAssigned, json!({}));
    }
    if let Some(assistant_id) = assistant_id {
        let assigned = assignments::Entity::find()
            .filter(assignments::Column::AssistantId.eq(assistant_id))
            .filter(assignments::Column::ClientId.eq(client_id))
            .filter(assignments::Column::ValidFrom.lte(month.last_day()))
            .all(db)
            .await?
            .iter()
            .any(|a| a.valid_to.is_none_or(|to| to >= month.first_day()));
        if !assigned {
            return refused(
                ErrorCode::NotAssigned,
                json!({ "month": month.to_string() }),
            );
        }
    }
    if month.first_day() > day_of(now) {
        return refused(ErrorCode::InFuture, json!({ "month": month.to_string() }));
    }
    let sheets = lock(
        db,
        assistant_id.unwrap_or(client_id),
        client_id,
        &[month],
        now,
    )
    .await?;
    let Some(sheet) = sheets.into_iter().next() else {
        return Err(WriteError::NotFound);
    };
    let state = step(&sheet, Step::Submit)?;
    if sheet.state == state {
        return Ok(sheet);
    }
    let mut submitted = sheet.clone();
    submitted.state = state.into();
    submitted.submitted_at = Some(now);
    submitted.submitted_by = Some(actor.user_id);
    submitted.version += 1;
    submitted.updated_at = now;
    people::update(db, submitted.clone()).await?;
    record_months(db, client_id, &[month], now).await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action: "month_submitted",
            subject_kind: "month",
            subject_id: format!("{client_id}/{month}"),
            client_id: Some(client_id),
            before: Some(json!({ "state": sheet.state })),
            after: Some(json!({ "state": MonthState::Submitted })),
        },
    )
    .await?;
    Ok(submitted)
}

/// The month's sheet, locked for the change (created open if it does not exist yet).
async fn locked_sheet(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    if people::client(db, client_id).await?.is_none() {
        return Err(WriteError::NotFound);
    }
    lock(db, client_id, client_id, &[month], now)
        .await?
        .into_iter()
        .next()
        .ok_or(WriteError::NotFound)
}

/// The month's live entries (active or waiting for review): what a client confirms.
pub async fn live_entries(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
) -> Result<Vec<entries::Model>, sea_orm::DbErr> {
    let filter = super::entries::EntryFilter {
        client_id: Some(client_id),
        month: Some(month),
        ..Default::default()
    };
    let (rows, _) = super::entries::list(db, &filter, 0, 100_000).await?;
    Ok(rows
        .into_iter()
        .filter(|e| rules::is_live(*e.status))
        .collect())
}

async fn save_sheet(
    db: &impl ConnectionTrait,
    before: &month_sheets::Model,
    after: month_sheets::Model,
    action: &str,
    actor: Actor,
    extra: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    people::update(db, after.clone()).await?;
    let month = Month::parse(&after.month).ok_or(WriteError::NotFound)?;
    record_months(db, after.client_id, &[month], now).await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action,
            subject_kind: "month",
            subject_id: format!("{}/{}", after.client_id, after.month),
            client_id: Some(after.client_id),
            before: Some(json!({ "state": before.state, "version": before.version })),
            after: Some(
                json!({ "state": after.state, "version": after.version, "details": extra }),
            ),
        },
    )
    .await?;
    Ok(after)
}

/// The client (or representative) confirms exactly the entries and versions they saw; any entry
/// missing, extra or changed refuses it with `stale_version`. Open disputes count as resolved.
pub async fn confirm(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    seen: &[(Uuid, i32)],
    confirmed_as: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    let sheet = locked_sheet(db, client_id, month, now).await?;
    let state = step(&sheet, Step::Confirm)?;
    let live = live_entries(db, client_id, month).await?;
    let missing: Vec<Uuid> = live
        .iter()
        .filter(|e| !seen.iter().any(|(id, _)| *id == e.id))
        .map(|e| e.id)
        .collect();
    let unknown: Vec<Uuid> = seen
        .iter()
        .filter(|(id, _)| !live.iter().any(|e| e.id == *id))
        .map(|(id, _)| *id)
        .collect();
    let changed: Vec<serde_json::Value> = live
        .iter()
        .filter_map(|e| {
            let (_, v) = seen.iter().find(|(id, _)| *id == e.id)?;
            (*v != e.version)
                .then(|| json!({ "id": e.id, "version": e.version, "seen_version": v }))
        })
        .collect();
    if !missing.is_empty() || !unknown.is_empty() || !changed.is_empty() || seen.len() != live.len()
    {
        return refused(
            ErrorCode::StaleVersion,
            json!({ "missing": missing, "unexpected": unknown, "changed": changed }),
        );
    }
    month_disputes::Entity::update_many()
        .col_expr(
            month_disputes::Column::ResolvedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            month_disputes::Column::Resolution,
            sea_orm::sea_query::Expr::value("confirmed after correction"),
        )
        .filter(month_disputes::Column::ClientId.eq(client_id))
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .filter(month_disputes::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    let mut after = sheet.clone();
    after.state = state.into();
    after.confirmed_at = Some(now);
    after.confirmed_by = Some(actor.user_id);
    after.confirmed_as = Some(confirmed_as.into());
    after.version += 1;
    after.updated_at = now;
    save_sheet(
        db,
        &sheet,
        after,
        "month_confirmed",
        actor,
        json!({ "as": confirmed_as, "entries": seen.len() }),
        now,
    )
    .await
}

/// The client disputes single entries with reasons; the assistants see it in their pull.
pub async fn dispute(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    items: &[(Uuid, String)],
    comment: Option<String>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    let sheet = locked_sheet(db, client_id, month, now).await?;
    let state = step(&sheet, Step::Dispute)?;
    let live = live_entries(db, client_id, month).await?;
    for (i, (id, reason)) in items.iter().enumerate() {
        let Some(entry) = live.iter().find(|e| e.id == *id) else {
            return refused(
                ErrorCode::ValidationFailed,
                json!({ "field": format!("entries[{i}].id"), "reason": "unknown" }),
            );
        };
        month_disputes::Entity::insert(month_disputes::ActiveModel {
            id: sea_orm::Set(Uuid::now_v7()),
            client_id: sea_orm::Set(client_id),
            month: sea_orm::Set(month.to_string()),
            entry_id: sea_orm::Set(*id),
            reason: sea_orm::Set(reason.clone()),
            comment: sea_orm::Set(comment.clone()),
            raised_by: sea_orm::Set(actor.user_id),
            raised_at: sea_orm::Set(now),
            resolved_at: sea_orm::Set(None),
            resolution: sea_orm::Set(None),
        })
        .exec_without_returning(db)
        .await?;
        let data = json!({ "client_id": client_id, "month": month.to_string(), "entry_id": id, "reason": reason, "comment": comment });
        let scope = super::changes::Scope {
            client_id: Some(client_id),
            assistant_id: Some(entry.assistant_id),
            user_id: None,
        };
        super::changes::record(db, "dispute", "raised", id.to_string(), scope, &data, now).await?;
    }
    let mut after = sheet.clone();
    after.state = state.into();
    after.version += 1;
    after.updated_at = now;
    save_sheet(
        db,
        &sheet,
        after,
        "month_disputed",
        actor,
        json!({ "entries": items.len(), "comment": comment }),
        now,
    )
    .await
}

/// A coordinator approves the month; without the client's confirmation only with a reason, which
/// the statement shows. Late entries must be reviewed first.
pub async fn approve(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    reason: Option<String>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    let sheet = locked_sheet(db, client_id, month, now).await?;
    let state = step(
        &sheet,
        Step::Approve {
            with_reason: reason.is_some(),
        },
    )?;
    let pending = live_entries(db, client_id, month)
        .await?
        .iter()
        .filter(|e| e.status == EntryStatus::PendingReview)
        .count();
    if pending > 0 {
        return refused(
            ErrorCode::MonthState,
            json!({ "month": sheet.month, "state": sheet.state, "pending_review": pending }),
        );
    }
    let mut after = sheet.clone();
    after.state = state.into();
    after.approved_at = Some(now);
    after.approved_by = Some(actor.user_id);
    after.approval_reason = reason.clone();
    after.version += 1;
    after.updated_at = now;
    save_sheet(
        db,
        &sheet,
        after,
        "month_approved",
        actor,
        json!({ "reason": reason }),
        now,
    )
    .await
}

/// A coordinator reopens the month (with a reason): its entries can change again.
pub async fn reopen(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    reason: String,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    let sheet = locked_sheet(db, client_id, month, now).await?;
    let state = step(&sheet, Step::Reopen)?;
    let mut after = sheet.clone();
    after.state = state.into();
    after.confirmed_at = None;
    after.confirmed_by = None;
    after.confirmed_as = None;
    after.approved_at = None;
    after.approved_by = None;
    after.approval_reason = None;
    after.version += 1;
    after.updated_at = now;
    save_sheet(
        db,
        &sheet,
        after,
        "month_reopened",
        actor,
        json!({ "reason": reason }),
        now,
    )
    .await
}

/// Disputes of a month, newest last.
pub async fn disputes(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
) -> Result<Vec<month_disputes::Model>, sea_orm::DbErr> {
    use sea_orm::QueryOrder;
    month_disputes::Entity::find()
        .filter(month_disputes::Column::ClientId.eq(client_id))
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .order_by_asc(month_disputes::Column::RaisedAt)
        .all(db)
        .await
}

/// (client, month) of every month sheet still `open` before `month`.
pub async fn open_before(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<Vec<(Uuid, Month)>, sea_orm::DbErr> {
    Ok(month_sheets::Entity::find()
        .filter(month_sheets::Column::State.eq(MonthState::Open.as_str()))
        .filter(month_sheets::Column::Month.lt(month.to_string()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.client_id, Month::parse(&s.month)?)))
        .collect())
}
