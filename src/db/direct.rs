//! The SQLite writer's statements run on the calling thread.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is a message to
//! that thread and an answer back, two thread wake-ups that cost about 45 µs on the 2-core
//! virtual machines this service is measured on, against a few µs for the statement itself.
//! A group of pushes is about twenty statements, so a millisecond of every group was wake-ups.
//!
//! [`Direct`] borrows the connection from its thread for the length of one transaction
//! (`lock_handle`: sqlx's thread waits while it is lent) and runs the same sea-orm statements
//! on it through rusqlite, on the caller's thread. Values are bound exactly as sqlx binds them
//! (UUIDs as 16-byte blobs, timestamps as RFC 3339 text, dates as `YYYY-MM-DD`), so what one
//! path writes the other reads. A row is read back by the declared type of the entity column
//! each result column comes from (SQLite names a result column's table and column), so it
//! decodes into the same models as through sqlx.
//!
//! [`Reader`] does the same for the token lookup of every request, on read-only connections of
//! the service's own to the same file.
//!
//! sea-orm builds its query and execution results only inside its drivers; the one public way
//! to make them from values is its in-memory database (`MockDatabase`, which hands back the
//! rows it is given). `Direct` uses it for exactly that, and nothing else. (Its `proxy`
//! feature, meant for this, does not compile beside `sqlx-sqlite` in sea-orm 2.0.4.)

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, Value as Stored, ValueRef};
use sea_orm::sea_query::Value;
use sea_orm::sqlx::sqlite::LockedSqliteHandle;
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExecResult, Iterable,
    MockDatabase, MockExecResult, QueryResult, RuntimeErr, Statement,
};

use super::entity;

/// What a stored column decodes to: the sea-orm value its entity's field expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Uuid,
    Timestamp,
    Date,
    Int,
    BigInt,
    Bool,
    Text,
    Bytes,
    Double,
}

type Kinds = HashMap<&'static str, HashMap<&'static str, Kind>>;

fn register<E: EntityTrait>(kinds: &mut Kinds) {
    let table = E::default().table_name();
    for column in E::Column::iter() {
        let kind = match column.def().get_column_type() {
            ColumnType::Uuid => Kind::Uuid,
            ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime => {
                Kind::Timestamp
            }
            ColumnType::Date => Kind::Date,
            ColumnType::TinyInteger | ColumnType::SmallInteger | ColumnType::Integer => Kind::Int,
            ColumnType::BigInteger => Kind::BigInt,
            ColumnType::Boolean => Kind::Bool,
            ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => Kind::Bytes,
            ColumnType::Float | ColumnType::Double => Kind::Double,
            _ => Kind::Text,
        };
        kinds
            .entry(table)
            .or_default()
            .insert(sea_orm::IdenStatic::as_str(&column), kind);
    }
}

/// Every entity column's kind, by table and column name.
fn kinds() -> &'static Kinds {
    static KINDS: OnceLock<Kinds> = OnceLock::new();
    KINDS.get_or_init(|| {
        let mut k = Kinds::new();
        // Every entity of `entity.rs`. A table left out reads back by storage class, and its
        // UUIDs and timestamps then fail to decode (an error, never a wrong value).
        macro_rules! all {
            ($($m:ident),*) => {
                $(register::<entity::$m::Entity>(&mut k);)*
            };
        }
        all!(
            clients,
            decisions,
            suspensions,
            assistants,
            assignments,
            users,
            representatives,
            devices,
            login_attempts,
            entries,
            trips,
            month_sheets,
            month_disputes,
            policy_values,
            audit_log,
            statements,
            statement_files,
            outbox,
            idempotency_keys,
            sync_mutations,
            changes
        );
        k
    })
}

/// The writer's rusqlite side, kept between transactions so that its prepared statements are
/// prepared once, not once per group (preparing was a quarter of a group's time).
///
/// The statements belong to sqlx's connection handle, which sqlx closes with `sqlite3_close`
/// and which refuses to close while any statement is left. So the first lending of a handle
/// installs a hook on sqlx's connection (a progress handler that is never called) whose drop
/// finalizes the kept statements; sqlx drops its hooks before it closes the handle.
#[derive(Clone, Default)]
pub struct Kept {
    slot: Arc<Mutex<Option<(usize, rusqlite::Connection)>>>,
}

/// Finalizes the kept statements when sqlx drops its connection's hooks.
struct Finalizer(Arc<Mutex<Option<(usize, rusqlite::Connection)>>>);

impl Drop for Finalizer {
    fn drop(&mut self) {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(kept);
    }
}

/// A connection lent by sqlx's SQLite thread, with sea-orm's interface.
pub struct Direct {
    conn: Mutex<Option<rusqlite::Connection>>,
    handle: usize,
    kept: Kept,
}

impl Direct {
    /// Borrows the locked sqlx connection, with the statements kept from its last lending.
    ///
    /// # Safety
    /// Drop the `Direct` before `locked`: it uses the handle as long as it lives. Dropping it
    /// rolls back what is still open and keeps its statements for the next lending.
    pub unsafe fn lend(locked: &mut LockedSqliteHandle<'_>, kept: &Kept) -> Result<Direct, DbErr> {
        let raw = locked.as_raw_handle().as_ptr();
        let handle = raw as usize;
        let same = {
            let mut slot = kept
                .slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match slot.take() {
                Some((h, conn)) if h == handle => Some(conn),
                // Another handle's statements cannot be here (its close finalized them); an
                // unknown pair is dropped all the same.
                _ => None,
            }
        };
        let conn = match same {
            Some(conn) => conn,
            None => {
                // SAFETY: the handle is locked away from sqlx's thread while `locked` lives,
                // and the caller drops this `Direct` first.
                let conn = unsafe { rusqlite::Connection::from_handle(raw) }.map_err(exec_err)?;
                conn.set_prepared_statement_cache_capacity(256);
                let finalizer = Finalizer(Arc::clone(&kept.slot));
                locked.set_progress_handler(i32::MAX, move || {
                    let _ = &finalizer;
                    true
                });
                conn
            }
        };
        Ok(Direct {
            conn: Mutex::new(Some(conn)),
            handle,
            kept: kept.clone(),
        })
    }

    /// Runs `f` on the lent connection.
    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, DbErr>,
    ) -> Result<T, DbErr> {
        // A panic inside a statement leaves nothing half-done in the connection itself.
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let conn = conn
            .as_ref()
            .ok_or_else(|| exec_err("the lent SQLite connection was given back"))?;
        f(conn)
    }

    /// `BEGIN IMMEDIATE`: the write lock from the first statement.
    pub fn begin(&self) -> Result<(), DbErr> {
        self.with(|c| c.execute_batch("begin immediate").map_err(exec_err))
    }

    pub fn commit(&self) -> Result<(), DbErr> {
        self.with(|c| c.execute_batch("commit").map_err(exec_err))
    }

    /// Rolls back whatever transaction is open (none after a failed `COMMIT` that SQLite
    /// already rolled back), so the connection goes back as it was lent.
    fn rollback(&self) {
        let rolled = self.with(|c| {
            if c.is_autocommit() {
                Ok(())
            } else {
                c.execute_batch("rollback").map_err(exec_err)
            }
        });
        if let Err(e) = rolled {
            tracing::error!(error = %e, "rollback on the lent SQLite connection failed");
        }
    }
}

/// Runs `sql` (statements without values) on `conn`; the rows the last one changed.
fn unprepared_on(conn: &rusqlite::Connection, sql: &str) -> Result<u64, DbErr> {
    conn.execute_batch(sql).map_err(exec_err)?;
    Ok(conn.changes())
}

/// Runs a statement that returns no rows on `conn`.
fn run_on(conn: &rusqlite::Connection, stmt: &Statement) -> rusqlite::Result<MockExecResult> {
    let mut s = conn.prepare_cached(&stmt.sql)?;
    bind(&mut s, stmt)?;
    s.raw_execute()?;
    Ok(MockExecResult {
        last_insert_id: u64::try_from(conn.last_insert_rowid()).unwrap_or(0),
        rows_affected: conn.changes(),
    })
}

/// Reads a statement's rows on `conn` (the first `limit`, if given), each value decoded by the
/// kind of the entity column it comes from.
fn rows_on(
    conn: &rusqlite::Connection,
    stmt: &Statement,
    limit: Option<usize>,
) -> Result<Vec<Row>, DbErr> {
    let kinds = kinds();
    let mut s = conn.prepare_cached(&stmt.sql).map_err(query_err)?;
    bind(&mut s, stmt).map_err(query_err)?;
    // Each column: its position's key, its name, and the kind of the entity column it comes
    // from (none for a computed one).
    let columns: Vec<(String, String, Option<Kind>)> = s
        .columns_with_metadata()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = c
                .table_name()
                .zip(c.origin_name())
                .and_then(|(t, o)| kinds.get(t)?.get(o).copied());
            // sea-orm reads a tuple by position and a model by name; a mock row finds a
            // position as its n-th key, so positions are keys that sort before every name.
            (format!("\0{i:05}"), c.name().to_owned(), kind)
        })
        .collect();
    let mut found = Vec::new();
    let mut rows = s.raw_query();
    while let Some(row) = rows.next().map_err(query_err)? {
        let mut values = BTreeMap::new();
        for (i, (at, name, kind)) in columns.iter().enumerate() {
            let value = decode(row.get_ref(i).map_err(query_err)?, *kind)?;
            values.insert(at.clone(), value.clone());
            values.insert(name.clone(), value);
        }
        found.push(values);
        if limit.is_some_and(|l| found.len() >= l) {
            break;
        }
    }
    Ok(found)
}

type Row = BTreeMap<String, Value>;

/// sea-orm's result for an execution.
async fn executed(result: MockExecResult) -> Result<ExecResult, DbErr> {
    MockDatabase::new(DbBackend::Sqlite)
        .append_exec_results([result])
        .into_connection()
        .execute_raw(Statement::from_string(DbBackend::Sqlite, ""))
        .await
}

/// sea-orm's results for rows read.
async fn results(rows: Vec<Row>) -> Result<Vec<QueryResult>, DbErr> {
    MockDatabase::new(DbBackend::Sqlite)
        .append_query_results([rows])
        .into_connection()
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, ""))
        .await
}

impl Drop for Direct {
    fn drop(&mut self) {
        self.rollback();
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(conn) = conn {
            *self
                .kept
                .slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((self.handle, conn));
        }
    }
}

/// sea-orm's interface for a type whose `with` runs a closure on an SQLite connection in place.
macro_rules! in_place {
    ($type:ty) => {
        #[async_trait::async_trait]
        impl ConnectionTrait for $type {
            fn get_database_backend(&self) -> DbBackend {
                DbBackend::Sqlite
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                executed(self.with(|conn| run_on(conn, &stmt).map_err(exec_err))?).await
            }

            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                let rows_affected = self.with(|conn| unprepared_on(conn, sql))?;
                let result = MockExecResult {
                    last_insert_id: 0,
                    rows_affected,
                };
                executed(result).await
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                let rows = self.with(|conn| rows_on(conn, &stmt, Some(1)))?;
                Ok(results(rows).await?.into_iter().next())
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                results(self.with(|conn| rows_on(conn, &stmt, None))?).await
            }
        }
    };
}

in_place!(Direct);
in_place!(Reader);

/// Read-only connections of the service's own to an SQLite file, used in place on the calling
/// task's thread: a phone's token lookup, one short indexed read per request, costs no
/// message to a connection thread and back (the same saving as [`Direct`] for the writer).
/// WAL lets them read every committed transaction beside the writer.
pub struct Reader {
    path: std::path::PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// Connections a [`Reader`] keeps idle; more are opened while more requests read at once.
const READERS_KEPT: usize = 4;

impl Reader {
    /// For an SQLite database file (`None` for PostgreSQL or a database in memory, which only
    /// their own pools can read). Opens one connection now, so that a bad path fails at start.
    pub fn open(url: &str) -> Result<Option<Reader>, DbErr> {
        use std::str::FromStr;
        if !url.starts_with("sqlite:") || super::in_memory(url) {
            return Ok(None);
        }
        let options =
            sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(exec_err)?;
        let reader = Reader {
            path: options.get_filename().to_owned(),
            idle: Mutex::new(Vec::new()),
        };
        let first = reader.connect()?;
        reader.lock().push(first);
        Ok(Some(reader))
    }

    fn connect(&self) -> Result<rusqlite::Connection, DbErr> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags).map_err(exec_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(exec_err)?;
        // A token lookup reads a few pages of two small tables: a small page cache will do.
        conn.pragma_update(None, "cache_size", -512)
            .map_err(exec_err)?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<rusqlite::Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on an idle connection (a new one when none is idle) and keeps it for the next.
    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, DbErr>,
    ) -> Result<T, DbErr> {
        let idle = self.lock().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = f(&conn);
        let mut idle = self.lock();
        if idle.len() < READERS_KEPT {
            idle.push(conn);
        }
        result
    }
}

/// Binds a statement's values as sqlx binds them on SQLite.
fn bind(s: &mut rusqlite::CachedStatement<'_>, stmt: &Statement) -> rusqlite::Result<()> {
    s.clear_bindings();
    let Some(values) = &stmt.values else {
        return Ok(());
    };
    for (i, v) in values.0.iter().enumerate() {
        s.raw_bind_parameter(i + 1, stored(v)?)?;
    }
    Ok(())
}

/// A value to bind: text, blobs and UUIDs borrowed from the statement, the rest formatted.
fn stored(v: &Value) -> rusqlite::Result<ToSqlOutput<'_>> {
    Ok(match v {
        Value::String(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        Value::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        Value::Uuid(Some(u)) => ToSqlOutput::Borrowed(ValueRef::Blob(u.as_bytes())),
        other => ToSqlOutput::Owned(owned(other)?),
    })
}

fn owned(v: &Value) -> rusqlite::Result<Stored> {
    fn int<T: Into<i64> + Copy>(v: &Option<T>) -> Stored {
        v.map_or(Stored::Null, |v| Stored::Integer(v.into()))
    }
    fn text<T>(v: &Option<T>, f: impl Fn(&T) -> String) -> Stored {
        v.as_ref().map_or(Stored::Null, |v| Stored::Text(f(v)))
    }
    Ok(match v {
        Value::Bool(b) => int(b),
        Value::TinyInt(i) => int(i),
        Value::SmallInt(i) => int(i),
        Value::Int(i) => int(i),
        Value::BigInt(i) => int(i),
        Value::TinyUnsigned(i) => int(i),
        Value::SmallUnsigned(i) => int(i),
        Value::Unsigned(i) => int(i),
        Value::BigUnsigned(i) => match i {
            None => Stored::Null,
            Some(i) => Stored::Integer(i64::try_from(*i).map_err(|_| {
                rusqlite::Error::ToSqlConversionFailure("an unsigned value over i64".into())
            })?),
        },
        Value::Float(f) => f.map_or(Stored::Null, |f| Stored::Real(f.into())),
        Value::Double(f) => f.map_or(Stored::Null, Stored::Real),
        Value::String(s) => text(s, String::clone),
        Value::Char(c) => text(c, char::to_string),
        Value::Bytes(b) => b.clone().map_or(Stored::Null, Stored::Blob),
        Value::Json(j) => text(j, |j| j.to_string()),
        Value::ChronoDate(d) => text(d, |d| d.format("%F").to_string()),
        Value::ChronoTime(t) => text(t, |t| t.format("%T%.f").to_string()),
        Value::ChronoDateTime(t) => text(t, |t| t.format("%F %T%.f").to_string()),
        Value::ChronoDateTimeUtc(t) => text(t, rfc3339),
        Value::ChronoDateTimeLocal(t) => text(t, rfc3339),
        Value::ChronoDateTimeWithTimeZone(t) => text(t, rfc3339),
        Value::Uuid(u) => u.map_or(Stored::Null, |u| Stored::Blob(u.as_bytes().to_vec())),
        other => {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!("no SQLite binding for {other:?}").into(),
            ));
        }
    })
}

/// sqlx's text for a timestamp on SQLite.
fn rfc3339<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A stored value as the sea-orm value its column's field expects; a computed column (no
/// entity column behind it) by its storage class.
fn decode(v: ValueRef<'_>, kind: Option<Kind>) -> Result<Value, DbErr> {
    let bad = |what: &str| query_err(format!("a stored {what} that does not decode"));
    let Some(kind) = kind else {
        return Ok(match v {
            ValueRef::Null => Value::BigInt(None),
            ValueRef::Integer(i) => Value::BigInt(Some(i)),
            ValueRef::Real(f) => Value::Double(Some(f)),
            ValueRef::Text(t) => Value::String(Some(utf8(t)?.to_owned())),
            ValueRef::Blob(b) => Value::Bytes(Some(b.to_vec())),
        });
    };
    if let ValueRef::Null = v {
        return Ok(match kind {
            Kind::Uuid => Value::Uuid(None),
            Kind::Timestamp => Value::ChronoDateTimeUtc(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Bool => Value::Bool(None),
            Kind::Text => Value::String(None),
            Kind::Bytes => Value::Bytes(None),
            Kind::Double => Value::Double(None),
        });
    }
    Ok(match (kind, v) {
        (Kind::Uuid, ValueRef::Blob(b)) => {
            Value::Uuid(Some(uuid::Uuid::from_slice(b).map_err(|_| bad("UUID"))?))
        }
        (Kind::Timestamp, ValueRef::Text(t)) => {
            Value::ChronoDateTimeUtc(Some(timestamp(utf8(t)?).ok_or_else(|| bad("timestamp"))?))
        }
        (Kind::Date, ValueRef::Text(t)) => Value::ChronoDate(Some(
            NaiveDate::parse_from_str(utf8(t)?, "%F").map_err(|_| bad("date"))?,
        )),
        (Kind::Int, ValueRef::Integer(i)) => {
            Value::Int(Some(i32::try_from(i).map_err(|_| bad("integer"))?))
        }
        (Kind::BigInt, ValueRef::Integer(i)) => Value::BigInt(Some(i)),
        (Kind::Bool, ValueRef::Integer(i)) => Value::Bool(Some(i != 0)),
        (Kind::Text, ValueRef::Text(t)) => Value::String(Some(utf8(t)?.to_owned())),
        (Kind::Bytes, ValueRef::Blob(b)) => Value::Bytes(Some(b.to_vec())),
        (Kind::Double, ValueRef::Real(f)) => Value::Double(Some(f)),
        (Kind::Double, ValueRef::Integer(i)) => Value::Double(Some(i as f64)),
        (kind, _) => return Err(bad(&format!("{kind:?}"))),
    })
}

fn utf8(t: &[u8]) -> Result<&str, DbErr> {
    std::str::from_utf8(t).map_err(|_| query_err("stored text that is not UTF-8"))
}

/// A stored timestamp in any of the forms sqlx reads (RFC 3339 first, as sqlx writes it).
fn timestamp(t: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(t) {
        return Some(t.to_utc());
    }
    for format in ["%F %T%.f%:z", "%F %T%.fZ", "%FT%T%.f%:z", "%FT%T%.fZ"] {
        if let Ok(t) = DateTime::parse_from_str(t, format) {
            return Some(t.to_utc());
        }
    }
    ["%F %T%.f", "%FT%T%.f", "%F %R", "%FT%R"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|t| t.and_utc())
}

fn exec_err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Exec(RuntimeErr::Internal(e.to_string()))
}

fn query_err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(e.to_string()))
}
