//! Background work beside the HTTP server. Each job is idempotent, so several server processes
//! on one PostgreSQL may run it without harm.

use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;
use crate::db;

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

/// Forgets failed-login counters whose lockout window is over.
pub async fn housekeeping(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    let now = state.clock.now();
    let window = chrono::Duration::minutes(state.config.login_lockout_minutes);
    db::session::purge_attempts(&state.db, now - window, now).await
}
