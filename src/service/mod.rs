//! The use cases, called alike by the API (`http/`), the web pages (`web/`), the background jobs
//! and the CLI. A use case checks the rules (`domain/`) and reads and writes through `db/`; it
//! knows nothing of HTTP requests or pages.
//!
//! The move of every use case here is under way (docs/architecture.md says which are here and
//! which still live in `http/` and `db/`).

pub mod account;
pub mod assignments;
pub mod assistants;
pub mod audit;
pub mod auth;
pub mod background;
pub mod clients;
pub mod close;
pub mod close_jobs;
pub mod decisions;
pub mod enrol;
pub mod entries;
pub mod flags;
pub mod maintenance;
pub mod months;
pub mod people;
pub mod policy;
pub mod statements;
pub mod sync;
pub mod users;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::secrets::Passwords;
use crate::telemetry::Metrics;

/// What a use case needs of the running service: the database, the configuration, the bounded
/// password hasher, and the instant the request is served at.
pub struct Env<'a> {
    pub db: &'a Db,
    pub config: &'a Config,
    pub passwords: &'a Passwords,
    pub now: DateTime<Utc>,
}

/// What every handler gets; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Reads that may run beside the writer (pulls and token lookups); see
    /// `db::connect_reads`.
    pub reads: Db,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub metrics: Arc<Metrics>,
    pub mailer: Arc<crate::mail::Mailer>,
    /// Argon2id, bounded to the machine's cores.
    pub passwords: crate::secrets::Passwords,
    /// The group writer of phones' pushes.
    pub pushes: sync::Pushes,
}

impl AppState {
    /// What the use cases of `service/` need, at this instant.
    pub fn env(&self) -> Env<'_> {
        Env {
            db: &self.db,
            config: &self.config,
            passwords: &self.passwords,
            now: self.clock.now(),
        }
    }
}

/// Runs an entry or month write in a transaction of its own: committed when it succeeds, rolled
/// back when a rule refuses it (the refusal then answers in `locale`).
pub(crate) async fn in_transaction<T>(
    state: &AppState,
    locale: mobile_api::Locale,
    f: impl AsyncFnOnce(&crate::db::Txn) -> Result<T, crate::db::entries::WriteError>,
) -> Result<T, crate::error::ApiError> {
    use crate::db::TransactionTrait;
    let txn = state.db.begin().await?;
    match f(&txn).await {
        Ok(done) => {
            txn.commit().await?;
            Ok(done)
        }
        Err(e) => {
            txn.rollback().await?;
            Err(entries::write_error(e, locale))
        }
    }
}

/// Whether the database answers (readiness).
pub async fn database_answers(state: &AppState) -> Result<(), crate::db::DbErr> {
    crate::db::ping(&state.db).await
}
