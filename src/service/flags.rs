//! Facts recorded after the fact (issue "rules that follow real life", item 1): when a
//! suspension, an amended decision, a policy row with a past date or a client's corrected
//! disability group or birth date makes entries already counted break a rule, they are flagged
//! with that rule and leave the month's count and pay (and a new decision, or a fact undone,
//! counts them again);
//! a coordinator keeps each (with a reason) or voids it, and a month with flagged entries is
//! not approved or closed until then. The entries are checked in the same transaction as the
//! fact is written, so the fact and its flags are stored together or not at all.

use chrono::{DateTime, NaiveDate, Utc};
use mobile_api::Locale;
use mobile_api::entries::FlagResolution;
use uuid::Uuid;

use super::auth::Caller;
use super::{AppState, in_transaction};
use crate::db::{self, DbErr, entries::Saved};
use crate::domain::ledger::Actor;
use crate::domain::text;
use crate::domain::time::Month;
use crate::error::ApiError;

/// How many clients' entries one ledger batch checks again (a policy row checks every
/// client's).
const CLIENTS_PER_BATCH: usize = 50;

/// Checks again the counted and flagged entries of `clients` (every client when `None`) in the
/// whole months from `from`'s to `to`'s (to the end when `None`): the allowance is a month's, so
/// a change on one day can change what fits on any day of its month. With `closed`, months
/// already closed are checked too (a fact about the client's decision: what changes there is
/// carried by the next close as a correction). Returns how many entries changed (flagged, or
/// no longer flagged).
pub async fn recheck(
    txn: &crate::db::Txn,
    clients: Option<&[Uuid]>,
    (from, to): (NaiveDate, Option<NaiveDate>),
    closed: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let from = Month::of(from).first_day();
    let to = to.map(|d| Month::of(d).last_day());
    let found = db::entries::recheckable(txn, clients, from, to).await?;
    let mut changed = 0;
    for batch in found.chunks(CLIENTS_PER_BATCH) {
        let ids: Vec<Uuid> = batch
            .iter()
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        changed += db::ledger::recheck(txn, ids, closed, actor, now)
            .await?
            .len();
    }
    Ok(changed)
}

/// `POST /api/v1/entries/{id}/flag`: a coordinator keeps or voids a flagged entry.
pub async fn resolve(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    entry_id: Uuid,
    body: &FlagResolution,
) -> Result<Saved, ApiError> {
    caller.require_staff()?;
    let keep = match body.resolution.as_str() {
        "keep" => true,
        "void" => false,
        _ => {
            return Err(ApiError::invalid_with(
                "resolution",
                "out_of_range",
                serde_json::json!({ "allowed": ["keep", "void"] }),
            ));
        }
    };
    let why = text::text("reason", &body.reason, 2000)?;
    let by = Actor {
        user_id: caller.user_id,
        coordinator: true,
    };
    let now = state.clock.now();
    in_transaction(state, locale, async |txn| {
        db::ledger::resolve(txn, entry_id, keep, &why, by, now).await
    })
    .await
}
