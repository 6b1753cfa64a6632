//! Month closes as background jobs: recorded by the request, claimed by a worker with a lease,
//! finished with what they made or why they failed.

use chrono::{DateTime, Duration, Utc};
use mobile_api::JobState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entity::close_jobs;

/// The job of `month` still queued or running, if any (the newest).
pub async fn active(
    db: &impl ConnectionTrait,
    month: &str,
) -> Result<Option<close_jobs::Model>, DbErr> {
    close_jobs::Entity::find()
        .filter(close_jobs::Column::Month.eq(month))
        .filter(
            close_jobs::Column::State
                .is_in([JobState::Queued.as_str(), JobState::Running.as_str()]),
        )
        .order_by_desc(close_jobs::Column::RequestedAt)
        .one(db)
        .await
}

/// Records a queued job.
pub async fn insert(db: &impl ConnectionTrait, job: close_jobs::Model) -> Result<(), DbErr> {
    close_jobs::Entity::insert(job.into_active_model())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn job(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<close_jobs::Model>, DbErr> {
    close_jobs::Entity::find_by_id(id).one(db).await
}

/// The newest jobs of `month`, newest first.
pub async fn of_month(
    db: &impl ConnectionTrait,
    month: &str,
    limit: u64,
) -> Result<Vec<close_jobs::Model>, DbErr> {
    use sea_orm::QuerySelect;
    close_jobs::Entity::find()
        .filter(close_jobs::Column::Month.eq(month))
        .order_by_desc(close_jobs::Column::RequestedAt)
        .limit(limit)
        .all(db)
        .await
}

/// The jobs a worker may take now: queued ones, and running ones whose worker's lease ran out
/// (it died; its close rolled back). Oldest first.
pub async fn claimable(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Uuid>, DbErr> {
    Ok(close_jobs::Entity::find()
        .filter(claimable_now(now))
        .order_by_asc(close_jobs::Column::RequestedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|j| j.id)
        .collect())
}

fn claimable_now(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(close_jobs::Column::State.eq(JobState::Queued.as_str()))
        .add(
            Condition::all()
                .add(close_jobs::Column::State.eq(JobState::Running.as_str()))
                .add(close_jobs::Column::LeaseUntil.lt(now)),
        )
}

/// Takes job `id` for `owner` until `now + lease`, if it is still claimable: of several
/// processes trying at once, one gets it (one conditional update). The job's instant becomes
/// `now`.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    lease: Duration,
    owner: &str,
) -> Result<Option<close_jobs::Model>, DbErr> {
    let taken = close_jobs::Entity::update_many()
        .col_expr(
            close_jobs::Column::State,
            Expr::value(JobState::Running.as_str()),
        )
        .col_expr(close_jobs::Column::StartedAt, Expr::value(now))
        .col_expr(close_jobs::Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(close_jobs::Column::ClaimedBy, Expr::value(owner))
        .filter(close_jobs::Column::Id.eq(id))
        .filter(claimable_now(now))
        .exec(db)
        .await?
        .rows_affected;
    if taken == 0 {
        return Ok(None);
    }
    job(db, id).await
}

/// How a job ended.
pub enum Outcome {
    Done {
        statements: i64,
        mails_queued: i64,
        pending: String,
    },
    Failed {
        code: String,
        details: String,
    },
}

/// Records how the job ended.
pub async fn finish(
    db: &impl ConnectionTrait,
    job: close_jobs::Model,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<close_jobs::Model, DbErr> {
    let mut row = job.into_active_model();
    row.finished_at = sea_orm::Set(Some(now));
    row.lease_until = sea_orm::Set(None);
    match outcome {
        Outcome::Done {
            statements,
            mails_queued,
            pending,
        } => {
            row.state = sea_orm::Set(JobState::Done.into());
            row.statements = sea_orm::Set(statements);
            row.mails_queued = sea_orm::Set(mails_queued);
            row.pending = sea_orm::Set(pending);
        }
        Outcome::Failed { code, details } => {
            row.state = sea_orm::Set(JobState::Failed.into());
            row.error_code = sea_orm::Set(Some(code));
            row.error_details = sea_orm::Set(Some(details));
        }
    }
    row.update(db).await
}
