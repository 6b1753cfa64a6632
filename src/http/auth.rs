//! Who is calling: login (with throttling), logout, the bearer-token extractor, `/me`, and
//! devices (lost phones are revoked here).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::Duration;
use mobile_api::Role;
use mobile_api::auth::{Device, LoginRequest, LoginResponse, Me};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath};
use crate::error::ApiError;
use crate::service;
use crate::service::AppState;
pub use crate::service::auth::Caller;
use crate::service::auth::DeviceInfo;

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::Unauthorized)?;
        let caller = service::auth::caller_from_token(state, token).await?;
        // A token opened with a password staff set may only read who it is, change the
        // password and log out.
        let path = parts.uri.path();
        if !OWN_PASSWORD_NOT_NEEDED.contains(&path) {
            caller.require_own_password()?;
        }
        Ok(caller)
    }
}

/// What a token opened with a temporary password may still call.
const OWN_PASSWORD_NOT_NEEDED: [&str; 3] =
    ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

fn short(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, "empty"));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, "too_long"));
    }
    Ok(v.to_owned())
}

/// `POST /api/v1/auth/login`
#[utoipa::path(
    operation_id = "auth_login",
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    summary = "Log in from a device; one token per device",
    request_body = mobile_api::auth::LoginRequest,
    responses((status = 200, description = "OK", body = mobile_api::auth::LoginResponse), (status = 401, description = "invalid_credentials", body = mobile_api::ErrorBody), (status = 429, description = "too_many_attempts", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody))
)]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let login = short("login", &body.login, 100)?.to_lowercase();
    if body.password.is_empty() || body.password.len() > 1024 {
        return Err(ApiError::InvalidCredentials);
    }
    let device_id = short("device.device_id", &body.device.device_id, 200)?;
    let device_name = short("device.name", &body.device.name, 200)?;
    let platform = short("device.platform", &body.device.platform, 100)?;
    let app_version = short("device.app_version", &body.device.app_version, 100)?;

    let done = service::auth::login(
        &state.env(),
        service::auth::Channel::Api,
        service::auth::Credentials {
            login: &login,
            password: &body.password,
            address: peer.ip(),
        },
        DeviceInfo {
            device_id,
            name: device_name,
            platform,
            app_version,
        },
        Duration::days(state.config.token_ttl_days),
    )
    .await?;
    Ok(Json(LoginResponse {
        token: done.token,
        expires_at: done.expires_at,
        user: service::account::summary(&done.user),
        password_change_required: done.password_change_required,
    }))
}

/// `POST /api/v1/auth/logout`: revokes the calling token.
#[utoipa::path(
    operation_id = "auth_logout",
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    summary = "Revoke the calling token",
    responses((status = 204, description = "OK"), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    service::auth::revoke(&state.env(), caller.device, caller.user_id, "logout").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/users/{user_id}/devices` (staff).
#[utoipa::path(
    operation_id = "auth_devices_of_user",
    get,
    path = "/api/v1/users/{user_id}/devices",
    tag = "users",
    summary = "A user's devices",
    params(("user_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Vec<mobile_api::auth::Device>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn devices_of_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user_id): ApiPath<Uuid>,
) -> Result<Json<Vec<Device>>, ApiError> {
    let devices = service::account::devices_of_user(&state, &caller, user_id).await?;
    Ok(Json(devices))
}

/// `POST /api/v1/devices/{device_id}/revoke`: a lost phone's token stops working at once.
/// Staff may revoke any device; a user their own.
#[utoipa::path(
    operation_id = "auth_revoke_device",
    post,
    path = "/api/v1/devices/{device_id}/revoke",
    tag = "users",
    summary = "Revoke a device (a lost phone)",
    params(("device_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::auth::Device), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(device_id): ApiPath<Uuid>,
) -> Result<Json<Device>, ApiError> {
    let device = service::account::revoke_device(&state, &caller, device_id).await?;
    Ok(Json(device))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/me/password`: the caller's own password; other devices are logged out.
#[utoipa::path(
    operation_id = "auth_change_password",
    post,
    path = "/api/v1/me/password",
    tag = "auth",
    summary = "Change one's own password",
    request_body = PasswordChange,
    responses((status = 204, description = "OK"), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    service::auth::change_password(
        &state.env(),
        &caller,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me`
#[utoipa::path(
    operation_id = "auth_me",
    get,
    path = "/api/v1/me",
    tag = "auth",
    summary = "The caller; for assistants their assignments and allowance",
    responses((status = 200, description = "OK", body = mobile_api::auth::Me), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(service::account::me(&state, &caller).await?))
}

/// A coordinator or admin. As an extractor it refuses everyone else with 403 before the request
/// body is read, so a caller without the role learns nothing about the body's shape.
pub struct Staff(pub Caller);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_staff()?;
        Ok(Staff(caller))
    }
}

/// An admin, refused like [`Staff`] before the body is read.
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(&[Role::Admin])?;
        Ok(Admin(caller))
    }
}
