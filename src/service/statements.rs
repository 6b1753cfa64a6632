//! Closing a month: its statements and their mail, the shared step of the API, the CLI and the
//! scheduled close.

use mobile_api::Locale;
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::entries::actor;
use crate::db::entity::{entries, outbox, statements, trips};
use crate::db::{self, TransactionTrait, audit};
use crate::domain::time::Month;
use crate::error::ApiError;

/// Closes a month: the shared step of the HTTP endpoint and the CLI.
pub async fn close(
    state: &AppState,
    month: crate::domain::time::Month,
    by: crate::domain::ledger::Actor,
) -> Result<Vec<statements::Model>, ApiError> {
    let settings = super::close::CloseSettings {
        recipients: &state.config.statement_recipients,
        municipality: &state.config.municipality_name,
    };
    let txn = state.db.begin().await?;
    let made = super::close::close_month(&txn, month, &settings, by, state.clock.now()).await?;
    txn.commit().await?;
    Ok(made)
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

/// Corrects a closed month: adds a session or voids one (the next close reissues its
/// statements as corrections).
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
    body: &mobile_api::statements::AmendmentRequest,
) -> Result<(entries::Model, Vec<trips::Model>), ApiError> {
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
            Ok((entry, trips))
        }
        Err(e) => {
            txn.rollback().await?;
            Err(crate::service::entries::write_error(e, locale))
        }
    }
}
