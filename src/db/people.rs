//! Queries over clients, decisions, suspensions, assistants, assignments and month sheets.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::domain::decision::Figures;

use super::entity::{
    assignments, assistants, clients, decisions, month_sheets, representatives, suspensions, users,
};

/// Inserts a full row.
pub async fn insert<C, A>(db: &C, model: impl IntoActiveModel<A>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    <A::Entity as EntityTrait>::insert(model.into_active_model())
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// Writes every column of an existing row.
pub async fn update<C, A>(db: &C, model: impl IntoActiveModel<A>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let active = model.into_active_model().reset_all();
    <A::Entity as EntityTrait>::update(active)
        .exec(db)
        .await
        .map(|_| ())
}

/// A page of a filtered, ordered select: the rows and the total count.
async fn page<C, E>(
    db: &C,
    select: sea_orm::Select<E>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: Sync,
{
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

fn like(fragment: &str) -> String {
    let escaped = fragment
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn client(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<clients::Model>, DbErr> {
    clients::Entity::find_by_id(id).one(db).await
}

pub struct ClientFilter {
    /// Folded search text (see `domain::text::search_fold`).
    pub q: Option<String>,
    pub active: Option<bool>,
    /// Only these clients (for callers who see some clients only).
    pub only: Option<Vec<Uuid>>,
}

pub async fn clients(
    db: &impl ConnectionTrait,
    filter: &ClientFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<clients::Model>, u64), DbErr> {
    let mut select = clients::Entity::find()
        .order_by_asc(clients::Column::SearchName)
        .order_by_asc(clients::Column::Id);
    if let Some(q) = &filter.q {
        select = select.filter(
            Expr::col(clients::Column::SearchName)
                .like(sea_orm::sea_query::LikeExpr::new(like(q)).escape('\\')),
        );
    }
    if let Some(active) = filter.active {
        select = select.filter(clients::Column::Active.eq(active));
    }
    if let Some(ids) = &filter.only {
        select = select.filter(clients::Column::Id.is_in(ids.clone()));
    }
    page(db, select, offset, limit).await
}

/// (user id, display name) of the client's representatives.
pub async fn representatives_of(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let links = representatives::Entity::find()
        .filter(representatives::Column::ClientId.eq(client_id))
        .all(db)
        .await?;
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = links.iter().map(|l| l.user_id).collect();
    let users = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::DisplayName)
        .all(db)
        .await?;
    Ok(users.into_iter().map(|u| (u.id, u.display_name)).collect())
}

pub async fn decision(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<decisions::Model>, DbErr> {
    decisions::Entity::find_by_id(id).one(db).await
}

/// Every version of every decision of the client, by series and version.
pub async fn decisions_of(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<decisions::Model>, DbErr> {
    decisions::Entity::find()
        .filter(decisions::Column::ClientId.eq(client_id))
        .order_by_asc(decisions::Column::ValidFrom)
        .order_by_asc(decisions::Column::SeriesId)
        .order_by_asc(decisions::Column::Version)
        .all(db)
        .await
}

pub async fn suspensions_of(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<suspensions::Model>, DbErr> {
    suspensions::Entity::find()
        .filter(suspensions::Column::ClientId.eq(client_id))
        .order_by_asc(suspensions::Column::StartsOn)
        .all(db)
        .await
}

pub async fn assistant(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<assistants::Model>, DbErr> {
    assistants::Entity::find_by_id(id).one(db).await
}

pub async fn assistants(
    db: &impl ConnectionTrait,
    q: Option<&str>,
    active: Option<bool>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<assistants::Model>, u64), DbErr> {
    let mut select = assistants::Entity::find()
        .order_by_asc(assistants::Column::SearchName)
        .order_by_asc(assistants::Column::Id);
    if let Some(q) = q {
        select = select.filter(
            Expr::col(assistants::Column::SearchName)
                .like(sea_orm::sea_query::LikeExpr::new(like(q)).escape('\\')),
        );
    }
    if let Some(active) = active {
        select = select.filter(assistants::Column::Active.eq(active));
    }
    page(db, select, offset, limit).await
}

pub async fn assignment(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<assignments::Model>, DbErr> {
    assignments::Entity::find_by_id(id).one(db).await
}

#[derive(Default)]
pub struct AssignmentFilter {
    pub assistant_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// Only assignments valid on this day.
    pub active_on: Option<NaiveDate>,
    /// Only assignments valid on some day from this one on.
    pub ending_not_before: Option<NaiveDate>,
}

pub async fn assignments(
    db: &impl ConnectionTrait,
    filter: &AssignmentFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<assignments::Model>, u64), DbErr> {
    let mut select = assignments::Entity::find()
        .order_by_asc(assignments::Column::ValidFrom)
        .order_by_asc(assignments::Column::Id);
    if let Some(id) = filter.assistant_id {
        select = select.filter(assignments::Column::AssistantId.eq(id));
    }
    if let Some(id) = filter.client_id {
        select = select.filter(assignments::Column::ClientId.eq(id));
    }
    if let Some(day) = filter.active_on {
        select = select
            .filter(assignments::Column::ValidFrom.lte(day))
            .filter(
                Condition::any()
                    .add(assignments::Column::ValidTo.is_null())
                    .add(assignments::Column::ValidTo.gte(day)),
            );
    }
    if let Some(day) = filter.ending_not_before {
        select = select.filter(
            Condition::any()
                .add(assignments::Column::ValidTo.is_null())
                .add(assignments::Column::ValidTo.gte(day)),
        );
    }
    page(db, select, offset, limit).await
}

/// True when the assistant has an assignment to the client that has not ended before `day`
/// (one in force, or one still to come).
pub async fn assigned_since(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    client_id: Uuid,
    day: NaiveDate,
) -> Result<bool, DbErr> {
    Ok(assignments::Entity::find()
        .filter(assignments::Column::AssistantId.eq(assistant_id))
        .filter(assignments::Column::ClientId.eq(client_id))
        .filter(
            Condition::any()
                .add(assignments::Column::ValidTo.is_null())
                .add(assignments::Column::ValidTo.gte(day)),
        )
        .count(db)
        .await?
        > 0)
}

/// The days each of the assistant's assignments to the client covers (`to` None: open-ended).
pub async fn assigned_days(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    client_id: Uuid,
) -> Result<Vec<(NaiveDate, Option<NaiveDate>)>, DbErr> {
    Ok(assignments::Entity::find()
        .filter(assignments::Column::AssistantId.eq(assistant_id))
        .filter(assignments::Column::ClientId.eq(client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.valid_from, a.valid_to))
        .collect())
}

/// Names of clients and assistants by id, for lists that show both.
pub async fn client_names(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(clients::Entity::find()
        .filter(clients::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

pub async fn assistant_names(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(assistants::Entity::find()
        .filter(assistants::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// The client's month sheets for the given months (`YYYY-MM`), those that exist.
pub async fn month_sheets(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    months: Vec<String>,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    month_sheets::Entity::find()
        .filter(month_sheets::Column::ClientId.eq(client_id))
        .filter(month_sheets::Column::Month.is_in(months))
        .all(db)
        .await
}

/// A decision row as the domain's resolution by day sees it.
pub fn figures(d: &decisions::Model) -> Figures {
    Figures {
        id: d.id,
        series_id: d.series_id,
        version: d.version,
        effective_from: d.effective_from,
        valid_from: d.valid_from,
        valid_to: d.valid_to,
        monthly_minutes: i64::from(d.monthly_minutes),
        purposes: parse_purposes(&d.purposes),
        service: *d.service,
        transport_allowed: d.transport_allowed,
        transport_cap_cents: d.transport_cap_cents,
    }
}

pub fn parse_purposes(stored: &Option<String>) -> Option<Vec<String>> {
    stored.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

/// How many clients there are (the demo seeds only an empty database).
pub async fn client_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    clients::Entity::find().count(db).await
}

/// The insurance status periods of these assistants (first day, status), each in date order;
/// an assistant without periods is absent (their stored status holds on every day).
pub async fn insurance_periods(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<(NaiveDate, mobile_api::InsuranceStatus)>>, DbErr> {
    use super::entity::insurance_periods as periods;
    let mut out: std::collections::HashMap<Uuid, Vec<(NaiveDate, mobile_api::InsuranceStatus)>> =
        Default::default();
    for part in ids.chunks(5_000) {
        for p in periods::Entity::find()
            .filter(periods::Column::AssistantId.is_in(part.to_vec()))
            .order_by_asc(periods::Column::EffectiveFrom)
            .all(db)
            .await?
        {
            out.entry(p.assistant_id)
                .or_default()
                .push((p.effective_from, *p.status));
        }
    }
    Ok(out)
}

/// Records an assistant's insurance status from `from` on (replacing one recorded for that
/// very day). The first change also records the status held before, from `since`, so that the
/// days before the change keep it.
pub async fn record_insurance(
    db: &impl ConnectionTrait,
    assistant: &assistants::Model,
    (status, from): (mobile_api::InsuranceStatus, NaiveDate),
    since: NaiveDate,
    by: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    use super::entity::insurance_periods as periods;
    let row = |status: mobile_api::InsuranceStatus, day: NaiveDate| periods::Model {
        id: Uuid::now_v7(),
        assistant_id: assistant.id,
        status: status.into(),
        effective_from: day,
        created_by: by,
        created_at: now,
    };
    let known = periods::Entity::find()
        .filter(periods::Column::AssistantId.eq(assistant.id))
        .count(db)
        .await?;
    if known == 0 && from > since {
        insert(db, row(*assistant.insurance_status, since)).await?;
    }
    periods::Entity::delete_many()
        .filter(periods::Column::AssistantId.eq(assistant.id))
        .filter(periods::Column::EffectiveFrom.eq(from))
        .exec(db)
        .await?;
    insert(db, row(status, from)).await
}

/// Each client's decision versions as the rules read them, in order of validity, series and
/// version: of `clients` (a few thousand ids a query), or of every client.
pub async fn figures_by_client(
    db: &impl ConnectionTrait,
    clients: Option<&[Uuid]>,
) -> Result<std::collections::HashMap<Uuid, Vec<Figures>>, DbErr> {
    let parts: Vec<Option<&[Uuid]>> = match clients {
        None => vec![None],
        Some(ids) => ids.chunks(5_000).map(Some).collect(),
    };
    let mut out: std::collections::HashMap<Uuid, Vec<Figures>> = Default::default();
    for part in parts {
        let mut select = decisions::Entity::find()
            .order_by_asc(decisions::Column::ValidFrom)
            .order_by_asc(decisions::Column::SeriesId)
            .order_by_asc(decisions::Column::Version);
        if let Some(ids) = part {
            select = select.filter(decisions::Column::ClientId.is_in(ids.to_vec()));
        }
        for d in select.all(db).await? {
            out.entry(d.client_id).or_default().push(figures(&d));
        }
    }
    Ok(out)
}
