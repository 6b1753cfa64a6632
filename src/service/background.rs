//! What the clock asks of the service: mail delivery, handing in overdue months, the scheduled
//! close, forgetting old failed-login counters and confirmed push outcomes. Each is idempotent
//! (several processes may run it). `jobs.rs` runs them on a schedule; the CLI and the tests call
//! them directly.

use mobile_api::OutboxState;

use super::AppState;
use crate::db;
use crate::domain::ledger::Actor;
use crate::domain::rules::deadline;
use crate::domain::time::{Month, riga_date};

/// Forgets failed-login counters whose lockout window is over and push outcomes their phones
/// confirmed long ago, and hands in the months whose submission deadline has passed while they
/// were still open (SPEC §5).
pub async fn housekeeping(state: &AppState) -> Result<u64, crate::db::DbErr> {
    let now = state.clock.now();
    let window = chrono::Duration::minutes(state.config.login_lockout_minutes);
    db::session::purge_attempts(&state.db, now - window, now).await?;
    forget_replays(state).await?;
    let submitted = submit_overdue(state).await?;
    close_due(state).await?;
    Ok(submitted)
}

/// Stored push outcomes their phones confirmed more than `sync_replay_days` ago are forgotten,
/// a bounded number a round (one short statement), so the table holds about that many days of
/// pushes. Returns how many.
pub async fn forget_replays(state: &AppState) -> Result<u64, crate::db::DbErr> {
    let before = state.clock.now() - chrono::Duration::days(state.config.sync_replay_days);
    db::sync::forget_confirmed(&state.db, before, 5_000).await
}

/// From the configured day of a month on, the previous month's approved client-months are
/// closed (statements and their mail). Idempotent: nothing new once they are closed.
pub async fn close_due(state: &AppState) -> Result<usize, crate::db::DbErr> {
    let today = riga_date(state.clock.now());
    if state.config.close_day == 0 || chrono::Datelike::day(&today) < state.config.close_day {
        return Ok(0);
    }
    let month = Month::of(today).prev();
    match crate::service::statements::close(state, month, Actor::service()).await {
        Ok(made) => {
            if !made.is_empty() {
                tracing::info!(month = %month, statements = made.len(), "month closed on schedule");
            }
            Ok(made.len())
        }
        Err(e) => Err(crate::db::DbErr::Custom(e.to_string())),
    }
}

/// Months still `open` after their deadline become `submitted`, by the service itself (the
/// audit log names no user). Idempotent: several processes may run it.
pub async fn submit_overdue(state: &AppState) -> Result<u64, crate::db::DbErr> {
    use crate::db::TransactionTrait;
    let now = state.clock.now();
    let book = db::policy::book(&state.db).await?;
    let mut submitted = 0;
    for (client_id, month) in db::months::open_before(&state.db, Month::of(riga_date(now))).await? {
        let Ok(policy) = book.at(month.last_day()) else {
            continue;
        };
        if now <= deadline(month, &policy) {
            continue;
        }
        let txn = state.db.begin().await?;
        match super::months::submit_in(&txn, client_id, month, None, Actor::service(), now).await {
            Ok(_) => {
                txn.commit().await?;
                submitted += 1;
            }
            Err(db::entries::WriteError::Db(e)) => return Err(e),
            Err(_) => txn.rollback().await?,
        }
    }
    Ok(submitted)
}

/// As the process starts: the mail this process had claimed when it stopped (killed while
/// sending) is due again at once, not when its lease runs out. Returns how many rows.
pub async fn release_own_claims(
    db: &crate::db::Db,
    config: &crate::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, crate::db::DbErr> {
    db::statements::release_claims_of(db, &config.instance_name(), now).await
}

/// Sends the due rows of the outbox: each claimed row is sent once; a transient failure is
/// retried with exponential backoff and jitter until `mail_retry_hours` after the row was
/// written, then it is `failed` and shows so to coordinators. Returns how many were sent.
pub async fn deliver_outbox(state: &AppState) -> Result<usize, crate::db::DbErr> {
    // A claim outlives the SMTP timeout (20 s) many times over, and a killed process's claims
    // run out soon after.
    let me = state.config.instance_name();
    let lease = chrono::Duration::minutes(2);
    // A round goes on claiming while mail is due (a month's close queues thousands), a few
    // mails at a time over the transport's pooled connections, for a few minutes at most so
    // that housekeeping gets its turn.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let mut sent = 0;
    loop {
        let rows =
            db::statements::claim_due(&state.db, state.clock.now(), lease, CLAIM, &me).await?;
        if rows.is_empty() {
            break;
        }
        let mut sending = tokio::task::JoinSet::new();
        for row in rows {
            while sending.len() >= SENDING_AT_ONCE {
                sent += finished(sending.join_next().await)?;
            }
            let state = state.clone();
            sending.spawn(async move { deliver_one(&state, row).await });
        }
        while let Some(done) = sending.join_next().await {
            sent += finished(Some(done))?;
        }
        if std::time::Instant::now() > until {
            break;
        }
    }
    Ok(sent)
}

/// Mails claimed at once (each claim is one statement).
const CLAIM: u64 = 50;

/// Mails on their way to the mail server at once.
const SENDING_AT_ONCE: usize = 4;

/// 1 for a mail sent, 0 for one that was not (it is marked for a retry or as failed).
fn finished(
    done: Option<Result<Result<bool, crate::db::DbErr>, tokio::task::JoinError>>,
) -> Result<usize, crate::db::DbErr> {
    match done {
        None => Ok(0),
        Some(Ok(Ok(was_sent))) => Ok(usize::from(was_sent)),
        Some(Ok(Err(e))) => Err(e),
        Some(Err(e)) => Err(crate::db::DbErr::Custom(format!(
            "a mail's task ended: {e}"
        ))),
    }
}

/// Sends one claimed mail and marks it: sent, pending again with a backoff, or failed.
async fn deliver_one(
    state: &AppState,
    row: crate::db::entity::outbox::Model,
) -> Result<bool, crate::db::DbErr> {
    let outcome = match mail_for(state, &row).await? {
        Ok(message) => {
            state
                .mailer
                .send(&message, &format!("{}-{}", row.statement_id, row.id))
                .await
        }
        Err(why) => Err(crate::mail::SendError {
            transient: false,
            text: why,
        }),
    };
    let now = state.clock.now();
    match outcome {
        Ok(()) => {
            db::statements::mark(&state.db, row, OutboxState::Sent, now, None, now).await?;
            Ok(true)
        }
        Err(e) => {
            let too_old =
                now - row.created_at > chrono::Duration::hours(state.config.mail_retry_hours);
            let (state_now, next) = if e.transient && !too_old {
                (OutboxState::Pending, now + backoff(row.attempts))
            } else {
                (OutboxState::Failed, now)
            };
            tracing::warn!(outbox = %row.id, attempts = row.attempts, error = %e.text, state = %state_now, "statement mail not delivered");
            db::statements::mark(&state.db, row, state_now, next, Some(e.text), now).await?;
            Ok(false)
        }
    }
}

/// 1, 2, 4 … minutes (at most an hour), ±20 % so that retries of many rows spread out.
fn backoff(attempts: i32) -> chrono::Duration {
    let base = 60i64 << attempts.clamp(0, 6);
    let mut noise = [0u8; 2];
    let _ = getrandom::fill(&mut noise);
    let jitter = i64::from(u16::from_le_bytes(noise)) % (base * 2 / 5 + 1) - base / 5;
    chrono::Duration::seconds((base + jitter).min(3600))
}

/// A size as the mail says it: "12,5 MB".
fn megabytes(bytes: i64) -> String {
    let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
    format!("{},{} MB", tenths / 10, tenths % 10)
}

/// The message of an outbox row, built from its statement (jobs carry ids, not data).
async fn mail_for(
    state: &AppState,
    row: &crate::db::entity::outbox::Model,
) -> Result<Result<lettre::Message, String>, crate::db::DbErr> {
    let Some(statement) = db::statements::statement(&state.db, row.statement_id).await? else {
        return Ok(Err("the statement is gone".into()));
    };
    let summary: serde_json::Value = serde_json::from_str(&statement.summary).unwrap_or_default();
    let mut facts: Vec<String> = summary["facts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let (kind_label, files) = if row.digest {
        // One mail for the whole close: every statement's files, and a line for each.
        let made = db::statements::issued_with(&state.db, &statement).await?;
        let count = |kind: &str| made.iter().filter(|s| s.kind == kind).count();
        facts.push(format!(
            "Pārskati: {} uzskaites lapas, {} darba samaksas aprēķini, 1 kopsavilkums.",
            count("client_timesheet"),
            count("assistant_pay")
        ));
        let corrections = made.iter().filter(|s| s.is_correction).count();
        if corrections > 0 {
            facts.push(format!(
                "No tiem labojumi (jaunas versijas): {corrections}."
            ));
        }
        // Every file while they fit one mail; a larger close (a whole country's) attaches its
        // summary, and the rest wait on the console's statements page. Only the files attached
        // are read.
        let ids: Vec<uuid::Uuid> = made.iter().map(|s| s.id).collect();
        let bytes: i64 = db::statements::file_sizes(&state.db, &ids)
            .await?
            .values()
            .flatten()
            .map(|(_, _, size)| size)
            .sum();
        let limit = i64::try_from(state.config.mail_digest_max_mb)
            .unwrap_or(i64::MAX)
            .saturating_mul(1024 * 1024);
        let attached = if bytes <= limit {
            ids
        } else {
            facts.push(format!(
                "Visu pārskatu datnes kopā ({}) vienai e-pasta vēstulei ir par lielu: pievienots kopsavilkums; \
                 pārējās ir pakalpojuma konsolē, sadaļā “Pārskati”, mēnesim {}.",
                megabytes(bytes),
                statement.month
            ));
            vec![statement.id]
        };
        let files = db::statements::files_of(&state.db, &attached).await?;
        ("Mēneša pārskati un aprēķini", files)
    } else {
        let kind_label = match statement.kind.as_str() {
            "client_timesheet" => "Asistenta pakalpojuma uzskaites lapa",
            "assistant_pay" => "Asistenta darba samaksas aprēķins",
            _ => "Pašvaldības kopsavilkums",
        };
        (
            kind_label,
            db::statements::files(&state.db, statement.id).await?,
        )
    };
    let mail = crate::mail::StatementMail {
        message_id: &row.message_id,
        from: &state.config.mail_from,
        to: &row.recipient,
        kind_label,
        subject_of: summary["title"].as_str().unwrap_or(""),
        month: &statement.month,
        version: statement.version,
        is_correction: statement.is_correction,
        replaces: statement.kind == "client_timesheet",
        carries: summary["correction_rows"].as_u64().is_some_and(|n| n > 0),
        facts,
        municipality: &state.config.municipality_name,
        address: &state.config.municipality_address,
        files: files
            .into_iter()
            .map(|f| (f.name, f.mime, f.content))
            .collect(),
    };
    Ok(crate::mail::build(&mail))
}
