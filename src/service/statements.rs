//! Closing a month: its statements and their mail, the shared step of the API, the CLI and the
//! scheduled close.

use mobile_api::statements::{OutboxRow, Statement, StatementFile};
use mobile_api::{Locale, OutboxState, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::entries::actor;
use crate::db::entity::{outbox, statement_files, statements};
use crate::db::{self, TransactionTrait, audit};
use crate::domain::pay::BelowMinimum;
use crate::domain::time::Month;
use crate::error::ApiError;

/// Closes a month now: the shared step of the close jobs and the scheduled close.
pub async fn close(
    state: &AppState,
    month: crate::domain::time::Month,
    by: crate::domain::ledger::Actor,
) -> Result<Vec<Uuid>, ApiError> {
    close_at(state, month, by, state.clock.now(), None).await
}

/// Closes a month in one transaction; the statements it makes carry the instant `now` and the
/// close job that made them.
pub async fn close_at(
    state: &AppState,
    month: crate::domain::time::Month,
    by: crate::domain::ledger::Actor,
    now: chrono::DateTime<chrono::Utc>,
    job: Option<Uuid>,
) -> Result<Vec<Uuid>, ApiError> {
    let txn = state.db.begin().await?;
    let overridden = wage_check(&txn, month).await?;
    let settings = super::close::CloseSettings {
        recipients: &state.config.statement_recipients,
        municipality: &state.config.municipality_name,
        wage_override: overridden.as_deref(),
    };
    let made = super::close::close_month(&txn, month, &settings, by, now).await?;
    if let Some(job) = job {
        db::statements::made_by(&txn, &made, job).await?;
    }
    txn.commit().await?;
    Ok(made)
}

/// Days of `month` whose hourly rate pays less than the minimum hourly wage, as the policy in
/// the database has it.
pub async fn below_minimum_wage(
    db: &impl crate::db::Conn,
    month: Month,
) -> Result<Vec<BelowMinimum>, ApiError> {
    let book = db::policy::book(db).await?;
    Ok(crate::domain::pay::below_minimum_wage(&book, month))
}

/// The details of a rate below the minimum wage, for its refusal and its warning.
pub fn below_details(b: &BelowMinimum) -> serde_json::Value {
    serde_json::json!({
        "from": b.from, "rate_cents": b.rate_cents, "gross_hourly_cents": b.gross_hourly_cents,
        "minimum_hourly_cents": b.minimum_hourly_cents,
        "minimum_monthly_wage_cents": b.minimum_monthly_wage_cents,
        "normal_month_hours": b.normal_month_hours,
    })
}

/// A month whose rate pays below the minimum wage is not closed, unless an admin recorded why
/// it closes anyway (`override_wage`).
/// Returns the admin's reason when the month closes by it.
pub(crate) async fn wage_check(
    db: &impl crate::db::Conn,
    month: Month,
) -> Result<Option<String>, ApiError> {
    let below = below_minimum_wage(db, month).await?;
    let Some(first) = below.first() else {
        return Ok(None);
    };
    if let Some(o) = db::statements::wage_override(db, month).await? {
        return Ok(Some(o.reason));
    }
    Err(ApiError::Rule {
        code: mobile_api::ErrorCode::RateBelowMinimumWage,
        details: below_details(first),
    })
}

/// The reason an admin recorded to close `month` although its rate pays below the minimum wage.
pub async fn wage_override_of(state: &AppState, month: Month) -> Result<Option<String>, ApiError> {
    Ok(db::statements::wage_override(&state.db, month)
        .await?
        .map(|o| o.reason))
}

/// An admin records why `month` closes although its rate pays less than the minimum hourly
/// wage (e.g. the new rate is not yet in force while the assistants are paid the difference
/// from the municipality's own budget). Audited; the month's summary says so.
pub async fn override_wage(
    state: &AppState,
    caller: &Caller,
    month: Month,
    reason: &str,
) -> Result<(), ApiError> {
    if caller.role != mobile_api::Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let why = crate::domain::text::text("reason", reason, 2000)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let below = below_minimum_wage(&txn, month).await?;
    if db::statements::record_wage_override(&txn, month, &why, caller.user_id, now).await? {
        audit::append(
            &txn,
            now,
            audit::Record {
                actor: Some(caller.user_id),
                action: "wage_override",
                subject_kind: "month",
                subject_id: month.to_string(),
                client_id: None,
                before: None,
                after: Some(serde_json::json!({
                    "reason": why,
                    "below": below.first().map(below_details),
                })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Sends the same statement version to the same recipient again, on purpose.
pub async fn resend(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<outbox::Model, ApiError> {
    caller.require_staff()?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let of = db::statements::outbox_row(&txn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let row = db::statements::resend(&txn, &of, now).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "mail_resent",
            subject_kind: "outbox",
            subject_id: row.id.to_string(),
            client_id: None,
            before: Some(serde_json::json!({ "of": of.id })),
            after: Some(
                serde_json::json!({ "recipient": row.recipient, "statement_id": row.statement_id }),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The closed client-months corrected since their statements were sent (month, client id,
/// client name), by month: the next close carries their differences.
pub async fn corrections_waiting(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(Month, Uuid, String)>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let far = Month::of(crate::domain::time::riga_date(state.clock.now())).next();
    let sheets = db::statements::amended_sheets(&state.db, far).await?;
    let ids: Vec<Uuid> = sheets.iter().map(|s| s.client_id).collect();
    let names = db::statements::clients_by_id(&state.db, &ids).await?;
    Ok(sheets
        .into_iter()
        .filter_map(|s| {
            let month = Month::parse(&s.month)?;
            let name = names.get(&s.client_id)?.name.clone();
            Some((month, s.client_id, name))
        })
        .collect())
}

/// Corrects a closed month: adds a session or voids one (the next close carries the
/// difference against what was sent as a correction).
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    body: &mobile_api::statements::AmendmentRequest,
) -> Result<mobile_api::entries::Entry, ApiError> {
    caller.require_staff()?;
    db::people::client(&state.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let outcome = match (&body.add, &body.void) {
        (Some(add), None) => {
            if add.client_id != client_id {
                return Err(ApiError::invalid("add.client_id", "out_of_range"));
            }
            let mut write = crate::service::entries::parse_write(
                caller,
                add,
                add.id.unwrap_or_else(Uuid::now_v7),
            )?;
            if write.base_version.is_some() {
                return Err(ApiError::invalid("add.base_version", "out_of_range"));
            }
            let starts_in = crate::domain::time::Month::of(crate::domain::time::riga_date(
                write.start.with_timezone(&chrono::Utc),
            ));
            if starts_in != month {
                return Err(ApiError::invalid("add.started_at", "out_of_range"));
            }
            write.amendment = true;
            db::ledger::save(&txn, &write, actor(caller), now)
                .await
                .map(|s| (s.entry, s.trips))
        }
        (None, Some(void)) => {
            let reason = crate::domain::text::text("void.reason", &void.reason, 2000)?;
            let e = db::entries::entry(&txn, void.entry_id)
                .await?
                .filter(|e| e.client_id == client_id)
                .ok_or(ApiError::NotFound)?;
            let touches = crate::domain::time::month_parts(
                crate::domain::ledger::instant(e.start_utc),
                crate::domain::ledger::instant(e.end_utc),
            )
            .iter()
            .any(|(m, _)| *m == month);
            if !touches {
                return Err(ApiError::NotFound);
            }
            match db::ledger::void(&txn, e.id, &reason, actor(caller), now).await {
                Ok(gone) => {
                    let trips = db::entries::trips_of(&txn, vec![gone.id]).await?;
                    Ok((gone, trips))
                }
                Err(e) => Err(e),
            }
        }
        _ => return Err(ApiError::invalid("body", "out_of_range")),
    };
    match outcome {
        Ok((entry, trips)) => {
            txn.commit().await?;
            Ok(db::entries::wire(&entry, &trips, locale))
        }
        Err(e) => {
            txn.rollback().await?;
            Err(crate::service::entries::write_error(e, locale))
        }
    }
}

/// A statement as its readers see it, with the paths of its files.
pub async fn view(state: &AppState, s: statements::Model) -> Result<Statement, ApiError> {
    Ok(views(state, vec![s]).await?.remove(0))
}

/// Statements as their readers see them, with their files' names and sizes read in one query
/// (never the files' bytes).
pub async fn views(
    state: &AppState,
    made: Vec<statements::Model>,
) -> Result<Vec<Statement>, ApiError> {
    let ids: Vec<Uuid> = made.iter().map(|s| s.id).collect();
    let mut files = db::statements::file_sizes(&state.reads, &ids).await?;
    Ok(made
        .into_iter()
        .map(|s| Statement {
            files: files
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, mime, size)| StatementFile {
                    path: format!("/api/v1/statements/{}/files/{name}", s.id),
                    size,
                    name,
                    mime,
                })
                .collect(),
            id: s.id,
            month: s.month,
            kind: s.kind,
            client_id: s.client_id,
            assistant_id: s.assistant_id,
            version: s.version,
            is_correction: s.is_correction,
            supersedes: s.supersedes,
            summary: serde_json::from_str(&s.summary).unwrap_or_default(),
            created_at: s.created_at,
        })
        .collect())
}

/// A mail of the outbox as staff see it.
pub fn outbox_view(r: outbox::Model) -> OutboxRow {
    OutboxRow {
        id: r.id,
        statement_id: r.statement_id,
        recipient: r.recipient,
        message_id: r.message_id,
        state: *r.state,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        sent_at: r.sent_at,
        resend_of: r.resend_of,
        created_at: r.created_at,
    }
}

/// The statements (of a month, or those a close job made), for staff and accountants.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    month: Option<Month>,
    close: Option<Uuid>,
    (offset, limit): (u64, u64),
) -> Result<mobile_api::Page<Statement>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    // The statements of a close job that does not exist: not found, not an empty page.
    if let Some(job) = close {
        db::jobs::job(&state.reads, job)
            .await?
            .ok_or(ApiError::NotFound)?;
    }
    let (listed, total) = db::statements::list(&state.reads, month, close, (offset, limit)).await?;
    Ok(mobile_api::Page {
        items: views(state, listed).await?,
        total,
        offset,
        limit,
    })
}

/// One statement, for staff and accountants.
pub async fn read(state: &AppState, caller: &Caller, id: Uuid) -> Result<Statement, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let s = db::statements::statement(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    view(state, s).await
}

/// One file of a statement, for staff and accountants.
pub async fn file(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    name: &str,
) -> Result<statement_files::Model, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    db::statements::files(&state.db, id)
        .await?
        .into_iter()
        .find(|f| f.name == name)
        .ok_or(ApiError::NotFound)
}

/// The mail of these statements, for staff.
pub async fn mail_of(
    state: &AppState,
    caller: &Caller,
    statement_ids: &[Uuid],
) -> Result<Vec<OutboxRow>, ApiError> {
    caller.require_staff()?;
    Ok(db::statements::outbox_of(&state.db, statement_ids)
        .await?
        .into_iter()
        .map(outbox_view)
        .collect())
}

/// The statement mails (in a state), for staff.
pub async fn outbox(
    state: &AppState,
    caller: &Caller,
    in_state: Option<OutboxState>,
    (offset, limit): (u64, u64),
) -> Result<mobile_api::Page<OutboxRow>, ApiError> {
    caller.require_staff()?;
    let (rows, total) =
        db::statements::outbox_rows(&state.reads, in_state, (offset, limit)).await?;
    Ok(mobile_api::Page {
        items: rows.into_iter().map(outbox_view).collect(),
        total,
        offset,
        limit,
    })
}

/// An assistant's pay per month as the statements said it, newest month first: (month,
/// version, whether a correction, amount in cents, gross, employer part, trips).
pub struct PayMonth {
    pub month: String,
    pub version: i32,
    pub is_correction: bool,
    pub amount_cents: i64,
    pub gross_cents: i64,
    pub trip_cents: i64,
}

pub async fn pay_of_assistant(
    state: &AppState,
    caller: &Caller,
    assistant_id: Uuid,
) -> Result<Vec<PayMonth>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let rows = db::statements::pay_of_assistant(&state.db, assistant_id, 48).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let v: serde_json::Value = serde_json::from_str(&s.summary).unwrap_or_default();
            let cents = |k: &str| v[k].as_i64().unwrap_or(0);
            PayMonth {
                month: s.month,
                version: s.version,
                is_correction: s.is_correction,
                amount_cents: cents("amount_cents"),
                gross_cents: cents("gross_cents"),
                trip_cents: cents("trip_cents"),
            }
        })
        .collect())
}
