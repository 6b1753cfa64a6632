//! The use cases, called alike by the API (`http/`), the web pages (`web/`), the background jobs
//! and the CLI. A use case checks the rules (`domain/`) and reads and writes through `db/`; it
//! knows nothing of HTTP requests or pages.
//!
//! The move of every use case here is under way (docs/architecture.md says which are here and
//! which still live in `http/` and `db/`).

pub mod auth;
pub mod people;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::db::Db;
use crate::secrets::Passwords;

/// What a use case needs of the running service: the database, the configuration, the bounded
/// password hasher, and the instant the request is served at.
pub struct Env<'a> {
    pub db: &'a Db,
    pub config: &'a Config,
    pub passwords: &'a Passwords,
    pub now: DateTime<Utc>,
}
