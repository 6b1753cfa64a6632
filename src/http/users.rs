//! Logins and what they act as: an assistant, a client, or the clients a representative serves.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{User, UserCreate, UserUpdate};
use mobile_api::{Page, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::users;
use crate::db::{self};
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
    let model = service::users::create(&state, &caller, &body).await?;
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
    let u = service::users::update(&state, &caller, user_id, &body).await?;
    Ok(Json(view(&state, u).await?))
}
