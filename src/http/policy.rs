//! Policy figures: readable by staff and accountants; versions added by admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mobile_api::policy::{PolicyCreate, PolicyValue, PolicyView};
use serde::Deserialize;

use super::auth::{Admin, Caller};
use super::extract::{ApiJson, ApiQuery, Lang};
use crate::error::ApiError;
use crate::service::{self, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// The day to show the figures in force on; today (Riga) by default.
    pub on: Option<NaiveDate>,
}

/// `GET /api/v1/policy?on=YYYY-MM-DD`
#[utoipa::path(
    operation_id = "policy_read",
    get,
    path = "/api/v1/policy",
    tag = "policy",
    summary = "Policy figures in force on a day, and every version",
    params(ReadQuery),
    responses((status = 200, description = "OK", body = mobile_api::policy::PolicyView), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiQuery(query): ApiQuery<ReadQuery>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(
        service::policy::read(&state, &caller, query.on, locale).await?,
    ))
}

#[utoipa::path(
    operation_id = "policy_create",
    post,
    path = "/api/v1/policy",
    tag = "policy",
    summary = "Add a version of a figure from a date (admins)",
    request_body = mobile_api::policy::PolicyCreate,
    responses((status = 201, description = "OK", body = mobile_api::policy::PolicyValue), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<PolicyCreate>,
) -> Result<(StatusCode, Json<PolicyValue>), ApiError> {
    let inserted = service::policy::add(&state, &caller, &body).await?;
    Ok((StatusCode::CREATED, Json(service::policy::view(&inserted))))
}
