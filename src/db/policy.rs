//! The policy table: read every version, add one, seed an empty database.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryOrder, Set};
use uuid::Uuid;

use super::entity::policy_values;
use crate::domain::policy::{PolicyBook, PolicyRow, seed};

pub async fn rows(db: &impl ConnectionTrait) -> Result<Vec<policy_values::Model>, DbErr> {
    policy_values::Entity::find()
        .order_by_asc(policy_values::Column::Key)
        .order_by_asc(policy_values::Column::EffectiveFrom)
        .all(db)
        .await
}

pub fn to_row(m: &policy_values::Model) -> PolicyRow {
    PolicyRow {
        key: m.key.clone(),
        effective_from: m.effective_from,
        value: serde_json::from_str(&m.value).unwrap_or(serde_json::Value::Null),
        source: m.source.clone(),
        note: m.note.clone(),
    }
}

pub async fn book(db: &impl ConnectionTrait) -> Result<PolicyBook, DbErr> {
    Ok(PolicyBook::new(
        rows(db).await?.iter().map(to_row).collect(),
    ))
}

/// The policy book kept between calls (the group writer's, which reads it for every group),
/// read again whenever the table's row count changes. Rows are only ever added, so an unchanged
/// count is an unchanged table; the count is read in the caller's transaction, before the rows.
#[derive(Clone, Default)]
pub struct Kept(Arc<Mutex<Option<Counted>>>);

/// A policy book and the row count it was read at.
type Counted = (u64, Arc<PolicyBook>);

/// The policy book as `db` has it now, from `kept` when the table has not grown since.
pub async fn book_kept(db: &impl ConnectionTrait, kept: &Kept) -> Result<Arc<PolicyBook>, DbErr> {
    let count = policy_values::Entity::find().count(db).await?;
    let slot = || kept.0.lock().unwrap_or_else(PoisonError::into_inner);
    let known = slot().clone();
    if let Some((n, book)) = known
        && n == count
    {
        return Ok(book);
    }
    let book = Arc::new(book(db).await?);
    *slot() = Some((count, Arc::clone(&book)));
    Ok(book)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    row: &PolicyRow,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<policy_values::Model, DbErr> {
    let model = policy_values::Model {
        id: Uuid::now_v7(),
        key: row.key.clone(),
        effective_from: row.effective_from,
        value: row.value.to_string(),
        source: row.source.clone(),
        note: row.note.clone(),
        created_at: at,
        created_by: by,
    };
    policy_values::Entity::insert(policy_values::ActiveModel {
        id: Set(model.id),
        key: Set(model.key.clone()),
        effective_from: Set(model.effective_from),
        value: Set(model.value.clone()),
        source: Set(model.source.clone()),
        note: Set(model.note.clone()),
        created_at: Set(model.created_at),
        created_by: Set(model.created_by),
    })
    .exec_without_returning(db)
    .await?;
    Ok(model)
}

/// Seeds DOMAIN.md's figures for every key that has no version yet: all of them at the first
/// start, and a key a later release introduced when a database made before it starts. A key
/// that has versions is never touched (an admin's figures stand). How many rows were written.
pub async fn seed_missing(db: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<usize, DbErr> {
    use sea_orm::QuerySelect;
    let present: std::collections::HashSet<String> = policy_values::Entity::find()
        .select_only()
        .column(policy_values::Column::Key)
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut written = 0;
    for row in seed().into_iter().filter(|r| !present.contains(&r.key)) {
        match insert(db, &row, None, at).await {
            Ok(_) => written += 1,
            // Another process starting beside this one seeded it first.
            Err(e) if super::is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(written)
}
