//! The phones' devices as the sync path sees them: the device rows that order each device's
//! pushes, and the stored outcome of every applied mutation (for exactly-once replays).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::entity::{devices, sync_mutations};

/// The device rows of `ids`, locked for the transaction (on PostgreSQL; SQLite has one writer)
/// in one global order, so that two pushes of one device apply each seq once.
pub async fn lock_devices(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<devices::Model>, DbErr> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut select = devices::Entity::find()
        .filter(devices::Column::Id.is_in(ids))
        .order_by_asc(devices::Column::Id);
    if super::is_postgres(db) {
        select = select.lock_exclusive();
    }
    select.all(db).await
}

/// The stored outcome of the device's mutation `seq`, if it was applied.
pub async fn mutation(
    db: &impl ConnectionTrait,
    device_row: Uuid,
    seq: i64,
) -> Result<Option<sync_mutations::Model>, DbErr> {
    sync_mutations::Entity::find_by_id((device_row, seq))
        .one(db)
        .await
}

/// What is stored of an answered mutation: its body's hash (a reused seq with another body is a
/// conflict), its status and outcome (replayed to a retry), and when it came.
pub struct Outcome {
    pub device_row: Uuid,
    pub seq: i64,
    pub name: String,
    pub body_hash: String,
    pub status: &'static str,
    pub outcome: String,
    pub device_time: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
}

/// Stores answered mutations, 500 to a statement.
pub async fn store_outcomes(db: &impl ConnectionTrait, rows: Vec<Outcome>) -> Result<(), DbErr> {
    let rows = rows
        .into_iter()
        .map(|o| sync_mutations::ActiveModel {
            device_row: Set(o.device_row),
            seq: Set(o.seq),
            name: Set(o.name),
            body_hash: Set(o.body_hash),
            status: Set(o.status.to_owned()),
            outcome: Set(o.outcome),
            device_time: Set(o.device_time),
            received_at: Set(o.received_at),
        })
        .collect();
    super::insert_all(db, rows, 500).await
}

/// Moves every device of `moved` (device row, seq) to its seq, in one statement.
pub async fn set_all_last_applied(
    db: &impl ConnectionTrait,
    moved: &[(Uuid, i64)],
) -> Result<(), DbErr> {
    let Some((first, rest)) = moved.split_first() else {
        return Ok(());
    };
    let mut position = Expr::case(
        Expr::col(devices::Column::Id).eq(first.0),
        Expr::val(first.1),
    );
    for (id, seq) in rest {
        position = position.case(Expr::col(devices::Column::Id).eq(*id), Expr::val(*seq));
    }
    devices::Entity::update_many()
        .col_expr(
            devices::Column::LastAppliedSeq,
            position
                .finally(Expr::col(devices::Column::LastAppliedSeq))
                .into(),
        )
        .filter(devices::Column::Id.is_in(moved.iter().map(|(id, _)| *id)))
        .exec(db)
        .await
        .map(|_| ())
}
