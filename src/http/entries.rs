//! Entries through REST (coordinators and the web; phones use sync) and the month sheet.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mobile_api::entries::{Entry, EntryWrite, MonthSheet};
use mobile_api::{EntryStatus, ErrorCode, Page};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::auth::Caller;
use super::extract::{ApiJson, ApiPath, ApiQuery, Lang, Paging};
use crate::domain::text;
use crate::error::ApiError;
use crate::service::entries::Created;
use crate::service::entries::{parse_month, refused, view};
use crate::service::{self, AppState};

/// Replays a stored answer.
fn replay(status: i32, response: &str) -> Response {
    let body: Value = serde_json::from_str(response).unwrap_or(Value::Null);
    if status >= 400 {
        let code =
            serde_json::from_value(body["error"]["code"].clone()).unwrap_or(ErrorCode::Internal);
        return refused(code, body["error"]["details"].clone()).into_response();
    }
    (
        StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK),
        Json(body),
    )
        .into_response()
}

/// `POST /api/v1/entries`. With an `Idempotency-Key` header a retried request gets the first
/// answer again (a different body under the same key is a conflict).
#[utoipa::path(
    operation_id = "entries_create",
    post,
    path = "/api/v1/entries",
    tag = "entries",
    summary = "Log a session (honours Idempotency-Key)",
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key gets the first answer")),
    request_body = mobile_api::entries::EntryWrite,
    responses((status = 201, description = "OK", body = mobile_api::entries::Entry), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EntryWrite>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(text::text(
            "Idempotency-Key",
            v.to_str().unwrap_or(""),
            200,
        )?),
        None => None,
    };
    match service::entries::create(&state, &caller, locale, key.as_deref(), &body).await? {
        Created::Saved(entry) => Ok((StatusCode::CREATED, Json(entry)).into_response()),
        Created::Replayed { status, response } => Ok(replay(status, &response)),
    }
}

/// `PUT /api/v1/entries/{entry_id}` with `base_version`.
#[utoipa::path(
    operation_id = "entries_update",
    put,
    path = "/api/v1/entries/{entry_id}",
    tag = "entries",
    summary = "Edit a session seen at base_version",
    params(("entry_id" = Uuid, Path)),
    request_body = mobile_api::entries::EntryWrite,
    responses((status = 200, description = "OK", body = mobile_api::entries::Entry), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<EntryWrite>,
) -> Result<Json<Entry>, ApiError> {
    let saved = service::entries::update(&state, &caller, locale, id, body).await?;
    Ok(Json(view(&saved.entry, &saved.trips, locale)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    pub base_version: Option<i32>,
}

/// `DELETE /api/v1/entries/{entry_id}?base_version=N`
#[utoipa::path(
    operation_id = "entries_delete",
    delete,
    path = "/api/v1/entries/{entry_id}",
    tag = "entries",
    summary = "Delete a session seen at base_version",
    params(("entry_id" = Uuid, Path), DeleteQuery),
    responses((status = 200, description = "OK", body = mobile_api::entries::Entry), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 409, description = "Conflict", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> Result<Json<Entry>, ApiError> {
    let base_version = query
        .base_version
        .ok_or_else(|| ApiError::invalid("base_version", "required"))?;
    let (gone, trips) = service::entries::delete(&state, &caller, locale, id, base_version).await?;
    Ok(Json(view(&gone, &trips, locale)))
}

/// `GET /api/v1/entries/{entry_id}`
#[utoipa::path(
    operation_id = "entries_read",
    get,
    path = "/api/v1/entries/{entry_id}",
    tag = "entries",
    summary = "Read a session",
    params(("entry_id" = Uuid, Path)),
    responses((status = 200, description = "OK", body = mobile_api::entries::Entry), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Entry>, ApiError> {
    Ok(Json(
        service::entries::read(&state, &caller, locale, id).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    /// `YYYY-MM`: entries touching that month.
    pub month: Option<String>,
    /// Only entries in this status (default: all but deleted).
    pub status: Option<EntryStatus>,
    /// Only entries that carry warnings.
    pub has_warnings: Option<bool>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/entries?client_id=&assistant_id=&month=`
#[utoipa::path(
    operation_id = "entries_list",
    get,
    path = "/api/v1/entries",
    tag = "entries",
    summary = "List sessions",
    params(ListQuery),
    responses((status = 200, description = "OK", body = mobile_api::Page<mobile_api::entries::Entry>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Entry>>, ApiError> {
    let paging = Paging::resolve(query.offset, query.limit)?;
    let filter = service::entries::ListFilter {
        client_id: query.client_id,
        assistant_id: query.assistant_id,
        month: query.month.as_deref().map(parse_month).transpose()?,
        status: query.status,
        with_warnings: query.has_warnings.unwrap_or(false),
    };
    let page = service::entries::list(&state, &caller, locale, filter, paging).await?;
    Ok(Json(page))
}

/// `GET /api/v1/clients/{client_id}/months/{month}`: allowance, use, projection, transport,
/// totals per purpose, warnings and the month's entries.
#[utoipa::path(
    operation_id = "entries_month_sheet",
    get,
    path = "/api/v1/clients/{client_id}/months/{month}",
    tag = "months",
    summary = "A client's month: allowance, use, entries",
    params(("client_id" = Uuid, Path, description = "The client"), ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "OK", body = mobile_api::entries::MonthSheet), (status = 404, description = "Not found (or not yours)", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn month_sheet(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath((client_id, month)): ApiPath<(Uuid, String)>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let sheet = service::entries::month_sheet(&state, &caller, locale, client_id, month).await?;
    Ok(Json(sheet))
}
