//! Writing entries under the rules: lock, load the context, check, store — one transaction.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{assignments, entries, idempotency_keys, month_sheets, suspensions, trips};
use super::{audit, people, policy};
use crate::domain::rules::{
    self, Accepted, Assigned, Context, Finding, MonthUse, Neighbour, Proposed, Refusal, Suspended,
};
use crate::domain::time::{Month, month_parts, riga_midnight, session_days, week_parts};
use mobile_api::entries::{Entry, Trip, Warning};
use mobile_api::{ErrorCode, Locale, Service};

use super::changes::{self, Scope};
use crate::domain::decision;
use crate::i18n;

/// Statuses of entries that still stand (may count, may overlap).
pub const LIVE: [&str; 2] = ["active", "pending_review"];

/// An entry write, already parsed and checked for shape.
#[derive(Debug, Clone)]
pub struct Write {
    pub id: Uuid,
    pub client_id: Uuid,
    pub assistant_id: Uuid,
    pub purpose: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub place: String,
    pub note: Option<String>,
    pub trips: Vec<TripRow>,
    /// None creates; Some(v) edits version v.
    pub base_version: Option<i32>,
    pub device_time: Option<DateTime<Utc>>,
    /// A coordinator's correction of a closed month (SPEC §5 amendments).
    pub amendment: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TripRow {
    pub mode: String,
    pub from: String,
    pub to: String,
    pub distance_m: i32,
    pub cost_cents: i64,
}

/// Who writes.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Uuid,
    pub coordinator: bool,
}

impl Actor {
    /// The service itself (scheduled work); recorded with the nil user id.
    pub fn service() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            coordinator: true,
        }
    }
}

#[derive(Debug)]
pub enum WriteError {
    /// A rule refused it (SPEC §4).
    Refused(Refusal),
    /// The entry changed since `base_version`; here it is as it stands.
    Stale(Box<(entries::Model, Vec<trips::Model>)>),
    /// The entry does not exist (or is another client's or assistant's).
    NotFound,
    /// An entry with this id exists already and this was a create.
    Exists,
    Db(DbErr),
}

impl From<DbErr> for WriteError {
    fn from(e: DbErr) -> Self {
        WriteError::Db(e)
    }
}

/// A stored entry with its trips and its warnings (as found on this write).
pub struct Saved {
    pub entry: entries::Model,
    pub trips: Vec<trips::Model>,
    pub warnings: Vec<Finding>,
}

fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

pub fn instant(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

/// The entry's months and minutes in each (nothing for an entry that does not count).
fn counted_parts(e: &entries::Model) -> Vec<(Month, i64)> {
    if e.status == "active" {
        month_parts(instant(e.start_utc), instant(e.end_utc))
    } else {
        Vec::new()
    }
}

fn trip_cents(t: &[trips::Model]) -> i64 {
    t.iter().map(|t| t.cost_cents).sum()
}

/// Turns a UUID into the key of a PostgreSQL advisory lock.
fn lock_key(id: Uuid) -> i64 {
    let b = id.as_bytes();
    i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        ^ i64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
}

/// Serializes writers that could contend: one assistant's entries (overlaps and weekly totals
/// across clients), and each client-month touched (allowance, transport, client overlaps). On
/// SQLite the single writer connection already serializes them; on PostgreSQL an advisory lock
/// for the assistant, then the month-sheet rows `FOR UPDATE` in month order (so never a deadlock).
pub(super) async fn lock(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    client_id: Uuid,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    let postgres = super::is_postgres(db);
    if postgres {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "select pg_advisory_xact_lock($1)",
            [lock_key(assistant_id).into()],
        ))
        .await?;
    }
    let mut months: Vec<String> = months.iter().map(|m| m.to_string()).collect();
    months.sort();
    months.dedup();
    for month in &months {
        month_sheets::Entity::insert(month_sheets::ActiveModel {
            id: Set(Uuid::now_v7()),
            client_id: Set(client_id),
            month: Set(month.clone()),
            state: Set("open".into()),
            used_minutes: Set(0),
            transport_used_cents: Set(0),
            version: Set(1),
            submitted_at: Set(None),
            submitted_by: Set(None),
            confirmed_at: Set(None),
            confirmed_by: Set(None),
            confirmed_as: Set(None),
            approved_at: Set(None),
            approved_by: Set(None),
            approval_reason: Set(None),
            closed_at: Set(None),
            updated_at: Set(now),
            reported_version: Set(None),
        })
        .on_conflict(
            OnConflict::columns([month_sheets::Column::ClientId, month_sheets::Column::Month])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let mut select = month_sheets::Entity::find()
        .filter(month_sheets::Column::ClientId.eq(client_id))
        .filter(month_sheets::Column::Month.is_in(months))
        .order_by_asc(month_sheets::Column::Month);
    if postgres {
        select = select.lock_exclusive();
    }
    select.all(db).await
}

/// The first live entry of `column` = `id` overlapping `[start, end)`, other than `except`.
async fn overlapping(
    db: &impl ConnectionTrait,
    column: entries::Column,
    id: Uuid,
    start: i64,
    end: i64,
    except: Uuid,
) -> Result<Option<Neighbour>, DbErr> {
    Ok(entries::Entity::find()
        .filter(column.eq(id))
        .filter(entries::Column::Status.is_in(LIVE))
        .filter(entries::Column::Id.ne(except))
        .filter(entries::Column::StartUtc.lt(end))
        .filter(entries::Column::EndUtc.gt(start))
        .order_by_asc(entries::Column::StartUtc)
        .one(db)
        .await?
        .map(|e| Neighbour {
            id: e.id,
            start: instant(e.start_utc),
            end: instant(e.end_utc),
        }))
}

/// The assistant's live minutes (all clients) in each ISO week of `[start, end)`, without `except`.
async fn week_minutes(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Uuid,
) -> Result<Vec<((i32, u32), i64)>, DbErr> {
    let weeks: Vec<(i32, u32)> = week_parts(start, end).into_iter().map(|(w, _)| w).collect();
    // From the Monday of the first week to the Monday after the last.
    let (first_day, last_day) = session_days(start, end);
    let monday = first_day
        - Duration::days(i64::from(
            chrono::Datelike::weekday(&first_day).num_days_from_monday(),
        ));
    let next_monday = last_day
        + Duration::days(
            7 - i64::from(chrono::Datelike::weekday(&last_day).num_days_from_monday()),
        );
    let (from, to) = (
        riga_midnight(monday).timestamp(),
        riga_midnight(next_monday).timestamp(),
    );
    let rows = entries::Entity::find()
        .filter(entries::Column::AssistantId.eq(assistant_id))
        .filter(entries::Column::Status.is_in(LIVE))
        .filter(entries::Column::Id.ne(except))
        .filter(entries::Column::StartUtc.lt(to))
        .filter(entries::Column::EndUtc.gt(from))
        .all(db)
        .await?;
    let mut totals: Vec<((i32, u32), i64)> = weeks.into_iter().map(|w| (w, 0)).collect();
    for e in rows {
        for (w, m) in week_parts(instant(e.start_utc), instant(e.end_utc)) {
            if let Some((_, total)) = totals.iter_mut().find(|(k, _)| *k == w) {
                *total += m;
            }
        }
    }
    Ok(totals)
}

pub async fn entry(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<entries::Model>, DbErr> {
    entries::Entity::find_by_id(id).one(db).await
}

pub async fn trips_of(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<trips::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    trips::Entity::find()
        .filter(trips::Column::EntryId.is_in(ids))
        .order_by_asc(trips::Column::EntryId)
        .order_by_asc(trips::Column::Position)
        .all(db)
        .await
}

/// Adds `sign` × the entry's counted minutes and trip costs to its month sheets.
async fn count(
    db: &impl ConnectionTrait,
    e: &entries::Model,
    cents: i64,
    sign: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if e.status != "active" {
        return Ok(());
    }
    let start_month = Month::of(rules::day_of(instant(e.start_utc)));
    for (month, minutes) in counted_parts(e) {
        let transport = if month == start_month { cents } else { 0 };
        month_sheets::Entity::update_many()
            .col_expr(
                month_sheets::Column::UsedMinutes,
                Expr::col(month_sheets::Column::UsedMinutes).add(sign * minutes),
            )
            .col_expr(
                month_sheets::Column::TransportUsedCents,
                Expr::col(month_sheets::Column::TransportUsedCents).add(sign * transport),
            )
            .col_expr(
                month_sheets::Column::Version,
                Expr::col(month_sheets::Column::Version).add(1),
            )
            .col_expr(month_sheets::Column::UpdatedAt, Expr::value(now))
            .filter(month_sheets::Column::ClientId.eq(e.client_id))
            .filter(month_sheets::Column::Month.eq(month.to_string()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Bumps the version of the sheets of `months` (an entry that does not count changed there).
async fn touch(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    month_sheets::Entity::update_many()
        .col_expr(
            month_sheets::Column::Version,
            Expr::col(month_sheets::Column::Version).add(1),
        )
        .col_expr(month_sheets::Column::UpdatedAt, Expr::value(now))
        .filter(month_sheets::Column::ClientId.eq(client_id))
        .filter(month_sheets::Column::Month.is_in(months.iter().map(|m| m.to_string())))
        .exec(db)
        .await
        .map(|_| ())
}

pub fn snapshot(e: &entries::Model, t: &[trips::Model]) -> Value {
    json!({
        "client_id": e.client_id, "assistant_id": e.assistant_id, "purpose": e.purpose,
        "start_utc": e.start_utc, "end_utc": e.end_utc, "minutes": e.minutes, "place": e.place,
        "note": e.note, "status": e.status, "version": e.version,
        "trips": t.iter().map(|t| json!([t.mode, t.from_place, t.to_place, t.distance_m, t.cost_cents])).collect::<Vec<_>>(),
    })
}

/// Creates or edits an entry under every rule, in the caller's transaction.
pub async fn save(
    db: &impl ConnectionTrait,
    w: &Write,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    let (start, end) = (utc(w.start), utc(w.end));
    let existing = entry(db, w.id).await?;
    let old = match (&existing, w.base_version) {
        (Some(_), None) => return Err(WriteError::Exists),
        (None, Some(_)) => return Err(WriteError::NotFound),
        (Some(e), Some(_)) if e.status == "deleted" || e.status == "rejected" => {
            return Err(WriteError::NotFound);
        }
        (Some(e), Some(_)) if e.client_id != w.client_id || e.assistant_id != w.assistant_id => {
            return Err(WriteError::NotFound);
        }
        (Some(e), Some(v)) if e.version != v => {
            let t = trips_of(db, vec![e.id]).await?;
            return Err(WriteError::Stale(Box::new((e.clone(), t))));
        }
        (old, _) => old.clone(),
    };
    let old_trips = match &old {
        Some(e) => trips_of(db, vec![e.id]).await?,
        None => Vec::new(),
    };
    let mut months: Vec<Month> = month_parts(start, end)
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    if let Some(o) = &old {
        months.extend(
            month_parts(instant(o.start_utc), instant(o.end_utc))
                .into_iter()
                .map(|(m, _)| m),
        );
    }
    if end <= start {
        months.clear();
    }
    // A client that does not exist gets the answer a client not assigned gets (no existence leak,
    // and no month-sheet row for it).
    if old.is_none() && people::client(db, w.client_id).await?.is_none() {
        return Err(WriteError::Refused(Refusal {
            code: ErrorCode::NotAssigned,
            details: json!({}),
        }));
    }
    let sheets = lock(db, w.assistant_id, w.client_id, &months, now).await?;

    // What the other entries use: the sheets' counters without this entry's earlier version.
    let old_parts = old.as_ref().map(counted_parts).unwrap_or_default();
    let old_start_month = old
        .as_ref()
        .map(|o| Month::of(rules::day_of(instant(o.start_utc))));
    let month_use: Vec<MonthUse> = sheets
        .iter()
        .filter_map(|s| {
            let month = Month::parse(&s.month)?;
            let own = old_parts
                .iter()
                .filter(|(m, _)| *m == month)
                .map(|(_, x)| *x)
                .sum::<i64>();
            let own_cents = if old.as_ref().is_some_and(|o| o.status == "active")
                && old_start_month == Some(month)
            {
                trip_cents(&old_trips)
            } else {
                0
            };
            Some(MonthUse {
                month,
                state: s.state.clone(),
                used_minutes: s.used_minutes - own,
                transport_used_cents: s.transport_used_cents - own_cents,
            })
        })
        .collect();

    let (first_day, _) = session_days(start, end);
    let policy = policy::book(db)
        .await?
        .at(first_day)
        .map_err(DbErr::Custom)?;
    let assigned: Vec<Assigned> = assignments::Entity::find()
        .filter(assignments::Column::AssistantId.eq(w.assistant_id))
        .filter(assignments::Column::ClientId.eq(w.client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| Assigned {
            from: a.valid_from,
            to: a.valid_to,
            service: Service::parse(&a.service).unwrap_or(Service::Assistant),
        })
        .collect();
    let decisions: Vec<_> = people::decisions_of(db, w.client_id)
        .await?
        .iter()
        .map(people::figures)
        .collect();
    let suspended: Vec<Suspended> = suspensions::Entity::find()
        .filter(suspensions::Column::ClientId.eq(w.client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| Suspended {
            from: s.starts_on,
            to: s.ends_on,
            reason: s.reason,
        })
        .collect();
    let (s, e) = (start.timestamp(), end.timestamp());
    let client_overlap =
        overlapping(db, entries::Column::ClientId, w.client_id, s, e, w.id).await?;
    let assistant_overlap =
        overlapping(db, entries::Column::AssistantId, w.assistant_id, s, e, w.id).await?;
    let weeks = if end > start {
        week_minutes(db, w.assistant_id, start, end, w.id).await?
    } else {
        Vec::new()
    };
    let cents: i64 = w.trips.iter().map(|t| t.cost_cents).sum();
    let ctx = Context {
        now,
        policy: &policy,
        assignments: &assigned,
        decisions: &decisions,
        suspensions: &suspended,
        months: &month_use,
        client_overlap,
        assistant_overlap,
        week_minutes: &weeks,
        by_coordinator: actor.coordinator,
        device_time: w.device_time,
        amendment: w.amendment,
    };
    let proposed = Proposed {
        start,
        end,
        purpose: w.purpose.clone(),
        trip_cents: cents,
    };
    let Accepted {
        minutes,
        late,
        warnings,
        ..
    } = rules::check(&proposed, &ctx).map_err(WriteError::Refused)?;

    let status = if late { "pending_review" } else { "active" };
    let stored_warnings = (!warnings.is_empty()).then(|| {
        json!(
            warnings
                .iter()
                .map(|f| json!({"code": f.code, "details": f.details}))
                .collect::<Vec<_>>()
        )
        .to_string()
    });
    let model = entries::Model {
        id: w.id,
        client_id: w.client_id,
        assistant_id: w.assistant_id,
        purpose: w.purpose.clone(),
        start_utc: s,
        start_offset: w.start.offset().local_minus_utc(),
        end_utc: e,
        end_offset: w.end.offset().local_minus_utc(),
        minutes: minutes as i32,
        place: w.place.clone(),
        note: w.note.clone(),
        status: status.into(),
        version: old.as_ref().map(|o| o.version + 1).unwrap_or(1),
        late,
        review_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_by: old.as_ref().map(|o| o.created_by).unwrap_or(actor.user_id),
        device_time: w.device_time,
        received_at: now,
        created_at: old.as_ref().map(|o| o.created_at).unwrap_or(now),
        updated_at: now,
        warnings: stored_warnings,
        amendment: if w.amendment {
            Some("addition".into())
        } else {
            old.as_ref().and_then(|o| o.amendment.clone())
        },
    };
    if let Some(o) = &old {
        count(db, o, trip_cents(&old_trips), -1, now).await?;
        people::update(db, model.clone()).await?;
        trips::Entity::delete_many()
            .filter(trips::Column::EntryId.eq(o.id))
            .exec(db)
            .await?;
    } else {
        people::insert(db, model.clone()).await?;
    }
    let mut new_trips = Vec::with_capacity(w.trips.len());
    for (i, t) in w.trips.iter().enumerate() {
        let row = trips::Model {
            entry_id: w.id,
            position: i as i32,
            mode: t.mode.clone(),
            from_place: t.from.clone(),
            to_place: t.to.clone(),
            distance_m: t.distance_m,
            cost_cents: t.cost_cents,
        };
        people::insert(db, row.clone()).await?;
        new_trips.push(row);
    }
    count(db, &model, cents, 1, now).await?;
    touch(db, w.client_id, &months, now).await?;
    record_changes(db, &model, &new_trips, &months, now).await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action: if old.is_some() {
                "entry_updated"
            } else {
                "entry_created"
            },
            subject_kind: "entry",
            subject_id: w.id.to_string(),
            client_id: Some(w.client_id),
            before: old.as_ref().map(|o| snapshot(o, &old_trips)),
            after: Some(snapshot(&model, &new_trips)),
        },
    )
    .await?;
    Ok(Saved {
        entry: model,
        trips: new_trips,
        warnings,
    })
}

/// Takes an entry out of the count into `status` (deleted, rejected, voided): locks its months,
/// refuses where `refuse` says a month's state forbids it, subtracts it from the month sheets,
/// writes it with `mark` applied and the next version, and records the change for phones.
async fn retire(
    db: &impl ConnectionTrait,
    old: &entries::Model,
    old_trips: &[trips::Model],
    status: &str,
    refuse: impl Fn(&str) -> Option<ErrorCode>,
    mark: impl FnOnce(&mut entries::Model),
    now: DateTime<Utc>,
) -> Result<entries::Model, WriteError> {
    let months: Vec<Month> = month_parts(instant(old.start_utc), instant(old.end_utc))
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let sheets = lock(db, old.assistant_id, old.client_id, &months, now).await?;
    if let Some((s, code)) = sheets.iter().find_map(|s| refuse(&s.state).map(|c| (s, c))) {
        return Err(WriteError::Refused(Refusal {
            code,
            details: json!({ "month": s.month, "state": s.state }),
        }));
    }
    count(db, old, trip_cents(old_trips), -1, now).await?;
    let mut gone = old.clone();
    gone.status = status.into();
    mark(&mut gone);
    gone.version += 1;
    gone.updated_at = now;
    people::update(db, gone.clone()).await?;
    touch(db, old.client_id, &months, now).await?;
    record_changes(db, &gone, old_trips, &months, now).await?;
    Ok(gone)
}

/// A confirmed, approved or closed month refuses ordinary changes.
fn locked_month(state: &str) -> Option<ErrorCode> {
    rules::is_locked(state).then_some(ErrorCode::MonthLocked)
}

/// Deletes (marks `deleted`) an entry seen at `base_version`.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: Uuid,
    base_version: i32,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<entries::Model, WriteError> {
    let Some(old) = entry(db, id).await?.filter(|e| e.status != "deleted") else {
        return Err(WriteError::NotFound);
    };
    let old_trips = trips_of(db, vec![id]).await?;
    if old.version != base_version {
        return Err(WriteError::Stale(Box::new((old, old_trips))));
    }
    let gone = retire(db, &old, &old_trips, "deleted", locked_month, |_| {}, now).await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action: "entry_deleted",
            subject_kind: "entry",
            subject_id: id.to_string(),
            client_id: Some(old.client_id),
            before: Some(snapshot(&old, &old_trips)),
            after: Some(json!({ "status": "deleted", "version": gone.version })),
        },
    )
    .await?;
    Ok(gone)
}

#[derive(Default)]
pub struct EntryFilter {
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    pub clients: Option<Vec<Uuid>>,
    /// Entries touching this month (Riga).
    pub month: Option<Month>,
    pub status: Option<String>,
    pub with_warnings: bool,
}

pub async fn list(
    db: &impl ConnectionTrait,
    f: &EntryFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<entries::Model>, u64), DbErr> {
    let mut select = entries::Entity::find()
        .order_by_asc(entries::Column::StartUtc)
        .order_by_asc(entries::Column::Id);
    if let Some(id) = f.client_id {
        select = select.filter(entries::Column::ClientId.eq(id));
    }
    if let Some(id) = f.assistant_id {
        select = select.filter(entries::Column::AssistantId.eq(id));
    }
    if let Some(ids) = &f.clients {
        select = select.filter(entries::Column::ClientId.is_in(ids.clone()));
    }
    if let Some(m) = f.month {
        let from = riga_midnight(m.first_day()).timestamp();
        let to = riga_midnight(m.next().first_day()).timestamp();
        select = select
            .filter(entries::Column::StartUtc.lt(to))
            .filter(entries::Column::EndUtc.gt(from));
    }
    match &f.status {
        Some(s) => select = select.filter(entries::Column::Status.eq(s.clone())),
        None => select = select.filter(entries::Column::Status.ne("deleted")),
    }
    if f.with_warnings {
        select = select.filter(Condition::all().add(entries::Column::Warnings.is_not_null()));
    }
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

pub async fn month_sheet(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    month: Month,
) -> Result<Option<month_sheets::Model>, DbErr> {
    month_sheets::Entity::find()
        .filter(month_sheets::Column::ClientId.eq(client_id))
        .filter(month_sheets::Column::Month.eq(month.to_string()))
        .one(db)
        .await
}

/// A stored answer to a request with an `Idempotency-Key`.
pub async fn idempotent(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
) -> Result<Option<idempotency_keys::Model>, DbErr> {
    idempotency_keys::Entity::find_by_id((user_id, key.to_owned()))
        .one(db)
        .await
}

/// Claims `key` in the transaction (a concurrent twin waits on it, then finds the answer).
/// Returns false when the key is taken already.
pub async fn claim_key(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(0),
        response: Set(String::new()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_keys::Column::UserId,
            idempotency_keys::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(res == 1)
}

pub async fn store_answer(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    hash: &str,
    status: u16,
    response: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(i32::from(status)),
        response: Set(response.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_keys::Column::UserId,
            idempotency_keys::Column::Key,
        ])
        .update_columns([
            idempotency_keys::Column::Status,
            idempotency_keys::Column::Response,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

fn stored_warnings(e: &entries::Model, locale: Locale) -> Vec<Warning> {
    let list: Vec<Value> = e
        .warnings
        .as_deref()
        .and_then(|w| serde_json::from_str(w).ok())
        .unwrap_or_default();
    list.into_iter()
        .map(|w| {
            let code = w["code"].as_str().unwrap_or("").to_owned();
            let details = w["details"].clone();
            Warning {
                message: i18n::warning_message(&code, locale, &details),
                code,
                details,
            }
        })
        .collect()
}

/// The wire form of an entry, times with the offset the device sent; warnings in `locale`.
pub fn wire(e: &entries::Model, t: &[trips::Model], locale: Locale) -> Entry {
    let at = |ts: i64, offset: i32| {
        let o = chrono::FixedOffset::east_opt(offset)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
        instant(ts).with_timezone(&o)
    };
    Entry {
        id: e.id,
        client_id: e.client_id,
        assistant_id: e.assistant_id,
        purpose: e.purpose.clone(),
        started_at: at(e.start_utc, e.start_offset),
        ended_at: at(e.end_utc, e.end_offset),
        minutes: i64::from(e.minutes),
        place: e.place.clone(),
        note: e.note.clone(),
        trips: t
            .iter()
            .filter(|t| t.entry_id == e.id)
            .map(|t| Trip {
                mode: t.mode.clone(),
                from: t.from_place.clone(),
                to: t.to_place.clone(),
                distance_km: f64::from(t.distance_m) / 1000.0,
                cost_cents: t.cost_cents,
            })
            .collect(),
        status: e.status.clone(),
        amendment: e.amendment.clone(),
        version: e.version,
        warnings: stored_warnings(e, locale),
    }
}

/// Records the entry's change and the new state of the months it touches (for pull).
async fn record_changes(
    db: &impl ConnectionTrait,
    e: &entries::Model,
    t: &[trips::Model],
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let scope = Scope {
        client_id: Some(e.client_id),
        assistant_id: Some(e.assistant_id),
        user_id: None,
    };
    let (op, data) = if e.status == "deleted" || e.status == "voided" {
        ("delete", json!({ "id": e.id, "version": e.version }))
    } else {
        (
            "upsert",
            serde_json::to_value(wire(e, t, Locale::Lv)).unwrap_or(Value::Null),
        )
    };
    changes::record(db, "entry", op, e.id.to_string(), scope, &data, now).await?;
    record_months(db, e.client_id, months, now).await
}

/// Records the state of the client's `months` as `month` changes: state, allowance and use.
pub async fn record_months(
    db: &impl ConnectionTrait,
    client_id: Uuid,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if months.is_empty() {
        return Ok(());
    }
    let versions: Vec<_> = people::decisions_of(db, client_id)
        .await?
        .iter()
        .map(people::figures)
        .collect();
    let book = policy::book(db).await?;
    let mut months = months.to_vec();
    months.sort();
    months.dedup();
    for month in months {
        let proration = book
            .at(month.last_day())
            .map(|p| p.proration)
            .map_err(DbErr::Custom)?;
        let allowance = decision::month_allowance(&versions, month, proration);
        let sheet = month_sheet(db, client_id, month).await?;
        let used = sheet.as_ref().map(|s| s.used_minutes).unwrap_or(0);
        let data = json!({
            "client_id": client_id, "month": month.to_string(),
            "state": sheet.as_ref().map(|s| s.state.as_str()).unwrap_or("open"),
            "version": sheet.as_ref().map(|s| s.version).unwrap_or(0),
            "allowance_minutes": allowance, "used_minutes": used,
            "remaining_minutes": Ord::max(allowance - used, 0),
            "transport_cap_cents": decision::month_transport_cap(&versions, month),
            "transport_used_cents": sheet.as_ref().map(|s| s.transport_used_cents).unwrap_or(0),
        });
        let scope = Scope {
            client_id: Some(client_id),
            ..Default::default()
        };
        changes::record(
            db,
            "month",
            "upsert",
            format!("{client_id}/{month}"),
            scope,
            &data,
            now,
        )
        .await?;
    }
    Ok(())
}

/// A coordinator's verdict on a late entry: approving re-checks every rule as a coordinator's
/// write (so it still cannot overspend the allowance) and makes it count; rejecting keeps it,
/// marked `rejected`, with the reason.
pub async fn review(
    db: &impl ConnectionTrait,
    id: Uuid,
    approve: bool,
    reason: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    let Some(e) = entry(db, id)
        .await?
        .filter(|e| e.status == "pending_review")
    else {
        return Err(WriteError::NotFound);
    };
    let t = trips_of(db, vec![id]).await?;
    let offset = |secs: i32| {
        chrono::FixedOffset::east_opt(secs)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"))
    };
    let (saved, before) = if approve {
        let write = Write {
            id,
            client_id: e.client_id,
            assistant_id: e.assistant_id,
            purpose: e.purpose.clone(),
            start: instant(e.start_utc).with_timezone(&offset(e.start_offset)),
            end: instant(e.end_utc).with_timezone(&offset(e.end_offset)),
            place: e.place.clone(),
            note: e.note.clone(),
            trips: t
                .iter()
                .map(|t| TripRow {
                    mode: t.mode.clone(),
                    from: t.from_place.clone(),
                    to: t.to_place.clone(),
                    distance_m: t.distance_m,
                    cost_cents: t.cost_cents,
                })
                .collect(),
            base_version: Some(e.version),
            device_time: e.device_time,
            amendment: false,
        };
        (
            save(
                db,
                &write,
                Actor {
                    coordinator: true,
                    ..actor
                },
                now,
            )
            .await?,
            e.clone(),
        )
    } else {
        let gone = retire(db, &e, &t, "rejected", locked_month, |_| {}, now).await?;
        (
            Saved {
                entry: gone,
                trips: t.clone(),
                warnings: Vec::new(),
            },
            e.clone(),
        )
    };
    let mut reviewed = saved.entry.clone();
    reviewed.review_reason = Some(reason.to_owned());
    reviewed.reviewed_by = Some(actor.user_id);
    reviewed.reviewed_at = Some(now);
    people::update(db, reviewed.clone()).await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action: if approve {
                "entry_approved"
            } else {
                "entry_rejected"
            },
            subject_kind: "entry",
            subject_id: id.to_string(),
            client_id: Some(e.client_id),
            before: Some(json!({ "status": before.status, "version": before.version })),
            after: Some(
                json!({ "status": reviewed.status, "version": reviewed.version, "reason": reason }),
            ),
        },
    )
    .await?;
    Ok(Saved {
        entry: reviewed,
        ..saved
    })
}

/// A coordinator voids a session of a closed month (an amendment): it stops counting, stays on
/// record as `voided` with the reason, and the month's statements are issued again as corrections.
pub async fn void(
    db: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<entries::Model, WriteError> {
    let Some(old) = entry(db, id)
        .await?
        .filter(|e| LIVE.contains(&e.status.as_str()))
    else {
        return Err(WriteError::NotFound);
    };
    let old_trips = trips_of(db, vec![id]).await?;
    let not_closed = |state: &str| (state != "closed").then_some(ErrorCode::MonthState);
    let gone = retire(
        db,
        &old,
        &old_trips,
        "voided",
        not_closed,
        |e| {
            e.amendment = Some("void".into());
            e.review_reason = Some(reason.to_owned());
            e.reviewed_by = Some(actor.user_id);
            e.reviewed_at = Some(now);
        },
        now,
    )
    .await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: Some(actor.user_id),
            action: "entry_voided",
            subject_kind: "entry",
            subject_id: id.to_string(),
            client_id: Some(old.client_id),
            before: Some(snapshot(&old, &old_trips)),
            after: Some(json!({ "status": "voided", "version": gone.version, "reason": reason })),
        },
    )
    .await?;
    Ok(gone)
}
