//! Logins: who may create and change which (only admins manage admins and coordinators), and
//! what each role's login is linked to.

use mobile_api::people::{User, UserCreate, UserUpdate};
use mobile_api::{Page, Role};
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::users;
use crate::db::{self, Conn as ConnectionTrait, TransactionTrait, audit};
use crate::domain::text;
use crate::error::ApiError;

fn check_login(login: &str) -> Result<String, ApiError> {
    let login = login.trim().to_lowercase();
    let ok = (3..=64).contains(&login.chars().count())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c));
    if ok {
        Ok(login)
    } else {
        Err(ApiError::invalid("login", "out_of_range"))
    }
}

/// Only admins manage admins and coordinators.
fn may_manage(caller: &Caller, role: Role) -> Result<(), ApiError> {
    caller.require_staff()?;
    if matches!(role, Role::Admin | Role::Coordinator) && caller.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// Checks that the links fit the role and name existing records; returns the display name
/// to default to.
async fn check_links(
    txn: &impl ConnectionTrait,
    role: Role,
    assistant_id: Option<Uuid>,
    client_id: Option<Uuid>,
    client_ids: &[Uuid],
) -> Result<Option<String>, ApiError> {
    let wrong = |field: &str| Err(ApiError::invalid(field, "wrong_kind"));
    // A representative may also be one of the client's assistants (a parent who assists): the
    // confirmation is then marked as such.
    if assistant_id.is_some() && !matches!(role, Role::Assistant | Role::Representative) {
        return wrong("assistant_id");
    }
    if client_id.is_some() && role != Role::Client {
        return wrong("client_id");
    }
    if !client_ids.is_empty() && role != Role::Representative {
        return wrong("client_ids");
    }
    match role {
        Role::Assistant => {
            let id = assistant_id.ok_or_else(|| ApiError::invalid("assistant_id", "required"))?;
            let a = db::people::assistant(txn, id)
                .await?
                .ok_or_else(|| ApiError::invalid("assistant_id", "unknown"))?;
            Ok(Some(a.name))
        }
        Role::Client => {
            let id = client_id.ok_or_else(|| ApiError::invalid("client_id", "required"))?;
            let c = db::people::client(txn, id)
                .await?
                .ok_or_else(|| ApiError::invalid("client_id", "unknown"))?;
            Ok(Some(c.name))
        }
        Role::Representative => {
            if let Some(id) = assistant_id {
                db::people::assistant(txn, id)
                    .await?
                    .ok_or_else(|| ApiError::invalid("assistant_id", "unknown"))?;
            }
            if client_ids.is_empty() {
                return Err(ApiError::invalid("client_ids", "required"));
            }
            if client_ids.len() > 100 {
                return Err(ApiError::invalid("client_ids", "too_long"));
            }
            for id in client_ids {
                db::people::client(txn, *id).await?.ok_or_else(|| {
                    ApiError::invalid_with("client_ids", "unknown", json!({ "client_id": id }))
                })?;
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Creates a login linked to what it acts as (an assistant, a client, the clients a
/// representative acts for).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: &UserCreate,
) -> Result<users::Model, ApiError> {
    let hash = super::auth::password_hash(&state.passwords, &body.password).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let model = create_in(&txn, caller, body, hash, now).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`create`] inside the caller's transaction, with the password already hashed (a client
/// enrolled in one form).
pub async fn create_in(
    txn: &crate::db::Txn,
    caller: &Caller,
    body: &UserCreate,
    hash: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<users::Model, ApiError> {
    may_manage(caller, body.role)?;
    let login = check_login(&body.login)?;
    let email = body
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| text::email("email", s))
        .transpose()?;
    let mut client_ids = body.client_ids.clone().unwrap_or_default();
    client_ids.sort();
    client_ids.dedup();
    let linked_name = check_links(
        txn,
        body.role,
        body.assistant_id,
        body.client_id,
        &client_ids,
    )
    .await?;
    let display_name = match (&body.display_name, linked_name) {
        (Some(n), _) => text::line("display_name", n, 200)?,
        (None, Some(n)) => n,
        (None, None) => login.clone(),
    };
    if db::session::user_by_login(txn, &login).await?.is_some() {
        return Err(ApiError::conflict("login_taken", json!({ "login": login })));
    }
    let model = users::Model {
        id: Uuid::now_v7(),
        login,
        password_hash: hash,
        role: body.role.into(),
        display_name,
        locale: body.locale.unwrap_or_default().into(),
        email,
        assistant_id: body.assistant_id,
        client_id: body.client_id,
        active: true,
        created_at: now,
        updated_at: now,
        // Staff know it: the person chooses their own at the first login.
        password_temporary: true,
    };
    if let Err(e) = db::people::insert(txn, model.clone()).await {
        return Err(if db::is_unique_violation(&e) {
            ApiError::conflict("login_taken", json!({ "login": model.login }))
        } else {
            e.into()
        });
    }
    db::session::set_represented(txn, model.id, &client_ids).await?;
    audit::append(
        txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "user_created",
            subject_kind: "user",
            subject_id: model.id.to_string(),
            client_id: body.client_id,
            before: None,
            after: Some(json!({
                "login": model.login, "role": model.role, "assistant_id": model.assistant_id,
                "client_id": model.client_id, "client_ids": client_ids,
            })),
        },
    )
    .await?;
    Ok(model)
}

/// Changes a login: its name, language, activity, links, or (a staff reset) its password, which
/// logs it out everywhere.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    user_id: Uuid,
    body: &UserUpdate,
) -> Result<users::Model, ApiError> {
    let new_hash = match &body.password {
        Some(p) => Some(super::auth::password_hash(&state.passwords, p).await?),
        None => None,
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::session::user(&txn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let role = *before.role;
    may_manage(caller, role)?;
    let mut u = before.clone();
    if let Some(n) = &body.display_name {
        u.display_name = text::line("display_name", n, 200)?;
    }
    if let Some(l) = body.locale {
        u.locale = l.into();
    }
    if let Some(e) = &body.email {
        u.email = e.as_deref().map(|s| text::email("email", s)).transpose()?;
    }
    if let Some(active) = body.active {
        if !active && user_id == caller.user_id {
            return Err(ApiError::invalid("active", "out_of_range"));
        }
        u.active = active;
    }
    if let Some(hash) = &new_hash {
        // A staff reset: the person chooses their own at the next login.
        u.password_hash = hash.clone();
        u.password_temporary = true;
    }
    if let Some(ids) = &body.client_ids {
        let mut ids = ids.clone();
        ids.sort();
        ids.dedup();
        check_links(&txn, role, None, None, &ids).await?;
        db::session::set_represented(&txn, user_id, &ids).await?;
    }
    u.updated_at = now;
    db::people::update(&txn, u.clone()).await?;
    if new_hash.is_some() || (before.active && !u.active) {
        db::session::revoke_all(&txn, user_id, caller.user_id, now).await?;
    }
    audit::append(&txn, now, audit::Record {
        actor: Some(caller.user_id),
        action: "user_updated",
        subject_kind: "user",
        subject_id: user_id.to_string(),
        client_id: None,
        before: Some(json!({ "display_name": before.display_name, "active": before.active, "locale": before.locale })),
        after: Some(json!({
            "display_name": u.display_name, "active": u.active, "locale": u.locale,
            "password_reset": new_hash.is_some(), "client_ids": body.client_ids,
        })),
    })
    .await?;
    txn.commit().await?;
    Ok(u)
}

/// A login as staff (or the user themself) see it.
pub async fn view(state: &AppState, u: users::Model) -> Result<User, ApiError> {
    let client_ids = if u.role == Role::Representative {
        db::session::represented(&state.db, u.id).await?
    } else {
        Vec::new()
    };
    Ok(User {
        id: u.id,
        login: u.login,
        role: *u.role,
        display_name: u.display_name,
        locale: *u.locale,
        email: u.email,
        assistant_id: u.assistant_id,
        client_id: u.client_id,
        client_ids,
        active: u.active,
        created_at: u.created_at,
    })
}

/// A page of logins, for staff: by role, part of the login or name, active or not.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    (role, q, active): (Option<Role>, Option<&str>, Option<bool>),
    (offset, limit): (u64, u64),
) -> Result<Page<User>, ApiError> {
    caller.require_staff()?;
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let role = role.map(Role::as_str);
    let (rows, total) = db::session::users(&state.db, role, q, active, offset, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for u in rows {
        items.push(view(state, u).await?);
    }
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One login: for staff, or the user themself (404 for anyone else).
pub async fn read(state: &AppState, caller: &Caller, user_id: Uuid) -> Result<User, ApiError> {
    if caller.user_id != user_id && !caller.is_staff() {
        return Err(ApiError::NotFound);
    }
    let u = db::session::user(&state.db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    view(state, u).await
}

/// The logins that act for a client (their own and their representatives'), or of an
/// assistant: for the console's cards.
pub async fn logins_of(
    state: &AppState,
    caller: &Caller,
    client_id: Option<Uuid>,
    assistant_id: Option<Uuid>,
) -> Result<Vec<User>, ApiError> {
    caller.require_staff()?;
    let mut rows = Vec::new();
    if let Some(c) = client_id {
        rows.extend(db::session::logins_of_client(&state.db, c).await?);
    }
    if let Some(a) = assistant_id {
        rows.extend(db::session::logins_of_assistant(&state.db, a).await?);
    }
    let mut items = Vec::with_capacity(rows.len());
    for u in rows {
        items.push(view(state, u).await?);
    }
    Ok(items)
}
