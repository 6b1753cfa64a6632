//! Clients: the people who receive the service.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::Page;
use mobile_api::people::{Client, ClientCreate, ClientUpdate};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::error::ApiError;
use crate::service::{self, AppState};

/// `POST /api/v1/clients`
#[utoipa::path(
    operation_id = "clients_create",
    post,
    path = "/api/v1/clients",
    tag = "clients",
    summary = "Create a client",
    request_body = mobile_api::people::ClientCreate,
    responses((status = 201, description = "OK", body = mobile_api::people::Client), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiJson(body): ApiJson<ClientCreate>,
) -> Result<(StatusCode, Json<Client>), ApiError> {
    let model = service::people::create_client(&state, &caller, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::clients::view(&state, &caller, model).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name; diacritics and case do not matter.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/clients`: staff see every client; assistants, clients and representatives the
/// clients they relate to.
#[utoipa::path(
    operation_id = "clients_list",
    get,
    path = "/api/v1/clients",
    tag = "clients",
    summary = "List clients",
    params(ListQuery),
    responses((status = 200, description = "OK", body = mobile_api::Page<mobile_api::people::Client>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Client>>, ApiError> {
    let paging = Paging::resolve(query.offset, query.limit)?;
    let q = query.q.as_deref();
    let page = service::clients::list(&state, &caller, q, query.active, paging).await?;
    Ok(Json(page))
}

/// `GET /api/v1/clients/{client_id}`
#[utoipa::path(
    operation_id = "clients_read",
    get,
    path = "/api/v1/clients/{client_id}",
    tag = "clients",
    summary = "Read a client",
    params(("client_id" = Uuid, Path, description = "The client")),
    responses((status = 200, description = "OK", body = mobile_api::people::Client), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(client_id): ApiPath<Uuid>,
) -> Result<Json<Client>, ApiError> {
    Ok(Json(
        service::clients::read(&state, &caller, client_id).await?,
    ))
}

/// `PATCH /api/v1/clients/{client_id}`: absent fields stay, `null` clears.
#[utoipa::path(
    operation_id = "clients_update",
    patch,
    path = "/api/v1/clients/{client_id}",
    tag = "clients",
    summary = "Update a client",
    params(("client_id" = Uuid, Path, description = "The client")),
    request_body = mobile_api::people::ClientUpdate,
    responses((status = 200, description = "OK", body = mobile_api::people::Client), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(client_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ClientUpdate>,
) -> Result<Json<Client>, ApiError> {
    let c = service::people::update_client(&state, &caller, client_id, &body).await?;
    Ok(Json(service::clients::view(&state, &caller, c).await?))
}
