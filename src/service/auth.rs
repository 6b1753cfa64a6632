//! Logging in and out: one path for the API and the web page, with the same throttling and the
//! same audit records (`login`, `login_failed`, `logout`).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use mobile_api::Role;
use serde_json::json;
use uuid::Uuid;

use super::Env;
use crate::db::entity::{login_attempts, users};
use crate::db::session::DeviceInfo;
use crate::db::{self, TransactionTrait, audit};
use crate::error::ApiError;
use crate::secrets;

/// Where a login comes from: a device of the API (any role, password only), or the clients'
/// web page (clients and representatives; a client may type their PIN instead of the password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    Web,
}

/// What a person typed.
pub struct Credentials<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub address: IpAddr,
}

/// A successful login: the token to hand out (shown once, stored hashed) and who it is for.
pub struct LoggedIn {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub device_row: Uuid,
    pub user: users::Model,
}

/// Seconds until `locked_until`, if a lock is on.
fn locked(row: &Option<login_attempts::Model>, now: DateTime<Utc>) -> Option<i64> {
    row.as_ref()
        .and_then(|r| r.locked_until)
        .filter(|until| *until > now)
        .map(|until| (until - now).num_seconds().max(1))
}

/// The throttling keys of a login attempt: the login name and the address.
fn keys(login: &str, address: IpAddr) -> (String, String) {
    (format!("login:{login}"), format!("addr:{address}"))
}

/// Refuses with `too_many_attempts` while `key` is locked; returns its counter otherwise.
pub async fn not_locked(
    env: &Env<'_>,
    key: &str,
) -> Result<Option<login_attempts::Model>, ApiError> {
    let row = db::session::attempts(env.db, key).await?;
    match locked(&row, env.now) {
        Some(wait) => Err(ApiError::TooManyAttempts {
            retry_after_seconds: wait,
        }),
        None => Ok(row),
    }
}

/// Counts a failure for `key`; at `max` failures within the window the key is locked.
pub async fn record_failure(
    env: &Env<'_>,
    key: &str,
    row: Option<login_attempts::Model>,
    max: i32,
) -> Result<(), ApiError> {
    let now = env.now;
    let window = Duration::minutes(env.config.login_lockout_minutes);
    let (failures, started, is_new) = match &row {
        Some(r) if r.window_started_at + window > now => {
            (r.failures + 1, r.window_started_at, false)
        }
        Some(_) => (1, now, false),
        None => (1, now, true),
    };
    let locked_until = (failures >= max).then(|| now + window);
    let model = login_attempts::Model {
        key: key.to_owned(),
        failures,
        window_started_at: started,
        locked_until,
    };
    if is_new {
        if let Err(e) = db::people::insert(env.db, model.clone()).await {
            // Another failing attempt inserted the row first: count on it instead.
            if !db::is_unique_violation(&e) {
                return Err(e.into());
            }
            db::people::update(env.db, model).await?;
        }
    } else {
        db::people::update(env.db, model).await?;
    }
    Ok(())
}

/// Clears a key's failures after a success.
pub async fn forget_failures(env: &Env<'_>, key: &str) -> Result<(), ApiError> {
    db::session::clear_attempts(env.db, key).await?;
    Ok(())
}

/// Checks the credentials (throttled per login name and per address) and signs the device in
/// with a fresh token. Every failure for an existing login is audited as `login_failed`, every
/// success as `login`, whichever front end the person used.
pub async fn login(
    env: &Env<'_>,
    channel: Channel,
    credentials: Credentials<'_>,
    device: DeviceInfo,
    ttl: Duration,
) -> Result<LoggedIn, ApiError> {
    let login = credentials.login.trim().to_lowercase();
    let (login_key, addr_key) = keys(&login, credentials.address);
    let login_row = not_locked(env, &login_key).await?;
    let addr_row = not_locked(env, &addr_key).await?;

    let user = db::session::user_by_login(env.db, &login).await?;
    let mut ok = env
        .passwords
        .verify(
            credentials.password,
            user.as_ref().map(|u| u.password_hash.as_str()),
        )
        .await?;
    if !ok && channel == Channel::Web {
        let pin = match &user {
            Some(u) if u.role == Role::Client => match u.client_id {
                Some(c) => db::people::client(env.db, c)
                    .await?
                    .and_then(|c| c.pin_hash),
                None => None,
            },
            _ => None,
        };
        if pin.is_some() {
            ok = env
                .passwords
                .verify(credentials.password, pin.as_deref())
                .await?;
        }
    }
    let allowed = |u: &users::Model| match channel {
        Channel::Api => true,
        Channel::Web => u.role == Role::Client || u.role == Role::Representative,
    };
    let user = match user {
        Some(u) if ok && u.active && allowed(&u) => u,
        other => {
            record_failure(env, &login_key, login_row, env.config.login_max_failures).await?;
            record_failure(env, &addr_key, addr_row, env.config.address_max_failures).await?;
            if let Some(u) = other {
                let txn = env.db.begin().await?;
                audit::append(
                    &txn,
                    env.now,
                    audit::Record {
                        actor: None,
                        action: "login_failed",
                        subject_kind: "user",
                        subject_id: u.id.to_string(),
                        client_id: None,
                        before: None,
                        after: Some(json!({
                            "address": credentials.address.to_string(),
                            "web": channel == Channel::Web,
                        })),
                    },
                )
                .await?;
                txn.commit().await?;
            }
            return Err(ApiError::InvalidCredentials);
        }
    };

    let token = secrets::random_token();
    let expires_at = env.now + ttl;
    let device_id = device.device_id.clone();
    let txn = env.db.begin().await?;
    db::session::clear_attempts(&txn, &login_key).await?;
    let device_row = db::session::sign_in_device(
        &txn,
        user.id,
        device,
        secrets::token_hash(&token),
        env.now,
        expires_at,
    )
    .await?;
    audit::append(
        &txn,
        env.now,
        audit::Record {
            actor: Some(user.id),
            action: "login",
            subject_kind: "device",
            subject_id: device_row.to_string(),
            client_id: None,
            before: None,
            after: Some(json!({
                "device_id": device_id,
                "address": credentials.address.to_string(),
                "web": channel == Channel::Web,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = %user.id, role = %user.role, "login");
    Ok(LoggedIn {
        token,
        expires_at,
        device_row,
        user,
    })
}

/// Revokes a device's token and audits it under `action` (`logout` for one's own device,
/// `device_revoked` for a coordinator's revocation of a lost phone).
pub async fn revoke(
    env: &Env<'_>,
    device: Uuid,
    by: Uuid,
    action: &str,
) -> Result<crate::db::entity::devices::Model, ApiError> {
    let txn = env.db.begin().await?;
    let row = db::session::revoke_device(&txn, device, by, env.now)
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::append(
        &txn,
        env.now,
        audit::Record {
            actor: Some(by),
            action,
            subject_kind: "device",
            subject_id: device.to_string(),
            client_id: None,
            before: None,
            after: Some(json!({ "user_id": row.user_id, "device_id": row.device_id })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A client's PIN typed on the assistant's phone: throttled per client like logins; true when
/// it is right. `not_found` when the client does not exist.
pub async fn check_pin(env: &Env<'_>, client_id: Uuid, pin: &str) -> Result<bool, ApiError> {
    let key = format!("pin:{client_id}");
    let row = not_locked(env, &key).await?;
    let client = db::people::client(env.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let ok = env
        .passwords
        .verify(pin, client.pin_hash.as_deref())
        .await?;
    if ok {
        forget_failures(env, &key).await?;
    } else {
        record_failure(env, &key, row, env.config.login_max_failures).await?;
    }
    Ok(ok)
}
