//! Clients: the people who receive the service.

use crate::db::TransactionTrait;
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
use crate::db::{self, audit};
use crate::domain::text;
use crate::domain::time::riga_date;
use crate::error::ApiError;
use crate::service::AppState;

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

fn check_group(group: Option<i32>) -> Result<Option<i32>, ApiError> {
    match group {
        None | Some(1) | Some(2) => Ok(group),
        Some(_) => Err(ApiError::invalid("disability_group", "out_of_range")),
    }
}

fn check_birth_date(state: &AppState, d: chrono::NaiveDate) -> Result<(), ApiError> {
    let today = riga_date(state.clock.now());
    if d > today {
        return Err(ApiError::invalid("birth_date", "in_future"));
    }
    if d < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) {
        return Err(ApiError::invalid("birth_date", "out_of_range"));
    }
    Ok(())
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
    let name = text::text("name", &body.name, 200)?;
    check_birth_date(&state, body.birth_date)?;
    let now = state.clock.now();
    let model = clients::Model {
        id: Uuid::now_v7(),
        search_name: text::search_fold(&name),
        name,
        birth_date: body.birth_date,
        personal_code: body
            .personal_code
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::personal_code("personal_code", s))
            .transpose()?,
        disability_group: check_group(body.disability_group)?,
        locale: body.locale.unwrap_or_default().into(),
        email: body
            .email
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::email("email", s))
            .transpose()?,
        phone: body
            .phone
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::phone("phone", s))
            .transpose()?,
        pin_hash: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    let txn = state.db.begin().await?;
    crate::service::people::add_client(&txn, &model, Some(caller.user_id), now).await?;
    txn.commit().await?;
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
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::client(&txn, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut c = before.clone();
    if let Some(name) = &body.name {
        c.name = text::text("name", name, 200)?;
        c.search_name = text::search_fold(&c.name);
    }
    if let Some(d) = body.birth_date {
        check_birth_date(&state, d)?;
        c.birth_date = d;
    }
    if let Some(code) = &body.personal_code {
        c.personal_code = code
            .as_deref()
            .map(|s| text::personal_code("personal_code", s))
            .transpose()?;
    }
    if let Some(group) = body.disability_group {
        c.disability_group = check_group(group)?;
    }
    if let Some(locale) = body.locale {
        c.locale = locale.into();
    }
    if let Some(email) = &body.email {
        c.email = email
            .as_deref()
            .map(|s| text::email("email", s))
            .transpose()?;
    }
    if let Some(phone) = &body.phone {
        c.phone = phone
            .as_deref()
            .map(|s| text::phone("phone", s))
            .transpose()?;
    }
    if let Some(active) = body.active {
        c.active = active;
    }
    c.updated_at = now;
    db::people::update(&txn, c.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "client_updated",
            subject_kind: "client",
            subject_id: client_id.to_string(),
            client_id: Some(client_id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&c)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(view(&state, &caller, c).await?))
}
