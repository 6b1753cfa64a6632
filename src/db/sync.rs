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

/// A device's new positions after a push group: the last seq applied, and the seqs its phone
/// has confirmed (had answered).
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub device_row: Uuid,
    pub last_applied: i64,
    pub confirmed: i64,
}

/// Moves every device of `moved` to its positions, in one statement.
pub async fn set_positions(db: &impl ConnectionTrait, moved: &[Position]) -> Result<(), DbErr> {
    let Some((first, rest)) = moved.split_first() else {
        return Ok(());
    };
    let id = || Expr::col(devices::Column::Id);
    let (mut last, mut confirmed) = (
        Expr::case(id().eq(first.device_row), Expr::val(first.last_applied)),
        Expr::case(id().eq(first.device_row), Expr::val(first.confirmed)),
    );
    for p in rest {
        last = last.case(id().eq(p.device_row), Expr::val(p.last_applied));
        confirmed = confirmed.case(id().eq(p.device_row), Expr::val(p.confirmed));
    }
    devices::Entity::update_many()
        .col_expr(
            devices::Column::LastAppliedSeq,
            last.finally(Expr::col(devices::Column::LastAppliedSeq))
                .into(),
        )
        .col_expr(
            devices::Column::ConfirmedSeq,
            confirmed
                .finally(Expr::col(devices::Column::ConfirmedSeq))
                .into(),
        )
        .filter(devices::Column::Id.is_in(moved.iter().map(|p| p.device_row)))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets at most `limit` stored outcomes received before `before` whose seqs their phones
/// have confirmed (`devices.confirmed_seq`): one statement, through the index on `received_at`.
/// Returns how many.
pub async fn forget_confirmed(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::{Query, SimpleExpr};
    let old = Query::select()
        .column((sync_mutations::Entity, sync_mutations::Column::DeviceRow))
        .column((sync_mutations::Entity, sync_mutations::Column::Seq))
        .from(sync_mutations::Entity)
        .inner_join(
            devices::Entity,
            Expr::col((devices::Entity, devices::Column::Id))
                .equals((sync_mutations::Entity, sync_mutations::Column::DeviceRow)),
        )
        .and_where(
            Expr::col((sync_mutations::Entity, sync_mutations::Column::ReceivedAt)).lt(before),
        )
        .and_where(
            Expr::col((sync_mutations::Entity, sync_mutations::Column::Seq))
                .lte(Expr::col((devices::Entity, devices::Column::ConfirmedSeq))),
        )
        .limit(limit)
        .to_owned();
    let key = SimpleExpr::Tuple(vec![
        Expr::col(sync_mutations::Column::DeviceRow),
        Expr::col(sync_mutations::Column::Seq),
    ]);
    sync_mutations::Entity::delete_many()
        .filter(key.in_subquery(old))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
