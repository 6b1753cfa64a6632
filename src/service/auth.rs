//! Logging in and out: one path for the API and the web page, with the same throttling and the
//! same audit records (`login`, `login_failed`, `logout`).

/// What a phone or browser says of itself at login.
pub use crate::db::session::DeviceInfo;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use mobile_api::{Locale, Role};
use serde_json::json;
use uuid::Uuid;

use super::{AppState, Env};
use crate::db::entity::users;
use crate::db::{self, DbErr, TransactionTrait, audit};
use crate::domain::time::Month;
use crate::error::ApiError;
use crate::secrets;

/// Where a login comes from: a device of the API (any role, password only), the clients' web
/// page (clients and representatives, with their password; the PIN is no login), or the social
/// service's console (coordinators, accountants, admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    Web,
    Console,
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
    /// The password was set by staff: this token may only change it (`change_password`).
    pub password_change_required: bool,
}

/// The throttling keys of a login attempt: the login name and the address. The API and the web
/// page count on the same keys.
fn keys(login: &str, address: IpAddr) -> (String, String) {
    (login_key(login), format!("addr:{address}"))
}

/// The throttling key of a login name (lower case).
fn login_key(login: &str) -> String {
    format!("login:{login}")
}

/// An attempt counted against a key before its secret is checked (`reserve`).
pub struct Reserved {
    key: String,
    /// This attempt's number in the key's window.
    count: i32,
    max: i32,
}

/// Counts an attempt against `key` before the secret is checked, atomically, so that attempts
/// made at once cannot all pass: `too_many_attempts` while the key is locked or when this
/// attempt is past `max` in the window (with the seconds until it may be tried again).
pub async fn reserve(env: &Env<'_>, key: &str, max: i32) -> Result<Reserved, ApiError> {
    let window = Duration::minutes(env.config.login_lockout_minutes);
    let row = db::session::reserve_attempt(env.db, key, env.now, env.now - window).await?;
    let until = match row.locked_until.filter(|until| *until > env.now) {
        Some(until) => Some(until),
        None => (row.failures > max).then_some(row.window_started_at + window),
    };
    if let Some(until) = until {
        return Err(ApiError::TooManyAttempts {
            retry_after_seconds: (until - env.now).num_seconds().max(1),
        });
    }
    Ok(Reserved {
        key: key.to_owned(),
        count: row.failures,
        max,
    })
}

/// The reserved attempt failed: it stays counted, and the last one the budget allows locks the
/// key for the window.
pub async fn failed(env: &Env<'_>, r: &Reserved) -> Result<(), ApiError> {
    if r.count >= r.max {
        let window = Duration::minutes(env.config.login_lockout_minutes);
        db::session::lock_attempts(env.db, &r.key, env.now + window).await?;
    }
    Ok(())
}

/// The reserved attempt was right: the key's failures are forgotten.
pub async fn succeeded(env: &Env<'_>, r: &Reserved) -> Result<(), ApiError> {
    db::session::clear_attempts(env.db, &r.key).await?;
    Ok(())
}

/// The reserved attempt was right, but the key counts others too (an address): it is given
/// back, the others' failures stay.
pub async fn give_back(env: &Env<'_>, r: &Reserved) -> Result<(), ApiError> {
    db::session::give_back_attempt(env.db, &r.key).await?;
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
    let by_address = reserve(env, &addr_key, env.config.address_max_failures).await?;
    let by_login = match reserve(env, &login_key, env.config.login_max_failures).await {
        Ok(r) => r,
        Err(e) => {
            give_back(env, &by_address).await?;
            return Err(e);
        }
    };

    let user = db::session::user_by_login(env.db, &login).await?;
    let ok = env
        .passwords
        .verify(
            credentials.password,
            user.as_ref().map(|u| u.password_hash.as_str()),
        )
        .await?;
    let allowed = |u: &users::Model| match channel {
        Channel::Api => true,
        Channel::Web => u.role == Role::Client || u.role == Role::Representative,
        Channel::Console => matches!(*u.role, Role::Coordinator | Role::Accountant | Role::Admin),
    };
    let user = match user {
        Some(u) if ok && u.active && allowed(&u) => u,
        other => {
            failed(env, &by_login).await?;
            failed(env, &by_address).await?;
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
                            "console": channel == Channel::Console,
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
    succeeded(env, &by_login).await?;
    give_back(env, &by_address).await?;
    let temporary = user.password_temporary;
    let txn = env.db.begin().await?;
    let device_row = db::session::sign_in_device(
        &txn,
        user.id,
        device,
        secrets::token_hash(&token),
        env.now,
        expires_at,
        temporary,
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
                "console": channel == Channel::Console,
                "temporary_password": temporary,
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
        password_change_required: temporary,
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

/// The throttling key of a client's PIN, wherever it is typed.
fn pin_key(client_id: Uuid) -> String {
    format!("pin:{client_id}")
}

/// A client's PIN typed on the assistant's phone: throttled per client like logins; true when
/// it is right. `not_found` when the client does not exist.
pub async fn check_pin(env: &Env<'_>, client_id: Uuid, pin: &str) -> Result<bool, ApiError> {
    let client = db::people::client(env.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Only a PIN of the shape staff may set (6 to 8 digits) is checked: a four-digit PIN kept
    // from before that rule never opens anything, and staff set a new one.
    if !valid_pin_shape(pin) {
        return Ok(false);
    }
    let key = pin_key(client_id);
    let reserved = reserve(env, &key, env.config.login_max_failures).await?;
    let ok = env
        .passwords
        .verify(pin, client.pin_hash.as_deref())
        .await?;
    if ok {
        succeeded(env, &reserved).await?;
    } else {
        failed(env, &reserved).await?;
    }
    Ok(ok)
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub locale: Locale,
    pub assistant_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// The row of `devices` whose token was presented.
    pub device: Uuid,
    /// The token was opened with a password staff set: it may only change the password (see
    /// `require_own_password`), so nothing done as this person is done by staff unseen.
    pub temporary: bool,
}

impl Caller {
    /// Coordinators and admins manage everything (SPEC §2).
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Admin)
    }

    /// `value` for staff, None for anyone else (a personal code).
    pub fn staff_only<T>(&self, value: Option<T>) -> Option<T> {
        value.filter(|_| self.is_staff())
    }

    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Refuses a token opened with a password staff set (`password_change_required`).
    pub fn require_own_password(&self) -> Result<(), ApiError> {
        if self.temporary {
            Err(ApiError::Rule {
                code: mobile_api::ErrorCode::PasswordChangeRequired,
                details: json!({}),
            })
        } else {
            Ok(())
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Whether the caller may read the client's record and decisions: staff and accountants see
    /// every client, clients themselves, representatives the clients they act for, assistants
    /// the clients of an assignment that has not ended (a former assistant reads no more of the
    /// client). Others get 404, so a foreign id's existence is not revealed.
    pub async fn may_see_client(&self, state: &AppState, client_id: Uuid) -> Result<(), ApiError> {
        let related = match self.role {
            Role::Assistant => match self.assistant_id {
                Some(a) => {
                    let today = crate::domain::time::riga_date(state.clock.now());
                    db::people::assigned_since(&state.db, a, client_id, today).await?
                }
                None => false,
            },
            _ => self.relates_to(state, client_id).await?,
        };
        self.found_if(state, related, client_id).await
    }

    /// Whether the caller may read the client's month: as `may_see_client`, but an assistant
    /// needs an assignment to the client on some day of that month (a former assistant still
    /// sees the months they worked, a co-assigned one the months they share).
    pub async fn may_see_month(
        &self,
        state: &AppState,
        client_id: Uuid,
        month: Month,
    ) -> Result<(), ApiError> {
        let related = match (self.role, self.assistant_id) {
            (Role::Assistant, Some(a)) => {
                db::months::assigned_in(&state.db, a, client_id, month).await?
            }
            (Role::Assistant, None) => false,
            _ => self.relates_to(state, client_id).await?,
        };
        self.found_if(state, related, client_id).await
    }

    /// Staff, accountants, the client and their representatives (assistants are asked per day).
    async fn relates_to(&self, state: &AppState, client_id: Uuid) -> Result<bool, ApiError> {
        Ok(match self.role {
            Role::Coordinator | Role::Admin | Role::Accountant => true,
            Role::Client => self.client_id == Some(client_id),
            Role::Representative => db::session::represented(&state.db, self.user_id)
                .await?
                .contains(&client_id),
            Role::Assistant => false,
        })
    }

    async fn found_if(
        &self,
        state: &AppState,
        related: bool,
        client_id: Uuid,
    ) -> Result<(), ApiError> {
        if !related {
            return Err(ApiError::NotFound);
        }
        match db::people::client(&state.db, client_id).await? {
            Some(_) => Ok(()),
            None => Err(ApiError::NotFound),
        }
    }
}

/// The caller a bearer token (or the web page's session cookie) stands for: a live device of an
/// active user.
pub async fn caller_from_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::Unauthorized);
    }
    let hash = secrets::token_hash(token);
    let found = db::session::device_and_user_by_token(&state.reads, &hash).await?;
    let (device, user) = found.ok_or(ApiError::Unauthorized)?;
    let now = state.clock.now();
    let ended = |code| ApiError::Rule {
        code,
        details: json!({}),
    };
    if device.revoked_at.is_some() {
        return Err(ended(mobile_api::ErrorCode::TokenRevoked));
    }
    if device.expires_at <= now {
        return Err(ended(mobile_api::ErrorCode::TokenExpired));
    }
    // Every device row names its user (a foreign key), so a device without one is a user row
    // that could not be read (a stored value the code does not know): an error, not a logout.
    let user = user.ok_or_else(|| {
        ApiError::Internal(format!(
            "the user of device {} could not be read",
            device.id
        ))
    })?;
    if !user.active {
        return Err(ApiError::Unauthorized);
    }
    Ok(Caller {
        user_id: user.id,
        role: *user.role,
        display_name: user.display_name,
        locale: *user.locale,
        assistant_id: user.assistant_id,
        client_id: user.client_id,
        device: device.id,
        temporary: device.temporary,
    })
}

/// On the very first start: the `admin` user, with `ASISTENTS_ADMIN_PASSWORD` or a generated
/// password, which is returned so the caller can show it once.
pub async fn ensure_first_admin(
    db: &impl db::Conn,
    config: &crate::config::Config,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    if db::session::any_admin(db).await? {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), false),
        None => (secrets::generate_password(), true),
    };
    let hash = secrets::hash_password(&password).map_err(DbErr::Custom)?;
    let id = Uuid::now_v7();
    db::people::insert(
        db,
        users::Model {
            id,
            login: "admin".into(),
            password_hash: hash,
            role: Role::Admin.into(),
            display_name: "Administrators".into(),
            locale: Locale::Lv.into(),
            email: None,
            assistant_id: None,
            client_id: None,
            active: true,
            created_at: now,
            updated_at: now,
            // Set by whoever runs the server, not by staff.
            password_temporary: false,
        },
    )
    .await?;
    audit::append(
        db,
        now,
        audit::Record {
            actor: None,
            action: "user_created",
            subject_kind: "user",
            subject_id: id.to_string(),
            client_id: None,
            before: None,
            after: Some(json!({ "login": "admin", "role": "admin", "first_start": true })),
        },
    )
    .await?;
    Ok(generated.then_some(password))
}

/// The shortest password people may choose.
pub const MIN_PASSWORD: usize = 10;

/// Hashes a new password off the async threads, after checking its length.
pub async fn password_hash(
    passwords: &secrets::Passwords,
    password: &str,
) -> Result<String, ApiError> {
    check_password(password)?;
    passwords.hash(password).await?.map_err(ApiError::Internal)
}

/// A new password's length: at least `MIN_PASSWORD` characters, at most 1,024.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(ApiError::invalid("password", "password_too_short"));
    }
    if n > 1024 {
        return Err(ApiError::invalid("password", "too_long"));
    }
    Ok(())
}

/// A person changes their own password: the new one's length, then the current one, and only
/// then is the new one hashed; every other device of theirs is logged out. From a token opened
/// with a password staff set, the new one must differ from it, and that token ends too: the
/// person logs in again with the password only they know.
pub async fn change_password(
    env: &Env<'_>,
    caller: &Caller,
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    check_password(new)?;
    let user = db::session::user(env.db, caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    // A wrong current password is a guess at the login's secret: it counts against the login's
    // budget, and the guess that uses it up also ends the calling device's token.
    let key = login_key(&user.login);
    let reserved = reserve(env, &key, env.config.login_max_failures).await?;
    if !env
        .passwords
        .verify(current, Some(&user.password_hash))
        .await?
    {
        failed(env, &reserved).await?;
        if reserved.count >= reserved.max {
            revoke(env, caller.device, caller.user_id, "device_revoked").await?;
        }
        return Err(ApiError::InvalidCredentials);
    }
    succeeded(env, &reserved).await?;
    if caller.temporary && new == current {
        return Err(ApiError::invalid("new_password", "unchanged"));
    }
    let new_hash = password_hash(env.passwords, new).await?;
    let txn = env.db.begin().await?;
    db::session::set_password(&txn, user, new_hash, env.now).await?;
    if caller.temporary {
        db::session::revoke_all(&txn, caller.user_id, caller.user_id, env.now).await?;
    } else {
        db::session::revoke_all_but(&txn, caller.user_id, caller.device, caller.user_id, env.now)
            .await?;
    }
    audit::append(
        &txn,
        env.now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "password_changed",
            subject_kind: "user",
            subject_id: caller.user_id.to_string(),
            client_id: None,
            before: None,
            after: Some(json!({ "from_temporary_password": caller.temporary })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a client's confirmation PIN (6 to 8 digits), kept only as a hash.
/// Six to eight digits: a PIN is typed on someone else's phone, often watched.
fn valid_pin_shape(pin: &str) -> bool {
    (6..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit())
}

pub async fn set_pin(
    env: &Env<'_>,
    caller: &Caller,
    client_id: Uuid,
    pin: &str,
) -> Result<(), ApiError> {
    caller.require_staff()?;
    if !valid_pin_shape(pin) {
        return Err(ApiError::invalid("pin", "out_of_range"));
    }
    let hash = env.passwords.hash(pin).await?.map_err(ApiError::Internal)?;
    let txn = env.db.begin().await?;
    let mut client = db::people::client(&txn, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    client.pin_hash = Some(hash);
    client.updated_at = env.now;
    db::people::update(&txn, client).await?;
    audit::append(
        &txn,
        env.now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "client_pin_set",
            subject_kind: "client",
            subject_id: client_id.to_string(),
            client_id: Some(client_id),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
