//! Users, their devices and tokens, and the failed-login counters.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use uuid::Uuid;

use super::entity::{devices, login_attempts, representatives, users};

pub async fn user(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id).one(db).await
}

/// Logins are matched case-insensitively: they are stored in lower case.
pub async fn user_by_login(
    db: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Login.eq(login.to_lowercase()))
        .one(db)
        .await
}

pub async fn any_admin(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq("admin"))
        .count(db)
        .await?
        > 0)
}

pub async fn users(
    db: &impl ConnectionTrait,
    role: Option<&str>,
    q: Option<&str>,
    active: Option<bool>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<users::Model>, u64), DbErr> {
    let mut select = users::Entity::find().order_by_asc(users::Column::Login);
    if let Some(role) = role {
        select = select.filter(users::Column::Role.eq(role));
    }
    if let Some(q) = q {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        select = select.filter(
            Expr::col(users::Column::Login)
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    if let Some(active) = active {
        select = select.filter(users::Column::Active.eq(active));
    }
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// The clients a representative acts for.
pub async fn represented(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(representatives::Entity::find()
        .filter(representatives::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.client_id)
        .collect())
}

/// Replaces the clients a representative acts for.
pub async fn set_represented(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    clients: &[Uuid],
) -> Result<(), DbErr> {
    representatives::Entity::delete_many()
        .filter(representatives::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for client_id in clients {
        representatives::Entity::insert(representatives::ActiveModel {
            user_id: sea_orm::Set(user_id),
            client_id: sea_orm::Set(*client_id),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The device a token was issued to, with its user, in one query (every request asks).
pub async fn device_and_user_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<(devices::Model, Option<users::Model>)>, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::TokenHash.eq(token_hash))
        .find_also_related(users::Entity)
        .one(db)
        .await
}

pub async fn device(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<devices::Model>, DbErr> {
    devices::Entity::find_by_id(id).one(db).await
}

pub async fn device_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    device_id: &str,
) -> Result<Option<devices::Model>, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::UserId.eq(user_id))
        .filter(devices::Column::DeviceId.eq(device_id))
        .one(db)
        .await
}

pub async fn devices_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<devices::Model>, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::UserId.eq(user_id))
        .order_by_desc(devices::Column::LastLoginAt)
        .all(db)
        .await
}

/// Ends every live token of the user (password change, deactivation).
pub async fn revoke_all(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    devices::Entity::update_many()
        .col_expr(devices::Column::RevokedAt, Expr::value(at))
        .col_expr(devices::Column::RevokedBy, Expr::value(by))
        .filter(devices::Column::UserId.eq(user_id))
        .filter(devices::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// Counts one attempt of `key` before its secret is checked, in one statement, so that
/// attempts made at the same moment each get their own count: the count goes on within a window
/// that started after `cutoff`, and starts again at 1 (a window from `now`) otherwise. Returns
/// the key's row after this attempt.
pub async fn reserve_attempt(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    cutoff: DateTime<Utc>,
) -> Result<login_attempts::Model, DbErr> {
    use sea_orm::IntoActiveModel;
    use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
    let stored = |c: login_attempts::Column| Expr::col((login_attempts::Entity, c));
    let in_window = stored(login_attempts::Column::WindowStartedAt).gt(cutoff);
    let first = login_attempts::Model {
        key: key.to_owned(),
        failures: 1,
        window_started_at: now,
        locked_until: None,
    }
    .into_active_model();
    let counted = Expr::case(
        in_window.clone(),
        stored(login_attempts::Column::Failures).add(1),
    )
    .finally(1);
    let started = Expr::case(in_window, stored(login_attempts::Column::WindowStartedAt))
        .finally(Expr::val(now));
    login_attempts::Entity::insert(first)
        .on_conflict(
            OnConflict::column(login_attempts::Column::Key)
                .value(login_attempts::Column::Failures, counted)
                .value(login_attempts::Column::WindowStartedAt, started)
                .to_owned(),
        )
        .exec_with_returning(db)
        .await
}

/// Gives back an attempt counted by `reserve_attempt` that turned out right.
pub async fn give_back_attempt(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    login_attempts::Entity::update_many()
        .col_expr(
            login_attempts::Column::Failures,
            Expr::col(login_attempts::Column::Failures).sub(1),
        )
        .filter(login_attempts::Column::Key.eq(key))
        .filter(login_attempts::Column::Failures.gt(0))
        .exec(db)
        .await
        .map(|_| ())
}

/// Locks `key` until `until`.
pub async fn lock_attempts(
    db: &impl ConnectionTrait,
    key: &str,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    login_attempts::Entity::update_many()
        .col_expr(
            login_attempts::Column::LockedUntil,
            Expr::value(Some(until)),
        )
        .filter(login_attempts::Column::Key.eq(key))
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets a key's failures and lock; how many rows went (0 or 1).
pub async fn clear_attempts_counted(db: &impl ConnectionTrait, key: &str) -> Result<u64, DbErr> {
    login_attempts::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

pub async fn clear_attempts(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    login_attempts::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

/// Forgets failed-login counters whose window and lock are both over.
pub async fn purge_attempts(
    db: &impl ConnectionTrait,
    window_started_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::WindowStartedAt.lt(window_started_before))
        .filter(
            sea_orm::Condition::any()
                .add(login_attempts::Column::LockedUntil.is_null())
                .add(login_attempts::Column::LockedUntil.lt(now)),
        )
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// Ends every live token of the user except `keep` (own password change).
pub async fn revoke_all_but(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    devices::Entity::update_many()
        .col_expr(devices::Column::RevokedAt, Expr::value(at))
        .col_expr(devices::Column::RevokedBy, Expr::value(by))
        .filter(devices::Column::UserId.eq(user_id))
        .filter(devices::Column::Id.ne(keep))
        .filter(devices::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// What a device says of itself at login.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub device_id: String,
    pub name: String,
    pub platform: String,
    pub app_version: String,
}

/// Signs the device in with a fresh token's SHA-256: the user's row for this device id gets the
/// new token (and is no longer revoked), or a new row is made. Returns the row id.
pub async fn sign_in_device(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    device: DeviceInfo,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    temporary: bool,
) -> Result<Uuid, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    match device_of_user(db, user_id, &device.device_id).await? {
        Some(d) => {
            let mut active: devices::ActiveModel = d.into();
            active.name = Set(device.name);
            active.platform = Set(device.platform);
            active.app_version = Set(device.app_version);
            active.token_hash = Set(token_hash);
            active.last_login_at = Set(now);
            active.expires_at = Set(expires_at);
            active.revoked_at = Set(None);
            active.revoked_by = Set(None);
            active.temporary = Set(temporary);
            Ok(active.update(db).await?.id)
        }
        None => {
            new_device(
                db,
                user_id,
                device.device_id,
                device.name,
                device.platform,
                device.app_version,
                token_hash,
                (now, expires_at),
                temporary,
            )
            .await
        }
    }
}

/// Revokes one device's token; `None` when there is no such device.
pub async fn revoke_device(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<devices::Model>, DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let Some(row) = device(db, id).await? else {
        return Ok(None);
    };
    let mut active: devices::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    active.revoked_by = Set(Some(by));
    Ok(Some(active.update(db).await?))
}

/// Registers a new device of the user with the SHA-256 of its fresh token; returns its row id.
#[allow(clippy::too_many_arguments)]
pub async fn new_device(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    device_id: String,
    name: String,
    platform: String,
    app_version: String,
    token_hash: String,
    (now, expires_at): (DateTime<Utc>, DateTime<Utc>),
    temporary: bool,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    devices::Entity::insert(devices::ActiveModel {
        id: sea_orm::Set(id),
        user_id: sea_orm::Set(user_id),
        device_id: sea_orm::Set(device_id),
        name: sea_orm::Set(name),
        platform: sea_orm::Set(platform),
        app_version: sea_orm::Set(app_version),
        token_hash: sea_orm::Set(token_hash),
        created_at: sea_orm::Set(now),
        last_login_at: sea_orm::Set(now),
        expires_at: sea_orm::Set(expires_at),
        revoked_at: sea_orm::Set(None),
        revoked_by: sea_orm::Set(None),
        last_applied_seq: sea_orm::Set(0),
        confirmed_seq: sea_orm::Set(0),
        temporary: sea_orm::Set(temporary),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Stores the password hash the user chose themself (no longer a temporary one).
pub async fn set_password(
    db: &impl ConnectionTrait,
    user: users::Model,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.password_temporary = Set(false);
    active.updated_at = Set(now);
    active.update(db).await.map(|_| ())
}

/// The logins that act for a client: their own, and their representatives'.
pub async fn logins_of_client(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<users::Model>, DbErr> {
    use sea_orm::Condition;
    let represented: Vec<Uuid> = representatives::Entity::find()
        .filter(representatives::Column::ClientId.eq(client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::ClientId.eq(client_id))
                .add(users::Column::Id.is_in(represented)),
        )
        .order_by_asc(users::Column::Login)
        .all(db)
        .await
}

/// The logins of an assistant.
pub async fn logins_of_assistant(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
) -> Result<Vec<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::AssistantId.eq(assistant_id))
        .order_by_asc(users::Column::Login)
        .all(db)
        .await
}
