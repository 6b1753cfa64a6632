//! A client's month through its life: submit, confirm (also with the client's PIN on the
//! assistant's phone), dispute, approve, reopen; late entries' review; the month overview.

use crate::db::TransactionTrait;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mobile_api::entries::{
    ConfirmRequest, DisputeRequest, Entry, MonthDecision, MonthOverviewRow, MonthSheet, PinSet,
    Review,
};
use mobile_api::{EntryStatus, MonthState, Role};
use serde_json::json;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, Lang};
use crate::db::{self, audit};
use crate::domain::decision;
use crate::domain::text;
use crate::error::ApiError;
use crate::service::entries::{actor, build_sheet, parse_month, view, write_error};
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
    Ok(Json(build_sheet(&state, client_id, month, locale).await?))
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
    Ok(Json(build_sheet(&state, client_id, month, locale).await?))
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
    Ok(Json(build_sheet(&state, client_id, month, locale).await?))
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
    Ok(Json(build_sheet(&state, client_id, month, locale).await?))
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
    Ok(Json(build_sheet(&state, client_id, month, locale).await?))
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
    let approve = match body.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(ApiError::invalid_with(
                "decision",
                "out_of_range",
                json!({ "allowed": ["approve", "reject"] }),
            ));
        }
    };
    let why = text::text("reason", &body.reason, 2000)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    match db::ledger::review(&txn, id, approve, &why, actor(&caller), now).await {
        Ok(saved) => {
            txn.commit().await?;
            Ok(Json(view(&saved.entry, &saved.trips, locale)))
        }
        Err(e) => {
            txn.rollback().await?;
            Err(write_error(e, locale))
        }
    }
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
    if !(4..=8).contains(&body.pin.len()) || !body.pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::invalid("pin", "out_of_range"));
    }
    let hash = state
        .passwords
        .hash(&body.pin)
        .await?
        .map_err(ApiError::Internal)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let mut client = db::people::client(&txn, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    client.pin_hash = Some(hash);
    client.updated_at = now;
    db::people::update(&txn, client).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "client_pin_set",
            subject_kind: "client",
            subject_id: client_id.to_string(),
            client_id: Some(client_id),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/months/{month}", operation_id = "months_overview", tag = "months",
    summary = "Every client's month: state, use, open disputes, late entries waiting", params(("month" = String, Path)),
    responses((status = 200, description = "OK", body = Vec<MonthOverviewRow>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody)), security(("bearer" = [])))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(month): ApiPath<String>,
) -> Result<Json<Vec<MonthOverviewRow>>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let month = parse_month(&month)?;
    let policy = db::policy::book(&state.db)
        .await?
        .at(month.last_day())
        .map_err(ApiError::Internal)?;
    let filter = db::people::ClientFilter {
        q: None,
        active: None,
        only: None,
    };
    let (clients, _) = db::people::clients(&state.db, &filter, 0, 100_000).await?;
    let mut rows = Vec::new();
    for c in clients {
        let versions: Vec<_> = db::people::decisions_of(&state.db, c.id)
            .await?
            .iter()
            .map(db::people::figures)
            .collect();
        let allowance = decision::month_allowance(&versions, month, policy.proration);
        let sheet = db::entries::month_sheet(&state.db, c.id, month).await?;
        if allowance == 0 && sheet.is_none() {
            continue;
        }
        let used = sheet.as_ref().map(|s| s.used_minutes).unwrap_or(0);
        let live = db::months::live_entries(&state.db, c.id, month).await?;
        let open_disputes = db::months::disputes(&state.db, c.id, month)
            .await?
            .iter()
            .filter(|d| d.resolved_at.is_none())
            .count();
        rows.push(MonthOverviewRow {
            client_id: c.id,
            client_name: c.name,
            state: sheet.map_or(MonthState::Open, |s| *s.state),
            allowance_minutes: allowance,
            used_minutes: used,
            remaining_minutes: (allowance - used).max(0),
            open_disputes: open_disputes as i64,
            pending_review: live
                .iter()
                .filter(|e| e.status == EntryStatus::PendingReview)
                .count() as i64,
        });
    }
    Ok(Json(rows))
}
