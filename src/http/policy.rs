//! Policy figures: readable by staff and accountants; versions added by admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mobile_api::Role;
use mobile_api::policy::{PolicyCreate, PolicyValue, PolicyView};
use serde::Deserialize;

use super::auth::{Admin, Caller};
use super::extract::{ApiJson, ApiQuery};
use crate::db::entity::policy_values;
use crate::db::{self};
use crate::domain::time::riga_date;
use crate::error::ApiError;
use crate::service::{self, AppState};

fn view(m: &policy_values::Model) -> PolicyValue {
    PolicyValue {
        id: m.id,
        key: m.key.clone(),
        effective_from: m.effective_from,
        value: serde_json::from_str(&m.value).unwrap_or(serde_json::Value::Null),
        source: m.source.clone(),
        note: m.note.clone(),
        created_at: m.created_at,
    }
}

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
    ApiQuery(query): ApiQuery<ReadQuery>,
) -> Result<Json<PolicyView>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let on = query.on.unwrap_or_else(|| riga_date(state.clock.now()));
    let rows = db::policy::rows(&state.db).await?;
    let in_force: Vec<PolicyValue> = rows
        .iter()
        .filter(|r| r.effective_from <= on)
        .filter(|r| {
            !rows.iter().any(|o| {
                o.key == r.key && o.effective_from <= on && o.effective_from > r.effective_from
            })
        })
        .map(view)
        .collect();
    Ok(Json(PolicyView {
        on,
        in_force,
        history: rows.iter().map(view).collect(),
    }))
}

/// `POST /api/v1/policy` (admin): a new version of one figure from a date, e.g. a new hourly
/// rate. Earlier versions stay as they were.
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
    Ok((StatusCode::CREATED, Json(view(&inserted))))
}
