//! Assignments: which assistant serves which client, for which service and period.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mobile_api::people::{Assignment, AssignmentCreate, AssignmentUpdate};
use mobile_api::{Page, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::assignments;
use crate::db::{self};
use crate::error::ApiError;
use crate::service::{self, AppState};

async fn views(
    state: &AppState,
    rows: Vec<assignments::Model>,
) -> Result<Vec<Assignment>, ApiError> {
    let clients =
        db::people::client_names(&state.db, rows.iter().map(|a| a.client_id).collect()).await?;
    let assistants =
        db::people::assistant_names(&state.db, rows.iter().map(|a| a.assistant_id).collect())
            .await?;
    let name = |list: &[(Uuid, String)], id: Uuid| {
        list.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|a| Assignment {
            id: a.id,
            assistant_name: name(&assistants, a.assistant_id),
            assistant_id: a.assistant_id,
            client_name: name(&clients, a.client_id),
            client_id: a.client_id,
            service: *a.service,
            valid_from: a.valid_from,
            valid_to: a.valid_to,
            relative: a.relative,
            created_at: a.created_at,
        })
        .collect())
}

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
    let view = views(&state, vec![model]).await?.remove(0);
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
    let (offset, limit) = Paging::resolve(query.offset, query.limit)?;
    let assistant_id = match caller.role {
        Role::Coordinator | Role::Admin => query.assistant_id,
        Role::Assistant => {
            if query
                .assistant_id
                .is_some_and(|a| Some(a) != caller.assistant_id)
            {
                return Err(ApiError::Forbidden);
            }
            Some(caller.assistant_id.ok_or(ApiError::Forbidden)?)
        }
        _ => return Err(ApiError::Forbidden),
    };
    let filter = db::people::AssignmentFilter {
        assistant_id,
        client_id: query.client_id,
        active_on: query.active_on,
        ending_not_before: None,
    };
    let (rows, total) = db::people::assignments(&state.db, &filter, offset, limit).await?;
    Ok(Json(Page {
        items: views(&state, rows).await?,
        total,
        offset,
        limit,
    }))
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
    let a = db::people::assignment(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !caller.is_staff() && caller.assistant_id != Some(a.assistant_id) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(views(&state, vec![a]).await?.remove(0)))
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
    Ok(Json(views(&state, vec![a]).await?.remove(0)))
}
