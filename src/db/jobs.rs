//! Month closes as background jobs: recorded by the request, claimed by a worker with a lease,
//! finished with what they made or why they failed.

use chrono::{DateTime, Duration, Utc};
use mobile_api::JobState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
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

/// Records how the job ended, if this worker still holds it (a worker whose lease ran out while
/// it worked does not overwrite the outcome of the one that took the job over). Returns the job
/// as it stands.
pub async fn finish(
    db: &impl ConnectionTrait,
    job: close_jobs::Model,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<close_jobs::Model, DbErr> {
    let mut update = close_jobs::Entity::update_many()
        .col_expr(close_jobs::Column::FinishedAt, Expr::value(now))
        .col_expr(
            close_jobs::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = match outcome {
        Outcome::Done {
            statements,
            mails_queued,
            pending,
        } => update
            .col_expr(
                close_jobs::Column::State,
                Expr::value(JobState::Done.as_str()),
            )
            .col_expr(close_jobs::Column::Statements, Expr::value(statements))
            .col_expr(close_jobs::Column::MailsQueued, Expr::value(mails_queued))
            .col_expr(close_jobs::Column::Pending, Expr::value(pending)),
        Outcome::Failed { code, details } => update
            .col_expr(
                close_jobs::Column::State,
                Expr::value(JobState::Failed.as_str()),
            )
            .col_expr(close_jobs::Column::ErrorCode, Expr::value(code))
            .col_expr(close_jobs::Column::ErrorDetails, Expr::value(details)),
    };
    update
        .filter(close_jobs::Column::Id.eq(job.id))
        .filter(close_jobs::Column::State.eq(JobState::Running.as_str()))
        .filter(close_jobs::Column::ClaimedBy.eq(job.claimed_by.clone()))
        .filter(close_jobs::Column::StartedAt.eq(job.started_at))
        .exec(db)
        .await?;
    Ok(self::job(db, job.id).await?.unwrap_or(job))
}
