//! The entry ledger: applies a batch of entry operations (creates, edits, deletes, rejections,
//! voids) under every rule, in the caller's transaction, with a fixed handful of statements per
//! batch instead of a few dozen per entry.
//!
//! 1. Lock what the batch can touch, in one global order: the assistants (PostgreSQL advisory
//!    locks, sorted), then the client-month sheets (created if missing, `FOR UPDATE`, sorted by
//!    client and month). Every other writer of entries takes the same locks in the same order.
//! 2. Load the context once: the entries named by the batch and their trips, the live entries
//!    that can overlap the batch's sessions, the assistants' totals of the weeks they touch
//!    (summed by the database), clients, assignments, decisions, suspensions and the policy.
//! 3. Check each operation in order against that context in memory (`domain::rules::check`), and
//!    apply what passes to the in-memory state, so the next operation sees it. A refused
//!    operation changes nothing.
//! 4. Write the final state with multi-row statements: entries, trips, the month sheets'
//!    counters, the change log (each operation's change, then each touched month once) and the
//!    audit chain.
//!
//! A database error anywhere fails the whole batch; the caller's transaction then rolls back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::changes::{self, Scope};
use super::entity::{
    self, assignments, clients, decisions, entries, month_sheets, suspensions, trips,
};
use super::entries::{
    Actor, CHUNK, LIVE, Saved, TripRow, Write, WriteError, chunks, entry, instant, lock_all,
    month_change, snapshot, trips_of, wire,
};
use super::stored::Stored;
use super::{audit, people, policy};
use crate::domain::decision::Figures;
use crate::domain::policy::{Policy, PolicyBook};
use crate::domain::rules::{
    self, Accepted, Assigned, Context, MonthUse, Neighbour, Proposed, Refusal, Suspended,
};
use crate::domain::time::{IsoWeek, Month, month_parts, riga_midnight, session_days, week_parts};
use mobile_api::{EntryStatus, ErrorCode, Locale, MonthState};

/// One operation on an entry.
pub enum Op {
    /// Create (`base_version` None) or edit an entry.
    Save(Write),
    /// Take an entry out of the count.
    Retire(Retire),
}

pub struct Retire {
    pub id: Uuid,
    pub kind: RetireKind,
    /// Only this assistant's entry (an assistant's delete); others are `NotFound`.
    pub only_assistant: Option<Uuid>,
}

pub enum RetireKind {
    /// The author or staff deletes an entry seen at `base_version`; locked months refuse.
    Delete { base_version: i32 },
    /// A coordinator rejects a late entry (the caller records the review and its audit).
    Reject,
    /// A coordinator voids an entry of a closed month (an amendment), with the reason.
    Void { reason: String },
}

/// A live entry's interval, for overlaps and weekly totals.
#[derive(Clone, Copy)]
struct Slot {
    client_id: Uuid,
    assistant_id: Uuid,
    start: i64,
    end: i64,
}

struct Sheet {
    model: month_sheets::Model,
    dirty: bool,
}

/// An entry the batch wrote, in its final state.
struct Written {
    entry: entries::Model,
    trips: Vec<trips::Model>,
    created: bool,
    trips_changed: bool,
}

/// Everything the batch reads, and what it changed so far.
struct Book {
    now: DateTime<Utc>,
    actor: Actor,
    named: HashMap<Uuid, (entries::Model, Vec<trips::Model>)>,
    slots: HashMap<Uuid, Slot>,
    /// The slots by client and by assistant, each ordered by start: (owner, start, id).
    by_client: BTreeSet<(Uuid, i64, Uuid)>,
    by_assistant: BTreeSet<(Uuid, i64, Uuid)>,
    /// No session is longer than this many seconds (the longest the policy ever allowed).
    longest: i64,
    weeks: HashMap<(Uuid, IsoWeek), i64>,
    sheets: HashMap<(Uuid, Month), Sheet>,
    clients: HashSet<Uuid>,
    assignments: Vec<assignments::Model>,
    decisions: HashMap<Uuid, Vec<Figures>>,
    suspensions: HashMap<Uuid, Vec<Suspended>>,
    policy: Arc<PolicyBook>,
    policies: HashMap<NaiveDate, Policy>,
    written: BTreeMap<Uuid, Written>,
    changes: Vec<entity::changes::ActiveModel>,
    audit: Vec<audit::Record<'static>>,
}

fn live(status: &Stored<EntryStatus>) -> bool {
    rules::is_live(status.0)
}

fn parts_of(e: &entries::Model) -> Vec<(Month, i64)> {
    month_parts(instant(e.start_utc), instant(e.end_utc))
}

fn counted(e: &entries::Model) -> Vec<(Month, i64)> {
    if e.status == EntryStatus::Active {
        parts_of(e)
    } else {
        Vec::new()
    }
}

fn cents(t: &[trips::Model]) -> i64 {
    t.iter().map(|t| t.cost_cents).sum()
}

fn slot(e: &entries::Model) -> Slot {
    Slot {
        client_id: e.client_id,
        assistant_id: e.assistant_id,
        start: e.start_utc,
        end: e.end_utc,
    }
}

/// An ISO week's bounds, Monday's and the next Monday's Riga midnights.
fn week_span((year, week): IsoWeek) -> Option<(i64, i64)> {
    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
    let next = monday + Duration::days(7);
    Some((
        riga_midnight(monday).timestamp(),
        riga_midnight(next).timestamp(),
    ))
}

/// The live entries of these assistants and clients that overlap `[lo, hi)` (the batch's new
/// intervals lie within it), by id: the neighbours an interval of the batch can have. No
/// stored session is longer than `longest` seconds, which bounds the index range.
async fn overlapping(
    db: &impl ConnectionTrait,
    assistants: &BTreeSet<Uuid>,
    clients: &[Uuid],
    (lo, hi): (i64, i64),
    longest: i64,
) -> Result<HashMap<Uuid, Slot>, DbErr> {
    let rows: Vec<(Uuid, Uuid, Uuid, i64, i64)> = entries::Entity::find()
        .select_only()
        .columns([
            entries::Column::Id,
            entries::Column::ClientId,
            entries::Column::AssistantId,
            entries::Column::StartUtc,
            entries::Column::EndUtc,
        ])
        .filter(
            Condition::any()
                .add(entries::Column::AssistantId.is_in(assistants.iter().copied()))
                .add(entries::Column::ClientId.is_in(clients.iter().copied())),
        )
        .filter(entries::Column::Status.is_in(LIVE))
        .filter(entries::Column::StartUtc.gte(lo - longest - 60))
        .filter(entries::Column::StartUtc.lt(hi))
        .filter(entries::Column::EndUtc.gt(lo))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, client_id, assistant_id, start, end)| {
            let slot = Slot {
                client_id,
                assistant_id,
                start,
                end,
            };
            (id, slot)
        })
        .collect())
}

/// Each saving assistant's live minutes in each ISO week one of its new intervals touches,
/// summed by the database (one statement per week). Entries are stored in whole minutes and
/// Riga midnights are whole minutes, so an entry's minutes inside a week's bounds are exactly
/// what `week_parts` gives it there. A pair with no entries is absent (zero).
async fn week_totals(
    db: &impl ConnectionTrait,
    saves: &[&Write],
    longest: i64,
) -> Result<HashMap<(Uuid, IsoWeek), i64>, DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
    let mut wanted: BTreeMap<IsoWeek, BTreeSet<Uuid>> = BTreeMap::new();
    for w in saves.iter().filter(|w| w.end > w.start) {
        for (week, _) in week_parts(w.start.to_utc(), w.end.to_utc()) {
            wanted.entry(week).or_default().insert(w.assistant_id);
        }
    }
    let mut totals = HashMap::new();
    for (week, assistants) in wanted {
        let Some((from, to)) = week_span(week) else {
            continue;
        };
        let (start, end) = (
            Expr::col(entries::Column::StartUtc),
            Expr::col(entries::Column::EndUtc),
        );
        let clipped_end: Expr = Expr::case(end.clone().lt(to), end.clone())
            .finally(to)
            .into();
        let clipped_start: Expr = Expr::case(start.clone().gt(from), start.clone())
            .finally(from)
            .into();
        let minutes = clipped_end.sub(clipped_start).div(60);
        let total = Expr::from(Func::sum(minutes)).cast_as(Alias::new("bigint"));
        let rows: Vec<(Uuid, i64)> = entries::Entity::find()
            .select_only()
            .column(entries::Column::AssistantId)
            .expr(total)
            .filter(entries::Column::AssistantId.is_in(assistants))
            .filter(entries::Column::Status.is_in(LIVE))
            .filter(entries::Column::StartUtc.gte(from - longest - 60))
            .filter(entries::Column::StartUtc.lt(to))
            .filter(entries::Column::EndUtc.gt(from))
            .filter(end.gt(start))
            .group_by(entries::Column::AssistantId)
            .into_tuple()
            .all(db)
            .await?;
        totals.extend(rows.into_iter().map(|(a, m)| ((a, week), m)));
    }
    Ok(totals)
}

async fn entries_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<entries::Model>, DbErr> {
    let mut out = Vec::new();
    for part in ids.chunks(CHUNK) {
        out.extend(
            entries::Entity::find()
                .filter(entries::Column::Id.is_in(part.to_vec()))
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

fn op_id(op: &Op) -> Uuid {
    match op {
        Op::Save(w) => w.id,
        Op::Retire(r) => r.id,
    }
}

/// Applies `ops` in order, all by `actor`; one result per operation. See the module's
/// documentation.
pub async fn run(
    db: &impl ConnectionTrait,
    ops: Vec<Op>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Result<Saved, WriteError>>, DbErr> {
    let ops = ops.into_iter().map(|op| (actor, op)).collect();
    run_as(db, ops, now, &policy::Kept::default()).await
}

/// Applies `ops` in order, each by its own actor (several phones' pushes written together);
/// one result per operation. The policy book is taken from `kept` while the table is unchanged.
pub async fn run_as(
    db: &impl ConnectionTrait,
    ops: Vec<(Actor, Op)>,
    now: DateTime<Utc>,
    kept: &policy::Kept,
) -> Result<Vec<Result<Saved, WriteError>>, DbErr> {
    let Some((actor, _)) = ops.first() else {
        return Ok(Vec::new());
    };
    let actor = *actor;
    let (actors, ops): (Vec<Actor>, Vec<Op>) = ops.into_iter().unzip();
    let mut ids: Vec<Uuid> = ops.iter().map(op_id).collect();
    ids.sort_unstable();
    ids.dedup();

    // 1. Locks. An entry's assistant never changes, so a retired entry's assistant can be read
    //    before its lock is held; everything else is read after.
    let mut assistants: BTreeSet<Uuid> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Save(w) => Some(w.assistant_id),
            Op::Retire(_) => None,
        })
        .collect();
    let retired: Vec<Uuid> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Retire(r) => Some(r.id),
            Op::Save(_) => None,
        })
        .collect();
    let postgres = super::is_postgres(db);
    if postgres && !retired.is_empty() {
        for part in retired.chunks(CHUNK) {
            let rows: Vec<Uuid> = entries::Entity::find()
                .select_only()
                .column(entries::Column::AssistantId)
                .filter(entries::Column::Id.is_in(part.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            assistants.extend(rows);
        }
    }
    let mut clients_named: BTreeSet<Uuid> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Save(w) => Some(w.client_id),
            Op::Retire(_) => None,
        })
        .collect();
    let existing_clients: HashSet<Uuid> = if clients_named.is_empty() {
        HashSet::new()
    } else {
        clients::Entity::find()
            .select_only()
            .column(clients::Column::Id)
            .filter(clients::Column::Id.is_in(clients_named.iter().copied()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    // On SQLite the one writer connection is the lock, and `lock_all` takes no assistant lock.
    lock_all(db, &assistants, &BTreeSet::new(), now).await?;
    let named_rows = entries_by_id(db, &ids).await?;
    let named_ids: Vec<Uuid> = named_rows.iter().map(|e| e.id).collect();
    let mut named: HashMap<Uuid, (entries::Model, Vec<trips::Model>)> = named_rows
        .into_iter()
        .map(|e| (e.id, (e, Vec::new())))
        .collect();
    for part in named_ids.chunks(CHUNK) {
        for t in super::entries::trips_of(db, part.to_vec()).await? {
            if let Some((_, list)) = named.get_mut(&t.entry_id) {
                list.push(t);
            }
        }
    }

    // Every month an operation may touch: the new interval's, and the stored entry's.
    let mut pairs: BTreeSet<(Uuid, Month)> = BTreeSet::new();
    for op in &ops {
        match op {
            Op::Save(w) => {
                let (start, end) = (w.start.to_utc(), w.end.to_utc());
                if end > start && existing_clients.contains(&w.client_id) {
                    for (m, _) in month_parts(start, end) {
                        pairs.insert((w.client_id, m));
                    }
                }
                if let Some((e, _)) = named.get(&w.id) {
                    for (m, _) in parts_of(e) {
                        pairs.insert((e.client_id, m));
                    }
                }
            }
            Op::Retire(r) => {
                if let Some((e, _)) = named.get(&r.id) {
                    clients_named.insert(e.client_id);
                    for (m, _) in parts_of(e) {
                        pairs.insert((e.client_id, m));
                    }
                }
            }
        }
    }
    let sheets = lock_all(db, &BTreeSet::new(), &pairs, now).await?;
    let sheets = sheets
        .into_iter()
        .filter_map(|s| {
            let month = Month::parse(&s.month)?;
            Some((
                (s.client_id, month),
                Sheet {
                    model: s,
                    dirty: false,
                },
            ))
        })
        .collect();

    // 2. The context.
    let clients: Vec<Uuid> = clients_named.iter().copied().collect();
    let saves: Vec<&Write> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Save(w) => Some(w),
            Op::Retire(_) => None,
        })
        .collect();
    let policy = policy::book_kept(db, kept).await?;
    let mut decisions: HashMap<Uuid, Vec<Figures>> = HashMap::new();
    for d in decisions::Entity::find()
        .filter(decisions::Column::ClientId.is_in(clients.clone()))
        .order_by_asc(decisions::Column::ValidFrom)
        .order_by_asc(decisions::Column::SeriesId)
        .order_by_asc(decisions::Column::Version)
        .all(db)
        .await?
    {
        decisions
            .entry(d.client_id)
            .or_default()
            .push(people::figures(&d));
    }
    let (mut assigned, mut suspended) = (Vec::new(), HashMap::new());
    let (mut slots, mut weeks) = (HashMap::new(), HashMap::new());
    // No stored session is longer than the longest the policy ever allowed.
    let longest = policy
        .versions("max_session_minutes")
        .iter()
        .filter_map(|(_, v)| v.as_i64())
        .max()
        .unwrap_or(24 * 60)
        .max(24 * 60)
        * 60;
    if !saves.is_empty() {
        let save_assistants: BTreeSet<Uuid> = saves.iter().map(|w| w.assistant_id).collect();
        assigned = assignments::Entity::find()
            .filter(assignments::Column::AssistantId.is_in(save_assistants.iter().copied()))
            .filter(assignments::Column::ClientId.is_in(clients.clone()))
            .all(db)
            .await?;
        for s in suspensions::Entity::find()
            .filter(suspensions::Column::ClientId.is_in(clients.clone()))
            .all(db)
            .await?
        {
            suspended
                .entry(s.client_id)
                .or_insert_with(Vec::new)
                .push(Suspended {
                    from: s.starts_on,
                    to: s.ends_on,
                    reason: s.reason,
                });
        }
        let spans = saves.iter().filter(|w| w.end > w.start);
        let (lo, hi) = spans.fold((i64::MAX, i64::MIN), |(lo, hi), w| {
            (lo.min(w.start.timestamp()), hi.max(w.end.timestamp()))
        });
        if lo < hi {
            slots = overlapping(db, &save_assistants, &clients, (lo, hi), longest).await?;
            weeks = week_totals(db, &saves, longest).await?;
        }
    }

    let mut book = Book {
        now,
        actor,
        named,
        slots: HashMap::new(),
        by_client: BTreeSet::new(),
        by_assistant: BTreeSet::new(),
        longest,
        weeks,
        sheets,
        clients: existing_clients,
        assignments: assigned,
        decisions,
        suspensions: suspended,
        policy,
        policies: HashMap::new(),
        written: BTreeMap::new(),
        changes: Vec::new(),
        audit: Vec::new(),
    };
    for (id, s) in slots {
        book.put_slot(id, s);
    }

    // 3. Check and apply in memory.
    let mut results = Vec::with_capacity(ops.len());
    for (op, actor) in ops.into_iter().zip(actors) {
        book.actor = actor;
        results.push(match op {
            Op::Save(w) => book.save(&w),
            Op::Retire(r) => book.retire(&r),
        });
    }

    // 4. Write.
    book.flush(db).await?;
    Ok(results)
}

fn add_weeks(weeks: &mut HashMap<(Uuid, IsoWeek), i64>, s: &Slot, sign: i64) {
    for (w, m) in week_parts(instant(s.start), instant(s.end)) {
        *weeks.entry((s.assistant_id, w)).or_insert(0) += sign * m;
    }
}

impl Book {
    fn policy_on(&mut self, day: NaiveDate) -> Result<&Policy, WriteError> {
        if !self.policies.contains_key(&day) {
            let p = self
                .policy
                .at(day)
                .map_err(|e| WriteError::Db(DbErr::Custom(e)))?;
            self.policies.insert(day, p);
        }
        Ok(&self.policies[&day])
    }

    fn put_slot(&mut self, id: Uuid, s: Slot) {
        self.take_slot(id);
        self.by_client.insert((s.client_id, s.start, id));
        self.by_assistant.insert((s.assistant_id, s.start, id));
        self.slots.insert(id, s);
    }

    fn take_slot(&mut self, id: Uuid) {
        if let Some(s) = self.slots.remove(&id) {
            self.by_client.remove(&(s.client_id, s.start, id));
            self.by_assistant.remove(&(s.assistant_id, s.start, id));
        }
    }

    /// The first live entry of `owner` in `index` (its client's or its assistant's) overlapping
    /// `[start, end)`, other than `except`, by start. Only the entries that start less than the
    /// longest session before `start` can reach it.
    fn neighbour(
        &self,
        index: &BTreeSet<(Uuid, i64, Uuid)>,
        owner: Uuid,
        start: i64,
        end: i64,
        except: Uuid,
    ) -> Option<Neighbour> {
        // An empty or inverted interval overlaps nothing (the rules refuse it first).
        if end <= start {
            return None;
        }
        let from = (owner, start - self.longest - 60, Uuid::nil());
        index
            .range(from..(owner, end, Uuid::nil()))
            .filter_map(|(_, _, id)| Some((*id, self.slots.get(id)?)))
            .find(|(id, s)| *id != except && s.start < end && s.end > start)
            .map(|(id, s)| Neighbour {
                id,
                start: instant(s.start),
                end: instant(s.end),
            })
    }

    /// Adds `sign` × the entry's counted minutes and trip costs to its months' sheets.
    fn count(&mut self, e: &entries::Model, trip_cents: i64, sign: i64) {
        if e.status != EntryStatus::Active {
            return;
        }
        let start_month = Month::of(rules::day_of(instant(e.start_utc)));
        for (month, minutes) in counted(e) {
            if let Some(s) = self.sheets.get_mut(&(e.client_id, month)) {
                s.model.used_minutes += sign * minutes;
                if month == start_month {
                    s.model.transport_used_cents += sign * trip_cents;
                }
                s.model.version += 1;
                s.model.updated_at = self.now;
                s.dirty = true;
            }
        }
    }

    /// Bumps the versions of the client's `months` (an entry changed there).
    fn touch(&mut self, client_id: Uuid, months: &[Month]) {
        let mut months = months.to_vec();
        months.sort();
        months.dedup();
        for m in months {
            if let Some(s) = self.sheets.get_mut(&(client_id, m)) {
                s.model.version += 1;
                s.model.updated_at = self.now;
                s.dirty = true;
            }
        }
    }

    /// Records the entry's new state: in the working set, for writing, and as a change.
    fn keep(
        &mut self,
        e: entries::Model,
        t: Vec<trips::Model>,
        trips_changed: bool,
        old: Option<&entries::Model>,
    ) {
        // The week totals count every live entry of the weeks they hold, loaded near the batch
        // or not; an entry's earlier version leaves them when it was live.
        if let Some(o) = old {
            self.take_slot(o.id);
            if live(&o.status) {
                add_weeks(&mut self.weeks, &slot(o), -1);
            }
        }
        if live(&e.status) {
            let s = slot(&e);
            add_weeks(&mut self.weeks, &s, 1);
            self.put_slot(e.id, s);
        }
        let (op, data) = if e.status == EntryStatus::Deleted || e.status == EntryStatus::Voided {
            (
                "delete",
                json!({ "id": e.id, "version": e.version }).to_string(),
            )
        } else {
            let entry = wire(&e, &t, Locale::Lv);
            ("upsert", serde_json::to_string(&entry).unwrap_or_default())
        };
        let scope = Scope {
            client_id: Some(e.client_id),
            assistant_id: Some(e.assistant_id),
            user_id: None,
        };
        let change = changes::row_text("entry", op, e.id.to_string(), scope, data, self.now);
        self.changes.push(change);
        let created = self
            .written
            .get(&e.id)
            .map(|w| w.created)
            .unwrap_or(old.is_none());
        let trips_changed =
            trips_changed || self.written.get(&e.id).is_some_and(|w| w.trips_changed);
        self.named.insert(e.id, (e.clone(), t.clone()));
        self.written.insert(
            e.id,
            Written {
                entry: e,
                trips: t,
                created,
                trips_changed,
            },
        );
    }

    fn save(&mut self, w: &Write) -> Result<Saved, WriteError> {
        let (start, end) = (w.start.to_utc(), w.end.to_utc());
        let (old, old_trips) = match (self.named.get(&w.id), w.base_version) {
            (Some((e, t)), None) => {
                return Err(WriteError::Exists(Box::new((e.clone(), t.clone()))));
            }
            (None, Some(_)) => return Err(WriteError::NotFound),
            (Some((e, _)), Some(_))
                if e.status == EntryStatus::Deleted || e.status == EntryStatus::Rejected =>
            {
                return Err(WriteError::NotFound);
            }
            (Some((e, _)), Some(_))
                if e.client_id != w.client_id || e.assistant_id != w.assistant_id =>
            {
                return Err(WriteError::NotFound);
            }
            (Some((e, t)), Some(v)) if e.version != v => {
                return Err(WriteError::Stale(Box::new((e.clone(), t.clone()))));
            }
            (Some((e, t)), Some(_)) => (Some(e.clone()), t.clone()),
            (None, None) => (None, Vec::new()),
        };
        // A client that does not exist gets the answer a client not assigned gets.
        if old.is_none() && !self.clients.contains(&w.client_id) {
            return Err(WriteError::Refused(Refusal {
                code: ErrorCode::NotAssigned,
                details: json!({}),
            }));
        }
        let mut months: Vec<Month> = month_parts(start, end)
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        if let Some(o) = &old {
            months.extend(parts_of(o).into_iter().map(|(m, _)| m));
        }
        if end <= start {
            months.clear();
        }
        months.sort();
        months.dedup();

        // What the other entries use: the sheets' counters without this entry's earlier version.
        let old_parts = old.as_ref().map(counted).unwrap_or_default();
        let old_start_month = old
            .as_ref()
            .map(|o| Month::of(rules::day_of(instant(o.start_utc))));
        let old_active = old
            .as_ref()
            .is_some_and(|o| o.status == EntryStatus::Active);
        let mut month_use = Vec::with_capacity(months.len());
        for month in &months {
            let Some(s) = self.sheets.get(&(w.client_id, *month)) else {
                return Err(WriteError::Db(DbErr::Custom(format!(
                    "month {month} of client {} was not locked",
                    w.client_id
                ))));
            };
            let own: i64 = old_parts
                .iter()
                .filter(|(m, _)| m == month)
                .map(|(_, x)| *x)
                .sum();
            let own_cents = if old_active && old_start_month == Some(*month) {
                cents(&old_trips)
            } else {
                0
            };
            month_use.push(MonthUse {
                month: *month,
                state: *s.model.state,
                used_minutes: s.model.used_minutes - own,
                transport_used_cents: s.model.transport_used_cents - own_cents,
            });
        }

        let (first_day, _) = session_days(start, end);
        let (s, e) = (start.timestamp(), end.timestamp());
        let assigned: Vec<Assigned> = self
            .assignments
            .iter()
            .filter(|a| a.assistant_id == w.assistant_id && a.client_id == w.client_id)
            .map(|a| Assigned {
                from: a.valid_from,
                to: a.valid_to,
                service: *a.service,
            })
            .collect();
        let client_overlap = self.neighbour(&self.by_client, w.client_id, s, e, w.id);
        let assistant_overlap = self.neighbour(&self.by_assistant, w.assistant_id, s, e, w.id);
        let weeks: Vec<(IsoWeek, i64)> = if end > start {
            let own: Vec<(IsoWeek, i64)> = match &old {
                Some(o) if live(&o.status) => week_parts(instant(o.start_utc), instant(o.end_utc)),
                _ => Vec::new(),
            };
            week_parts(start, end)
                .into_iter()
                .map(|(wk, _)| {
                    let all = self.weeks.get(&(w.assistant_id, wk)).copied().unwrap_or(0);
                    let mine: i64 = own.iter().filter(|(k, _)| *k == wk).map(|(_, m)| *m).sum();
                    (wk, all - mine)
                })
                .collect()
        } else {
            Vec::new()
        };
        let trip_cents: i64 = w.trips.iter().map(|t| t.cost_cents).sum();
        let now = self.now;
        let by_coordinator = self.actor.coordinator;
        let empty = Vec::new();
        let decisions = self.decisions.get(&w.client_id).unwrap_or(&empty).clone();
        let no_suspensions = Vec::new();
        let suspensions = self
            .suspensions
            .get(&w.client_id)
            .unwrap_or(&no_suspensions)
            .clone();
        let policy = self.policy_on(first_day)?;
        let ctx = Context {
            now,
            policy,
            assignments: &assigned,
            decisions: &decisions,
            suspensions: &suspensions,
            months: &month_use,
            client_overlap,
            assistant_overlap,
            week_minutes: &weeks,
            by_coordinator,
            device_time: w.device_time,
            amendment: w.amendment,
        };
        let proposed = Proposed {
            start,
            end,
            purpose: w.purpose.clone(),
            trip_cents,
        };
        let Accepted {
            minutes,
            late,
            warnings,
            ..
        } = rules::check(&proposed, &ctx).map_err(WriteError::Refused)?;

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
            status: if late {
                EntryStatus::PendingReview
            } else {
                EntryStatus::Active
            }
            .into(),
            version: old.as_ref().map(|o| o.version + 1).unwrap_or(1),
            late,
            review_reason: None,
            reviewed_by: None,
            reviewed_at: None,
            created_by: old
                .as_ref()
                .map(|o| o.created_by)
                .unwrap_or(self.actor.user_id),
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
        let new_trips: Vec<trips::Model> = w
            .trips
            .iter()
            .enumerate()
            .map(|(i, t)| trips::Model {
                entry_id: w.id,
                position: i as i32,
                mode: t.mode.clone(),
                from_place: t.from.clone(),
                to_place: t.to.clone(),
                distance_m: t.distance_m,
                cost_cents: t.cost_cents,
            })
            .collect();
        if let Some(o) = &old {
            self.count(o, cents(&old_trips), -1);
        }
        self.count(&model, trip_cents, 1);
        self.touch(w.client_id, &months);
        self.audit.push(audit::Record {
            actor: Some(self.actor.user_id),
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
        });
        self.keep(
            model.clone(),
            new_trips.clone(),
            old.is_some(),
            old.as_ref(),
        );
        Ok(Saved {
            entry: model,
            trips: new_trips,
            warnings,
        })
    }

    fn retire(&mut self, r: &Retire) -> Result<Saved, WriteError> {
        let found = self.named.get(&r.id).filter(|(e, _)| match &r.kind {
            RetireKind::Delete { .. } => e.status != EntryStatus::Deleted,
            RetireKind::Reject => e.status == EntryStatus::PendingReview,
            RetireKind::Void { .. } => live(&e.status),
        });
        let Some((old, old_trips)) = found.cloned() else {
            return Err(WriteError::NotFound);
        };
        if r.only_assistant.is_some_and(|a| a != old.assistant_id) {
            return Err(WriteError::NotFound);
        }
        if let RetireKind::Delete { base_version } = r.kind
            && old.version != base_version
        {
            return Err(WriteError::Stale(Box::new((old, old_trips))));
        }
        let mut months: Vec<Month> = parts_of(&old).into_iter().map(|(m, _)| m).collect();
        months.sort();
        months.dedup();
        for month in &months {
            let Some(s) = self.sheets.get(&(old.client_id, *month)) else {
                return Err(WriteError::Db(DbErr::Custom(format!(
                    "month {month} of client {} was not locked",
                    old.client_id
                ))));
            };
            let state = *s.model.state;
            let refused = match r.kind {
                RetireKind::Void { .. } => {
                    (state != MonthState::Closed).then_some(ErrorCode::MonthState)
                }
                _ => rules::is_locked(state).then_some(ErrorCode::MonthLocked),
            };
            if let Some(code) = refused {
                return Err(WriteError::Refused(Refusal {
                    code,
                    details: json!({ "month": s.model.month, "state": state }),
                }));
            }
        }
        self.count(&old, cents(&old_trips), -1);
        let mut gone = old.clone();
        gone.status = match r.kind {
            RetireKind::Delete { .. } => EntryStatus::Deleted,
            RetireKind::Reject => EntryStatus::Rejected,
            RetireKind::Void { .. } => EntryStatus::Voided,
        }
        .into();
        if let RetireKind::Void { reason } = &r.kind {
            gone.amendment = Some("void".into());
            gone.review_reason = Some(reason.clone());
            gone.reviewed_by = Some(self.actor.user_id);
            gone.reviewed_at = Some(self.now);
        }
        gone.version += 1;
        gone.updated_at = self.now;
        self.touch(old.client_id, &months);
        let after = match &r.kind {
            RetireKind::Delete { .. } => Some((
                "entry_deleted",
                json!({ "status": EntryStatus::Deleted, "version": gone.version }),
            )),
            RetireKind::Void { reason } => Some((
                "entry_voided",
                json!({ "status": EntryStatus::Voided, "version": gone.version, "reason": reason }),
            )),
            RetireKind::Reject => None,
        };
        if let Some((action, after)) = after {
            self.audit.push(audit::Record {
                actor: Some(self.actor.user_id),
                action,
                subject_kind: "entry",
                subject_id: r.id.to_string(),
                client_id: Some(old.client_id),
                before: Some(snapshot(&old, &old_trips)),
                after: Some(after),
            });
        }
        self.keep(gone.clone(), old_trips.clone(), false, Some(&old));
        Ok(Saved {
            entry: gone,
            trips: old_trips,
            warnings: Vec::new(),
        })
    }

    /// Writes the batch's final state.
    async fn flush(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let Book {
            now,
            written,
            sheets,
            decisions,
            policy,
            mut changes,
            audit: records,
            ..
        } = self;
        let mut fresh = Vec::new();
        let mut new_trips = Vec::new();
        let mut replaced = Vec::new();
        for (_, w) in written {
            if w.created || w.trips_changed {
                new_trips.extend(w.trips.into_iter().map(|t| t.into_active_model()));
            }
            if w.trips_changed && !w.created {
                replaced.push(w.entry.id);
            }
            if w.created {
                fresh.push(w.entry.into_active_model());
            } else {
                people::update(db, w.entry).await?;
            }
        }
        super::insert_all(db, fresh, CHUNK).await?;
        for part in replaced.chunks(CHUNK) {
            trips::Entity::delete_many()
                .filter(trips::Column::EntryId.is_in(part.to_vec()))
                .exec(db)
                .await?;
        }
        super::insert_all(db, new_trips, CHUNK).await?;
        let mut touched: Vec<(&(Uuid, Month), &Sheet)> =
            sheets.iter().filter(|(_, s)| s.dirty).collect();
        touched.sort_by_key(|(k, _)| **k);
        // Every touched sheet's new figures in one statement: an upsert on the id of rows that
        // exist (locked above), so only the figures change.
        let figures: Vec<month_sheets::ActiveModel> = touched
            .iter()
            .map(|(_, s)| {
                let mut m = s.model.clone();
                m.updated_at = now;
                m.into_active_model()
            })
            .collect();
        for part in chunks(figures) {
            month_sheets::Entity::insert_many(part)
                .on_conflict(
                    OnConflict::column(month_sheets::Column::Id)
                        .update_columns([
                            month_sheets::Column::UsedMinutes,
                            month_sheets::Column::TransportUsedCents,
                            month_sheets::Column::Version,
                            month_sheets::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        for ((client_id, month), s) in touched {
            let versions = decisions.get(client_id).map(Vec::as_slice).unwrap_or(&[]);
            let data = month_change(*client_id, *month, Some(&s.model), versions, &policy)?;
            let scope = Scope {
                client_id: Some(*client_id),
                ..Default::default()
            };
            let entity = format!("{client_id}/{month}");
            changes.push(changes::row("month", "upsert", entity, scope, &data, now));
        }
        changes::record_all(db, changes).await?;
        audit::append_all(db, now, records).await
    }
}

/// The one result of a batch of one.
async fn one(
    db: &impl ConnectionTrait,
    op: Op,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    run(db, vec![op], actor, now)
        .await?
        .pop()
        .unwrap_or(Err(WriteError::NotFound))
}

/// Creates or edits an entry under every rule, in the caller's transaction.
pub async fn save(
    db: &impl ConnectionTrait,
    w: &Write,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    one(db, Op::Save(w.clone()), actor, now).await
}

/// Deletes (marks `deleted`) an entry seen at `base_version`.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: Uuid,
    base_version: i32,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<entries::Model, WriteError> {
    let op = Op::Retire(Retire {
        id,
        kind: RetireKind::Delete { base_version },
        only_assistant: None,
    });
    Ok(one(db, op, actor, now).await?.entry)
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
        .filter(|e| e.status == EntryStatus::PendingReview)
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
        let op = Op::Retire(Retire {
            id,
            kind: RetireKind::Reject,
            only_assistant: None,
        });
        let gone = one(db, op, actor, now).await?.entry;
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
    let op = Op::Retire(Retire {
        id,
        kind: RetireKind::Void {
            reason: reason.to_owned(),
        },
        only_assistant: None,
    });
    Ok(one(db, op, actor, now).await?.entry)
}
