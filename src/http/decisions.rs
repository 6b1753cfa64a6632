//! Decisions (versioned: amendments are new versions) and their suspensions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{
    Decision, DecisionAmend, DecisionCreate, Suspension, SuspensionCreate, SuspensionUpdate,
};
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath};
use crate::error::ApiError;
use crate::service::{self, AppState};

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
    Ok(Json(
        service::decisions::list(&state, &caller, client_id).await?,
    ))
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
    let d = service::decisions::read(&state, &caller, client_id, decision_id).await?;
    Ok(Json(d))
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
    let view = service::decisions::view(&state, client_id, id).await?;
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
    let view = service::decisions::view(&state, client_id, id).await?;
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
    Ok((
        StatusCode::CREATED,
        Json(service::decisions::suspension_view(&model)),
    ))
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
    Ok(Json(service::decisions::suspension_view(&s)))
}
