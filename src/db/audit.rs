//! Appending to the hash-chained audit log. There is deliberately no update or delete here.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, Set};
use serde_json::Value;
use uuid::Uuid;

use super::entity::audit_log;
use crate::domain::audit::{Fields, GENESIS, chain_hash};

/// One change worth recording: who did what to which record, with before/after snapshots.
/// Snapshots must already be free of secrets (passwords, PINs, personal codes).
pub struct Record<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: String,
    pub client_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends `record` at `at`. Call inside the transaction that makes the change, so the record
/// exists exactly when the change does.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    record: Record<'_>,
) -> Result<(), DbErr> {
    append_all(db, at, vec![record]).await
}

/// Appends `records` at `at`, in order, with one read of the chain's head and one multi-row
/// insert per 500 records. On PostgreSQL a transaction-scoped advisory lock orders appends, so
/// two transactions never chain to the same predecessor.
pub async fn append_all<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    records: Vec<Record<'_>>,
) -> Result<(), DbErr> {
    if records.is_empty() {
        return Ok(());
    }
    if super::is_postgres(db) {
        db.execute_unprepared("select pg_advisory_xact_lock(7316001)")
            .await?;
    }
    let mut prev = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(db)
        .await?
        .map(|r| r.hash)
        .unwrap_or_else(|| GENESIS.to_owned());
    let at = at.trunc_subsecs(6);
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        let before = record.before.map(|v| v.to_string());
        let after = record.after.map(|v| v.to_string());
        let hash = chain_hash(
            &prev,
            &Fields {
                at_micros: at.timestamp_micros(),
                actor: record.actor.map(|u| u.to_string()),
                action: record.action,
                subject_kind: record.subject_kind,
                subject_id: &record.subject_id,
                client_id: record.client_id.map(|u| u.to_string()),
                before: before.as_deref(),
                after: after.as_deref(),
            },
        );
        rows.push(audit_log::ActiveModel {
            at: Set(at),
            actor_user_id: Set(record.actor),
            action: Set(record.action.to_owned()),
            subject_kind: Set(record.subject_kind.to_owned()),
            subject_id: Set(record.subject_id),
            client_id: Set(record.client_id),
            before: Set(before),
            after: Set(after),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
            ..Default::default()
        });
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        audit_log::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The outcome of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        records: u64,
    },
    /// The first record whose stored hashes do not follow from its content and predecessor.
    Broken {
        id: i64,
        records_before: u64,
        why: &'static str,
    },
}

/// Recomputes the whole chain, in id order, a page at a time.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verdict, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut count = 0u64;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(Verdict::Intact { records: count });
        }
        for r in page {
            if r.prev_hash != prev {
                return Ok(Verdict::Broken {
                    id: r.id,
                    records_before: count,
                    why: "its predecessor is missing or was changed",
                });
            }
            let expected = chain_hash(
                &prev,
                &Fields {
                    at_micros: r.at.timestamp_micros(),
                    actor: r.actor_user_id.map(|u| u.to_string()),
                    action: &r.action,
                    subject_kind: &r.subject_kind,
                    subject_id: &r.subject_id,
                    client_id: r.client_id.map(|u| u.to_string()),
                    before: r.before.as_deref(),
                    after: r.after.as_deref(),
                },
            );
            if expected != r.hash {
                return Ok(Verdict::Broken {
                    id: r.id,
                    records_before: count,
                    why: "its content does not match its hash",
                });
            }
            prev = r.hash;
            after = r.id;
            count += 1;
        }
    }
}

/// A page of the log, newest first: records with `id < before` (all when `None`), of one client
/// when `client_id` is given. With one client, also the number of its records (a range of the
/// `(client_id, id)` index); the whole log is not counted here, because PostgreSQL counts by
/// reading every record; the chain's check counts it on demand.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    client_id: Option<Uuid>,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<audit_log::Model>, Option<u64>), DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let mut q = audit_log::Entity::find();
    let mut total = None;
    if let Some(c) = client_id {
        q = q.filter(audit_log::Column::ClientId.eq(c));
        total = Some(q.clone().count(db).await?);
    }
    if let Some(b) = before {
        q = q.filter(audit_log::Column::Id.lt(b));
    }
    let rows = q
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}
