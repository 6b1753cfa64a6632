//! Month close, statements and the mail outbox, for coordinators (and accountants, who read).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mobile_api::OutboxState;
use mobile_api::statements::{CloseJob, OutboxRow, Statement};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiJson, ApiPath, ApiQuery, Lang};
use crate::error::ApiError;
use crate::service::entries::parse_month;
use crate::service::{self, AppState};

#[utoipa::path(post, path = "/api/v1/months/{month}/close", operation_id = "months_close", tag = "statements",
    summary = "Start closing the month in the background: statements for its approved client-months and their mail (nothing new when run again). Answers at once with the job (since v1.4); poll it",
    params(("month" = String, Path)), responses((status = 202, description = "The close job, queued (or the one already queued or running for the month)", body = CloseJob),
    (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid month, or its rate pays below the minimum wage (`rate_below_minimum_wage`)", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_month(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath(month): ApiPath<String>,
) -> Result<(StatusCode, Json<CloseJob>), ApiError> {
    let month = parse_month(&month)?;
    let job = service::close_jobs::request(&state, &caller, month).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(service::close_jobs::view(job, locale)),
    ))
}

#[utoipa::path(get, path = "/api/v1/close-jobs/{job_id}", operation_id = "close_jobs_read", tag = "statements",
    summary = "A month close job: queued, running, done (with what it made) or failed (with why) (added in v1.4)",
    params(("job_id" = Uuid, Path)), responses((status = 200, description = "OK", body = CloseJob),
    (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_job(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CloseJob>, ApiError> {
    Ok(Json(
        service::close_jobs::read(&state, &caller, locale, id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/months/{month}/wage-override", operation_id = "months_wage_override", tag = "statements",
    summary = "An admin records why the month closes although its hourly rate pays below the minimum wage",
    params(("month" = String, Path)), request_body = mobile_api::statements::WageOverride,
    responses((status = 204, description = "Recorded (a second time keeps the first reason)"),
    (status = 403, description = "Not an admin", body = mobile_api::ErrorBody), (status = 422, description = "Invalid month or no reason", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn wage_override(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(month): ApiPath<String>,
    ApiJson(body): ApiJson<mobile_api::statements::WageOverride>,
) -> Result<StatusCode, ApiError> {
    let month = parse_month(&month)?;
    service::statements::override_wage(&state, &caller, month, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `YYYY-MM`
    pub month: Option<String>,
    /// Only the statements this close job made (added in v1.4).
    pub close: Option<Uuid>,
    pub offset: Option<u64>,
    /// At most 500 (default 50).
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/statements", operation_id = "statements_list", tag = "statements", summary = "A page of statements (of a month), in the order they were written (paged since v1.3)",
    params(ListQuery), responses((status = 200, description = "OK", body = mobile_api::Page<Statement>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<mobile_api::Page<Statement>>, ApiError> {
    let month = q.month.as_deref().map(parse_month).transpose()?;
    let paging = super::extract::Paging::resolve(q.offset, q.limit)?;
    Ok(Json(
        service::statements::list(&state, &caller, month, q.close, paging).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/statements/{statement_id}", operation_id = "statements_read", tag = "statements", summary = "A statement with its files",
    params(("statement_id" = Uuid, Path)), responses((status = 200, description = "OK", body = Statement), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Statement>, ApiError> {
    Ok(Json(service::statements::read(&state, &caller, id).await?))
}

#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/files/{name}", operation_id = "statements_file", tag = "statements", summary = "A statement's file (CSV …)",
    params(("statement_id" = Uuid, Path), ("name" = String, Path)), responses((status = 200, description = "The file"), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, name)): ApiPath<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let f = service::statements::file(&state, &caller, id, &name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.mime),
            (
                header::CONTENT_DISPOSITION,
                crate::domain::text::attachment(&f.name),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        f.content,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only the mails in this state.
    pub state: Option<OutboxState>,
    pub offset: Option<u64>,
    /// At most 500 (default 50).
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/outbox", operation_id = "outbox_list", tag = "statements", summary = "A page of the statement mails with their delivery state, in the order queued (paged since v1.3)",
    params(OutboxQuery), responses((status = 200, description = "OK", body = mobile_api::Page<OutboxRow>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn outbox_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<mobile_api::Page<OutboxRow>>, ApiError> {
    let paging = super::extract::Paging::resolve(q.offset, q.limit)?;
    Ok(Json(
        service::statements::outbox(&state, &caller, q.state, paging).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/outbox/{outbox_id}/resend", operation_id = "outbox_resend", tag = "statements", summary = "Send the same statement version to the same recipient again",
    params(("outbox_id" = Uuid, Path)), responses((status = 201, description = "Queued", body = OutboxRow), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<OutboxRow>), ApiError> {
    let row = service::statements::resend(&state, &caller, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::statements::outbox_view(row)),
    ))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/months/{month}/amendments", operation_id = "months_amend", tag = "statements",
    summary = "Correct a closed month: add a session or void one (the next close reissues its statements as corrections)",
    params(("client_id" = Uuid, Path), ("month" = String, Path)), request_body = mobile_api::statements::AmendmentRequest,
    responses((status = 201, description = "The added or voided session", body = mobile_api::entries::Entry),
        (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 404, description = "Not found", body = mobile_api::ErrorBody),
        (status = 409, description = "The month is not closed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid or refused by a rule", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn amend(
    State(state): State<AppState>,
    Staff(caller): Staff,
    super::extract::Lang(locale): super::extract::Lang,
    ApiPath((client_id, month)): ApiPath<(Uuid, String)>,
    super::extract::ApiJson(body): super::extract::ApiJson<
        mobile_api::statements::AmendmentRequest,
    >,
) -> Result<(StatusCode, Json<mobile_api::entries::Entry>), ApiError> {
    let month = parse_month(&month)?;
    let entry =
        service::statements::amend(&state, &caller, locale, client_id, month, &body).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}
