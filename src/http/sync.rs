//! Mobile sync: `POST /api/v1/sync/push` (exactly once by per-device seq) and
//! `GET /api/v1/sync/pull` (changes by commit-ordered cursor). The work is `service::sync`'s.

use axum::Json;
use axum::extract::State;
use mobile_api::sync::{PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

use super::extract::{ApiJson, ApiQuery, Lang};
use crate::error::ApiError;
use crate::service::AppState;
use crate::service::auth::Caller;
use crate::service::sync;

pub use crate::service::sync::{MAX_MUTATIONS, PULL_DEFAULT, PULL_MAX, PUSH_BODY_LIMIT};

#[utoipa::path(
    operation_id = "sync_push",
    post,
    path = "/api/v1/sync/push",
    tag = "sync",
    summary = "Push queued mutations, applied exactly once by seq",
    request_body = mobile_api::sync::PushRequest,
    responses((status = 200, description = "OK", body = mobile_api::sync::PushResponse), (status = 403, description = "Not allowed", body = mobile_api::ErrorBody), (status = 413, description = "More than 500 mutations or 1 MiB", body = mobile_api::ErrorBody), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiJson(body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    Ok(Json(sync::push(&state, &caller, locale, body).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

#[utoipa::path(
    operation_id = "sync_pull",
    get,
    path = "/api/v1/sync/pull",
    tag = "sync",
    summary = "Changes after the cursor, in commit order",
    params(PullQuery),
    responses((status = 200, description = "OK", body = mobile_api::sync::PullResponse), (status = 422, description = "Invalid input or refused by a rule", body = mobile_api::ErrorBody), (status = 401, description = "No valid token", body = mobile_api::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    Lang(locale): Lang,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let page = sync::pull(
        &state,
        &caller,
        locale,
        query.cursor.as_deref(),
        query.limit,
    )
    .await?;
    Ok(Json(page))
}
