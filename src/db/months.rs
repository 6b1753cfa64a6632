//! A client's month as stored: its sheet, locked for a step and saved after it, its live
//! entries, its disputes. The steps themselves are `service::months`'.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::entity::{assignments, entries, month_disputes, month_sheets};
use super::entries::{lock, record_months};
use super::{audit, people};
use crate::domain::ledger::Actor;
use crate::domain::rules;
use crate::domain::time::Month;
use mobile_api::MonthState;

/// The earliest month any client has not closed yet (entries exist only in months with a
/// sheet); None when every month is closed.
pub async fn earliest_unclosed(db: &impl ConnectionTrait) -> Result<Option<Month>, DbErr> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Expr, Func};
    let first: Option<Option<String>> = month_sheets::Entity::find()
        .select_only()
        .expr(Func::min(Expr::col(month_sheets::Column::Month)))
        .filter(month_sheets::Column::State.ne(MonthState::Closed.as_str()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(first.flatten().and_then(|m| Month::parse(&m)))
}

/// Marks the closed client-months of `from`'s month and later as changed since their statements
/// were sent (a rate recorded for their days after the close): the next close carries the
/// difference in pay as a correction. Returns how many.
pub async fn closed_pay_changed(
    db: &impl ConnectionTrait,
    from: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let done = month_sheets::Entity::update_many()
        .col_expr(
            month_sheets::Column::Version,
            Expr::col(month_sheets::Column::Version).add(1),
        )
        .col_expr(month_sheets::Column::UpdatedAt, Expr::value(now))
        .filter(month_sheets::Column::State.eq(MonthState::Closed.as_str()))
        .filter(month_sheets::Column::Month.gte(Month::of(from).to_string()))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Whether the assistant is assigned to the client on some day of the month.
pub async fn assigned_in(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    client_id: Uuid,
    month: Month,
) -> Result<bool, DbErr> {
    Ok(assignments::Entity::find()
        .filter(assignments::Column::AssistantId.eq(assistant_id))
        .filter(assignments::Column::ClientId.eq(client_id))
        .filter(assignments::Column::ValidFrom.lte(month.last_day()))
        .all(db)
        .await?
        .iter()
        .any(|a| a.valid_to.is_none_or(|to| to >= month.first_day())))
}

/// The client's month sheet, locked for a step (created open if it does not exist yet), under
/// `key`'s lock too (an assistant's, or the client's); None when the client does not exist.
pub async fn locked_sheet(
    db: &impl ConnectionTrait,
    key: Uuid,
    client_id: Uuid,
    month: Month,
    now: DateTime<Utc>,
) -> Result<Option<month_sheets::Model>, DbErr> {
    if people::client(db, client_id).await?.is_none() {
        return Ok(None);
    }
    Ok(lock(db, key, client_id, &[month], now)
        .await?
        .into_iter()
        .next())
}

/// The month's live entries (active or waiting for review): what a client confirms.
pub async fn live_entries(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
) -> Result<Vec<entries::Model>, DbErr> {
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

/// Stores a month's step: the sheet as it is after it, the month's change for the phones, and
/// the audit record (`action`, with `extra` details).
pub async fn save_step(
    db: &impl ConnectionTrait,
    before: &month_sheets::Model,
    after: &month_sheets::Model,
    action: &'static str,
    actor: Actor,
    extra: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    people::update(db, after.clone()).await?;
    let month = Month::parse(&after.month)
        .ok_or_else(|| DbErr::Custom(format!("a stored month reads {}", after.month)))?;
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
    .await
}

/// Marks the month's open disputes resolved, with `resolution`.
pub async fn resolve_disputes(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    resolution: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    month_disputes::Entity::update_many()
        .col_expr(
            month_disputes::Column::ResolvedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            month_disputes::Column::Resolution,
            sea_orm::sea_query::Expr::value(resolution),
        )
        .filter(month_disputes::Column::ClientId.eq(client_id))
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .filter(month_disputes::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Marks one open dispute of the month resolved, with `resolution`, and records the change that
/// tells the entry's assistant; `None` if there is no open dispute of that entry.
pub async fn resolve_dispute(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
    entry: &entries::Model,
    resolution: &str,
    now: DateTime<Utc>,
) -> Result<Option<month_disputes::Model>, DbErr> {
    let open = month_disputes::Entity::find()
        .filter(month_disputes::Column::ClientId.eq(client_id))
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .filter(month_disputes::Column::EntryId.eq(entry.id))
        .filter(month_disputes::Column::ResolvedAt.is_null())
        .one(db)
        .await?;
    let Some(open) = open else {
        return Ok(None);
    };
    let mut done: month_disputes::ActiveModel = open.clone().into();
    done.resolved_at = sea_orm::Set(Some(now));
    done.resolution = sea_orm::Set(Some(resolution.to_owned()));
    sea_orm::ActiveModelTrait::update(done, db).await?;
    let data = json!({
        "client_id": client_id, "month": month.to_string(), "entry_id": entry.id,
        "resolution": resolution,
    });
    let scope = super::changes::Scope {
        client_id: Some(client_id),
        assistant_id: Some(entry.assistant_id),
        user_id: None,
    };
    super::changes::record(
        db,
        "dispute",
        "resolved",
        entry.id.to_string(),
        scope,
        &data,
        now,
    )
    .await?;
    Ok(Some(open))
}

/// Records a client's dispute of one entry, and the change that shows it to the entry's
/// assistant.
pub async fn raise_dispute(
    db: &impl ConnectionTrait,
    entry: &entries::Model,
    month: Month,
    reason: &str,
    comment: Option<&str>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    month_disputes::Entity::insert(month_disputes::ActiveModel {
        id: sea_orm::Set(Uuid::now_v7()),
        client_id: sea_orm::Set(entry.client_id),
        month: sea_orm::Set(month.to_string()),
        entry_id: sea_orm::Set(entry.id),
        reason: sea_orm::Set(reason.to_owned()),
        comment: sea_orm::Set(comment.map(str::to_owned)),
        raised_by: sea_orm::Set(actor.user_id),
        raised_at: sea_orm::Set(now),
        resolved_at: sea_orm::Set(None),
        resolution: sea_orm::Set(None),
        entry_version: sea_orm::Set(Some(entry.version)),
    })
    .exec_without_returning(db)
    .await?;
    let data = json!({
        "client_id": entry.client_id, "month": month.to_string(), "entry_id": entry.id,
        "reason": reason, "comment": comment,
    });
    let scope = super::changes::Scope {
        client_id: Some(entry.client_id),
        assistant_id: Some(entry.assistant_id),
        user_id: None,
    };
    let id = entry.id.to_string();
    super::changes::record(db, "dispute", "raised", id, scope, &data, now).await
}

/// Disputes nobody has resolved yet, oldest first, at most `limit`.
pub async fn open_disputes(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<month_disputes::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    month_disputes::Entity::find()
        .filter(month_disputes::Column::ResolvedAt.is_null())
        .order_by_asc(month_disputes::Column::RaisedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Disputes of a month, newest last.
pub async fn disputes(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
) -> Result<Vec<month_disputes::Model>, DbErr> {
    use sea_orm::QueryOrder;
    month_disputes::Entity::find()
        .filter(month_disputes::Column::ClientId.eq(client_id))
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .order_by_asc(month_disputes::Column::RaisedAt)
        .order_by_asc(month_disputes::Column::Id)
        .all(db)
        .await
}

/// (client, month) of every month sheet still `open` before `month`.
pub async fn open_before(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<Vec<(Uuid, Month)>, DbErr> {
    Ok(month_sheets::Entity::find()
        .filter(month_sheets::Column::State.eq(MonthState::Open.as_str()))
        .filter(month_sheets::Column::Month.lt(month.to_string()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.client_id, Month::parse(&s.month)?)))
        .collect())
}

/// What the month overview shows of every client, in three queries: each client's sheet of
/// `month`, how many of their disputes of it are open, and how many of their sessions touching
/// it wait for review.
pub struct Overview {
    /// Each client's (name) in the order of their names: every client. Their decisions are
    /// read apart (`people::figures_by_client`), only for the clients whose row needs them.
    pub clients: Vec<(Uuid, String)>,
    /// Each client's sheet of the month: its state and minutes used.
    pub sheets: std::collections::HashMap<Uuid, (super::Stored<MonthState>, i64)>,
    pub open_disputes: std::collections::HashMap<Uuid, i64>,
    pub pending_review: std::collections::HashMap<Uuid, i64>,
}

pub async fn overview(db: &impl ConnectionTrait, month: Month) -> Result<Overview, DbErr> {
    use crate::domain::time::riga_midnight;
    use sea_orm::{QueryOrder, QuerySelect};
    // Only the columns the overview shows: a country's rows are read on every call.
    let clients: Vec<(Uuid, String)> = super::entity::clients::Entity::find()
        .select_only()
        .column(super::entity::clients::Column::Id)
        .column(super::entity::clients::Column::Name)
        .order_by_asc(super::entity::clients::Column::SearchName)
        .order_by_asc(super::entity::clients::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let sheets: Vec<(Uuid, super::Stored<MonthState>, i64)> = month_sheets::Entity::find()
        .select_only()
        .column(month_sheets::Column::ClientId)
        .column(month_sheets::Column::State)
        .column(month_sheets::Column::UsedMinutes)
        .filter(month_sheets::Column::Month.eq(month.to_string()))
        .into_tuple()
        .all(db)
        .await?;
    let sheets = sheets
        .into_iter()
        .map(|(client, state, used)| (client, (state, used)))
        .collect();
    let open_disputes: Vec<(Uuid, i64)> = month_disputes::Entity::find()
        .select_only()
        .column(month_disputes::Column::ClientId)
        .column_as(month_disputes::Column::Id.count(), "n")
        .filter(month_disputes::Column::Month.eq(month.to_string()))
        .filter(month_disputes::Column::ResolvedAt.is_null())
        .group_by(month_disputes::Column::ClientId)
        .into_tuple()
        .all(db)
        .await?;
    let (from, to) = (
        riga_midnight(month.first_day()).timestamp(),
        riga_midnight(month.next().first_day()).timestamp(),
    );
    // A literal, not a bound value: the partial index `entries_pending_review` is used only
    // when the query names its state as the index does; counted here, not grouped in SQL (the
    // grouping makes SQLite walk every session by client instead).
    let waiting: Vec<Uuid> = entries::Entity::find()
        .select_only()
        .column(entries::Column::ClientId)
        .filter(sea_orm::sea_query::Expr::cust("status = 'pending_review'"))
        .filter(entries::Column::StartUtc.lt(to))
        .filter(entries::Column::EndUtc.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    let mut pending_review = std::collections::HashMap::new();
    for client in waiting {
        *pending_review.entry(client).or_insert(0) += 1;
    }
    Ok(Overview {
        clients,
        sheets,
        open_disputes: open_disputes.into_iter().collect(),
        pending_review,
    })
}
