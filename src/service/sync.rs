//! Mobile sync, the use cases behind `POST /api/v1/sync/push` (exactly once by per-device seq)
//! and `GET /api/v1/sync/pull` (changes by commit-ordered cursor), and the group writer that
//! writes phones' pushes together.

use chrono::{DateTime, Utc};
use mobile_api::entries::Entry;
use mobile_api::sync::{
    Change, Mutation, MutationKind, MutationName, MutationResult, PullResponse, PushRequest,
    PushResponse,
};
use mobile_api::{ErrorCode, ErrorDetail, Locale, Role};
use std::collections::HashMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::entries::{actor, check_names, parse_month, parse_write, visible, write_error};
use crate::db::entity::{devices, sync_mutations};
use crate::db::entries::{self as store, WriteError};
use crate::db::ledger;
use crate::db::sync::Outcome;
use crate::db::{self, changes};
use crate::db::{Conn, TransactionTrait, Txn};
use crate::domain::ledger::{Op, Retire, RetireKind};
use crate::error::ApiError;
use crate::error::parse_value;
use crate::i18n;

pub const MAX_MUTATIONS: usize = 500;
pub const PUSH_BODY_LIMIT: usize = 1024 * 1024;
pub const PULL_DEFAULT: u64 = 200;
pub const PULL_MAX: u64 = 1000;

fn body_hash(m: &Mutation) -> String {
    // serde_json's maps are ordered by key, so equal bodies serialize equally.
    let text = format!("{}\n{}", m.name, m.args);
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn error_detail(code: ErrorCode, details: Value, locale: Locale) -> ErrorDetail {
    ErrorDetail {
        code,
        message: i18n::message(code, locale, &details),
        details,
    }
}

fn relocalize(mut entry: Entry, locale: Locale) -> Entry {
    for w in &mut entry.warnings {
        w.message = i18n::warning_message(&w.code, locale, &w.details);
    }
    entry
}

/// Reads a mutation into its kind; an unknown name or malformed args refuse that mutation alone
/// (`validation_failed` naming the field).
fn kind(m: &Mutation) -> Result<MutationKind, ApiError> {
    match MutationName::parse(&m.name) {
        Some(MutationName::EntrySave) => Ok(MutationKind::EntrySave(parse_value(&m.args)?)),
        Some(MutationName::EntryDelete) => Ok(MutationKind::EntryDelete(parse_value(&m.args)?)),
        Some(MutationName::MonthSubmit) => Ok(MutationKind::MonthSubmit(parse_value(&m.args)?)),
        None => Err(ApiError::invalid_with(
            "name",
            "out_of_range",
            json!({ "allowed": MutationName::ALL.map(MutationName::as_str) }),
        )),
    }
}

/// A mutation of the current run, before and after the ledger.
enum Staged {
    /// The ledger's operation at this index.
    Op(usize),
    /// Answered without the ledger: the entry it produced, or why not.
    Done(Box<Result<Option<Entry>, ApiError>>),
}

/// What a mutation becomes in a run.
enum Prepared {
    Op(Op),
    /// Refused for its shape or by its caller's rights, before any rule.
    Refused(ApiError),
    /// It reads the database as it stands (a month's submission, a coordinator's edit that
    /// names no assistant): it gets a transaction of its own.
    Alone,
}

fn forbidden() -> ApiError {
    ApiError::Rule {
        code: ErrorCode::Forbidden,
        details: json!({}),
    }
}

/// Turns an entry mutation into a ledger operation, or refuses it for its shape.
/// Pure: the names a coordinator's write mentions are checked in the transaction.
fn prepare(caller: &Caller, m: &Mutation, device_time: Option<DateTime<Utc>>) -> Prepared {
    if !matches!(
        caller.role,
        Role::Assistant | Role::Coordinator | Role::Admin
    ) {
        return Prepared::Refused(forbidden());
    }
    let kind = match kind(m) {
        Ok(k) => k,
        Err(e) => return Prepared::Refused(e),
    };
    match kind {
        MutationKind::EntrySave(mut body) => {
            let Some(id) = body.id else {
                return Prepared::Refused(ApiError::invalid("id", "required"));
            };
            if body.base_version.is_some() && caller.is_staff() && body.assistant_id.is_none() {
                return Prepared::Alone;
            }
            body.device_time = body.device_time.or(device_time);
            match parse_write(caller, &body, id) {
                Ok(w) => Prepared::Op(Op::Save(w)),
                Err(e) => Prepared::Refused(e),
            }
        }
        MutationKind::EntryDelete(a) => Prepared::Op(Op::Retire(Retire {
            id: a.id,
            kind: RetireKind::Delete {
                base_version: a.base_version,
            },
            only_assistant: if caller.is_staff() {
                None
            } else {
                Some(caller.assistant_id.unwrap_or_default())
            },
        })),
        MutationKind::MonthSubmit(_) => Prepared::Alone,
    }
}

/// Applies a mutation that `prepare` left to be answered alone (`Prepared::Alone`), inside
/// `txn` (a savepoint): a month's submission, or a coordinator's edit that names no assistant
/// (it keeps the entry's own). Returns the entry it wrote, if any.
async fn apply_alone(
    txn: &Txn,
    caller: &Caller,
    m: &Mutation,
    device_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<Entry>, ApiError> {
    let mut body = match kind(m)? {
        MutationKind::MonthSubmit(a) => {
            let month = parse_month(&a.month)?;
            let assistant = if caller.is_staff() {
                None
            } else {
                caller.assistant_id
            };
            db::months::submit(txn, a.client_id, month, assistant, actor(caller), now)
                .await
                .map_err(|e| write_error(e, Locale::Lv))?;
            return Ok(None);
        }
        MutationKind::EntrySave(body) => body,
        MutationKind::EntryDelete(_) => {
            return Err(ApiError::Internal("a delete was answered alone".into()));
        }
    };
    let id = body.id.ok_or_else(|| ApiError::invalid("id", "required"))?;
    body.assistant_id = Some(visible(txn, caller, id).await?.assistant_id);
    body.device_time = body.device_time.or(device_time);
    let write = parse_write(caller, &body, id)?;
    check_names(txn, caller, &write).await?;
    let saved = crate::db::ledger::save(txn, &write, actor(caller), now)
        .await
        .map_err(|e| write_error(e, Locale::Lv))?;
    Ok(Some(store::wire(&saved.entry, &saved.trips, Locale::Lv)))
}

/// `POST /api/v1/sync/push`
/// Applies a device's queued mutations exactly once, in `seq` order (SPEC §6): a run of new
/// entry mutations from an assistant goes through the group writer with other phones' pushes;
/// anything else (a replay, a gap, a submission, a coordinator's edit) one push at a time.
pub async fn push(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    mut body: PushRequest,
) -> Result<PushResponse, ApiError> {
    if body.mutations.len() > MAX_MUTATIONS {
        return Err(ApiError::TooManyMutations { max: MAX_MUTATIONS });
    }
    if let Some(bad) = body.mutations.iter().find(|m| m.seq < 1) {
        return Err(ApiError::invalid_with(
            "mutations.seq",
            "out_of_range",
            json!({ "seq": bad.seq }),
        ));
    }
    // Parsed before any transaction: the database is held only for what needs it.
    let mut prepared: Vec<Option<Prepared>> = body
        .mutations
        .iter()
        .map(|m| Some(prepare(caller, m, body.device_time)))
        .collect();
    let mut hashes: Vec<String> = body.mutations.iter().map(body_hash).collect();
    // An assistant's push of new entry mutations, the phones' usual traffic, is written
    // together with the other phones' pushes that arrive meanwhile. Anything else (a replay, a
    // gap, a submission, a coordinator's edit) takes the path below, one push at a time.
    let grouped = caller.role == Role::Assistant
        && !body.mutations.is_empty()
        && prepared.iter().all(|p| !matches!(p, Some(Prepared::Alone)));
    if grouped {
        let job = Job {
            caller: caller.clone(),
            device_id: std::mem::take(&mut body.device_id),
            device_time: body.device_time,
            mutations: std::mem::take(&mut body.mutations),
            hashes,
            prepared,
        };
        match state.pushes.write(job).await {
            Grouped::Done {
                answers,
                last_applied,
            } => {
                return Ok(PushResponse {
                    results: answers.into_iter().map(|a| a.result(locale)).collect(),
                    last_applied_seq: last_applied,
                    server_time: state.clock.now(),
                });
            }
            Grouped::Declined(job) => {
                body.device_id = job.device_id;
                body.mutations = job.mutations;
                hashes = job.hashes;
                prepared = job.prepared;
            }
            Grouped::Failed(e) => return Err(e),
        }
    }
    let device = db::session::device(&state.db, caller.device)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if device.device_id != body.device_id {
        return Err(ApiError::Rule {
            code: ErrorCode::Forbidden,
            details: json!({ "device_id": body.device_id }),
        });
    }
    let mutations = &body.mutations;
    let mut results = Vec::with_capacity(mutations.len());
    let mut last_applied = device.last_applied_seq;
    let mut i = 0;
    // One transaction per run of consecutive new entry mutations (checked and written together
    // by the ledger), or per mutation that must be answered on its own.
    while i < mutations.len() {
        let now = state.clock.now();
        let txn = state.db.begin().await?;
        // The device row is the lock that orders this device's pushes (two identical pushes in
        // flight at once apply each seq once).
        let dev = db::sync::lock_devices(&txn, &[device.id])
            .await?
            .pop()
            .ok_or(ApiError::Unauthorized)?;
        last_applied = dev.last_applied_seq;
        let m = &mutations[i];
        if m.seq <= last_applied {
            let seen = db::sync::mutation(&txn, dev.id, m.seq).await?;
            txn.rollback().await?;
            results.push(match seen {
                Some(row) if row.body_hash == hashes[i] => replayed(&row, locale),
                _ => refused_result(
                    m.seq,
                    ErrorCode::SeqConflict,
                    json!({ "seq": m.seq }),
                    locale,
                ),
            });
            i += 1;
            continue;
        }
        if m.seq > last_applied + 1 {
            txn.rollback().await?;
            let details = json!({ "expected_seq": last_applied + 1, "seq": m.seq });
            results.push(refused_result(m.seq, ErrorCode::SeqGap, details, locale));
            break;
        }
        let first = i;
        let mut staged: Vec<(&Mutation, Staged)> = Vec::new();
        let mut ops = Vec::new();
        while let Some(m) = mutations.get(i) {
            if m.seq != last_applied + 1 + staged.len() as i64 {
                break;
            }
            if matches!(prepared[i], Some(Prepared::Alone)) {
                if staged.is_empty() {
                    let savepoint = txn.begin().await?;
                    let applied = apply_alone(&savepoint, caller, m, body.device_time, now).await;
                    // A refusal undoes its savepoint; an infrastructure error fails the push
                    // below, and the whole transaction rolls back.
                    if applied.is_ok() {
                        savepoint.commit().await?;
                    } else {
                        savepoint.rollback().await?;
                    }
                    staged.push((m, Staged::Done(Box::new(applied))));
                    i += 1;
                }
                break;
            }
            match prepared[i].take() {
                Some(Prepared::Op(op)) => {
                    let names = match &op {
                        Op::Save(w) => check_names(&txn, caller, w).await,
                        Op::Retire(_) | Op::Review(_) => Ok(()),
                    };
                    match names {
                        Ok(()) => {
                            staged.push((m, Staged::Op(ops.len())));
                            ops.push(op);
                        }
                        Err(e) if e.is_infrastructure() => return Err(e),
                        Err(e) => staged.push((m, Staged::Done(Box::new(Err(e))))),
                    }
                }
                Some(Prepared::Refused(e)) => staged.push((m, Staged::Done(Box::new(Err(e))))),
                Some(Prepared::Alone) | None => {
                    return Err(ApiError::Internal("a mutation was prepared twice".into()));
                }
            }
            i += 1;
        }
        let mut outcomes = ledger::run(&txn, ops, actor(caller), now)
            .await?
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        let mut rows = Vec::with_capacity(staged.len());
        let mut refusals = Vec::new();
        let mut answers = Vec::with_capacity(staged.len());
        for (k, (m, stage)) in staged.into_iter().enumerate() {
            let done = match stage {
                Staged::Done(done) => *done,
                Staged::Op(k) => outcome(caller, outcomes[k].take()),
            };
            let hash = std::mem::take(&mut hashes[first + k]);
            let (row, refusal, answer) =
                settle(caller, &dev, m, hash, done, body.device_time, now)?;
            rows.push(row);
            refusals.extend(refusal);
            last_applied = m.seq;
            answers.push(answer);
        }
        changes::record_all(&txn, refusals).await?;
        db::sync::store_outcomes(&txn, rows).await?;
        db::sync::set_last_applied(&txn, dev, last_applied).await?;
        txn.commit().await?;
        results.extend(answers.into_iter().map(|a| a.result(locale)));
    }
    Ok(PushResponse {
        results,
        last_applied_seq: last_applied,
        server_time: state.clock.now(),
    })
}

/// A ledger outcome as the entry the phone gets back, or why not.
fn outcome(
    caller: &Caller,
    outcome: Option<Result<store::Saved, WriteError>>,
) -> Result<Option<Entry>, ApiError> {
    match outcome {
        Some(Ok(saved)) => Ok(Some(store::wire(&saved.entry, &saved.trips, Locale::Lv))),
        Some(Err(WriteError::Exists(current))) => {
            let (entry, trips) = *current;
            if sees(caller, &entry) {
                Err(ApiError::Rule {
                    code: ErrorCode::StaleVersion,
                    details: json!({ "current": store::wire(&entry, &trips, Locale::Lv) }),
                })
            } else {
                Err(ApiError::NotFound)
            }
        }
        Some(Err(e)) => Err(write_error(e, Locale::Lv)),
        None => Err(ApiError::Internal("a mutation lost its outcome".into())),
    }
}

/// A mutation's answer before it is put in the caller's language: the entry it produced, or
/// the refusal's code and details.
struct Answer {
    seq: i64,
    done: Result<Option<Entry>, (ErrorCode, Value)>,
}

impl Answer {
    /// The phone's result, in its language. Built by the push's own request, outside the
    /// transaction and the group writer.
    fn result(self, locale: Locale) -> MutationResult {
        match self.done {
            Ok(entry) => {
                let entry = entry.map(|e| relocalize(e, locale));
                MutationResult {
                    seq: self.seq,
                    status: "applied".into(),
                    original_status: None,
                    warnings: entry.as_ref().map(|e| e.warnings.clone()),
                    entry,
                    error: None,
                }
            }
            Err((code, details)) => refused_result(self.seq, code, details, locale),
        }
    }
}

/// The stored outcome of an applied mutation (read back by `replayed`).
#[derive(serde::Serialize)]
struct Applied<'a> {
    entry: &'a Option<Entry>,
}

/// What an answered mutation leaves: its stored outcome (for replays), the change that tells
/// the caller's other devices of a refusal, and its answer. An infrastructure error fails the
/// push instead.
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn settle(
    caller: &Caller,
    dev: &devices::Model,
    m: &Mutation,
    hash: String,
    done: Result<Option<Entry>, ApiError>,
    device_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<
    (
        Outcome,
        Option<crate::db::entity::changes::ActiveModel>,
        Answer,
    ),
    ApiError,
> {
    let (status, outcome, refusal, done) = match done {
        Ok(entry) => {
            let outcome = serde_json::to_string(&Applied { entry: &entry })
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            ("applied", outcome, None, Ok(entry))
        }
        Err(e) if e.is_infrastructure() => return Err(e),
        Err(e) => {
            let (code, details) = e.code_and_details();
            let error = json!({ "code": code, "details": details });
            let data =
                json!({ "device_id": dev.device_id, "seq": m.seq, "name": m.name, "error": error });
            let scope = changes::Scope {
                user_id: Some(caller.user_id),
                ..Default::default()
            };
            let entity = format!("{}/{}", dev.id, m.seq);
            let refusal = changes::row("mutation", "rejected", entity, scope, &data, now);
            let outcome = json!({ "error": error }).to_string();
            ("rejected", outcome, Some(refusal), Err((code, details)))
        }
    };
    let row = Outcome {
        device_row: dev.id,
        seq: m.seq,
        name: m.name.clone(),
        body_hash: hash,
        status,
        outcome,
        device_time,
        received_at: now,
    };
    Ok((row, refusal, Answer { seq: m.seq, done }))
}

/// A phone's push waiting to be written with others.
pub struct Job {
    caller: Caller,
    device_id: String,
    device_time: Option<DateTime<Utc>>,
    mutations: Vec<Mutation>,
    /// Each mutation's body hash, computed by its request before it is queued.
    hashes: Vec<String>,
    prepared: Vec<Option<Prepared>>,
}

/// What became of a push sent to the group writer.
enum Grouped {
    Done {
        answers: Vec<Answer>,
        last_applied: i64,
    },
    /// Not a run of new mutations from this device as it stands: answered one push at a time.
    Declined(Job),
    Failed(ApiError),
}

/// Mutations a group takes before it is written; later pushes wait for the next group.
const GROUP_MUTATIONS: usize = 1000;

/// Group commit for the phones' pushes. Pushes that arrive while a group is being written wait
/// and are then written together: one transaction, one read of their devices, one ledger run
/// over all their mutations (each with its own author), one insert of their outcomes. Each push
/// is still all-or-nothing and answered with its own results; a group adds no waiting when the
/// service is idle, since the first push starts a group at once.
#[derive(Clone)]
pub struct Pushes {
    queue: tokio::sync::mpsc::Sender<(Job, tokio::sync::oneshot::Sender<Grouped>)>,
}

impl Pushes {
    /// Starts the writer: `groups` groups may be written at once (one on SQLite, whose single
    /// connection serializes them anyway; a few on PostgreSQL).
    pub fn start(
        db: db::Db,
        clock: crate::clock::Clock,
        groups: usize,
        sizes: prometheus_client::metrics::histogram::Histogram,
    ) -> Pushes {
        let (queue, mut waiting) =
            tokio::sync::mpsc::channel::<(Job, tokio::sync::oneshot::Sender<Grouped>)>(4096);
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(groups.max(1)));
        let kept = Kept::default();
        tokio::spawn(async move {
            loop {
                let Ok(slot) = std::sync::Arc::clone(&slots).acquire_owned().await else {
                    break;
                };
                let Some(first) = waiting.recv().await else {
                    break;
                };
                let mut size = first.0.mutations.len();
                let mut group = vec![first];
                while size < GROUP_MUTATIONS {
                    let Ok(next) = waiting.try_recv() else {
                        break;
                    };
                    size += next.0.mutations.len();
                    group.push(next);
                }
                sizes.observe(group.len() as f64);
                let (db, kept, now) = (db.clone(), kept.clone(), clock.now());
                tokio::spawn(async move {
                    write_group(&db, &kept, group, now).await;
                    drop(slot);
                });
            }
        });
        Pushes { queue }
    }

    async fn write(&self, job: Job) -> Grouped {
        let (answer, answered) = tokio::sync::oneshot::channel();
        if self.queue.send((job, answer)).await.is_err() {
            return Grouped::Failed(ApiError::NotReady("the push writer has stopped".into()));
        }
        answered.await.unwrap_or_else(|_| {
            Grouped::Failed(ApiError::Internal("the push writer dropped a push".into()))
        })
    }
}

/// What the group writer keeps from one group to the next.
#[derive(Clone, Default)]
struct Kept {
    /// The policy book, read again when the table has grown.
    policy: db::policy::Kept,
}

/// Writes a group and answers each of its pushes.
async fn write_group(
    db: &db::Db,
    kept: &Kept,
    group: Vec<(Job, tokio::sync::oneshot::Sender<Grouped>)>,
    now: DateTime<Utc>,
) {
    let (jobs, answers): (Vec<Job>, Vec<_>) = group.into_iter().unzip();
    for (answer, grouped) in answers
        .into_iter()
        .zip(write_jobs(db, kept, jobs, now).await)
    {
        // A phone that hung up still had its push written; it learns so when it retries.
        let _ = answer.send(grouped);
    }
}

/// The same error for each push of a failed group (nothing of the group was written).
fn failed(e: &ApiError) -> Grouped {
    Grouped::Failed(match e {
        ApiError::NotReady(m) => ApiError::NotReady(m.clone()),
        other => ApiError::Internal(other.to_string()),
    })
}

/// One answer per job, in order: the group's runs of new mutations are written in one
/// transaction; a push that does not continue its device's sequence is declined.
async fn write_jobs(db: &db::Db, kept: &Kept, jobs: Vec<Job>, now: DateTime<Utc>) -> Vec<Grouped> {
    let txn = match db.begin().await {
        Ok(txn) => txn,
        Err(e) => {
            let e = ApiError::from(e);
            return jobs.iter().map(|_| failed(&e)).collect();
        }
    };
    let (answers, commit) = write_in(&txn, jobs, now, &kept.policy).await;
    let committed = if commit {
        txn.commit().await.map_err(ApiError::from)
    } else {
        Ok(())
    };
    after_commit(answers, committed)
}

/// A failed commit fails every push the group had written; declined pushes stay declined.
fn after_commit(answers: Vec<Grouped>, committed: Result<(), ApiError>) -> Vec<Grouped> {
    match committed {
        Ok(()) => answers,
        Err(e) => answers
            .into_iter()
            .map(|a| match a {
                Grouped::Done { .. } => failed(&e),
                other => other,
            })
            .collect(),
    }
}

/// Inside the group's transaction: reads the devices, declines pushes that do not continue
/// their device's sequence and writes the rest. Returns one answer per job and whether the
/// transaction is to be committed (false when nothing was written or the writing failed).
async fn write_in(
    txn: &impl Conn,
    jobs: Vec<Job>,
    now: DateTime<Utc>,
    policy: &db::policy::Kept,
) -> (Vec<Grouped>, bool) {
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.caller.device).collect();
    // The device rows are the locks that order each device's pushes, taken in one order.
    let devs: HashMap<Uuid, devices::Model> = match db::sync::lock_devices(txn, &ids).await {
        Ok(rows) => rows.into_iter().map(|d| (d.id, d)).collect(),
        Err(e) => {
            let e = ApiError::from(e);
            return (jobs.iter().map(|_| failed(&e)).collect(), false);
        }
    };
    let mut last: HashMap<Uuid, i64> = devs.values().map(|d| (d.id, d.last_applied_seq)).collect();
    let mut answers: Vec<Option<Grouped>> = Vec::with_capacity(jobs.len());
    let mut taken: Vec<(usize, Job)> = Vec::new();
    for (i, job) in jobs.into_iter().enumerate() {
        let seq = devs
            .get(&job.caller.device)
            .filter(|d| d.device_id == job.device_id)
            .and_then(|d| last.get_mut(&d.id));
        let fits = seq.is_some_and(|seq| {
            let next = job
                .mutations
                .iter()
                .enumerate()
                .all(|(k, m)| m.seq == *seq + 1 + k as i64);
            if next {
                *seq += job.mutations.len() as i64;
            }
            next
        });
        if fits {
            answers.push(None);
            taken.push((i, job));
        } else {
            answers.push(Some(Grouped::Declined(job)));
        }
    }
    let mut commit = false;
    if !taken.is_empty() {
        match apply_group(txn, &devs, &mut taken, now, policy).await {
            Ok(done) => {
                commit = true;
                for ((i, _), grouped) in taken.iter().zip(done) {
                    answers[*i] = Some(grouped);
                }
            }
            Err(e) => {
                for (i, _) in &taken {
                    answers[*i] = Some(failed(&e));
                }
            }
        }
    }
    let answers = answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                Grouped::Failed(ApiError::Internal("a push lost its answer".into()))
            })
        })
        .collect();
    (answers, commit)
}

/// Writes the taken pushes inside `txn`: one ledger run over all their mutations, then their
/// outcomes, refusals and device positions. One answer per taken push.
async fn apply_group(
    txn: &impl Conn,
    devs: &HashMap<Uuid, devices::Model>,
    taken: &mut [(usize, Job)],
    now: DateTime<Utc>,
    policy: &db::policy::Kept,
) -> Result<Vec<Grouped>, ApiError> {
    let mut ops = Vec::new();
    let mut staged: Vec<Vec<Staged>> = Vec::with_capacity(taken.len());
    for (_, job) in taken.iter_mut() {
        let by = actor(&job.caller);
        let mut stages = Vec::with_capacity(job.prepared.len());
        for p in &mut job.prepared {
            stages.push(match p.take() {
                Some(Prepared::Op(op)) => {
                    ops.push((by, op));
                    Staged::Op(ops.len() - 1)
                }
                Some(Prepared::Refused(e)) => Staged::Done(Box::new(Err(e))),
                Some(Prepared::Alone) | None => {
                    return Err(ApiError::Internal(
                        "a grouped push held a lone mutation".into(),
                    ));
                }
            });
        }
        staged.push(stages);
    }
    let mut outcomes: Vec<_> = ledger::run_as(txn, ops, now, policy)
        .await?
        .into_iter()
        .map(Some)
        .collect();
    let (mut rows, mut refusals, mut answers) = (Vec::new(), Vec::new(), Vec::new());
    let mut moved: Vec<(Uuid, i64)> = Vec::new();
    for ((_, job), stages) in taken.iter_mut().zip(staged) {
        let dev = devs
            .get(&job.caller.device)
            .ok_or_else(|| ApiError::Internal("a grouped push lost its device".into()))?;
        let mut results = Vec::with_capacity(stages.len());
        for ((m, stage), hash) in job.mutations.iter().zip(stages).zip(&mut job.hashes) {
            let done = match stage {
                Staged::Done(done) => *done,
                Staged::Op(k) => outcome(&job.caller, outcomes[k].take()),
            };
            let hash = std::mem::take(hash);
            let (row, refusal, answer) =
                settle(&job.caller, dev, m, hash, done, job.device_time, now)?;
            rows.push(row);
            refusals.extend(refusal);
            results.push(answer);
        }
        let last_applied = job.mutations.last().map_or(dev.last_applied_seq, |m| m.seq);
        moved.retain(|(id, _)| *id != dev.id);
        moved.push((dev.id, last_applied));
        answers.push(Grouped::Done {
            answers: results,
            last_applied,
        });
    }
    changes::record_all(txn, refusals).await?;
    db::sync::store_outcomes(txn, rows).await?;
    // Every device's new position in one statement.
    db::sync::set_all_last_applied(txn, &moved).await?;
    Ok(answers)
}

/// A refused mutation's result, in the caller's language.
fn refused_result(seq: i64, code: ErrorCode, details: Value, locale: Locale) -> MutationResult {
    MutationResult {
        seq,
        status: "rejected".into(),
        original_status: None,
        entry: None,
        warnings: None,
        error: Some(error_detail(code, details, locale)),
    }
}

/// Whether the caller may see an entry (here only assistants and staff push).
fn sees(caller: &Caller, e: &crate::db::entity::entries::Model) -> bool {
    caller.is_staff() || caller.assistant_id == Some(e.assistant_id)
}

/// A stored outcome as a `duplicate` result, in the caller's language.
fn replayed(row: &sync_mutations::Model, locale: Locale) -> MutationResult {
    let outcome: Value = serde_json::from_str(&row.outcome).unwrap_or(Value::Null);
    let entry: Option<Entry> = serde_json::from_value(outcome["entry"].clone())
        .ok()
        .map(|e| relocalize(e, locale));
    let error = outcome.get("error").and_then(|e| {
        let code: ErrorCode = serde_json::from_value(e["code"].clone()).ok()?;
        Some(error_detail(code, e["details"].clone(), locale))
    });
    MutationResult {
        seq: row.seq,
        status: "duplicate".into(),
        original_status: Some(row.status.clone()),
        warnings: entry.as_ref().map(|e| e.warnings.clone()),
        entry,
        error,
    }
}

fn parse_cursor(cursor: Option<&str>) -> Result<i64, ApiError> {
    match cursor.map(str::trim) {
        None | Some("") => Ok(0),
        Some(c) => c
            .strip_prefix("c1-")
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::invalid("cursor", "out_of_range")),
    }
}

/// A stored change's data as the caller gets it: an entry read into its type and put in the
/// caller's language, a refused mutation with its message in that language, anything else as
/// it was stored.
fn pulled_data(kind: &str, op: &str, stored: &str, locale: Locale) -> Value {
    let data: Value = serde_json::from_str(stored).unwrap_or(Value::Null);
    match (kind, op) {
        ("entry", "upsert") => match serde_json::from_value::<Entry>(data.clone()) {
            Ok(e) => serde_json::to_value(relocalize(e, locale)).unwrap_or(data),
            Err(_) => data,
        },
        ("mutation", _) => {
            let mut data = data;
            if let Ok(code) = serde_json::from_value::<ErrorCode>(data["error"]["code"].clone()) {
                data["error"]["message"] =
                    json!(i18n::message(code, locale, &data["error"]["details"]));
            }
            data
        }
        _ => data,
    }
}

/// `GET /api/v1/sync/pull?cursor=…&limit=…`
/// Everything the caller may see that changed after `cursor`, in commit order, a page of at
/// most `limit` changes.
pub async fn pull(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<PullResponse, ApiError> {
    let after = parse_cursor(cursor)?;
    let limit = limit.unwrap_or(PULL_DEFAULT);
    if limit == 0 || limit > PULL_MAX {
        return Err(ApiError::invalid_with(
            "limit",
            "out_of_range",
            json!({ "max": PULL_MAX }),
        ));
    }
    changes::sequence(&state.db, &state.reads).await?;
    let who = match caller.role {
        Role::Coordinator | Role::Admin | Role::Accountant => changes::Visibility::All,
        Role::Assistant => {
            let assistant_id = caller.assistant_id.ok_or(ApiError::Forbidden)?;
            let filter = db::people::AssignmentFilter {
                assistant_id: Some(assistant_id),
                ..Default::default()
            };
            let (rows, _) = db::people::assignments(&state.reads, &filter, 0, 10_000).await?;
            let clients: Vec<Uuid> = rows.into_iter().map(|a| a.client_id).collect();
            changes::Visibility::Assistant {
                assistant_id,
                clients,
                user_id: caller.user_id,
            }
        }
        Role::Client => changes::Visibility::Clients {
            clients: caller.client_id.into_iter().collect(),
            user_id: caller.user_id,
        },
        Role::Representative => changes::Visibility::Clients {
            clients: db::session::represented(&state.reads, caller.user_id).await?,
            user_id: caller.user_id,
        },
    };
    let mut rows = changes::page(&state.reads, after, &who, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let cursor = rows.last().and_then(|r| r.position).unwrap_or(after);
    let changes = rows
        .into_iter()
        .map(|r| {
            let data = pulled_data(&r.kind, &r.op, &r.data, locale);
            Change {
                kind: r.kind,
                op: r.op,
                id: r.entity_id,
                data,
            }
        })
        .collect();
    let device = db::session::device(&state.reads, caller.device)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(PullResponse {
        changes,
        cursor: format!("c1-{cursor}"),
        has_more,
        last_applied_seq: device.last_applied_seq,
        server_time: state.clock.now(),
    })
}
