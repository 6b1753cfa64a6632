//! Mobile sync: `POST /api/v1/sync/push` (exactly once by per-device seq) and
//! `GET /api/v1/sync/pull` (changes by commit-ordered cursor).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use mobile_api::entries::{Entry, EntryWrite};
use mobile_api::sync::{Change, Mutation, MutationResult, PullResponse, PushRequest, PushResponse};
use mobile_api::{ErrorCode, ErrorDetail, Locale, Role};
use sea_orm::{DatabaseTransaction, EntityTrait, QuerySelect, Set, TransactionTrait};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::auth::Caller;
use super::entries::{actor, check_names, parse_month, parse_write, visible, write_error};
use super::extract::{ApiQuery, Lang, parse_value};
use crate::app::AppState;
use crate::db::entity::{devices, sync_mutations};
use crate::db::entries::{self as store, WriteError};
use crate::db::ledger::{self, Op, Retire, RetireKind};
use crate::db::{self, changes};
use crate::error::ApiError;
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

#[derive(Deserialize)]
struct DeleteArgs {
    id: Uuid,
    base_version: i32,
}

#[derive(Deserialize)]
struct SubmitArgs {
    client_id: Uuid,
    month: String,
}

fn args<T: serde::de::DeserializeOwned>(m: &Mutation) -> Result<T, ApiError> {
    parse_value(&m.args)
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
    match m.name.as_str() {
        "entry.save" => {
            let mut body: EntryWrite = match args(m) {
                Ok(b) => b,
                Err(e) => return Prepared::Refused(e),
            };
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
        "entry.delete" => match args::<DeleteArgs>(m) {
            Ok(a) => Prepared::Op(Op::Retire(Retire {
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
            Err(e) => Prepared::Refused(e),
        },
        "month.submit" => Prepared::Alone,
        _ => Prepared::Refused(ApiError::invalid_with(
            "name",
            "out_of_range",
            json!({ "allowed": ["entry.save", "entry.delete", "month.submit"] }),
        )),
    }
}

/// Applies a mutation that `prepare` left to be answered alone (`Prepared::Alone`), inside
/// `txn` (a savepoint): a month's submission, or a coordinator's edit that names no assistant
/// (it keeps the entry's own). Returns the entry it wrote, if any.
async fn apply_alone(
    txn: &DatabaseTransaction,
    caller: &Caller,
    m: &Mutation,
    device_time: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<Entry>, ApiError> {
    if m.name == "month.submit" {
        let a: SubmitArgs = args(m)?;
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
    let mut body: EntryWrite = args(m)?;
    let id = body.id.ok_or_else(|| ApiError::invalid("id", "required"))?;
    body.assistant_id = Some(visible(txn, caller, id).await?.assistant_id);
    body.device_time = body.device_time.or(device_time);
    let write = parse_write(caller, &body, id)?;
    check_names(txn, caller, &write).await?;
    let saved = store::save(txn, &write, actor(caller), now)
        .await
        .map_err(|e| write_error(e, Locale::Lv))?;
    Ok(Some(store::wire(&saved.entry, &saved.trips, Locale::Lv)))
}

/// `POST /api/v1/sync/push`
#[utoipa::path(
    operation_id = "sync_push",
    post,
    path = "/api/v1/sync/push",
    tag = "sync",
    summary = "Push queued mutations, applied exactly once by seq",
    request_body = mobile_api::sync::PushRequest,
    responses((status = 200, description = "OK", body = mobile_api::sync::PushResponse), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 413, description = "More than 500 mutations or 1 MiB", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    super::extract::ApiJson(body): super::extract::ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
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
    // Parsed before any transaction: the database is held only for what needs it.
    let mut prepared: Vec<Option<Prepared>> = mutations
        .iter()
        .map(|m| Some(prepare(&caller, m, body.device_time)))
        .collect();
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
        let mut select = devices::Entity::find_by_id(device.id);
        if db::is_postgres(&txn) {
            select = select.lock_exclusive();
        }
        let dev = select.one(&txn).await?.ok_or(ApiError::Unauthorized)?;
        last_applied = dev.last_applied_seq;
        let m = &mutations[i];
        if m.seq <= last_applied {
            let seen = sync_mutations::Entity::find_by_id((dev.id, m.seq))
                .one(&txn)
                .await?;
            txn.rollback().await?;
            results.push(match seen {
                Some(row) if row.body_hash == body_hash(m) => replayed(&row, locale),
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
        let mut staged: Vec<(&Mutation, Staged)> = Vec::new();
        let mut ops = Vec::new();
        while let Some(m) = mutations.get(i) {
            if m.seq != last_applied + 1 + staged.len() as i64 {
                break;
            }
            if matches!(prepared[i], Some(Prepared::Alone)) {
                if staged.is_empty() {
                    let savepoint = txn.begin().await?;
                    let applied = apply_alone(&savepoint, &caller, m, body.device_time, now).await;
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
                        Op::Save(w) => check_names(&txn, &caller, w).await,
                        Op::Retire(_) => Ok(()),
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
        let mut outcomes = ledger::run(&txn, ops, actor(&caller), now)
            .await?
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        let mut rows = Vec::with_capacity(staged.len());
        let mut refusals = Vec::new();
        for (m, stage) in staged {
            let done = match stage {
                Staged::Done(done) => *done,
                Staged::Op(k) => match outcomes[k].take() {
                    Some(Ok(saved)) => {
                        Ok(Some(store::wire(&saved.entry, &saved.trips, Locale::Lv)))
                    }
                    Some(Err(WriteError::Exists(current))) => {
                        let (entry, trips) = *current;
                        if sees(&caller, &entry) {
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
                },
            };
            let (status, outcome, result) = match done {
                Ok(entry) => {
                    let outcome = json!({ "entry": entry });
                    let entry = entry.map(|e| relocalize(e, locale));
                    let result = MutationResult {
                        seq: m.seq,
                        status: "applied".into(),
                        original_status: None,
                        warnings: entry.as_ref().map(|e| e.warnings.clone()),
                        entry,
                        error: None,
                    };
                    ("applied", outcome, result)
                }
                Err(e) if e.is_infrastructure() => return Err(e),
                Err(e) => {
                    let (code, details) = e.code_and_details();
                    let error = json!({ "code": code, "details": details });
                    let data = json!({ "device_id": dev.device_id, "seq": m.seq, "name": m.name, "error": error });
                    let scope = changes::Scope {
                        user_id: Some(caller.user_id),
                        ..Default::default()
                    };
                    let entity = format!("{}/{}", dev.id, m.seq);
                    refusals.push(changes::row(
                        "mutation", "rejected", entity, scope, &data, now,
                    ));
                    let result = refused_result(m.seq, code, details, locale);
                    ("rejected", json!({ "error": error }), result)
                }
            };
            rows.push(sync_mutations::ActiveModel {
                device_row: Set(dev.id),
                seq: Set(m.seq),
                name: Set(m.name.clone()),
                body_hash: Set(body_hash(m)),
                status: Set(status.into()),
                outcome: Set(outcome.to_string()),
                device_time: Set(body.device_time),
                received_at: Set(now),
            });
            last_applied = m.seq;
            results.push(result);
        }
        changes::record_all(&txn, refusals).await?;
        db::insert_all(&txn, rows, 500).await?;
        let mut moved: devices::ActiveModel = dev.into();
        moved.last_applied_seq = Set(last_applied);
        sea_orm::ActiveModelTrait::update(moved, &txn).await?;
        txn.commit().await?;
    }
    Ok(Json(PushResponse {
        results,
        last_applied_seq: last_applied,
        server_time: state.clock.now(),
    }))
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    pub cursor: Option<String>,
    pub limit: Option<u64>,
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

/// `GET /api/v1/sync/pull?cursor=…&limit=…`
#[utoipa::path(
    operation_id = "sync_pull",
    get,
    path = "/api/v1/sync/pull",
    tag = "sync",
    summary = "Changes after the cursor, in commit order",
    params(PullQuery),
    responses((status = 200, description = "OK", body = mobile_api::sync::PullResponse), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let after = parse_cursor(query.cursor.as_deref())?;
    let limit = query.limit.unwrap_or(PULL_DEFAULT);
    if limit == 0 || limit > PULL_MAX {
        return Err(ApiError::invalid_with(
            "limit",
            "out_of_range",
            json!({ "max": PULL_MAX }),
        ));
    }
    changes::sequence(&state.db).await?;
    let who = match caller.role {
        Role::Coordinator | Role::Admin | Role::Accountant => changes::Visibility::All,
        Role::Assistant => {
            let assistant_id = caller.assistant_id.ok_or(ApiError::Forbidden)?;
            let filter = db::people::AssignmentFilter {
                assistant_id: Some(assistant_id),
                ..Default::default()
            };
            let (rows, _) = db::people::assignments(&state.db, &filter, 0, 10_000).await?;
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
            clients: db::session::represented(&state.db, caller.user_id).await?,
            user_id: caller.user_id,
        },
    };
    let mut rows = changes::page(&state.db, after, &who, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let cursor = rows.last().and_then(|r| r.position).unwrap_or(after);
    let changes = rows
        .into_iter()
        .map(|r| {
            let mut data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            if r.kind == "entry"
                && r.op == "upsert"
                && let Ok(e) = serde_json::from_value::<Entry>(data.clone())
            {
                data = serde_json::to_value(relocalize(e, locale)).unwrap_or(data);
            }
            if r.kind == "mutation"
                && let Ok(code) = serde_json::from_value::<ErrorCode>(data["error"]["code"].clone())
            {
                data["error"]["message"] =
                    json!(i18n::message(code, locale, &data["error"]["details"]));
            }
            Change {
                kind: r.kind,
                op: r.op,
                id: r.entity_id,
                data,
            }
        })
        .collect();
    let device = db::session::device(&state.db, caller.device)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Json(PullResponse {
        changes,
        cursor: format!("c1-{cursor}"),
        has_more,
        last_applied_seq: device.last_applied_seq,
        server_time: state.clock.now(),
    }))
}
