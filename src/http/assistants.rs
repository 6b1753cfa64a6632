//! Assistants: the paid assistants and companions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{Assistant, AssistantCreate, AssistantUpdate};
use mobile_api::{Page, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::assistants;
use crate::db::{self};
use crate::domain::text;
use crate::error::ApiError;
use crate::service::{self, AppState};

fn view(caller: &Caller, a: assistants::Model) -> Assistant {
    Assistant {
        id: a.id,
        name: a.name,
        email: a.email,
        phone: a.phone,
        personal_code: if caller.is_staff() {
            a.personal_code
        } else {
            None
        },
        iban: a.iban,
        insurance_status: *a.insurance_status,
        active: a.active,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

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
    Ok((StatusCode::CREATED, Json(view(&caller, model))))
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
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let (offset, limit) = Paging::resolve(query.offset, query.limit)?;
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(text::search_fold);
    let (rows, total) =
        db::people::assistants(&state.db, q.as_deref(), query.active, offset, limit).await?;
    Ok(Json(Page {
        items: rows.into_iter().map(|a| view(&caller, a)).collect(),
        total,
        offset,
        limit,
    }))
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
    let allowed = matches!(
        caller.role,
        Role::Coordinator | Role::Admin | Role::Accountant
    ) || caller.assistant_id == Some(assistant_id);
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let a = db::people::assistant(&state.db, assistant_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&caller, a)))
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
    Ok(Json(view(&caller, a)))
}
