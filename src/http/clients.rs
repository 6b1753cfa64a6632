//! Clients: the people who receive the service.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{Client, ClientCreate, ClientUpdate, PersonRef};
use mobile_api::{Page, Role};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::clients;
use crate::db::{self};
use crate::domain::text;
use crate::error::ApiError;
use crate::service::{self, AppState};

/// The client as the caller may see it: the personal code only for staff.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    c: clients::Model,
) -> Result<Client, ApiError> {
    let representatives = db::people::representatives_of(&state.db, c.id)
        .await?
        .into_iter()
        .map(|(id, name)| PersonRef { id, name })
        .collect();
    Ok(Client {
        id: c.id,
        name: c.name,
        birth_date: c.birth_date,
        personal_code: if caller.is_staff() {
            c.personal_code
        } else {
            None
        },
        disability_group: c.disability_group,
        locale: *c.locale,
        email: c.email,
        phone: c.phone,
        active: c.active,
        representatives,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// What the audit log keeps of a client: everything but the personal code's digits.
pub fn snapshot(c: &clients::Model) -> Value {
    crate::service::people::client_snapshot(c)
}

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
        Json(view(&state, &caller, model).await?),
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
    let (offset, limit) = Paging::resolve(query.offset, query.limit)?;
    let only = match caller.role {
        Role::Coordinator | Role::Admin => None,
        Role::Accountant => return Err(ApiError::Forbidden),
        Role::Client => Some(caller.client_id.into_iter().collect()),
        Role::Representative => Some(db::session::represented(&state.db, caller.user_id).await?),
        Role::Assistant => {
            let filter = db::people::AssignmentFilter {
                assistant_id: caller.assistant_id,
                ..Default::default()
            };
            let (rows, _) = db::people::assignments(&state.db, &filter, 0, 10_000).await?;
            Some(rows.into_iter().map(|a| a.client_id).collect())
        }
    };
    let filter = db::people::ClientFilter {
        q: query
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(text::search_fold),
        active: query.active,
        only,
    };
    let (rows, total) = db::people::clients(&state.db, &filter, offset, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        items.push(view(&state, &caller, c).await?);
    }
    Ok(Json(Page {
        items,
        total,
        offset,
        limit,
    }))
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
    if caller.role == Role::Accountant {
        return Err(ApiError::Forbidden);
    }
    caller.may_see_client(&state, client_id).await?;
    let c = db::people::client(&state.db, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, &caller, c).await?))
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
    Ok(Json(view(&state, &caller, c).await?))
}
