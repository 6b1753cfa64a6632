//! Entries: the write operations (one-entry batches of the `ledger`), reads, the wire form, and
//! the month change records.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::{entries, idempotency_keys, month_sheets, trips};

use super::{people, policy};
use crate::domain::decision::{self, Figures};
use crate::domain::policy::PolicyBook;
use crate::domain::rules::{Finding, Refusal};
use crate::domain::time::{Month, riga_midnight};
use mobile_api::entries::{Entry, Trip, Warning};
use mobile_api::{EntryStatus, Locale, MonthState};

use super::changes::{self, Scope};
use crate::i18n;

/// Statuses of entries that still stand (may count, may overlap).
pub const LIVE: [&str; 3] = [
    EntryStatus::Active.as_str(),
    EntryStatus::PendingReview.as_str(),
    EntryStatus::Flagged.as_str(),
];

use crate::domain::ledger::{Flag, instant};

#[derive(Debug)]
pub enum WriteError {
    /// A rule refused it (SPEC §4).
    Refused(Refusal),
    /// The entry changed since `base_version`; here it is as it stands.
    Stale(Box<(entries::Model, Vec<trips::Model>)>),
    /// The entry does not exist (or is another client's or assistant's).
    NotFound,
    /// An entry with this id exists already and this was a create; here it is as it stands.
    Exists(Box<(entries::Model, Vec<trips::Model>)>),
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

/// Turns a UUID into the key of a PostgreSQL advisory lock.
pub(super) fn lock_key(id: Uuid) -> i64 {
    let b = id.as_bytes();
    i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        ^ i64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
}

/// Serializes writers that could contend: `key`'s advisory lock on PostgreSQL (an assistant, or
/// a client for month operations), then the client's month sheets of `months`, created if
/// missing and locked `FOR UPDATE` in month order. Entry writers take the same locks in the same
/// order (see `ledger`), so there is never a deadlock. On SQLite the single writer connection
/// already serializes everything.
pub(super) async fn lock(
    db: &impl ConnectionTrait,
    key: Uuid,
    client_id: Uuid,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    let keys = [key].into_iter().collect();
    let pairs = months.iter().map(|m| (client_id, *m)).collect();
    lock_all(db, &keys, &pairs, now).await
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

pub fn snapshot(e: &entries::Model, t: &[trips::Model]) -> Value {
    json!({
        "client_id": e.client_id, "assistant_id": e.assistant_id, "purpose": e.purpose,
        "start_utc": e.start_utc, "end_utc": e.end_utc, "minutes": e.minutes, "place": e.place,
        "note": e.note, "status": e.status, "version": e.version,
        "trips": t.iter().map(|t| json!([t.mode, t.from_place, t.to_place, t.distance_m, t.cost_cents])).collect::<Vec<_>>(),
    })
}

#[derive(Default)]
pub struct EntryFilter {
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    pub clients: Option<Vec<Uuid>>,
    /// Entries touching this month (Riga).
    pub month: Option<Month>,
    /// With `month`: no session is longer than this many minutes (the policy's longest ever),
    /// so none touching the month starts earlier than this before it; the index on start
    /// then reads only the month's range.
    pub longest_minutes: Option<i64>,
    pub status: Option<EntryStatus>,
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
        if let Some(longest) = f.longest_minutes {
            select = select.filter(entries::Column::StartUtc.gte(from - longest * 60));
        }
    }
    // States as literals, not bound values: SQLite uses a partial index only when the query
    // names its state as the index does (`entries_time` for a month's sessions,
    // `entries_pending_review` and `entries_flagged` for the exceptions queue). The codes are
    // the enum's own texts, never the caller's.
    let live = sea_orm::sea_query::Expr::cust("status <> 'deleted'");
    match &f.status {
        Some(s) => {
            select = select.filter(sea_orm::sea_query::Expr::cust(format!(
                "status = '{}'",
                s.as_str()
            )));
            // Implied, but it lets a month's sessions of one state use `entries_time`.
            if f.month.is_some() && *s != EntryStatus::Deleted {
                select = select.filter(live);
            }
        }
        None => select = select.filter(live),
    }
    if f.with_warnings {
        select = select.filter(Condition::all().add(entries::Column::Warnings.is_not_null()));
    }
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// The counted and flagged entries of `clients` (all when `None`) that touch the Riga days
/// `from..=to` (to the end of time when `to` is `None`), by client, each list by start: the
/// entries a fact about those days can change.
pub async fn recheckable(
    db: &impl ConnectionTrait,
    clients: Option<&[Uuid]>,
    from: chrono::NaiveDate,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<(Uuid, Vec<Uuid>)>, DbErr> {
    let mut select = entries::Entity::find()
        .select_only()
        .columns([entries::Column::ClientId, entries::Column::Id])
        .filter(
            entries::Column::Status
                .is_in([EntryStatus::Active.as_str(), EntryStatus::Flagged.as_str()]),
        )
        .filter(entries::Column::EndUtc.gt(riga_midnight(from).timestamp()))
        .order_by_asc(entries::Column::ClientId)
        .order_by_asc(entries::Column::StartUtc);
    if let Some(to) = to {
        let end = riga_midnight(to + chrono::Duration::days(1)).timestamp();
        select = select.filter(entries::Column::StartUtc.lt(end));
    }
    if let Some(ids) = clients {
        select = select.filter(entries::Column::ClientId.is_in(ids.iter().copied()));
    }
    let rows: Vec<(Uuid, Uuid)> = select.into_tuple().all(db).await?;
    let mut out: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
    for (client, id) in rows {
        match out.last_mut() {
            Some((c, ids)) if *c == client => ids.push(id),
            _ => out.push((client, vec![id])),
        }
    }
    Ok(out)
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

/// The entries of `ids` that exist, in their wire form (`wire`), by id: two queries, the entries
/// and their trips.
pub async fn wired(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    locale: Locale,
) -> Result<HashMap<Uuid, Entry>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = entries::Entity::find()
        .filter(entries::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let trips = trips_of(db, rows.iter().map(|e| e.id).collect()).await?;
    let mut by_entry: HashMap<Uuid, Vec<trips::Model>> = HashMap::new();
    for t in trips {
        by_entry.entry(t.entry_id).or_default().push(t);
    }
    Ok(rows
        .iter()
        .map(|e| {
            let t = by_entry.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
            (e.id, wire(e, t, locale))
        })
        .collect())
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
        status: *e.status,
        amendment: e.amendment.clone(),
        version: e.version,
        warnings: stored_warnings(e, locale),
        flag: if *e.status == EntryStatus::Flagged {
            Flag::read(e.flag.as_deref()).map(|f| Warning {
                code: f.code.as_str().to_owned(),
                message: i18n::message(f.code, locale, &f.details),
                details: f.details,
            })
        } else {
            None
        },
    }
}

/// The `month` change of a client's month: state, allowance and use.
pub fn month_change(
    client_id: Uuid,
    month: Month,
    sheet: Option<&month_sheets::Model>,
    versions: &[Figures],
    book: &PolicyBook,
) -> Result<Value, DbErr> {
    let proration = book
        .at(month.last_day())
        .map(|p| p.proration)
        .map_err(DbErr::Custom)?;
    let allowance = decision::month_allowance(versions, month, proration);
    let used = sheet.map(|s| s.used_minutes).unwrap_or(0);
    Ok(json!({
        "client_id": client_id, "month": month.to_string(),
        "state": sheet.map_or(MonthState::Open, |s| *s.state),
        "version": sheet.map(|s| s.version).unwrap_or(0),
        "allowance_minutes": allowance, "used_minutes": used,
        "remaining_minutes": Ord::max(allowance - used, 0),
        "transport_cap_cents": decision::month_transport_cap(versions, month),
        "transport_used_cents": sheet.map(|s| s.transport_used_cents).unwrap_or(0),
    }))
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
        let sheet = month_sheet(db, client_id, month).await?;
        let data = month_change(client_id, month, sheet.as_ref(), &versions, &book)?;
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

/// Locks the assistants (PostgreSQL advisory locks, in key order), then creates the missing
/// month sheets of `pairs` and locks them all, in (client, month) order. Returns them.
pub(super) async fn lock_all(
    db: &impl ConnectionTrait,
    assistants: &BTreeSet<Uuid>,
    pairs: &BTreeSet<(Uuid, Month)>,
    now: DateTime<Utc>,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    let postgres = super::is_postgres(db);
    if postgres {
        let mut keys: Vec<i64> = assistants.iter().map(|a| lock_key(*a)).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "select pg_advisory_xact_lock($1)",
                [key.into()],
            ))
            .await?;
        }
    }
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let fresh = pairs
        .iter()
        .map(|(client_id, month)| month_sheets::ActiveModel {
            id: Set(Uuid::now_v7()),
            client_id: Set(*client_id),
            month: Set(month.to_string()),
            state: Set(MonthState::Open.into()),
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
            lines_reported: Set(false),
        });
    for part in chunks(fresh.collect()) {
        month_sheets::Entity::insert_many(part)
            .on_conflict(
                OnConflict::columns([month_sheets::Column::ClientId, month_sheets::Column::Month])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let mut sheets = Vec::with_capacity(pairs.len());
    let list: Vec<_> = pairs.iter().collect();
    for part in list.chunks(CHUNK) {
        let mut which = Condition::any();
        for (client_id, month) in part {
            which = which.add(
                Condition::all()
                    .add(month_sheets::Column::ClientId.eq(*client_id))
                    .add(month_sheets::Column::Month.eq(month.to_string())),
            );
        }
        let mut select = month_sheets::Entity::find()
            .filter(which)
            .order_by_asc(month_sheets::Column::ClientId)
            .order_by_asc(month_sheets::Column::Month);
        if postgres {
            select = select.lock_exclusive();
        }
        sheets.extend(select.all(db).await?);
    }
    Ok(sheets)
}

/// Rows per multi-row statement (well under both engines' limits on bound values).
pub(super) const CHUNK: usize = 500;

/// `rows` in parts of at most `CHUNK`.
pub(super) fn chunks<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        out.push(it.by_ref().take(CHUNK).collect());
    }
    out
}
