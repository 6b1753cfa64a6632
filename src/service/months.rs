//! A client's month through its life (SPEC §5): submit, confirm (also with the client's PIN on
//! the assistant's phone), dispute, approve, reopen; and as whom a confirmation is recorded.
//! The API and the clients' web page call the same steps.

use chrono::{DateTime, Utc};
use mobile_api::entries::Review;
use mobile_api::{EntryStatus, ErrorCode, Locale, MonthState, Role};
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::entries::actor;
use crate::db::entity::month_sheets;
use crate::db::entries::{Saved, WriteError};
use crate::db::{self, Conn};
use crate::domain::ledger::Actor;
use crate::domain::month::{self, Refused, Step};
use crate::domain::rules::{Refusal, day_of};
use crate::domain::text;
use crate::domain::time::Month;
use crate::error::ApiError;

fn refused<T>(code: ErrorCode, details: Value) -> Result<T, WriteError> {
    Err(WriteError::Refused(Refusal { code, details }))
}

/// The state after `step`, or the refusal with the month's figures.
fn step(sheet: &month_sheets::Model, step: Step) -> Result<MonthState, WriteError> {
    let details = json!({ "month": sheet.month, "state": sheet.state });
    month::next(*sheet.state, step).or_else(|why| match why {
        Refused::Locked => refused(ErrorCode::MonthLocked, details),
        Refused::WrongState => refused(ErrorCode::MonthState, details),
        Refused::ReasonRequired => refused(
            ErrorCode::ValidationFailed,
            json!({ "field": "reason", "reason": "required" }),
        ),
    })
}

/// Stores a month's step: the sheet in `state`, with the step's own fields set by `edit`, one
/// version on; with the month's change for the phones and the audit record (`action`, `extra`).
async fn take_step(
    txn: &impl Conn,
    sheet: &month_sheets::Model,
    state: MonthState,
    (action, extra): (&'static str, Value),
    (by, now): (Actor, DateTime<Utc>),
    edit: impl FnOnce(&mut month_sheets::Model),
) -> Result<(), WriteError> {
    let mut after = sheet.clone();
    after.state = state.into();
    edit(&mut after);
    after.version += 1;
    after.updated_at = now;
    db::months::save_step(txn, sheet, &after, action, by, extra, now).await?;
    Ok(())
}

/// The client's month sheet, locked for a step under the client's lock.
async fn locked(
    txn: &impl Conn,
    client_id: Uuid,
    month: Month,
    now: DateTime<Utc>,
) -> Result<month_sheets::Model, WriteError> {
    db::months::locked_sheet(txn, client_id, client_id, month, now)
        .await?
        .ok_or(WriteError::NotFound)
}

/// Hands in the month's record, in `txn`: `open` → `submitted`, by the assistant (who must be
/// assigned that month), a coordinator, or the service when the deadline has passed. Submitting
/// again, or a month already disputed, changes nothing; a confirmed, approved or closed month is
/// `month_locked`.
pub(crate) async fn submit_in(
    txn: &impl Conn,
    client_id: Uuid,
    month: Month,
    assistant_id: Option<Uuid>,
    by: Actor,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    if db::people::client(txn, client_id).await?.is_none() {
        return refused(ErrorCode::NotAssigned, json!({}));
    }
    if let Some(assistant_id) = assistant_id
        && !db::months::assigned_in(txn, assistant_id, client_id, month).await?
    {
        return refused(
            ErrorCode::NotAssigned,
            json!({ "month": month.to_string() }),
        );
    }
    if month.first_day() > day_of(now) {
        return refused(ErrorCode::InFuture, json!({ "month": month.to_string() }));
    }
    let key = assistant_id.unwrap_or(client_id);
    let Some(sheet) = db::months::locked_sheet(txn, key, client_id, month, now).await? else {
        return refused(ErrorCode::NotAssigned, json!({}));
    };
    let state = step(&sheet, Step::Submit)?;
    if sheet.state == state {
        return Ok(());
    }
    let step = ("month_submitted", json!({}));
    take_step(txn, &sheet, state, step, (by, now), |a| {
        a.submitted_at = Some(now);
        a.submitted_by = Some(by.user_id);
    })
    .await?;
    Ok(())
}

/// How a client's or representative's confirmation is recorded: `client`, `representative`, or
/// `representative_also_assistant` when the representative worked sessions of that month.
pub async fn confirmed_as(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    month: Month,
) -> Result<&'static str, ApiError> {
    caller.may_see_client(state, client_id).await?;
    if caller.role == Role::Client {
        return Ok("client");
    }
    let user = db::session::user(&state.db, caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let worked = match user.assistant_id {
        Some(a) => db::months::live_entries(&state.db, client_id, month)
            .await?
            .iter()
            .any(|e| e.assistant_id == a),
        None => false,
    };
    Ok(if worked {
        "representative_also_assistant"
    } else {
        "representative"
    })
}

/// The assistant (or a coordinator) hands in the month's record.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
) -> Result<(), ApiError> {
    let assistant = match caller.role {
        Role::Assistant => Some(caller.assistant_id.ok_or(ApiError::Forbidden)?),
        Role::Coordinator | Role::Admin => None,
        _ => return Err(ApiError::Forbidden),
    };
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        submit_in(txn, client_id, month, assistant, by, now).await
    })
    .await
}

/// The client or a representative confirms exactly the entries and versions they saw (`seen`);
/// or, on the assistant's phone, the client with their PIN.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    seen: &[(Uuid, i32)],
    pin: Option<&str>,
) -> Result<(), ApiError> {
    let how = match caller.role {
        Role::Client | Role::Representative => {
            confirmed_as(state, caller, client_id, month).await?
        }
        Role::Assistant => {
            caller.may_see_month(state, client_id, month).await?;
            let pin = pin.ok_or_else(|| ApiError::invalid("pin", "required"))?;
            if !super::auth::check_pin(&state.env(), client_id, pin).await? {
                return Err(ApiError::invalid("pin", "out_of_range"));
            }
            "client_pin"
        }
        _ => return Err(ApiError::Forbidden),
    };
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        let sheet = locked(txn, client_id, month, now).await?;
        let state = step(&sheet, Step::Confirm)?;
        let live: Vec<(Uuid, i32)> = db::months::live_entries(txn, client_id, month)
            .await?
            .iter()
            .map(|e| (e.id, e.version))
            .collect();
        if let Some(m) = month::mismatch(&live, seen) {
            let changed: Vec<Value> = m
                .changed
                .iter()
                .map(|(id, v, seen)| json!({ "id": id, "version": v, "seen_version": seen }))
                .collect();
            return refused(
                ErrorCode::StaleVersion,
                json!({ "missing": m.missing, "unexpected": m.unexpected, "changed": changed }),
            );
        }
        // The client's confirmation settles their open disputes, each as what happened to it:
        // the session was corrected (changed or removed since the dispute), or the client
        // withdrew the dispute by confirming the session as it stands.
        for d in db::months::disputes(txn, client_id, month).await? {
            if d.resolved_at.is_some() {
                continue;
            }
            let Some(entry) = db::entries::entry(txn, d.entry_id).await? else {
                continue;
            };
            let changed = match d.entry_version {
                Some(v) => entry.version > v,
                None => entry.updated_at > d.raised_at,
            };
            let resolution = if changed || !crate::domain::rules::is_live(*entry.status) {
                "corrected: confirmed by the client after the correction"
            } else {
                "withdrawn: the client confirmed the session as recorded"
            };
            db::months::resolve_dispute(txn, client_id, month, &entry, resolution, now).await?;
        }
        let extra = json!({ "as": how, "entries": seen.len() });
        take_step(
            txn,
            &sheet,
            state,
            ("month_confirmed", extra),
            (by, now),
            |a| {
                a.confirmed_at = Some(now);
                a.confirmed_by = Some(by.user_id);
                a.confirmed_as = Some(how.into());
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// The client or a representative disputes single entries, each with a reason.
pub async fn dispute(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    entries: &[(Uuid, String)],
    comment: Option<&str>,
) -> Result<(), ApiError> {
    caller.require(&[Role::Client, Role::Representative])?;
    caller.may_see_client(state, client_id).await?;
    if entries.is_empty() {
        return Err(ApiError::invalid("entries", "empty"));
    }
    let mut items = Vec::with_capacity(entries.len());
    for (i, (id, why)) in entries.iter().enumerate() {
        items.push((*id, text::text(&format!("entries[{i}].reason"), why, 1000)?));
    }
    let comment = text::opt_text("comment", comment, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        let sheet = locked(txn, client_id, month, now).await?;
        let state = step(&sheet, Step::Dispute)?;
        let live = db::months::live_entries(txn, client_id, month).await?;
        for (i, (id, reason)) in items.iter().enumerate() {
            let Some(entry) = live.iter().find(|e| e.id == *id) else {
                return refused(
                    ErrorCode::ValidationFailed,
                    json!({ "field": format!("entries[{i}].id"), "reason": "unknown" }),
                );
            };
            let comment = comment.as_deref();
            db::months::raise_dispute(txn, entry, month, reason, comment, by, now).await?;
        }
        let extra = json!({ "entries": items.len(), "comment": comment });
        take_step(
            txn,
            &sheet,
            state,
            ("month_disputed", extra),
            (by, now),
            |_| {},
        )
        .await?;
        Ok(())
    })
    .await
}

/// A coordinator approves the month; without the client's confirmation only with a reason.
pub async fn approve(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    let why = text::opt_text("reason", reason, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        approve_in(txn, client_id, month, why, by, now).await
    })
    .await
}

/// Approves the month in `txn` (see `approve`): with `why` when the client did not confirm.
pub(crate) async fn approve_in(
    txn: &impl Conn,
    client_id: Uuid,
    month: Month,
    why: Option<String>,
    by: Actor,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let sheet = locked(txn, client_id, month, now).await?;
    let with_reason = why.is_some();
    let state = step(&sheet, Step::Approve { with_reason })?;
    // Late entries must be reviewed first, and flagged ones kept or voided.
    let live = db::months::live_entries(txn, client_id, month).await?;
    let count = |status| live.iter().filter(|e| e.status == status).count();
    let pending = count(EntryStatus::PendingReview);
    if pending > 0 {
        return refused(
            ErrorCode::MonthState,
            json!({ "month": sheet.month, "state": sheet.state, "pending_review": pending }),
        );
    }
    let flagged = count(EntryStatus::Flagged);
    if flagged > 0 {
        return refused(
            ErrorCode::EntriesFlagged,
            json!({ "month": sheet.month, "count": flagged }),
        );
    }
    // The coordinator's approval decides the open disputes too: they are closed with the
    // approval's reason, and no longer wait on the board.
    let how = match &why {
        Some(w) => format!("approved by the coordinator: {w}"),
        None => "approved by the coordinator".to_owned(),
    };
    db::months::resolve_disputes(txn, client_id, month, &how, now).await?;
    let extra = json!({ "reason": why });
    take_step(
        txn,
        &sheet,
        state,
        ("month_approved", extra),
        (by, now),
        |a| {
            a.approved_at = Some(now);
            a.approved_by = Some(by.user_id);
            a.approval_reason = why.clone();
        },
    )
    .await?;
    Ok(())
}

/// A coordinator reopens the month, with a reason.
pub async fn reopen(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    let why = text::opt_text("reason", reason, 2000)?
        .ok_or_else(|| ApiError::invalid("reason", "required"))?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        let sheet = locked(txn, client_id, month, now).await?;
        let state = step(&sheet, Step::Reopen)?;
        // Its entries can change again: the confirmation and the approval no longer hold.
        let extra = json!({ "reason": why });
        take_step(
            txn,
            &sheet,
            state,
            ("month_reopened", extra),
            (by, now),
            |a| {
                a.confirmed_at = None;
                a.confirmed_by = None;
                a.confirmed_as = None;
                a.approved_at = None;
                a.approved_by = None;
                a.approval_reason = None;
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// A coordinator's verdict on a late entry: approved it counts (the allowance checked again),
/// rejected it never does.
pub async fn review(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    entry_id: Uuid,
    body: &Review,
) -> Result<Saved, ApiError> {
    caller.require_staff()?;
    let approve = match body.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(ApiError::invalid_with(
                "decision",
                "out_of_range",
                serde_json::json!({ "allowed": ["approve", "reject"] }),
            ));
        }
    };
    let why = text::text("reason", &body.reason, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        db::ledger::review(txn, entry_id, approve, &why, by, now).await
    })
    .await
}

/// How a coordinator resolved a client's dispute of one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The session was corrected (by its assistant, or by the coordinator).
    Corrected,
    /// The dispute was rejected: the session stays as recorded.
    Rejected,
}

impl Resolution {
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        match value {
            "corrected" => Ok(Self::Corrected),
            "rejected" => Ok(Self::Rejected),
            _ => Err(ApiError::invalid_with(
                "resolution",
                "out_of_range",
                json!({ "allowed": ["corrected", "rejected"] }),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Corrected => "corrected",
            Self::Rejected => "rejected",
        }
    }
}

/// A coordinator resolves the client's dispute of one session, with how and why: the dispute
/// no longer waits in the exceptions queue, the assistant's phone hears of it, and the audit log
/// records it. The month's state is unchanged (the month is re-submitted or approved as before).
pub async fn resolve_dispute(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    (client_id, month): (Uuid, Month),
    entry_id: Uuid,
    how: Resolution,
    reason: &str,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    let why = text::text("reason", reason, 2000)?;
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        let sheet = locked(txn, client_id, month, now).await?;
        let entry = db::entries::entry(txn, entry_id)
            .await?
            .filter(|e| e.client_id == client_id)
            .ok_or(WriteError::NotFound)?;
        let resolution = format!("{}: {why}", how.as_str());
        let Some(dispute) =
            db::months::resolve_dispute(txn, client_id, month, &entry, &resolution, now).await?
        else {
            return refused(
                ErrorCode::ValidationFailed,
                json!({ "field": "entry_id", "reason": "no_open_dispute" }),
            );
        };
        db::audit::append(
            txn,
            now,
            db::audit::Record {
                actor: Some(by.user_id),
                action: "dispute_resolved",
                subject_kind: "entry",
                subject_id: entry.id.to_string(),
                client_id: Some(client_id),
                before: Some(json!({ "reason": dispute.reason, "month": sheet.month })),
                after: Some(json!({ "resolution": how.as_str(), "reason": why })),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// A client's dispute of one session that waits for a coordinator.
pub struct OpenDispute {
    pub client_id: Uuid,
    pub month: Month,
    pub entry: Option<mobile_api::entries::Entry>,
    pub reason: String,
    pub comment: Option<String>,
    pub raised_at: DateTime<Utc>,
}

/// The disputes waiting for a coordinator, oldest first (at most 500), each with its session.
pub async fn open_disputes(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
) -> Result<Vec<OpenDispute>, ApiError> {
    caller.require_staff()?;
    let rows = db::months::open_disputes(&state.db, 500).await?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let entry = match db::entries::entry(&state.db, d.entry_id).await? {
            Some(e) => {
                let trips = db::entries::trips_of(&state.db, vec![e.id]).await?;
                Some(super::entries::view(&e, &trips, locale))
            }
            None => None,
        };
        out.push(OpenDispute {
            client_id: d.client_id,
            month: Month::parse(&d.month).ok_or(ApiError::Internal("a stored month".into()))?,
            entry,
            reason: d.reason,
            comment: d.comment,
            raised_at: d.raised_at,
        });
    }
    Ok(out)
}

/// The clients a client's or representative's login acts for, each with its name and the
/// states of `months` (open when nothing is recorded yet).
pub async fn own_clients(
    state: &AppState,
    caller: &Caller,
    months: &[Month],
) -> Result<Vec<(Uuid, String, Vec<(Month, MonthState)>)>, ApiError> {
    let mut out = Vec::new();
    for id in own_client_ids(state, caller).await? {
        let Some(c) = db::people::client(&state.db, id).await? else {
            continue;
        };
        let mut states = Vec::with_capacity(months.len());
        for m in months {
            let st = db::entries::month_sheet(&state.db, id, *m)
                .await?
                .map_or(MonthState::Open, |s| *s.state);
            states.push((*m, st));
        }
        out.push((id, c.name, states));
    }
    Ok(out)
}

async fn own_client_ids(state: &AppState, caller: &Caller) -> Result<Vec<Uuid>, ApiError> {
    Ok(match caller.role {
        Role::Client => caller.client_id.into_iter().collect(),
        _ => db::session::represented(&state.db, caller.user_id).await?,
    })
}

/// One month of a client the login acts for, as the clients' page shows it.
pub struct OwnMonth {
    pub client_name: String,
    pub sheet: mobile_api::entries::MonthSheet,
    /// The policy in force on the month's last day (the purposes' names).
    pub policy: crate::domain::policy::Policy,
    /// The names of the month's assistants.
    pub assistants: Vec<(Uuid, String)>,
}

/// A month of a client the login acts for (404 for any other client).
pub async fn own_month(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    month: Month,
    locale: Locale,
) -> Result<OwnMonth, ApiError> {
    if !own_client_ids(state, caller).await?.contains(&client_id) {
        return Err(ApiError::NotFound);
    }
    let client = db::people::client(&state.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sheet = super::entries::build_sheet(state, client_id, month, locale).await?;
    let policy = db::policy::book(&state.db)
        .await?
        .at(month.last_day())
        .map_err(ApiError::Internal)?;
    let ids = sheet.entries.iter().map(|e| e.assistant_id).collect();
    let assistants = db::people::assistant_names(&state.db, ids).await?;
    Ok(OwnMonth {
        client_name: client.name,
        sheet,
        policy,
        assistants,
    })
}

/// Every client's month, for staff and accountants: state, allowance and use, open disputes,
/// late entries waiting for review. Clients with neither an allowance nor a record that month
/// are left out. Read beside the writer in a constant number of queries, whatever the number
/// of clients; decisions are read only for the clients without a sheet and the page's clients.
pub async fn overview(
    state: &AppState,
    caller: &Caller,
    month: Month,
    only: Option<MonthState>,
    (offset, limit): (u64, u64),
) -> Result<mobile_api::entries::MonthOverview, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let db = &state.reads;
    let policy = db::policy::book(db)
        .await?
        .at(month.last_day())
        .map_err(ApiError::Internal)?;
    let allowances =
        async |ids: Vec<Uuid>| -> Result<std::collections::HashMap<Uuid, i64>, ApiError> {
            let mut decisions = db::people::figures_by_client(db, Some(&ids)).await?;
            Ok(ids
                .into_iter()
                .map(|id| {
                    let versions = decisions.remove(&id).unwrap_or_default();
                    let allowance = crate::domain::decision::month_allowance(
                        &versions,
                        month,
                        policy.proration,
                    );
                    (id, allowance)
                })
                .collect())
        };
    let mut facts = db::months::overview(db, month).await?;
    // A client with a sheet of the month has a row; one without has a row when their decisions
    // give the month an allowance, which the regulation's rules (`domain/`) compute, so only
    // those clients' decisions are read to count the rows.
    let without: Vec<Uuid> = facts
        .clients
        .iter()
        .filter(|(id, _)| !facts.sheets.contains_key(id))
        .map(|(id, _)| *id)
        .collect();
    let mut known = allowances(without).await?;
    // Every row, in the order of names: the client, their state, their sheet's minutes used.
    let rows: Vec<(Uuid, String, MonthState, Option<i64>)> = std::mem::take(&mut facts.clients)
        .into_iter()
        .filter_map(|(id, name)| match facts.sheets.get(&id) {
            Some((state, used)) => Some((id, name, **state, Some(*used))),
            None => (known.get(&id).copied().unwrap_or(0) > 0).then_some((
                id,
                name,
                MonthState::Open,
                None,
            )),
        })
        .collect();
    let by_state = MonthState::ALL
        .iter()
        .map(|s| mobile_api::entries::StateCount {
            state: *s,
            count: rows.iter().filter(|r| r.2 == *s).count() as u64,
        })
        .collect();
    let chosen: Vec<_> = rows
        .into_iter()
        .filter(|r| only.is_none_or(|o| r.2 == o))
        .collect();
    let total = chosen.len() as u64;
    let page: Vec<_> = chosen
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    // The page's clients with a sheet: their allowance, from their decisions.
    let with: Vec<Uuid> = page.iter().filter(|r| r.3.is_some()).map(|r| r.0).collect();
    known.extend(allowances(with).await?);
    let items = page
        .into_iter()
        .map(|(id, name, state, used)| {
            let allowance = known.get(&id).copied().unwrap_or(0);
            let used = used.unwrap_or(0);
            mobile_api::entries::MonthOverviewRow {
                client_id: id,
                client_name: name,
                state,
                allowance_minutes: allowance,
                used_minutes: used,
                remaining_minutes: (allowance - used).max(0),
                open_disputes: facts.open_disputes.get(&id).copied().unwrap_or(0),
                pending_review: facts.pending_review.get(&id).copied().unwrap_or(0),
            }
        })
        .collect();
    Ok(mobile_api::entries::MonthOverview {
        month: month.to_string(),
        items,
        total,
        offset,
        limit,
        by_state,
    })
}
