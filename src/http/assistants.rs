//! Assistants: the paid assistants and companions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::Page;
use mobile_api::people::{Assistant, AssistantCreate, AssistantUpdate};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::error::ApiError;
use crate::service::{self, AppState};

/// `POST /api/v1/assistants`
#[utoipa::path(
    operation_id = "assistants_create",
    post,
    path = "/api/v1/assistants",
    tag = "assistants",
    summary = "Create an assistant",
    request_body = mobile_api::people::AssistantCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::Assistant), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiJson(body): ApiJson<AssistantCreate>,
) -> Result<(StatusCode, Json<Assistant>), ApiError> {
    let model = service::people::create_assistant(&state, &caller, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::assistants::view(&caller, model)),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub active: Option<bool>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/assistants`: staff, and accountants (payroll needs names and IBANs).
#[utoipa::path(
    operation_id = "assistants_list",
    get,
    path = "/api/v1/assistants",
    tag = "assistants",
    summary = "List assistants",
    params(ListQuery),
    responses((status = 200, description = "OK", body = mobile_api::Page<mobile_api::people::Assistant>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Assistant>>, ApiError> {
    let paging = Paging::resolve(query.offset, query.limit)?;
    let q = query.q.as_deref();
    let page = service::assistants::list(&state, &caller, q, query.active, paging).await?;
    Ok(Json(page))
}

/// `GET /api/v1/assistants/{assistant_id}`: staff, accountants, and the assistant themself.
#[utoipa::path(
    operation_id = "assistants_read",
    get,
    path = "/api/v1/assistants/{assistant_id}",
    tag = "assistants",
    summary = "Read an assistant",
    params(("assistant_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::people::Assistant), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(assistant_id): ApiPath<Uuid>,
) -> Result<Json<Assistant>, ApiError> {
    let a = service::assistants::read(&state, &caller, assistant_id).await?;
    Ok(Json(a))
}

/// `PATCH /api/v1/assistants/{assistant_id}`: absent fields stay, `null` clears.
#[utoipa::path(
    operation_id = "assistants_update",
    patch,
    path = "/api/v1/assistants/{assistant_id}",
    tag = "assistants",
    summary = "Update an assistant",
    params(("assistant_id" = Uuid, Path)),
    request_body = mobile_api::people::AssistantUpdate,
    responses((status = 200, description = "OK", body = mobile_api::people::Assistant), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(assistant_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AssistantUpdate>,
) -> Result<Json<Assistant>, ApiError> {
    let a = service::people::update_assistant(&state, &caller, assistant_id, &body).await?;
    Ok(Json(service::assistants::view(&caller, a)))
}
