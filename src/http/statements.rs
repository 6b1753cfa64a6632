//! Month close, statements and the mail outbox, for coordinators (and accountants, who read).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mobile_api::Role;
use mobile_api::statements::{CloseReport, OutboxRow, Statement, StatementFile};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Caller, Staff};
use super::extract::{ApiPath, ApiQuery};
use crate::db::entity::{outbox, statements};
use crate::db::{self};
use crate::error::ApiError;
use crate::service::entries::{actor, parse_month};
use crate::service::{self, AppState};

async fn view(state: &AppState, s: statements::Model) -> Result<Statement, ApiError> {
    let files = db::statements::files(&state.db, s.id).await?;
    Ok(Statement {
        id: s.id,
        month: s.month,
        kind: s.kind,
        client_id: s.client_id,
        assistant_id: s.assistant_id,
        version: s.version,
        is_correction: s.is_correction,
        supersedes: s.supersedes,
        summary: serde_json::from_str(&s.summary).unwrap_or_default(),
        created_at: s.created_at,
        files: files
            .into_iter()
            .map(|f| StatementFile {
                path: format!("/api/v1/statements/{}/files/{}", s.id, f.name),
                size: f.content.len() as i64,
                name: f.name,
                mime: f.mime,
            })
            .collect(),
    })
}

fn outbox_view(r: outbox::Model) -> OutboxRow {
    OutboxRow {
        id: r.id,
        statement_id: r.statement_id,
        recipient: r.recipient,
        message_id: r.message_id,
        state: *r.state,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        sent_at: r.sent_at,
        resend_of: r.resend_of,
        created_at: r.created_at,
    }
}

#[utoipa::path(post, path = "/api/v1/months/{month}/close", operation_id = "months_close", tag = "statements",
    summary = "Generate the month's statements for approved client-months and queue their mail (nothing new when run again)",
    params(("month" = String, Path)), responses((status = 200, description = "What was generated", body = CloseReport),
    (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 422, description = "Invalid month", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_month(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(month): ApiPath<String>,
) -> Result<Json<CloseReport>, ApiError> {
    caller.require_staff()?;
    let month = parse_month(&month)?;
    let made = service::statements::close(&state, month, actor(&caller)).await?;
    let mut views = Vec::new();
    let mut mails = 0;
    for s in made {
        mails += db::statements::outbox_rows(&state.db, None)
            .await?
            .iter()
            .filter(|r| r.statement_id == s.id)
            .count() as i64;
        views.push(view(&state, s).await?);
    }
    Ok(Json(CloseReport {
        month: month.to_string(),
        statements: views,
        mails_queued: mails,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `YYYY-MM`
    pub month: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/statements", operation_id = "statements_list", tag = "statements", summary = "Statements, of a month",
    params(ListQuery), responses((status = 200, description = "OK", body = Vec<Statement>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Statement>>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let month = q.month.as_deref().map(parse_month).transpose()?;
    let mut out = Vec::new();
    for s in db::statements::list(&state.db, month).await? {
        out.push(view(&state, s).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/statements/{statement_id}", operation_id = "statements_read", tag = "statements", summary = "A statement with its files",
    params(("statement_id" = Uuid, Path)), responses((status = 200, description = "OK", body = Statement), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Statement>, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let s = db::statements::statement(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(view(&state, s).await?))
}

#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/files/{name}", operation_id = "statements_file", tag = "statements", summary = "A statement's file (CSV …)",
    params(("statement_id" = Uuid, Path), ("name" = String, Path)), responses((status = 200, description = "The file"), (status = 404, description = "Not found", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, name)): ApiPath<(Uuid, String)>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let f = db::statements::files(&state.db, id)
        .await?
        .into_iter()
        .find(|f| f.name == name)
        .ok_or(ApiError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", f.name.replace('"', ""));
    Ok((
        [
            (header::CONTENT_TYPE, f.mime),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        f.content,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/outbox", operation_id = "outbox_list", tag = "statements", summary = "Delivery state of every statement mail",
    params(OutboxQuery), responses((status = 200, description = "OK", body = Vec<OutboxRow>), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn outbox_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxRow>>, ApiError> {
    caller.require_staff()?;
    Ok(Json(
        db::statements::outbox_rows(&state.db, q.state.as_deref())
            .await?
            .into_iter()
            .map(outbox_view)
            .collect(),
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
    Ok((StatusCode::CREATED, Json(outbox_view(row))))
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
    let (entry, trips) =
        service::statements::amend(&state, &caller, locale, client_id, month, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(db::entries::wire(&entry, &trips, locale)),
    ))
}
