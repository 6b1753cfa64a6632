//! A client's month as a whole: its state (SPEC §5). Here: the assistant's submission.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::entity::{assignments, month_sheets};
use super::entries::{Actor, WriteError, lock, record_months};
use super::{audit, people};
use crate::domain::rules::{Refusal, day_of, is_locked};
use crate::domain::time::Month;
use mobile_api::ErrorCode;

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
    if is_locked(&sheet.state) {
        return refused(
            ErrorCode::MonthLocked,
            json!({ "month": sheet.month, "state": sheet.state }),
        );
    }
    if sheet.state != "open" {
        return Ok(sheet);
    }
    let mut submitted = sheet.clone();
    submitted.state = "submitted".into();
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
            after: Some(json!({ "state": "submitted" })),
        },
    )
    .await?;
    Ok(submitted)
}
