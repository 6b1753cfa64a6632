//! Who is calling: login (with throttling), logout, the bearer-token extractor, `/me`, and
//! devices (lost phones are revoked here).

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::Duration;
use mobile_api::auth::{
    Device, LoginRequest, LoginResponse, Me, MeAssignment, MonthAllowance, UserSummary,
};
use mobile_api::{MonthState, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath};
use crate::db::entity::{devices, users};
use crate::db::session::DeviceInfo;
use crate::db::{self};
use crate::domain::decision::{self, Figures};
use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use crate::service;
use crate::service::AppState;
pub use crate::service::auth::Caller;

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
        service::auth::caller_from_token(state, token).await
    }
}

pub fn summary(user: &users::Model) -> UserSummary {
    UserSummary {
        id: user.id,
        role: *user.role,
        display_name: user.display_name.clone(),
        locale: *user.locale,
    }
}

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
        user: summary(&done.user),
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
    revoke(&state, caller.device, caller.user_id, "logout").await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke(
    state: &AppState,
    device: Uuid,
    by: Uuid,
    action: &str,
) -> Result<devices::Model, ApiError> {
    service::auth::revoke(&state.env(), device, by, action).await
}

pub fn device_view(d: &devices::Model) -> Device {
    Device {
        id: d.id,
        user_id: d.user_id,
        device_id: d.device_id.clone(),
        name: d.name.clone(),
        platform: d.platform.clone(),
        app_version: d.app_version.clone(),
        created_at: d.created_at,
        last_login_at: d.last_login_at,
        expires_at: d.expires_at,
        revoked_at: d.revoked_at,
    }
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
    if caller.user_id != user_id {
        caller.require_staff()?;
    }
    db::session::user(&state.db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = db::session::devices_of_user(&state.db, user_id).await?;
    Ok(Json(rows.iter().map(device_view).collect()))
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
    let row = db::session::device(&state.db, device_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.user_id != caller.user_id && !caller.is_staff() {
        return Err(ApiError::NotFound);
    }
    let row = revoke(&state, device_id, caller.user_id, "device_revoked").await?;
    Ok(Json(device_view(&row)))
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
    let user = db::session::user(&state.db, caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let client_ids = match caller.role {
        Role::Client => caller.client_id.into_iter().collect(),
        Role::Representative => db::session::represented(&state.db, caller.user_id).await?,
        _ => Vec::new(),
    };
    let mut assignments = Vec::new();
    if let (Role::Assistant, Some(assistant_id)) = (caller.role, caller.assistant_id) {
        let today = riga_date(state.clock.now());
        let this_month = Month::of(today);
        let months = [this_month.prev(), this_month];
        let filter = db::people::AssignmentFilter {
            assistant_id: Some(assistant_id),
            ending_not_before: Some(months[0].first_day()),
            ..Default::default()
        };
        let (rows, _) = db::people::assignments(&state.db, &filter, 0, 1000).await?;
        let book = db::policy::book(&state.db).await?;
        let policy = book.at(today).map_err(ApiError::Internal)?;
        for a in rows {
            let Some(client) = db::people::client(&state.db, a.client_id).await? else {
                continue;
            };
            let service = *a.service;
            let versions: Vec<Figures> = db::people::decisions_of(&state.db, a.client_id)
                .await?
                .iter()
                .filter(|d| d.service == a.service)
                .map(db::people::figures)
                .collect();
            let allowed_purposes = decision::purposes_on(&versions, today)
                .map(|p| p.unwrap_or_else(|| policy.purposes_of(service)))
                .unwrap_or_default();
            let sheets = db::people::month_sheets(
                &state.db,
                a.client_id,
                months.iter().map(|m| m.to_string()).collect(),
            )
            .await?;
            let months = months
                .iter()
                .map(|m| {
                    let sheet = sheets.iter().find(|s| s.month == m.to_string());
                    let allowance = decision::month_allowance(&versions, *m, policy.proration);
                    let used = sheet.map(|s| s.used_minutes).unwrap_or(0);
                    MonthAllowance {
                        month: m.to_string(),
                        state: sheet.map_or(MonthState::Open, |s| *s.state),
                        allowance_minutes: allowance,
                        used_minutes: used,
                        remaining_minutes: (allowance - used).max(0),
                    }
                })
                .collect();
            assignments.push(MeAssignment {
                assignment_id: a.id,
                client_id: a.client_id,
                client_name: client.name,
                service,
                valid_from: a.valid_from,
                valid_to: a.valid_to,
                allowed_purposes,
                months,
            });
        }
    }
    Ok(Json(Me {
        user: summary(&user),
        assistant_id: caller.assistant_id,
        client_ids,
        assignments,
    }))
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
