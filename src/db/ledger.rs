//! The entry ledger in the database: locks and loads what a batch of entry operations reads,
//! runs the batch through the pure ledger (`domain::ledger`), and stores what it leaves, in the
//! caller's transaction, with a fixed handful of statements per batch instead of a few dozen per
//! entry.
//!
//! 1. Lock what the batch can touch, in one global order: the assistants (PostgreSQL advisory
//!    locks, sorted), then the client-month sheets (created if missing, `FOR UPDATE`, sorted by
//!    client and month). Every other writer of entries takes the same locks in the same order.
//! 2. Load the context once: the entries named by the batch and their trips, the live entries
//!    that can overlap the batch's sessions, the assistants' totals of the weeks they touch
//!    (summed by the database), clients, assignments, decisions, suspensions and the policy.
//! 3. Check and apply each operation in order, in memory (`domain::ledger::Ledger`).
//! 4. Write the final state with multi-row statements: entries, trips, the month sheets'
//!    counters, the change log (each operation's change, then each touched month once) and the
//!    audit chain.
//!
//! A database error anywhere fails the whole batch; the caller's transaction then rolls back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::changes::{self, Scope};
use super::entity::{assignments, clients, entries, month_sheets, suspensions, trips};
use super::entries::{
    CHUNK, LIVE, Saved, WriteError, chunks, lock_all, month_change, snapshot, trips_of,
};
use super::{audit, people, policy};
use crate::domain::decision::Figures;
use crate::domain::ledger::{
    self as pure, Action, Assignment, ClientFacts, Event, Fault, Inputs, Ledger, Slot, week_span,
};
use crate::domain::policy::PolicyBook;
use crate::domain::rules::{Assigned, Suspended};
use crate::domain::time::{IsoWeek, Month, day_parts, month_parts, riga_midnight, week_parts};
use mobile_api::EntryStatus;

use crate::domain::ledger::{Actor, Op, Retire, RetireKind, Review, Write, instant};

/// A stored entry as the pure ledger's plain type.
fn plain(m: entries::Model) -> pure::Entry {
    pure::Entry {
        id: m.id,
        client_id: m.client_id,
        assistant_id: m.assistant_id,
        purpose: m.purpose,
        start_utc: m.start_utc,
        start_offset: m.start_offset,
        end_utc: m.end_utc,
        end_offset: m.end_offset,
        minutes: m.minutes,
        place: m.place,
        note: m.note,
        status: *m.status,
        version: m.version,
        late: m.late,
        review_reason: m.review_reason,
        reviewed_by: m.reviewed_by,
        reviewed_at: m.reviewed_at,
        created_by: m.created_by,
        device_time: m.device_time,
        received_at: m.received_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
        warnings: m.warnings,
        amendment: m.amendment,
        flag: m.flag,
    }
}

/// The pure ledger's entry as its row.
fn model(e: pure::Entry) -> entries::Model {
    entries::Model {
        id: e.id,
        client_id: e.client_id,
        assistant_id: e.assistant_id,
        purpose: e.purpose,
        start_utc: e.start_utc,
        start_offset: e.start_offset,
        end_utc: e.end_utc,
        end_offset: e.end_offset,
        minutes: e.minutes,
        place: e.place,
        note: e.note,
        status: e.status.into(),
        version: e.version,
        late: e.late,
        review_reason: e.review_reason,
        reviewed_by: e.reviewed_by,
        reviewed_at: e.reviewed_at,
        created_by: e.created_by,
        device_time: e.device_time,
        received_at: e.received_at,
        created_at: e.created_at,
        updated_at: e.updated_at,
        warnings: e.warnings,
        amendment: e.amendment,
        flag: e.flag,
    }
}

fn plain_trip(t: trips::Model) -> pure::Trip {
    pure::Trip {
        entry_id: t.entry_id,
        position: t.position,
        mode: t.mode,
        from_place: t.from_place,
        to_place: t.to_place,
        distance_m: t.distance_m,
        cost_cents: t.cost_cents,
    }
}

fn trip_model(t: pure::Trip) -> trips::Model {
    trips::Model {
        entry_id: t.entry_id,
        position: t.position,
        mode: t.mode,
        from_place: t.from_place,
        to_place: t.to_place,
        distance_m: t.distance_m,
        cost_cents: t.cost_cents,
    }
}

fn models(e: pure::Entry, t: Vec<pure::Trip>) -> (entries::Model, Vec<trips::Model>) {
    (model(e), t.into_iter().map(trip_model).collect())
}

fn write_error(f: Fault) -> WriteError {
    match f {
        Fault::Refused(r) => WriteError::Refused(r),
        Fault::Stale(b) => WriteError::Stale(Box::new(models(b.0, b.1))),
        Fault::Exists(b) => WriteError::Exists(Box::new(models(b.0, b.1))),
        Fault::NotFound => WriteError::NotFound,
        Fault::Broken(why) => WriteError::Db(DbErr::Custom(why)),
    }
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
) -> Result<Vec<(Uuid, Slot)>, DbErr> {
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
    spans: &[Span],
    longest: i64,
) -> Result<HashMap<(Uuid, IsoWeek), i64>, DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
    let mut wanted: BTreeMap<IsoWeek, BTreeSet<Uuid>> = BTreeMap::new();
    for s in spans {
        for (week, _) in week_parts(instant(s.start), instant(s.end)) {
            wanted.entry(week).or_default().insert(s.assistant_id);
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
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    let (inputs, loaded) = load(db, &ops, now, kept).await?;
    let mut ledger = Ledger::new(inputs);
    // 3. Check and apply in memory.
    let results = ops
        .iter()
        .map(|(actor, op)| {
            ledger
                .apply(*actor, op)
                .map(|done| {
                    let (entry, trips) = models(done.entry, done.trips);
                    Saved {
                        entry,
                        trips,
                        warnings: done.warnings,
                    }
                })
                .map_err(write_error)
        })
        .collect();
    // 4. Write.
    store(db, ledger.finish(), loaded, now).await?;
    Ok(results)
}

/// A session the batch's rules will check (never empty).
struct Span {
    assistant_id: Uuid,
    start: i64,
    end: i64,
}

/// What `store` needs of what `load` read: the locked sheets' rows, and what a month's change
/// describes (the decisions and the policy).
struct Loaded {
    sheets: HashMap<(Uuid, Month), month_sheets::Model>,
    decisions: HashMap<Uuid, Vec<Figures>>,
    policy: Arc<PolicyBook>,
}

/// Steps 1 and 2: takes the batch's locks and loads what it reads.
async fn load(
    db: &impl ConnectionTrait,
    ops: &[(Actor, Op)],
    now: DateTime<Utc>,
    kept: &policy::Kept,
) -> Result<(Inputs, Loaded), DbErr> {
    let ops: Vec<&Op> = ops.iter().map(|(_, op)| op).collect();
    let mut ids: Vec<Uuid> = ops.iter().map(|op| op.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    let saves: Vec<&Write> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Save(w) => Some(w),
            Op::Retire(_) | Op::Review(_) | Op::Recheck(_) | Op::Resolve(_) => None,
        })
        .collect();

    // 1. Locks. An entry's assistant never changes, so a retired or reviewed entry's assistant
    //    can be read before its lock is held; everything else is read after.
    let mut assistants: BTreeSet<Uuid> = saves.iter().map(|w| w.assistant_id).collect();
    let retired: Vec<Uuid> = ops
        .iter()
        .filter(|op| !matches!(op, Op::Save(_)))
        .map(|op| op.id())
        .collect();
    if super::is_postgres(db) && !retired.is_empty() {
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
    let mut clients_named: BTreeSet<Uuid> = saves.iter().map(|w| w.client_id).collect();
    // On SQLite the one writer connection is the lock, and `lock_all` takes no assistant lock.
    lock_all(db, &assistants, &BTreeSet::new(), now).await?;
    let named_rows = entries_by_id(db, &ids).await?;
    let named_ids: Vec<Uuid> = named_rows.iter().map(|e| e.id).collect();
    let mut named: BTreeMap<Uuid, (pure::Entry, Vec<pure::Trip>)> = named_rows
        .into_iter()
        .map(|e| (e.id, (plain(e), Vec::new())))
        .collect();
    for part in named_ids.chunks(CHUNK) {
        for t in trips_of(db, part.to_vec()).await? {
            if let Some((_, list)) = named.get_mut(&t.entry_id) {
                list.push(plain_trip(t));
            }
        }
    }

    // What the rules read of the clients: those the saves name, and those of the entries a
    // review, a recheck or a verdict checks again.
    let mut facts_of = clients_named.clone();
    facts_of.extend(
        ops.iter()
            .filter(|op| !matches!(op, Op::Save(_)))
            .filter_map(|op| named.get(&op.id()).map(|(e, _)| e.client_id)),
    );
    let existing_clients: HashMap<Uuid, ClientFacts> = if facts_of.is_empty() {
        HashMap::new()
    } else {
        clients::Entity::find()
            .select_only()
            .column(clients::Column::Id)
            .column(clients::Column::BirthDate)
            .column(clients::Column::DisabilityGroup)
            .filter(clients::Column::Id.is_in(facts_of.iter().copied()))
            .into_tuple::<(Uuid, chrono::NaiveDate, Option<i32>)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, birth_date, disability_group)| {
                (
                    id,
                    ClientFacts {
                        birth_date,
                        disability_group,
                    },
                )
            })
            .collect()
    };

    // Every month an operation may touch: the new interval's, and the stored entry's.
    let mut pairs: BTreeSet<(Uuid, Month)> = BTreeSet::new();
    for op in &ops {
        if let Op::Save(w) = op {
            let (start, end) = (w.start.to_utc(), w.end.to_utc());
            if end > start && existing_clients.contains_key(&w.client_id) {
                for (m, _) in month_parts(start, end) {
                    pairs.insert((w.client_id, m));
                }
            }
        }
        if let Some((e, _)) = named.get(&op.id()) {
            clients_named.insert(e.client_id);
            for (m, _) in pure::parts_of(e) {
                pairs.insert((e.client_id, m));
            }
        }
    }
    let rows: HashMap<(Uuid, Month), month_sheets::Model> =
        lock_all(db, &BTreeSet::new(), &pairs, now)
            .await?
            .into_iter()
            .filter_map(|s| Some(((s.client_id, Month::parse(&s.month)?), s)))
            .collect();
    let sheets = rows
        .iter()
        .map(|(k, s)| {
            let sheet = pure::Sheet {
                state: *s.state,
                used_minutes: s.used_minutes,
                transport_used_cents: s.transport_used_cents,
                version: s.version,
            };
            (*k, sheet)
        })
        .collect();

    // 2. The context. The sessions the rules will check: the saves', and the reviewed entries'
    //    (an approval checks its entry again).
    let spans: Vec<Span> = saves
        .iter()
        .filter(|w| w.end > w.start)
        .map(|w| Span {
            assistant_id: w.assistant_id,
            start: w.start.timestamp(),
            end: w.end.timestamp(),
        })
        .chain(ops.iter().filter_map(|op| match op {
            Op::Review(_) | Op::Recheck(_) | Op::Resolve(_) => {
                named.get(&op.id()).map(|(e, _)| Span {
                    assistant_id: e.assistant_id,
                    start: e.start_utc,
                    end: e.end_utc,
                })
            }
            Op::Save(_) | Op::Retire(_) => None,
        }))
        .filter(|s| s.end > s.start)
        .collect();
    let clients: Vec<Uuid> = clients_named.iter().copied().collect();
    let policy = policy::book_kept(db, kept).await?;
    let decisions = people::figures_by_client(db, Some(&clients)).await?;
    // Months split between decision versions are checked per part, by day: their active
    // minutes on each day (a month has a few dozen entries per client).
    let split: HashSet<(Uuid, Month)> = pairs
        .iter()
        .filter(|(client, month)| {
            let versions = decisions.get(client).map(Vec::as_slice).unwrap_or(&[]);
            crate::domain::decision::month_segments(versions, *month).len() > 1
        })
        .copied()
        .collect();
    let mut day_use: HashMap<(Uuid, chrono::NaiveDate), i64> = HashMap::new();
    for (client, month) in &split {
        let from = riga_midnight(month.first_day()).timestamp();
        let to = riga_midnight(month.next().first_day()).timestamp();
        let rows: Vec<(i64, i64)> = entries::Entity::find()
            .select_only()
            .columns([entries::Column::StartUtc, entries::Column::EndUtc])
            .filter(entries::Column::ClientId.eq(*client))
            .filter(entries::Column::Status.eq(EntryStatus::Active.as_str()))
            .filter(entries::Column::StartUtc.lt(to))
            .filter(entries::Column::EndUtc.gt(from))
            .into_tuple()
            .all(db)
            .await?;
        for (start, end) in rows {
            for (day, minutes) in day_parts(instant(start), instant(end)) {
                if Month::of(day) == *month {
                    *day_use.entry((*client, day)).or_default() += minutes;
                }
            }
        }
    }
    let (mut assigned, mut suspended) = (Vec::new(), HashMap::new());
    let (mut live, mut weeks) = (Vec::new(), HashMap::new());
    // No stored session is longer than the longest the policy ever allowed.
    let longest = policy
        .versions("max_session_minutes")
        .iter()
        .filter_map(|(_, v)| v.as_i64())
        .max()
        .unwrap_or(24 * 60)
        .max(24 * 60)
        * 60;
    if !spans.is_empty() {
        let save_assistants: BTreeSet<Uuid> = spans.iter().map(|s| s.assistant_id).collect();
        assigned = assignments::Entity::find()
            .filter(assignments::Column::AssistantId.is_in(save_assistants.iter().copied()))
            .filter(assignments::Column::ClientId.is_in(clients.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| Assignment {
                assistant_id: a.assistant_id,
                client_id: a.client_id,
                assigned: Assigned {
                    from: a.valid_from,
                    to: a.valid_to,
                    service: *a.service,
                },
            })
            .collect();
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
        let (lo, hi) = spans.iter().fold((i64::MAX, i64::MIN), |(lo, hi), s| {
            (lo.min(s.start), hi.max(s.end))
        });
        live = overlapping(db, &save_assistants, &clients, (lo, hi), longest).await?;
        weeks = week_totals(db, &spans, longest).await?;
    }
    let loaded = Loaded {
        sheets: rows,
        decisions: decisions.clone(),
        policy: Arc::clone(&policy),
    };
    let inputs = Inputs {
        now,
        policy,
        longest,
        named: named.into_values().collect(),
        live,
        weeks,
        sheets,
        clients: existing_clients,
        assignments: assigned,
        decisions,
        suspensions: suspended,
        split,
        day_use,
    };
    Ok((inputs, loaded))
}

/// An applied operation's audit records: its own (a rejection has none but the review's), and
/// the review's verdict.
fn audit_records(e: &Event) -> Vec<audit::Record<'static>> {
    let verdict = e.review.map(|(approved, status, version)| audit::Record {
        actor: Some(e.actor.user_id),
        action: if approved {
            "entry_approved"
        } else {
            "entry_rejected"
        },
        subject_kind: "entry",
        subject_id: e.entry.id.to_string(),
        client_id: Some(e.entry.client_id),
        before: Some(json!({ "status": status, "version": version })),
        after: Some(json!({
            "status": e.entry.status,
            "version": e.entry.version,
            "reason": e.entry.review_reason,
        })),
    });
    own_record(e).into_iter().chain(verdict).collect()
}

fn own_record(e: &Event) -> Option<audit::Record<'static>> {
    let snap = |entry: &pure::Entry, trips: &[pure::Trip]| {
        snapshot(&model(entry.clone()), &tmodels(trips))
    };
    let (action, after) = match e.action {
        Action::Created => ("entry_created", snap(&e.entry, &e.trips)),
        Action::Updated => ("entry_updated", snap(&e.entry, &e.trips)),
        Action::Deleted => (
            "entry_deleted",
            json!({ "status": EntryStatus::Deleted, "version": e.entry.version }),
        ),
        Action::Voided => (
            "entry_voided",
            json!({
                "status": EntryStatus::Voided,
                "version": e.entry.version,
                "reason": e.entry.review_reason,
            }),
        ),
        Action::Rejected => return None,
        Action::Flagged | Action::Unflagged | Action::Kept | Action::Dismissed => (
            match e.action {
                Action::Flagged => "entry_flagged",
                Action::Unflagged => "entry_unflagged",
                Action::Kept => "flag_kept",
                _ => "flag_voided",
            },
            json!({
                "status": e.entry.status,
                "version": e.entry.version,
                "flag": pure::Flag::read(e.entry.flag.as_deref()),
                "reason": e.entry.review_reason,
            }),
        ),
    };
    Some(audit::Record {
        actor: Some(e.actor.user_id),
        action,
        subject_kind: "entry",
        subject_id: e.entry.id.to_string(),
        client_id: Some(e.entry.client_id),
        before: e.before.as_ref().map(|(b, t)| snap(b, t)),
        after: Some(after),
    })
}

fn tmodels(t: &[pure::Trip]) -> Vec<trips::Model> {
    t.iter().cloned().map(trip_model).collect()
}

/// An applied operation's change row: an upsert names the entry's version (a pull reads the
/// entry's row for it, not a copy kept here), a tombstone holds the id and version.
fn change_row(e: &Event, now: DateTime<Utc>) -> super::entity::changes::ActiveModel {
    let entry = &e.entry;
    let (op, data) = if matches!(entry.status, EntryStatus::Deleted | EntryStatus::Voided) {
        (
            "delete",
            json!({ "id": entry.id, "version": entry.version }).to_string(),
        )
    } else {
        ("upsert", json!({ "version": entry.version }).to_string())
    };
    let scope = Scope {
        client_id: Some(entry.client_id),
        assistant_id: Some(entry.assistant_id),
        user_id: None,
    };
    changes::row_text("entry", op, entry.id.to_string(), scope, data, now)
}

/// Step 4: writes the batch's final state.
async fn store(
    db: &impl ConnectionTrait,
    outcome: pure::Outcome,
    loaded: Loaded,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let pure::Outcome {
        written,
        sheets,
        events,
    } = outcome;
    let mut changes: Vec<_> = events.iter().map(|e| change_row(e, now)).collect();
    let records: Vec<_> = events.iter().flat_map(audit_records).collect();
    let mut fresh = Vec::new();
    let mut new_trips = Vec::new();
    let mut replaced = Vec::new();
    for w in written {
        if w.created || w.trips_changed {
            new_trips.extend(
                w.trips
                    .into_iter()
                    .map(|t| trip_model(t).into_active_model()),
            );
        }
        if w.trips_changed && !w.created {
            replaced.push(w.entry.id);
        }
        if w.created {
            fresh.push(model(w.entry).into_active_model());
        } else {
            people::update(db, model(w.entry)).await?;
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
    let Loaded {
        sheets: mut rows,
        decisions,
        policy: book,
    } = loaded;
    let mut figures = Vec::with_capacity(sheets.len());
    let mut updated = Vec::with_capacity(sheets.len());
    for (key, sheet) in &sheets {
        let mut m = rows.remove(key).ok_or_else(|| {
            DbErr::Custom(format!(
                "month {} of client {} was not locked",
                key.1, key.0
            ))
        })?;
        m.used_minutes = sheet.used_minutes;
        m.transport_used_cents = sheet.transport_used_cents;
        m.version = sheet.version;
        m.updated_at = now;
        figures.push(m.clone().into_active_model());
        updated.push((*key, m));
    }
    // Every touched sheet's new figures in one statement: an upsert on the id of rows that
    // exist (locked above), so only the figures change.
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
    for ((client_id, month), m) in updated {
        let versions = decisions.get(&client_id).map(Vec::as_slice).unwrap_or(&[]);
        let data = month_change(client_id, month, Some(&m), versions, &book)?;
        let scope = Scope {
            client_id: Some(client_id),
            ..Default::default()
        };
        let entity = format!("{client_id}/{month}");
        changes.push(changes::row("month", "upsert", entity, scope, &data, now));
    }
    changes::record_all(db, changes).await?;
    audit::append_all(db, now, records).await
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

/// A coordinator's verdict on a late entry (see `domain::ledger::Review`).
pub async fn review(
    db: &impl ConnectionTrait,
    id: Uuid,
    approve: bool,
    reason: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    let op = Op::Review(Review {
        id,
        approve,
        reason: reason.to_owned(),
    });
    one(db, op, actor, now).await
}

/// Checks the named entries again after a fact about them changed, in the caller's transaction
/// (see `domain::ledger::Ledger::recheck`); the entries that changed, as they stand now.
pub async fn recheck(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
    closed: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<entries::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ops: Vec<(Actor, Op)> = ids.iter().map(|id| (actor, Op::Recheck(*id))).collect();
    let (inputs, loaded) = load(db, &ops, now, &policy::Kept::default()).await?;
    let mut ledger = Ledger::new(inputs);
    let changed = ledger
        .recheck(actor, &ids, closed)
        .map_err(|f| match write_error(f) {
            WriteError::Db(e) => e,
            other => DbErr::Custom(format!("recheck: {other:?}")),
        })?;
    store(db, ledger.finish(), loaded, now).await?;
    Ok(changed.into_iter().map(|d| model(d.entry)).collect())
}

/// A coordinator keeps or voids a flagged entry (see `domain::ledger::Resolve`).
pub async fn resolve(
    db: &impl ConnectionTrait,
    id: Uuid,
    keep: bool,
    reason: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Saved, WriteError> {
    let op = Op::Resolve(pure::Resolve {
        id,
        keep,
        reason: reason.to_owned(),
    });
    one(db, op, actor, now).await
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
