//! What an operator asks of the database from the command line: apply the migrations, verify
//! the audit chain, unlock a login name.

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

/// Lifts the lock failed logins put on `login` and forgets its failures (audited as
/// `login_unlocked`). Whether there was anything to lift.
pub async fn unlock(database_url: &str, login: &str) -> Result<bool, DbErr> {
    use crate::db::TransactionTrait;
    let db = db::connect(database_url, 1).await?;
    let key = format!("login:{}", login.trim().to_lowercase());
    let txn = db.begin().await?;
    let lifted = db::session::clear_attempts_counted(&txn, &key).await? > 0;
    if lifted {
        let now = chrono::Utc::now();
        db::audit::append(
            &txn,
            now,
            db::audit::Record {
                actor: None,
                action: "login_unlocked",
                subject_kind: "login",
                subject_id: login.trim().to_lowercase(),
                client_id: None,
                before: None,
                after: Some(serde_json::json!({ "by": "command line" })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(lifted)
}
