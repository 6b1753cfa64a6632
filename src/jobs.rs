//! Background work beside the HTTP server: the schedule. The work itself is the use cases of
//! `service::background`; each is idempotent, so several server processes on one PostgreSQL may
//! run them without harm.

use std::time::Duration;

use tokio::sync::watch;

use crate::service::AppState;
pub use crate::service::background::{close_due, deliver_outbox, housekeeping, submit_overdue};
pub use crate::service::sync::number_changes;

/// Delivers due mail every `every` and does housekeeping every sixth round, until `stop`. The
/// first round comes one interval after start, when the service is up and answering: a round
/// reads the clock once and then acts on what it finds, so a round still running while a test
/// sets its clock back would hand in months by the old date.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>, every: Duration) {
    let mut round = 0u64;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if round.is_multiple_of(6)
            && let Err(e) = housekeeping(&state).await
        {
            tracing::warn!(error = %e, "housekeeping failed; will retry");
        }
        round += 1;
        // Month closes a process that died left behind (the one that took the request starts
        // its own at once).
        if let Err(e) = crate::service::close_jobs::run_due(&state).await {
            tracing::warn!(error = %e, "month close job failed; will retry");
        }
        if let Err(e) = deliver_outbox(&state).await {
            tracing::warn!(error = %e, "mail delivery failed; will retry");
        }
    }
}

/// Numbers committed changes every `every`, until `stop`, apart from the schedule's rounds (a
/// round can spend minutes on mail). Pulls number what is left at their moment; this keeps that
/// small when many pushes come and few pulls.
pub async fn sequencer(state: AppState, mut stop: watch::Receiver<bool>, every: Duration) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = number_changes(&state).await {
            tracing::warn!(error = %e, "numbering changes failed; will retry");
        }
    }
}
