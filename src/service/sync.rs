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
/// How many changes one numbering transaction takes at most, so that a backlog (a bulk load
/// nobody pulled during) is numbered in short steps others can write between.
const NUMBERING_BATCH: u64 = 20_000;

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
    if let Some(f) = &mut entry.flag
        && let Some(code) = ErrorCode::ALL.iter().find(|c| c.as_str() == f.code)
    {
        f.message = i18n::message(*code, locale, &f.details);
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
            super::months::submit_in(txn, a.client_id, month, assistant, actor(caller), now)
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
/// Applies a device's queued mutations exactly once, in `seq` order (SPEC §6). Every push goes
/// through the group writer (`Pushes`): on its own when the service is idle, together with the
/// pushes that arrive meanwhile when it is busy.
pub async fn push(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    body: PushRequest,
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
    // Parsed before the writer: the database is held only for what needs it.
    let prepared = body
        .mutations
        .iter()
        .map(|m| Some(prepare(caller, m, body.device_time)))
        .collect();
    let hashes = body.mutations.iter().map(body_hash).collect();
    let job = Job {
        caller: caller.clone(),
        device_id: body.device_id,
        device_time: body.device_time,
        mutations: body.mutations,
        hashes,
        prepared,
    };
    match state.pushes.write(job).await {
        Grouped::Done {
            answers,
            last_applied,
        } => Ok(PushResponse {
            results: answers.into_iter().map(|a| a.result(locale)).collect(),
            last_applied_seq: last_applied,
            server_time: state.clock.now(),
        }),
        Grouped::Failed(e) => Err(e),
    }
}

/// How a push's mutations are taken, from its device's last applied seq.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A seq already taken: answered from its stored outcome.
    Replay(usize),
    /// New mutations in sequence, checked and written together by the ledger.
    Run(std::ops::Range<usize>),
    /// A new mutation answered on its own (`Prepared::Alone`).
    Alone(usize),
    /// Not the next seq: refused, and the rest of the push is not taken.
    Gap(usize),
}

/// The one place a push's sequence is checked: its steps, given the device's last applied seq.
fn plan(mutations: &[Mutation], prepared: &[Option<Prepared>], last: i64) -> Vec<Step> {
    let alone = |i: usize| matches!(prepared.get(i), Some(Some(Prepared::Alone)));
    let (mut steps, mut next, mut i) = (Vec::new(), last + 1, 0);
    while let Some(m) = mutations.get(i) {
        if m.seq < next {
            steps.push(Step::Replay(i));
            i += 1;
        } else if m.seq > next {
            steps.push(Step::Gap(i));
            break;
        } else if alone(i) {
            steps.push(Step::Alone(i));
            (next, i) = (next + 1, i + 1);
        } else {
            let first = i;
            while mutations.get(i).is_some_and(|m| m.seq == next) && !alone(i) {
                (next, i) = (next + 1, i + 1);
            }
            steps.push(Step::Run(first..i));
        }
    }
    steps
}

/// A mutation's answer before it is put in the caller's language.
enum Answer {
    /// Taken now: the entry it produced, or the refusal's code and details.
    Taken {
        seq: i64,
        done: Result<Option<Entry>, (ErrorCode, Value)>,
    },
    /// Taken before: its stored outcome, and the entry it names, read when it was replayed.
    Replayed(sync_mutations::Model, Option<Entry>),
    /// Taken before, its outcome forgotten since (`db::sync::forget_confirmed`).
    Forgotten(i64),
}

impl Answer {
    fn refused(seq: i64, code: ErrorCode, details: Value) -> Answer {
        Answer::Taken {
            seq,
            done: Err((code, details)),
        }
    }

    /// The phone's result, in its language. Built by the push's own request, outside the
    /// transaction and the group writer.
    fn result(self, locale: Locale) -> MutationResult {
        match self {
            Answer::Taken {
                seq,
                done: Ok(entry),
            } => {
                let entry = entry.map(|e| relocalize(e, locale));
                MutationResult {
                    seq,
                    status: "applied".into(),
                    original_status: None,
                    warnings: entry.as_ref().map(|e| e.warnings.clone()),
                    entry,
                    error: None,
                }
            }
            Answer::Taken {
                seq,
                done: Err((code, details)),
            } => refused_result(seq, code, details, locale),
            Answer::Replayed(row, entry) => replayed(&row, entry, locale),
            Answer::Forgotten(seq) => MutationResult {
                seq,
                status: "duplicate".into(),
                original_status: None,
                entry: None,
                warnings: None,
                error: None,
            },
        }
    }
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

/// The stored outcome of an applied mutation (read back by `replayed`): the entry it wrote is
/// named, not copied (the entry's row holds it), so an outcome costs a few dozen bytes.
/// Outcomes stored before this hold the whole entry under `entry`; `replayed` reads both.
#[derive(serde::Serialize, serde::Deserialize)]
struct Applied {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entry_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

/// What a push's taken mutations leave: their stored outcomes (for replays), the changes that
/// tell the caller's other devices of a refusal, and their answers.
#[derive(Default)]
struct Settled {
    rows: Vec<Outcome>,
    refusals: Vec<crate::db::entity::changes::ActiveModel>,
    answers: Vec<Answer>,
}

impl Settled {
    /// Settles a taken mutation. An infrastructure error fails the push instead.
    fn take(
        &mut self,
        job: &Job,
        dev: &devices::Model,
        i: usize,
        done: Result<Option<Entry>, ApiError>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let m = &job.mutations[i];
        let (status, outcome, done) = match done {
            Ok(entry) => {
                let applied = Applied {
                    entry_id: entry.as_ref().map(|e| e.id),
                    version: entry.as_ref().map(|e| e.version),
                };
                let outcome = serde_json::to_string(&applied)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                ("applied", outcome, Ok(entry))
            }
            Err(e) if e.is_infrastructure() => return Err(e),
            Err(e) => {
                let (code, details) = e.code_and_details();
                let error = json!({ "code": code, "details": details });
                let data = json!({
                    "device_id": dev.device_id, "seq": m.seq, "name": m.name, "error": error,
                });
                let scope = changes::Scope {
                    user_id: Some(job.caller.user_id),
                    ..Default::default()
                };
                let entity = format!("{}/{}", dev.id, m.seq);
                let refusal = changes::row("mutation", "rejected", entity, scope, &data, now);
                self.refusals.push(refusal);
                let outcome = json!({ "error": error }).to_string();
                ("rejected", outcome, Err((code, details)))
            }
        };
        self.rows.push(Outcome {
            device_row: dev.id,
            seq: m.seq,
            name: m.name.clone(),
            body_hash: job.hashes[i].clone(),
            status,
            outcome,
            device_time: job.device_time,
            received_at: now,
        });
        self.answers.push(Answer::Taken { seq: m.seq, done });
        Ok(())
    }

    /// Stores the outcomes and refusals settled so far; keeps the answers.
    async fn store(&mut self, txn: &impl Conn) -> Result<(), ApiError> {
        changes::record_all(txn, std::mem::take(&mut self.refusals)).await?;
        db::sync::store_outcomes(txn, std::mem::take(&mut self.rows)).await?;
        Ok(())
    }
}

/// A phone's push, waiting to be written with others.
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
    Failed(ApiError),
}

/// Mutations a group takes before it is written; later pushes wait for the next group.
const GROUP_MUTATIONS: usize = 1000;

/// Group commit for the phones' pushes: every push is written here. Pushes that arrive while a
/// group is being written wait and are then written together: one transaction, one read of
/// their devices, one ledger run over the new mutations of all the assistants' pushes that
/// simply continue their devices' sequences (each with its own author), one insert of their
/// outcomes. Any other push (a replay, a gap, a month's submission, a coordinator's edit) is
/// then written step by step in a savepoint of its own. Each push is all-or-nothing and
/// answered with its own results; a group adds no waiting when the service is idle, since the
/// first push starts a group at once.
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
        ApiError::Unauthorized => ApiError::Unauthorized,
        ApiError::Rule { code, details } => ApiError::Rule {
            code: *code,
            details: details.clone(),
        },
        other => ApiError::Internal(other.to_string()),
    })
}

/// One answer per job, in order, from one transaction.
async fn write_jobs(db: &db::Db, kept: &Kept, jobs: Vec<Job>, now: DateTime<Utc>) -> Vec<Grouped> {
    let txn = match db.begin().await {
        Ok(txn) => txn,
        Err(e) => {
            let e = ApiError::from(e);
            return jobs.iter().map(|_| failed(&e)).collect();
        }
    };
    let answers = match write_in(&txn, jobs, now, &kept.policy).await {
        Ok(answers) => answers,
        Err((e, n)) => return (0..n).map(|_| failed(&e)).collect(),
    };
    match txn.commit().await.map_err(ApiError::from) {
        Ok(()) => answers,
        // A failed commit fails every push the group had written.
        Err(e) => answers
            .into_iter()
            .map(|a| match a {
                Grouped::Done { .. } => failed(&e),
                other => other,
            })
            .collect(),
    }
}

/// Inside the group's transaction: reads and locks the devices, writes the pushes that simply
/// continue their devices' sequences together, then each other push in a savepoint of its own,
/// and moves the devices' positions. One answer per job; an error of the group's own statements
/// fails them all (the transaction is then rolled back).
async fn write_in(
    txn: &Txn,
    jobs: Vec<Job>,
    now: DateTime<Utc>,
    policy: &db::policy::Kept,
) -> Result<Vec<Grouped>, (ApiError, usize)> {
    let n = jobs.len();
    let fail = |e: ApiError| (e, n);
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.caller.device).collect();
    // The device rows are the locks that order each device's pushes, taken in one order.
    let devs: HashMap<Uuid, devices::Model> = db::sync::lock_devices(txn, &ids)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut last: HashMap<Uuid, i64> = devs.values().map(|d| (d.id, d.last_applied_seq)).collect();
    let mut confirmed: HashMap<Uuid, i64> = HashMap::new();
    let mut answers: Vec<Option<Grouped>> = (0..n).map(|_| None).collect();
    let (mut together, mut alone) = (Vec::new(), Vec::new());
    // A device with a push written alone has its later pushes of the group written alone too,
    // after it, in the order they came.
    let mut slow: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    for (i, job) in jobs.into_iter().enumerate() {
        let Some(dev) = devs.get(&job.caller.device) else {
            answers[i] = Some(Grouped::Failed(ApiError::Unauthorized));
            continue;
        };
        if dev.device_id != job.device_id {
            answers[i] = Some(Grouped::Failed(ApiError::Rule {
                code: ErrorCode::Forbidden,
                details: json!({ "device_id": job.device_id }),
            }));
            continue;
        }
        // The phone sends a mutation until it is answered: the seqs below its push's first had
        // their answers (of those applied before this group; see migration 14).
        if let Some(first) = job.mutations.iter().map(|m| m.seq).min() {
            let had = (first - 1).min(dev.last_applied_seq);
            let known = confirmed.entry(dev.id).or_insert(dev.confirmed_seq);
            *known = (*known).max(had);
        }
        let seq = last.entry(dev.id).or_insert(dev.last_applied_seq);
        let whole = [Step::Run(0..job.mutations.len())];
        let simple = job.caller.role == Role::Assistant
            && !job.mutations.is_empty()
            && !slow.contains(&dev.id)
            && plan(&job.mutations, &job.prepared, *seq) == whole;
        if simple {
            *seq += job.mutations.len() as i64;
            together.push((i, job));
        } else {
            slow.insert(dev.id);
            alone.push((i, job));
        }
    }
    let mut moved: HashMap<Uuid, i64> = HashMap::new();
    if !together.is_empty() {
        let done = apply_group(txn, &devs, &mut together, now, policy)
            .await
            .map_err(fail)?;
        for ((i, job), grouped) in together.iter().zip(done) {
            if let Grouped::Done { last_applied, .. } = &grouped {
                moved.insert(job.caller.device, *last_applied);
            }
            answers[*i] = Some(grouped);
        }
    }
    for (i, job) in alone {
        let Some(dev) = devs.get(&job.caller.device) else {
            continue;
        };
        let mut dev = dev.clone();
        dev.last_applied_seq = moved.get(&dev.id).copied().unwrap_or(dev.last_applied_seq);
        let savepoint = txn.begin().await.map_err(|e| fail(e.into()))?;
        let written = write_alone(&savepoint, &job, &dev, now, policy).await;
        answers[i] = Some(match written {
            Ok(grouped) => {
                savepoint.commit().await.map_err(|e| fail(e.into()))?;
                if let Grouped::Done { last_applied, .. } = &grouped {
                    moved.insert(dev.id, *last_applied);
                }
                grouped
            }
            Err(e) => {
                savepoint.rollback().await.map_err(|e| fail(e.into()))?;
                failed(&e)
            }
        });
    }
    // Every device's new positions in one statement.
    let positions: Vec<db::sync::Position> = devs
        .values()
        .filter(|d| moved.contains_key(&d.id) || confirmed.get(&d.id) > Some(&d.confirmed_seq))
        .map(|d| db::sync::Position {
            device_row: d.id,
            last_applied: moved.get(&d.id).copied().unwrap_or(d.last_applied_seq),
            confirmed: confirmed.get(&d.id).copied().unwrap_or(d.confirmed_seq),
        })
        .collect();
    db::sync::set_positions(txn, &positions)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                Grouped::Failed(ApiError::Internal("a push lost its answer".into()))
            })
        })
        .collect())
}

/// Writes the pushes that continue their devices' sequences inside `txn`: one ledger run over
/// all their mutations, then their outcomes and refusals. One answer per push.
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
    let mut settled = Settled::default();
    let mut answers = Vec::with_capacity(taken.len());
    for ((_, job), stages) in taken.iter().zip(staged) {
        let dev = devs
            .get(&job.caller.device)
            .ok_or_else(|| ApiError::Internal("a grouped push lost its device".into()))?;
        for (i, stage) in stages.into_iter().enumerate() {
            let done = match stage {
                Staged::Done(done) => *done,
                Staged::Op(k) => outcome(&job.caller, outcomes[k].take()),
            };
            settled.take(job, dev, i, done, now)?;
        }
        let results = settled.answers.drain(..).collect();
        let last_applied = job.mutations.last().map_or(dev.last_applied_seq, |m| m.seq);
        answers.push(Grouped::Done {
            answers: results,
            last_applied,
        });
    }
    settled.store(txn).await?;
    Ok(answers)
}

/// Writes one push step by step (`plan`), inside `txn` (its savepoint), from its device's
/// position `dev.last_applied_seq`: a replay is answered from its stored outcome, a run of new
/// mutations goes through the ledger together, a lone mutation gets a savepoint of its own, a
/// gap ends the push. The caller moves the device to the returned `last_applied`.
async fn write_alone(
    txn: &Txn,
    job: &Job,
    dev: &devices::Model,
    now: DateTime<Utc>,
    policy: &db::policy::Kept,
) -> Result<Grouped, ApiError> {
    let mut last = dev.last_applied_seq;
    let mut answers = Vec::with_capacity(job.mutations.len());
    let mut settled = Settled::default();
    for step in plan(&job.mutations, &job.prepared, last) {
        match step {
            Step::Replay(i) => {
                let m = &job.mutations[i];
                answers.push(match db::sync::mutation(txn, dev.id, m.seq).await? {
                    Some(row) if row.body_hash == job.hashes[i] => {
                        let entry = named_entry(txn, &row).await?;
                        Answer::Replayed(row, entry)
                    }
                    // Its outcome was forgotten once the phone had confirmed it: applied before,
                    // never again.
                    None if m.seq <= dev.confirmed_seq => Answer::Forgotten(m.seq),
                    _ => Answer::refused(m.seq, ErrorCode::SeqConflict, json!({ "seq": m.seq })),
                });
            }
            Step::Gap(i) => {
                let seq = job.mutations[i].seq;
                let details = json!({ "expected_seq": last + 1, "seq": seq });
                answers.push(Answer::refused(seq, ErrorCode::SeqGap, details));
            }
            Step::Alone(i) => {
                let m = &job.mutations[i];
                let savepoint = txn.begin().await?;
                let applied = apply_alone(&savepoint, &job.caller, m, job.device_time, now).await;
                // A refusal undoes its savepoint; an infrastructure error fails the push.
                if applied.is_ok() {
                    savepoint.commit().await?;
                } else {
                    savepoint.rollback().await?;
                }
                settled.take(job, dev, i, applied, now)?;
                last = m.seq;
            }
            Step::Run(range) => {
                let mut ops = Vec::new();
                let mut stages = Vec::with_capacity(range.len());
                for i in range.clone() {
                    stages.push(
                        match prepare(&job.caller, &job.mutations[i], job.device_time) {
                            Prepared::Op(op) => {
                                let names = match &op {
                                    Op::Save(w) => check_names(txn, &job.caller, w).await,
                                    Op::Retire(_)
                                    | Op::Review(_)
                                    | Op::Recheck(_)
                                    | Op::Resolve(_) => Ok(()),
                                };
                                match names {
                                    Ok(()) => {
                                        ops.push((actor(&job.caller), op));
                                        Staged::Op(ops.len() - 1)
                                    }
                                    Err(e) => Staged::Done(Box::new(Err(e))),
                                }
                            }
                            Prepared::Refused(e) => Staged::Done(Box::new(Err(e))),
                            Prepared::Alone => {
                                return Err(ApiError::Internal(
                                    "a run held a lone mutation".into(),
                                ));
                            }
                        },
                    );
                }
                let mut outcomes: Vec<_> = ledger::run_as(txn, ops, now, policy)
                    .await?
                    .into_iter()
                    .map(Some)
                    .collect();
                for (i, stage) in range.clone().zip(stages) {
                    let done = match stage {
                        Staged::Done(done) => *done,
                        Staged::Op(k) => outcome(&job.caller, outcomes[k].take()),
                    };
                    settled.take(job, dev, i, done, now)?;
                }
                last = job.mutations[range.end - 1].seq;
            }
        }
        // Stored before the next step, which may replay them.
        settled.store(txn).await?;
        answers.append(&mut settled.answers);
    }
    Ok(Grouped::Done {
        answers,
        last_applied: last,
    })
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

/// The entry an applied mutation's stored outcome names, as it is now: the same as when it was
/// applied unless the entry has been changed since (then its current state, which is what the
/// phone must end up with anyway).
async fn named_entry(
    txn: &impl Conn,
    row: &sync_mutations::Model,
) -> Result<Option<Entry>, ApiError> {
    let Some(id) = serde_json::from_str::<Applied>(&row.outcome)
        .ok()
        .and_then(|a| a.entry_id)
    else {
        return Ok(None);
    };
    Ok(store::wired(txn, &[id], Locale::Lv).await?.remove(&id))
}

/// A stored outcome as a `duplicate` result, in the caller's language: the entry it names (read
/// by `named_entry`), or the whole entry an older outcome holds, or its refusal.
fn replayed(row: &sync_mutations::Model, named: Option<Entry>, locale: Locale) -> MutationResult {
    let outcome: Value = serde_json::from_str(&row.outcome).unwrap_or(Value::Null);
    let entry: Option<Entry> = named
        .or_else(|| serde_json::from_value(outcome["entry"].clone()).ok())
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

/// A stored change's data as the caller gets it (an entry's upsert is read by `latest_entry`): a
/// refused mutation with its message in the caller's language, anything else as it was stored.
fn pulled_data(kind: &str, op: &str, stored: &str, locale: Locale) -> Value {
    let data: Value = serde_json::from_str(stored).unwrap_or(Value::Null);
    match (kind, op) {
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

/// An entry's upsert as pulled: the entry, if the change is of the version the entry has now.
/// A change the entry has moved past is left out of the page: a later change of the entry, further
/// on in the log, carries its newer state (or its tombstone), so a phone gets each entry's
/// latest state once and never a state from after the page's own position.
fn latest_entry(
    r: crate::db::entity::changes::Model,
    now: &HashMap<Uuid, Entry>,
) -> Option<Change> {
    let version = serde_json::from_str::<Value>(&r.data)
        .ok()
        .and_then(|d| d["version"].as_i64());
    let entry = now.get(&Uuid::parse_str(&r.entity_id).ok()?)?;
    (Some(i64::from(entry.version)) == version).then(|| Change {
        kind: r.kind,
        op: r.op,
        id: r.entity_id,
        data: serde_json::to_value(entry).unwrap_or(Value::Null),
    })
}

/// Numbers every committed change not yet numbered (PostgreSQL writes them unnumbered; SQLite
/// numbers them as it writes them, so there it finds none). Every pull calls it first, and each
/// process's sequencer every second, so that what pulls find to number stays small however few
/// phones pull. Returns how many it numbered.
pub async fn number_changes(state: &AppState) -> Result<u64, db::DbErr> {
    changes::sequence(&state.db, &state.reads, NUMBERING_BATCH).await
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
    number_changes(state).await?;
    let who = match caller.role {
        Role::Coordinator | Role::Admin | Role::Accountant => changes::Visibility::All,
        Role::Assistant => {
            let assistant_id = caller.assistant_id.ok_or(ApiError::Forbidden)?;
            let filter = db::people::AssignmentFilter {
                assistant_id: Some(assistant_id),
                ..Default::default()
            };
            let (rows, _) = db::people::assignments(&state.reads, &filter, 0, 10_000).await?;
            let today = crate::domain::time::riga_date(state.clock.now());
            let clients = rows
                .iter()
                .filter(|a| a.valid_to.is_none_or(|to| to >= today))
                .map(|a| a.client_id)
                .collect();
            let months = rows
                .iter()
                .map(|a| {
                    let to = a.valid_to.map(crate::domain::time::Month::of);
                    (
                        a.client_id,
                        crate::domain::time::Month::of(a.valid_from),
                        to,
                    )
                })
                .collect();
            changes::Visibility::Assistant {
                assistant_id,
                clients,
                months,
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
    // An entry's upsert names the entry and its version: the page's entries are read in one go.
    let named: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.kind == "entry" && r.op == "upsert")
        .filter_map(|r| Uuid::parse_str(&r.entity_id).ok())
        .collect();
    let entries = store::wired(&state.reads, &named, locale).await?;
    let changes = rows
        .into_iter()
        .filter_map(|r| {
            if r.kind == "entry" && r.op == "upsert" {
                return latest_entry(r, &entries);
            }
            let data = pulled_data(&r.kind, &r.op, &r.data, locale);
            Some(Change {
                kind: r.kind,
                op: r.op,
                id: r.entity_id,
                data,
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(seq: i64) -> Mutation {
        Mutation {
            seq,
            name: "entry.delete".into(),
            args: json!({}),
        }
    }

    fn op() -> Option<Prepared> {
        Some(Prepared::Refused(ApiError::NotFound))
    }

    #[test]
    fn a_push_is_planned_from_its_devices_position() {
        let pushed: Vec<Mutation> = [3, 4, 5, 6, 7, 9, 10].map(m).into();
        let prepared = vec![op(), op(), op(), Some(Prepared::Alone), op(), op(), op()];
        assert_eq!(
            plan(&pushed, &prepared, 3),
            [
                Step::Replay(0),
                Step::Run(1..3),
                Step::Alone(3),
                Step::Run(4..5),
                Step::Gap(5)
            ]
        );
        // From the beginning, a new phone's first push is one run.
        let pushed: Vec<Mutation> = [1, 2, 3].map(m).into();
        assert_eq!(plan(&pushed, &[op(), op(), op()], 0), [Step::Run(0..3)]);
        // A seq repeated within a push is a replay of the first.
        let pushed: Vec<Mutation> = [1, 1, 2].map(m).into();
        assert_eq!(
            plan(&pushed, &[op(), op(), op()], 0),
            [Step::Run(0..1), Step::Replay(1), Step::Run(2..3)]
        );
        assert_eq!(plan(&[], &[], 7), []);
    }
}
