//! Closing a month: its statements and their mail, the shared step of the API, the CLI and the
//! scheduled close.

use super::AppState;
use crate::db::entity::statements;
use crate::db::{self, TransactionTrait};
use crate::error::ApiError;

/// Closes a month: the shared step of the HTTP endpoint and the CLI.
pub async fn close(
    state: &AppState,
    month: crate::domain::time::Month,
    by: crate::db::entries::Actor,
) -> Result<Vec<statements::Model>, ApiError> {
    let settings = db::statements::CloseSettings {
        recipients: &state.config.statement_recipients,
        municipality: &state.config.municipality_name,
    };
    let txn = state.db.begin().await?;
    let made = db::statements::close_month(&txn, month, &settings, by, state.clock.now()).await?;
    txn.commit().await?;
    Ok(made)
}
