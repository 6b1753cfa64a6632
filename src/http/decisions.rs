//! Decisions (versioned: amendments are new versions) and their suspensions.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mobile_api::Role;
use mobile_api::people::{
    Decision, DecisionAmend, DecisionCreate, Suspension, SuspensionCreate, SuspensionUpdate,
    Transport,
};
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath};
use crate::db::entity::{decisions, suspensions};
use crate::db::{self};
use crate::domain::decision::{self, Figures};
use crate::domain::policy::Policy;
use crate::error::ApiError;
use crate::service::{self, AppState};

fn suspension_view(s: &suspensions::Model) -> Suspension {
    Suspension {
        id: s.id,
        series_id: s.series_id,
        client_id: s.client_id,
        from: s.starts_on,
        to: s.ends_on,
        reason: s.reason.clone(),
        created_at: s.created_at,
    }
}

/// Every version of every decision of the client, with each version's last day.
fn views(all: &[decisions::Model], susp: &[suspensions::Model], policy: &Policy) -> Vec<Decision> {
    let mut by_series: HashMap<Uuid, Vec<Figures>> = HashMap::new();
    for d in all {
        by_series
            .entry(d.series_id)
            .or_default()
            .push(db::people::figures(d));
    }
    for series in by_series.values_mut() {
        series.sort_by_key(|f| f.version);
    }
    all.iter()
        .map(|d| {
            let series = &by_series[&d.series_id];
            let i = series.iter().position(|f| f.id == d.id).unwrap_or(0);
            let service = *d.service;
            let limited = db::people::parse_purposes(&d.purposes);
            Decision {
                id: d.id,
                series_id: d.series_id,
                version: d.version,
                client_id: d.client_id,
                number: d.number.clone(),
                decided_on: d.decided_on,
                service,
                valid_from: d.valid_from,
                valid_to: d.valid_to,
                effective_from: d.effective_from,
                effective_to: decision::effective_to(series, i),
                monthly_minutes: i64::from(d.monthly_minutes),
                purposes_limited: limited.is_some(),
                purposes: limited.unwrap_or_else(|| policy.purposes_of(service)),
                transport: Transport {
                    allowed: d.transport_allowed,
                    monthly_cap_cents: d.transport_cap_cents,
                },
                weekly_procedures: d.weekly_procedures,
                note: d.note.clone(),
                suspensions: susp
                    .iter()
                    .filter(|s| s.series_id == d.series_id)
                    .map(suspension_view)
                    .collect(),
                created_at: d.created_at,
            }
        })
        .collect()
}

async fn policy_on(state: &AppState, day: NaiveDate) -> Result<Policy, ApiError> {
    db::policy::book(&state.db)
        .await?
        .at(day)
        .map_err(ApiError::Internal)
}

async fn views_of(state: &AppState, client_id: Uuid) -> Result<Vec<Decision>, ApiError> {
    let all = db::people::decisions_of(&state.db, client_id).await?;
    let susp = db::people::suspensions_of(&state.db, client_id).await?;
    let policy = policy_on(state, crate::domain::time::riga_date(state.clock.now())).await?;
    Ok(views(&all, &susp, &policy))
}

async fn check_reader(state: &AppState, caller: &Caller, client_id: Uuid) -> Result<(), ApiError> {
    if caller.role == Role::Accountant {
        return Err(ApiError::Forbidden);
    }
    caller.may_see_client(state, client_id).await
}

/// `GET /api/v1/clients/{client_id}/decisions`
#[utoipa::path(
    operation_id = "decisions_list",
    get,
    path = "/api/v1/clients/{client_id}/decisions",
    tag = "decisions",
    summary = "Every version of the client's decisions",
    params(("client_id" = Uuid, Path, description = "The client")),
    responses((status = 200, description = "OK", body = Vec<mobile_api::people::Decision>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(client_id): ApiPath<Uuid>,
) -> Result<Json<Vec<Decision>>, ApiError> {
    check_reader(&state, &caller, client_id).await?;
    Ok(Json(views_of(&state, client_id).await?))
}

/// `GET /api/v1/clients/{client_id}/decisions/{decision_id}`
#[utoipa::path(
    operation_id = "decisions_read",
    get,
    path = "/api/v1/clients/{client_id}/decisions/{decision_id}",
    tag = "decisions",
    summary = "Read a decision version",
    params(("client_id" = Uuid, Path, description = "The client"), ("decision_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::people::Decision), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((client_id, decision_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Decision>, ApiError> {
    check_reader(&state, &caller, client_id).await?;
    views_of(&state, client_id)
        .await?
        .into_iter()
        .find(|d| d.id == decision_id)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `POST /api/v1/clients/{client_id}/decisions`
#[utoipa::path(
    operation_id = "decisions_create",
    post,
    path = "/api/v1/clients/{client_id}/decisions",
    tag = "decisions",
    summary = "Create a decision (refused with decision_invalid when it breaks policy)",
    params(("client_id" = Uuid, Path, description = "The client")),
    request_body = mobile_api::people::DecisionCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::Decision), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(client_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DecisionCreate>,
) -> Result<(StatusCode, Json<Decision>), ApiError> {
    let id = service::decisions::create(&state, &caller, client_id, &body).await?;
    let view = views_of(&state, client_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `POST /api/v1/clients/{client_id}/decisions/{decision_id}/amendments`: a new version of the
/// latest version, in force from `effective_from`. History is never edited.
#[utoipa::path(
    operation_id = "decisions_amend",
    post,
    path = "/api/v1/clients/{client_id}/decisions/{decision_id}/amendments",
    tag = "decisions",
    summary = "Amend a decision from a date (a new version)",
    params(("client_id" = Uuid, Path, description = "The client"), ("decision_id" = Uuid, Path)),
    request_body = mobile_api::people::DecisionAmend,
    responses((status = 201, description = "OK", body = mobile_api::people::Decision), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn amend(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((client_id, decision_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<DecisionAmend>,
) -> Result<(StatusCode, Json<Decision>), ApiError> {
    let id = service::decisions::amend(&state, &caller, client_id, decision_id, &body).await?;
    let view = views_of(&state, client_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `POST /api/v1/clients/{client_id}/decisions/{decision_id}/suspensions`
#[utoipa::path(
    operation_id = "decisions_suspend",
    post,
    path = "/api/v1/clients/{client_id}/decisions/{decision_id}/suspensions",
    tag = "decisions",
    summary = "Suspend the service for a period",
    params(("client_id" = Uuid, Path, description = "The client"), ("decision_id" = Uuid, Path)),
    request_body = mobile_api::people::SuspensionCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::Suspension), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn suspend(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((client_id, decision_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<SuspensionCreate>,
) -> Result<(StatusCode, Json<Suspension>), ApiError> {
    let model = service::decisions::suspend(&state, &caller, client_id, decision_id, &body).await?;
    Ok((StatusCode::CREATED, Json(suspension_view(&model))))
}

/// `PATCH /api/v1/clients/{client_id}/suspensions/{suspension_id}`: e.g. a hospital stay that
/// ended earlier or later than first known.
#[utoipa::path(
    operation_id = "decisions_update_suspension",
    patch,
    path = "/api/v1/clients/{client_id}/suspensions/{suspension_id}",
    tag = "decisions",
    summary = "Correct a suspension",
    params(("client_id" = Uuid, Path, description = "The client"), ("suspension_id" = Uuid, Path)),
    request_body = SuspensionUpdate,
    responses((status = 200, description = "OK", body = mobile_api::people::Suspension), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_suspension(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath((client_id, suspension_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<SuspensionUpdate>,
) -> Result<Json<Suspension>, ApiError> {
    let s = service::decisions::update_suspension(&state, &caller, client_id, suspension_id, &body)
        .await?;
    Ok(Json(suspension_view(&s)))
}
