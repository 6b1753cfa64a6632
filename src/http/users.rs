//! Logins and what they act as: an assistant, a client, or the clients a representative serves.

use crate::db::{Conn as ConnectionTrait, TransactionTrait};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{User, UserCreate, UserUpdate};
use mobile_api::{Page, Role};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::users;
use crate::db::{self, audit};
use crate::domain::text;
use crate::error::ApiError;
use crate::service::{self, AppState};

async fn view(state: &AppState, u: users::Model) -> Result<User, ApiError> {
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

/// `POST /api/v1/users`
#[utoipa::path(
    operation_id = "users_create",
    post,
    path = "/api/v1/users",
    tag = "users",
    summary = "Create a login",
    request_body = mobile_api::people::UserCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::User), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiJson(body): ApiJson<UserCreate>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    may_manage(&caller, body.role)?;
    let login = check_login(&body.login)?;
    let hash = service::auth::password_hash(&state.passwords, &body.password).await?;
    let email = body
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| text::email("email", s))
        .transpose()?;
    let mut client_ids = body.client_ids.clone().unwrap_or_default();
    client_ids.sort();
    client_ids.dedup();
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let linked_name = check_links(
        &txn,
        body.role,
        body.assistant_id,
        body.client_id,
        &client_ids,
    )
    .await?;
    let display_name = match (&body.display_name, linked_name) {
        (Some(n), _) => text::text("display_name", n, 200)?,
        (None, Some(n)) => n,
        (None, None) => login.clone(),
    };
    if db::session::user_by_login(&txn, &login).await?.is_some() {
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
    };
    if let Err(e) = db::people::insert(&txn, model.clone()).await {
        return Err(if db::is_unique_violation(&e) {
            ApiError::conflict("login_taken", json!({ "login": model.login }))
        } else {
            e.into()
        });
    }
    db::session::set_represented(&txn, model.id, &client_ids).await?;
    audit::append(
        &txn,
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
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(view(&state, model).await?)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub role: Option<Role>,
    /// Part of the login.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/users` (staff)
#[utoipa::path(
    operation_id = "users_list",
    get,
    path = "/api/v1/users",
    tag = "users",
    summary = "List logins",
    params(ListQuery),
    responses((status = 200, description = "OK", body = mobile_api::Page<mobile_api::people::User>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<User>>, ApiError> {
    caller.require_staff()?;
    let (offset, limit) = Paging::resolve(query.offset, query.limit)?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let (rows, total) = db::session::users(
        &state.db,
        query.role.map(Role::as_str),
        q,
        query.active,
        offset,
        limit,
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for u in rows {
        items.push(view(&state, u).await?);
    }
    Ok(Json(Page {
        items,
        total,
        offset,
        limit,
    }))
}

/// `GET /api/v1/users/{user_id}` (staff, or the user themself)
#[utoipa::path(
    operation_id = "users_read",
    get,
    path = "/api/v1/users/{user_id}",
    tag = "users",
    summary = "Read a login",
    params(("user_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::people::User), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<Uuid>,
) -> Result<Json<User>, ApiError> {
    if caller.user_id != user_id && !caller.is_staff() {
        return Err(ApiError::NotFound);
    }
    let u = db::session::user(&state.db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, u).await?))
}

/// `PATCH /api/v1/users/{user_id}` (staff): reset a password, rename, deactivate, change the
/// clients a representative acts for. A new password or deactivation logs out every device.
#[utoipa::path(
    operation_id = "users_update",
    patch,
    path = "/api/v1/users/{user_id}",
    tag = "users",
    summary = "Update a login",
    params(("user_id" = Uuid, Path)),
    request_body = mobile_api::people::UserUpdate,
    responses((status = 200, description = "OK", body = mobile_api::people::User), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> Result<Json<User>, ApiError> {
    let new_hash = match &body.password {
        Some(p) => Some(service::auth::password_hash(&state.passwords, p).await?),
        None => None,
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::session::user(&txn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let role = *before.role;
    may_manage(&caller, role)?;
    let mut u = before.clone();
    if let Some(n) = &body.display_name {
        u.display_name = text::text("display_name", n, 200)?;
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
        u.password_hash = hash.clone();
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
    Ok(Json(view(&state, u).await?))
}
