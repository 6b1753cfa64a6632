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
use crate::error::ApiError;
use crate::service::{self, AppState};

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
    Ok((
        StatusCode::CREATED,
        Json(service::users::view(&state, model).await?),
    ))
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
    let paging = Paging::resolve(query.offset, query.limit)?;
    let filter = (query.role, query.q.as_deref(), query.active);
    Ok(Json(
        service::users::list(&state, &caller, filter, paging).await?,
    ))
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
    Ok(Json(service::users::read(&state, &caller, user_id).await?))
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
    Ok(Json(service::users::view(&state, u).await?))
}
