//! Assignments: which assistant serves which client, for which service and period.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mobile_api::Page;
use mobile_api::people::{Assignment, AssignmentCreate, AssignmentUpdate};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::error::ApiError;
use crate::service::{self, AppState};

/// `POST /api/v1/assignments`
#[utoipa::path(
    operation_id = "assignments_create",
    post,
    path = "/api/v1/assignments",
    tag = "assignments",
    summary = "Assign an assistant to a client",
    request_body = mobile_api::people::AssignmentCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::Assignment), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiJson(body): ApiJson<AssignmentCreate>,
) -> Result<(StatusCode, Json<Assignment>), ApiError> {
    let model = service::assignments::create(&state, &caller, &body).await?;
    let view = service::assignments::view(&state, model).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub assistant_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    /// Only assignments valid on this day.
    pub active_on: Option<NaiveDate>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/assignments`: staff see all; an assistant sees their own.
#[utoipa::path(
    operation_id = "assignments_list",
    get,
    path = "/api/v1/assignments",
    tag = "assignments",
    summary = "List assignments",
    params(ListQuery),
    responses((status = 200, description = "OK", body = mobile_api::Page<mobile_api::people::Assignment>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Assignment>>, ApiError> {
    let paging = Paging::resolve(query.offset, query.limit)?;
    let filter = (query.assistant_id, query.client_id, query.active_on);
    Ok(Json(
        service::assignments::list(&state, &caller, filter, paging).await?,
    ))
}

/// `GET /api/v1/assignments/{assignment_id}`
#[utoipa::path(
    operation_id = "assignments_read",
    get,
    path = "/api/v1/assignments/{assignment_id}",
    tag = "assignments",
    summary = "Read an assignment",
    params(("assignment_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::people::Assignment), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Assignment>, ApiError> {
    Ok(Json(service::assignments::read(&state, &caller, id).await?))
}

/// `PATCH /api/v1/assignments/{assignment_id}`: end (or reopen) an assignment, mark a relative.
#[utoipa::path(
    operation_id = "assignments_update",
    patch,
    path = "/api/v1/assignments/{assignment_id}",
    tag = "assignments",
    summary = "End or change an assignment",
    params(("assignment_id" = Uuid, Path)),
    request_body = mobile_api::people::AssignmentUpdate,
    responses((status = 200, description = "OK", body = mobile_api::people::Assignment), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AssignmentUpdate>,
) -> Result<Json<Assignment>, ApiError> {
    let a = service::assignments::update(&state, &caller, id, &body).await?;
    Ok(Json(service::assignments::view(&state, a).await?))
}
