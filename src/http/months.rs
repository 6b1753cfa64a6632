//! A client's month through its life: submit, confirm (also with the client's PIN on the
//! assistant's phone), dispute, approve, reopen; late entries' review, flagged entries'
//! verdicts; the month overview.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::entries::{
    ConfirmRequest, DisputeRequest, DisputeResolution, Entry, FlagResolution, MonthDecision,
    MonthOverview, MonthSheet, PinSet, Review,
};
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Lang};
use crate::error::ApiError;
use crate::service::entries::{as_seen_by, parse_month, view};
use crate::service::{self, AppState};

type MonthPath = ApiPath<(Uuid, String)>;

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/submit", operation_id = "months_submit", tag = "months",
    summary = "The assistant hands in the month's record", params(("client_id" = Uuid, Path), ("month" = String, Path)),
    responses((status = 200, description = "OK", body = MonthSheet), (status = 409, description = "Conflict with the month's state or versions", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath((client_id, month)): MonthPath,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    service::months::submit(&state, &caller, locale, client_id, month).await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/confirm", operation_id = "months_confirm", tag = "months",
    summary = "The client confirms exactly the entries and versions they saw", params(("client_id" = Uuid, Path), ("month" = String, Path)),
    request_body = ConfirmRequest,
    responses((status = 200, description = "OK", body = MonthSheet), (status = 409, description = "stale_version, month_locked", body = mobile_api::ErrorBody),
        (status = 429, description = "Too many PIN attempts", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath((client_id, month)): MonthPath,
    ApiJson(body): ApiJson<ConfirmRequest>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let seen: Vec<(Uuid, i32)> = body.entries.iter().map(|e| (e.id, e.version)).collect();
    let pin = body.pin.as_deref();
    service::months::confirm(&state, &caller, locale, client_id, month, &seen, pin).await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/dispute", operation_id = "months_dispute", tag = "months",
    summary = "The client disputes single entries with reasons", params(("client_id" = Uuid, Path), ("month" = String, Path)),
    request_body = DisputeRequest,
    responses((status = 200, description = "OK", body = MonthSheet), (status = 409, description = "Conflict with the month's state or versions", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath((client_id, month)): MonthPath,
    ApiJson(body): ApiJson<DisputeRequest>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let items: Vec<(Uuid, String)> = body
        .entries
        .iter()
        .map(|e| (e.id, e.reason.clone()))
        .collect();
    let comment = body.comment.as_deref();
    service::months::dispute(&state, &caller, locale, client_id, month, &items, comment).await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/approve", operation_id = "months_approve", tag = "months",
    summary = "A coordinator approves the month (a reason is required without the client's confirmation)", params(("client_id" = Uuid, Path), ("month" = String, Path)),
    request_body = MonthDecision,
    responses((status = 200, description = "OK", body = MonthSheet), (status = 409, description = "Conflict with the month's state or versions", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Lang(locale): Lang,
    ApiPath((client_id, month)): MonthPath,
    ApiJson(body): ApiJson<MonthDecision>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let why = body.reason.as_deref();
    service::months::approve(&state, &caller, locale, client_id, month, why).await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/reopen", operation_id = "months_reopen", tag = "months",
    summary = "A coordinator reopens the month (reason required)", params(("client_id" = Uuid, Path), ("month" = String, Path)),
    request_body = MonthDecision,
    responses((status = 200, description = "OK", body = MonthSheet), (status = 409, description = "Conflict with the month's state or versions", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn reopen(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Lang(locale): Lang,
    ApiPath((client_id, month)): MonthPath,
    ApiJson(body): ApiJson<MonthDecision>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let why = body.reason.as_deref();
    service::months::reopen(&state, &caller, locale, client_id, month, why).await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/disputes/{entry_id}/resolve", operation_id = "months_resolve_dispute", tag = "months",
    summary = "A coordinator resolves the client's dispute of one session: corrected or rejected, with a reason",
    params(("client_id" = Uuid, Path), ("month" = String, Path), ("entry_id" = Uuid, Path)), request_body = DisputeResolution,
    responses((status = 200, description = "OK", body = MonthSheet), (status = 404, description = "Not found", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input, or no open dispute of that session", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn resolve_dispute(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Lang(locale): Lang,
    ApiPath((client_id, month, entry_id)): ApiPath<(Uuid, String, Uuid)>,
    ApiJson(body): ApiJson<DisputeResolution>,
) -> Result<Json<MonthSheet>, ApiError> {
    let month = parse_month(&month)?;
    let how = service::months::Resolution::parse(&body.resolution)?;
    service::months::resolve_dispute(
        &state,
        &caller,
        locale,
        (client_id, month),
        entry_id,
        how,
        &body.reason,
    )
    .await?;
    Ok(Json(
        as_seen_by(&state, &caller, locale, client_id, month).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/entries/{entry_id}/review", operation_id = "entries_review", tag = "entries",
    summary = "A coordinator approves or rejects a late entry", params(("entry_id" = Uuid, Path)), request_body = Review,
    responses((status = 200, description = "OK", body = Entry), (status = 404, description = "Not found", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Review>,
) -> Result<Json<Entry>, ApiError> {
    let saved = service::months::review(&state, &caller, locale, id, &body).await?;
    Ok(Json(view(&saved.entry, &saved.trips, locale)))
}

#[utoipa::path(post, path = "/api/v1/entries/{entry_id}/flag", operation_id = "entries_resolve_flag", tag = "entries",
    summary = "A coordinator keeps (the broken rule excused for it) or voids a flagged entry", params(("entry_id" = Uuid, Path)), request_body = FlagResolution,
    responses((status = 200, description = "OK", body = Entry), (status = 404, description = "Not found (or not flagged)", body = mobile_api::ErrorBody), (status = 409, description = "The month is closed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input, or keeping it would break another rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn resolve_flag(
    State(state): State<AppState>,
    Staff(caller): Staff,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<FlagResolution>,
) -> Result<Json<Entry>, ApiError> {
    let saved = service::flags::resolve(&state, &caller, locale, id, &body).await?;
    Ok(Json(view(&saved.entry, &saved.trips, locale)))
}

#[utoipa::path(put, path = "/api/v1/clients/{client_id}/pin", operation_id = "clients_set_pin", tag = "clients",
    summary = "Set the client's confirmation PIN (kept only as a hash)", params(("client_id" = Uuid, Path)), request_body = PinSet,
    responses((status = 204, description = "Done"), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn set_pin(
    State(state): State<AppState>,
    Staff(caller): Staff,
    ApiPath(client_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PinSet>,
) -> Result<StatusCode, ApiError> {
    service::auth::set_pin(&state.env(), &caller, client_id, &body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Only the client-months in this state.
    pub state: Option<mobile_api::MonthState>,
    pub offset: Option<u64>,
    /// At most 500 (default 50).
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/months/{month}", operation_id = "months_overview", tag = "months",
    summary = "A page of every client's month: state, use, open disputes, late entries waiting; with the month's counts by state (paged since v1.4)", params(("month" = String, Path), OverviewQuery),
    responses((status = 200, description = "OK", body = MonthOverview), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(month): ApiPath<String>,
    ApiQuery(q): ApiQuery<OverviewQuery>,
) -> Result<Json<MonthOverview>, ApiError> {
    let month = parse_month(&month)?;
    let paging = super::extract::Paging::resolve(q.offset, q.limit)?;
    Ok(Json(
        service::months::overview(&state, &caller, month, q.state, paging).await?,
    ))
}
