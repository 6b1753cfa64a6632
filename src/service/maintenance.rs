//! What an operator asks of the database from the command line: apply the migrations, verify
//! the audit chain.

use crate::db::{self, DbErr};

pub use crate::db::audit::Verdict;

/// Applies every migration not yet applied.
pub async fn migrate(database_url: &str) -> Result<(), DbErr> {
    let db = db::connect(database_url, 1).await?;
    db::migrate(&db).await
}

/// Why the audit chain could not be verified.
#[derive(Debug)]
pub enum Failed {
    /// The database did not open.
    Open(DbErr),
    /// The audit log could not be read.
    Read(DbErr),
}

/// Verifies the audit chain from its first record: intact, or where it was altered.
pub async fn verify_audit(database_url: &str) -> Result<Verdict, Failed> {
    let db = db::connect(database_url, 1).await.map_err(Failed::Open)?;
    db::audit::verify(&db).await.map_err(Failed::Read)
}
