//! The month close as a background job: the request checks what it can at once (role, the
//! minimum wage), records the job and answers; a worker closes the month and records what it
//! made or why it failed. The process that took the request starts the work at once; the
//! scheduler's round of every process takes over a job left by a process that died.

use mobile_api::statements::{CloseJob, PendingMonth};
use mobile_api::{ErrorCode, ErrorDetail, JobState, Locale, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::close_jobs;
use crate::db::jobs::Outcome;
use crate::db::{self, DbErr, TransactionTrait};
use crate::domain::ledger::Actor;
use crate::domain::time::Month;
use crate::error::ApiError;

/// How long a worker holds a job before another may take it over (a close of a whole country
/// takes well under this; a worker that died rolled its close back).
const LEASE_MINUTES: i64 = 15;

/// A coordinator or admin asks to close `month`: the job, queued, or the one already queued or
/// running for the month. A rate below the minimum wage without an admin's reason is refused
/// now (`rate_below_minimum_wage`).
pub async fn request(
    state: &AppState,
    caller: &Caller,
    month: Month,
) -> Result<close_jobs::Model, ApiError> {
    caller.require_staff()?;
    let job = enqueue(state, month, Some(caller.user_id)).await?;
    spawn(state, job.id);
    Ok(job)
}

/// Records a queued close of `month` (or finds the one queued or running), after the checks
/// that can refuse it at once. The CLI runs it with [`run`]; a request starts it with
/// [`spawn`].
pub async fn enqueue(
    state: &AppState,
    month: Month,
    requested_by: Option<Uuid>,
) -> Result<close_jobs::Model, ApiError> {
    super::statements::wage_check(&state.db, month).await?;
    let txn = state.db.begin().await?;
    let job = match db::jobs::active(&txn, &month.to_string()).await? {
        Some(running) => running,
        None => {
            let job = close_jobs::Model {
                id: Uuid::now_v7(),
                month: month.to_string(),
                state: JobState::Queued.into(),
                requested_by,
                requested_at: state.clock.now(),
                started_at: None,
                finished_at: None,
                lease_until: None,
                claimed_by: None,
                statements: 0,
                mails_queued: 0,
                pending: "[]".into(),
                error_code: None,
                error_details: None,
            };
            db::jobs::insert(&txn, job.clone()).await?;
            job
        }
    };
    txn.commit().await?;
    Ok(job)
}

/// Runs job `id` on this process's runtime, without waiting for it.
pub fn spawn(state: &AppState, id: Uuid) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = run(&state, id).await {
            tracing::warn!(job = %id, error = %e, "month close job not finished; another round takes it over");
        }
    });
}

/// Takes job `id` if no other worker has it and closes its month; returns the job as it ended,
/// or None when another worker has it (or it has ended).
pub async fn run(state: &AppState, id: Uuid) -> Result<Option<close_jobs::Model>, DbErr> {
    let now = state.clock.now();
    let lease = chrono::Duration::minutes(LEASE_MINUTES);
    let me = state.config.instance_name();
    let Some(job) = db::jobs::claim(&state.db, id, now, lease, &me).await? else {
        return Ok(None);
    };
    let Some(month) = Month::parse(&job.month) else {
        return Err(DbErr::Custom(format!(
            "a close job's month reads {}",
            job.month
        )));
    };
    let by = Actor {
        user_id: job.requested_by.unwrap_or(Uuid::nil()),
        coordinator: true,
    };
    let outcome = match super::statements::close_at(state, month, by, now, Some(id)).await {
        Ok(made) => {
            let mails: i64 = db::statements::outbox_counts(&state.db, &made)
                .await?
                .values()
                .sum();
            let pending = pending(state, month).await?;
            Outcome::Done {
                statements: made.len() as i64,
                mails_queued: mails,
                pending: serde_json::to_string(&pending).unwrap_or_else(|_| "[]".into()),
            }
        }
        Err(e) => {
            if e.is_infrastructure() {
                tracing::error!(job = %id, cause = %e, "month close failed");
            }
            let (code, details) = e.code_and_details();
            Outcome::Failed {
                code: code.as_str().to_owned(),
                details: details.to_string(),
            }
        }
    };
    let ended = db::jobs::finish(&state.db, job, outcome, state.clock.now()).await?;
    if ended.state == JobState::Done && ended.statements > 0 {
        tracing::info!(month = %month, statements = ended.statements, "month closed");
    }
    Ok(Some(ended))
}

/// Runs every job a worker may take now: queued ones nobody started (their process stopped
/// first) and running ones whose worker died. The scheduler's round.
pub async fn run_due(state: &AppState) -> Result<usize, DbErr> {
    let mut ran = 0;
    for id in db::jobs::claimable(&state.db, state.clock.now()).await? {
        if run(state, id).await?.is_some() {
            ran += 1;
        }
    }
    Ok(ran)
}

/// The client-months of `month` still coming in, named.
async fn pending(state: &AppState, month: Month) -> Result<Vec<PendingMonth>, DbErr> {
    Ok(db::statements::pending_sheets(&state.db, month)
        .await?
        .into_iter()
        .map(|(client_id, client_name, state, flagged)| PendingMonth {
            client_id,
            client_name,
            state,
            flagged,
        })
        .collect())
}

/// A close job as staff and accountants see it, read beside the writer (a running close does
/// not hold it up).
pub async fn read(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    id: Uuid,
) -> Result<CloseJob, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let job = db::jobs::job(&state.reads, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(view(job, locale))
}

/// The newest close jobs of `month`, newest first.
pub async fn of_month(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    month: Month,
) -> Result<Vec<CloseJob>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    Ok(db::jobs::of_month(&state.reads, &month.to_string(), 5)
        .await?
        .into_iter()
        .map(|j| view(j, locale))
        .collect())
}

pub fn view(job: close_jobs::Model, locale: Locale) -> CloseJob {
    let error = job.error_code.as_deref().map(|code| {
        let code: ErrorCode = serde_json::from_value(serde_json::Value::String(code.to_owned()))
            .unwrap_or(ErrorCode::Internal);
        let details: serde_json::Value = job
            .error_details
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        ErrorDetail {
            code,
            message: crate::i18n::message(code, locale, &details),
            details,
        }
    });
    CloseJob {
        id: job.id,
        month: job.month,
        state: *job.state,
        requested_at: job.requested_at,
        started_at: job.started_at,
        finished_at: job.finished_at,
        statements: job.statements,
        mails_queued: job.mails_queued,
        pending: serde_json::from_str(&job.pending).unwrap_or_default(),
        error,
    }
}
