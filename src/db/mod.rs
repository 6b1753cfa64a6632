//! SeaORM entities and queries: the only layer that imports `sea_orm`.

pub mod audit;
pub mod changes;
pub mod entity;
pub mod entries;
pub mod jobs;
pub mod ledger;
pub mod months;
pub mod people;
pub mod policy;
pub mod session;
pub mod statements;
pub mod stored;
pub mod sync;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

pub use stored::Stored;

/// What the use cases (`service/`) name of the database: a pool, a transaction, anything that
/// runs statements (`Conn`), and its error.
pub use sea_orm::{
    ConnectionTrait as Conn, DatabaseConnection as Db, DatabaseTransaction as Txn, DbErr,
    TransactionTrait,
};

/// Opens the pool. SQLite gets one connection (one writer, and an in-memory database lives as
/// long as its connection), WAL, `synchronous=NORMAL` and a busy timeout; PostgreSQL a pool of
/// `max_connections`. A pool connection to SQLite is not pinged before each use (a file does
/// not go away like a server, and the ping was a thread round trip per request). The writer
/// checkpoints the log itself only past 10,000 pages (40 MB); below that `checkpoints` copies
/// it in the background, off the writer's path.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        options
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("wal_autocheckpoint", "10000")
            });
    } else {
        options
            .max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5));
    }
    Database::connect(options).await
}

/// Whether `url` names an SQLite database kept only in memory (one connection sees it).
pub(crate) fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Opens the pool for reads that need no lock and may run beside the writer: token lookups,
/// pulls, the month overview and close jobs. On an SQLite file (WAL lets readers see every
/// committed transaction while the one writer works) it is four read-only connections of their
/// own, so a phone's token lookup never queues behind a group of pushes or a month's close
/// being written, nor behind a coordinator's overview being read. On PostgreSQL, and on an SQLite
/// database in memory, it is the main pool itself. Open it after the migrations.
pub async fn connect_reads(
    url: &str,
    main: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    if !url.starts_with("sqlite:") || in_memory(url) {
        return Ok(main.clone());
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(4)
        .min_connections(1)
        .test_before_acquire(false)
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>)
        .map_sqlx_sqlite_opts(|o| {
            o.read_only(true)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Copies the write-ahead log of an SQLite file into the database in the background, on a
/// connection of its own, until `stop` turns true; for other databases it returns at once.
///
/// The writer still checkpoints when its log passes 10,000 pages, which keeps the log bounded
/// (readers that are always present keep SQLite from starting the log over), but it then finds
/// most pages copied already: the copying, which stalled a commit for milliseconds, happens on
/// the other core, beside the writer.
pub async fn checkpoints(url: &str, mut stop: tokio::sync::watch::Receiver<bool>) {
    if !url.starts_with("sqlite:") || in_memory(url) {
        return;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>)
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(Duration::from_millis(200)));
    let Ok(db) = Database::connect(options).await else {
        tracing::warn!("no connection for background checkpoints; the writer checkpoints alone");
        return;
    };
    let pragma = sea_orm::Statement::from_string(
        DbBackend::Sqlite,
        "pragma wal_checkpoint(passive)".to_owned(),
    );
    let mut last = 0i64;
    loop {
        // The log's size in frames (all of them copied now, unless a reader still needs some).
        let log = match db.query_one_raw(pragma.clone()).await {
            Ok(Some(row)) => row.try_get_by_index::<i64>(1).unwrap_or(0),
            _ => last,
        };
        // Often while the log changes; seldom when it is quiet.
        let pause = Duration::from_millis(if log != last { 20 } else { 250 });
        last = log;
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
    db.close().await.ok();
}

/// Applies every migration not yet applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Inserts `rows` with multi-row statements of at most `per` rows each.
pub async fn insert_all<A>(
    db: &impl ConnectionTrait,
    mut rows: Vec<A>,
    per: usize,
) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(per.max(1)));
        <A::Entity as sea_orm::EntityTrait>::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A cheap round trip, for `/health/ready`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("select 1").await.map(|_| ())
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// True when `err` is a unique-constraint violation (on either engine).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
