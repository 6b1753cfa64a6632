//! Background work beside the HTTP server. Each job is idempotent, so several server processes
//! on one PostgreSQL may run it without harm.

use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;
use crate::db;
use crate::db::entries::Actor;
use crate::domain::rules::deadline;
use crate::domain::time::{Month, riga_date};

/// Runs housekeeping every `every` until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>, every: Duration) {
    loop {
        if let Err(e) = housekeeping(&state).await {
            tracing::warn!(error = %e, "housekeeping failed; will retry");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Forgets failed-login counters whose lockout window is over, and hands in the months whose
/// submission deadline has passed while they were still open (SPEC §5).
pub async fn housekeeping(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    let now = state.clock.now();
    let window = chrono::Duration::minutes(state.config.login_lockout_minutes);
    db::session::purge_attempts(&state.db, now - window, now).await?;
    submit_overdue(state).await
}

/// Months still `open` after their deadline become `submitted`, by the service itself (the
/// audit log names no user). Idempotent: several processes may run it.
pub async fn submit_overdue(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
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
        match db::months::submit(&txn, client_id, month, None, Actor::service(), now).await {
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
