//! The change log devices pull from, numbered in commit order (see migration 3 for why a
//! sequencer numbers committed rows instead of trusting ids).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;

use super::entity::changes;
use crate::domain::time::Month;

/// Who may see a change.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
}

/// A change row, unnumbered (it gets its position once committed).
pub fn row(
    kind: &str,
    op: &str,
    entity_id: String,
    scope: Scope,
    data: &Value,
    now: DateTime<Utc>,
) -> changes::ActiveModel {
    row_text(kind, op, entity_id, scope, data.to_string(), now)
}

/// A change row whose data is already JSON text.
pub fn row_text(
    kind: &str,
    op: &str,
    entity_id: String,
    scope: Scope,
    data: String,
    now: DateTime<Utc>,
) -> changes::ActiveModel {
    changes::ActiveModel {
        position: Set(None),
        kind: Set(kind.to_owned()),
        op: Set(op.to_owned()),
        entity_id: Set(entity_id),
        client_id: Set(scope.client_id),
        assistant_id: Set(scope.assistant_id),
        user_id: Set(scope.user_id),
        data: Set(data),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Records a change in the caller's transaction; it gets its position once committed.
pub async fn record(
    db: &impl ConnectionTrait,
    kind: &str,
    op: &str,
    entity_id: String,
    scope: Scope,
    data: &Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    record_all(db, vec![row(kind, op, entity_id, scope, data, now)]).await
}

/// Records `rows` in order, 500 to a statement.
///
/// On PostgreSQL they are written unnumbered and `sequence` numbers them once committed. SQLite
/// has one writer at a time, so transactions commit in the order they write: there each row is
/// numbered as it is inserted, after the highest position so far, by the statement itself
/// (which holds the write lock when it reads that position). No later update of the rows and
/// their indexes is needed, and a pull finds nothing to number.
pub async fn record_all(
    db: &impl ConnectionTrait,
    rows: Vec<changes::ActiveModel>,
) -> Result<(), DbErr> {
    if super::is_postgres(db) {
        return super::insert_all(db, rows, 500).await;
    }
    use sea_orm::ActiveModelTrait;
    const COLUMNS: [changes::Column; 8] = [
        changes::Column::Kind,
        changes::Column::Op,
        changes::Column::EntityId,
        changes::Column::ClientId,
        changes::Column::AssistantId,
        changes::Column::UserId,
        changes::Column::Data,
        changes::Column::CreatedAt,
    ];
    for part in rows.chunks(500) {
        // One statement reads the highest position once and numbers the rows after it:
        // `insert … select m.p + v.column1, v.column2, … from (values (1, ?, …), (2, ?, …)) v,
        // (select max(position) p from changes) m`.
        let mut sql = String::from(
            "insert into changes (position, kind, op, entity_id, client_id, assistant_id, \
             user_id, data, created_at) select m.p + v.column1",
        );
        for c in 2..=COLUMNS.len() + 1 {
            sql.push_str(&format!(", v.column{c}"));
        }
        sql.push_str(" from (values ");
        let mut values = Vec::with_capacity(part.len() * COLUMNS.len());
        for (k, row) in part.iter().enumerate() {
            sql.push_str(if k == 0 { "(" } else { ", (" });
            sql.push_str(&(k + 1).to_string());
            for column in COLUMNS {
                values.push(
                    row.get(column).into_value().ok_or_else(|| {
                        DbErr::Custom(format!("a change row lacks its {column:?}"))
                    })?,
                );
                sql.push_str(", ?");
            }
            sql.push(')');
        }
        sql.push_str(") as v, (select coalesce(max(position), 0) as p from changes) as m");
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

/// Numbers the committed, unnumbered changes after the highest position so far, in id order,
/// `batch` at a time, each batch its own short transaction, until none is left. One sequencer at
/// a time (an advisory lock on PostgreSQL; SQLite has one writer). Asks `reads` first, so that a
/// call with nothing to number takes no write lock. Returns how many it numbered.
pub async fn sequence(db: &super::Db, reads: &super::Db, batch: u64) -> Result<u64, DbErr> {
    let mut numbered = 0;
    loop {
        let unnumbered = changes::Entity::find()
            .select_only()
            .column(changes::Column::Id)
            .filter(changes::Column::Position.is_null())
            .limit(1)
            .into_tuple::<i64>()
            .one(if numbered == 0 { reads } else { db })
            .await?;
        if unnumbered.is_none() {
            return Ok(numbered);
        }
        let txn = db.begin().await?;
        if super::is_postgres(&txn) {
            txn.execute_unprepared("select pg_advisory_xact_lock(7316002)")
                .await?;
        }
        // The batch is our own number, written into the statement as both engines read it.
        let done = txn
            .execute_unprepared(&format!(
                "update changes set position = numbered.position
                 from (select id, (select coalesce(max(position), 0) from changes)
                                  + row_number() over (order by id) as position
                       from (select id from changes where position is null
                             order by id limit {}) as next) as numbered
                 where changes.id = numbered.id",
                batch.max(1)
            ))
            .await?
            .rows_affected();
        txn.commit().await?;
        numbered += done;
        if done == 0 {
            return Ok(numbered);
        }
    }
}

/// What a user may pull.
pub enum Visibility {
    /// Coordinators, admins, accountants: every change.
    All,
    /// An assistant: their own entries, assignments and the disputes of their entries, the
    /// decisions of the clients of an assignment that has not ended (`clients`), the months
    /// their assignments cover (`months`: client, first and last month, None open-ended), their
    /// refused mutations.
    Assistant {
        assistant_id: Uuid,
        clients: Vec<Uuid>,
        months: Vec<(Uuid, Month, Option<Month>)>,
        user_id: Uuid,
    },
    /// A client or representative: their clients' entries, months and decisions.
    Clients { clients: Vec<Uuid>, user_id: Uuid },
}

/// Up to `limit` numbered changes after `after`, in position order, in one statement (one
/// consistent snapshot).
pub async fn page(
    db: &impl ConnectionTrait,
    after: i64,
    who: &Visibility,
    limit: u64,
) -> Result<Vec<changes::Model>, DbErr> {
    let mine = |user_id: Uuid| {
        Condition::all()
            .add(changes::Column::Kind.eq("mutation"))
            .add(changes::Column::UserId.eq(user_id))
    };
    let visible = match who {
        Visibility::All => Condition::all(),
        Visibility::Assistant {
            assistant_id,
            clients,
            months,
            user_id,
        } => {
            let mut any = Condition::any()
                .add(
                    Condition::all()
                        .add(changes::Column::Kind.is_in(["entry", "assignment", "dispute"]))
                        .add(changes::Column::AssistantId.eq(*assistant_id)),
                )
                .add(
                    Condition::all()
                        .add(changes::Column::Kind.eq("decision"))
                        .add(changes::Column::ClientId.is_in(clients.clone())),
                )
                .add(mine(*user_id));
            // A month change's entity id is `{client}/{YYYY-MM}`, so a window of months is a
            // range of ids.
            for (client, from, to) in months {
                let mut window = Condition::all()
                    .add(changes::Column::Kind.eq("month"))
                    .add(changes::Column::ClientId.eq(*client))
                    .add(changes::Column::EntityId.gte(format!("{client}/{from}")));
                if let Some(to) = to {
                    window = window.add(changes::Column::EntityId.lte(format!("{client}/{to}")));
                }
                any = any.add(window);
            }
            any
        }
        Visibility::Clients { clients, user_id } => Condition::any()
            .add(
                Condition::all()
                    .add(changes::Column::Kind.is_in(["entry", "month", "decision", "dispute"]))
                    .add(changes::Column::ClientId.is_in(clients.clone())),
            )
            .add(mine(*user_id)),
    };
    changes::Entity::find()
        .filter(changes::Column::Position.gt(after))
        .filter(visible)
        .order_by_asc(changes::Column::Position)
        .limit(limit)
        .all(db)
        .await
}
