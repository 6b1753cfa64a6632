//! Assistants: the paid assistants and companions.

use crate::db::TransactionTrait;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::people::{Assistant, AssistantCreate, AssistantUpdate};
use mobile_api::{Page, Role};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::db::entity::assistants;
use crate::db::{self, audit};
use crate::domain::text;
use crate::error::ApiError;
use crate::service::AppState;

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

fn snapshot(a: &assistants::Model) -> Value {
    json!({
        "name": a.name, "email": a.email, "phone": a.phone,
        "personal_code": a.personal_code.as_ref().map(|_| "***"),
        "iban": a.iban, "insurance_status": a.insurance_status, "active": a.active,
    })
}

fn opt<T>(
    value: Option<&str>,
    check: impl Fn(&str) -> Result<T, text::FieldError>,
) -> Result<Option<T>, ApiError> {
    Ok(value
        .filter(|s| !s.trim().is_empty())
        .map(check)
        .transpose()?)
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
    let name = text::text("name", &body.name, 200)?;
    let now = state.clock.now();
    let model = assistants::Model {
        id: Uuid::now_v7(),
        search_name: text::search_fold(&name),
        name,
        email: opt(body.email.as_deref(), |s| text::email("email", s))?,
        phone: opt(body.phone.as_deref(), |s| text::phone("phone", s))?,
        personal_code: opt(body.personal_code.as_deref(), |s| {
            text::personal_code("personal_code", s)
        })?,
        iban: opt(body.iban.as_deref(), |s| text::iban("iban", s))?,
        insurance_status: body.insurance_status.unwrap_or_default().into(),
        active: true,
        created_at: now,
        updated_at: now,
    };
    let txn = state.db.begin().await?;
    db::people::insert(&txn, model.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "assistant_created",
            subject_kind: "assistant",
            subject_id: model.id.to_string(),
            client_id: None,
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    txn.commit().await?;
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
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::assistant(&txn, assistant_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut a = before.clone();
    if let Some(name) = &body.name {
        a.name = text::text("name", name, 200)?;
        a.search_name = text::search_fold(&a.name);
    }
    if let Some(v) = &body.email {
        a.email = opt(v.as_deref(), |s| text::email("email", s))?;
    }
    if let Some(v) = &body.phone {
        a.phone = opt(v.as_deref(), |s| text::phone("phone", s))?;
    }
    if let Some(v) = &body.personal_code {
        a.personal_code = opt(v.as_deref(), |s| text::personal_code("personal_code", s))?;
    }
    if let Some(v) = &body.iban {
        a.iban = opt(v.as_deref(), |s| text::iban("iban", s))?;
    }
    if let Some(s) = body.insurance_status {
        a.insurance_status = s.into();
    }
    if let Some(active) = body.active {
        a.active = active;
    }
    a.updated_at = now;
    db::people::update(&txn, a.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "assistant_updated",
            subject_kind: "assistant",
            subject_id: assistant_id.to_string(),
            client_id: None,
            before: Some(snapshot(&before)),
            after: Some(snapshot(&a)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(view(&caller, a)))
}
