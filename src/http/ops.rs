//! Liveness, readiness and metrics for operators.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use mobile_api::Health;

use crate::error::ApiError;
use crate::service::AppState;

#[utoipa::path(
    operation_id = "ops_live",
    get,
    path = "/health/live",
    tag = "operations",
    summary = "The process runs",
    responses((status = 200, description = "OK", body = mobile_api::Health))
)]
pub async fn live() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        database: "unchecked".into(),
    })
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(
    operation_id = "ops_ready",
    get,
    path = "/health/ready",
    tag = "operations",
    summary = "The database answers",
    responses((status = 200, description = "OK", body = mobile_api::Health), (status = 503, description = "The database does not answer", body = mobile_api::Health))
)]
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(
        std::time::Duration::from_secs(2),
        crate::service::database_answers(&state),
    )
    .await
    {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(Health {
                status: "ok".into(),
                database: "ok".into(),
            }),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable".into(),
                database: "unavailable".into(),
            }),
        ),
    }
}

/// The service's metrics, for the operator's collector: with the configured bearer token, or
/// without a token configured only from the machine itself (loopback). Anyone else gets 404.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let allowed = match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::secrets::same(given, token)),
        None => peer.ip().is_loopback(),
    };
    if !allowed {
        return Err(ApiError::NotFound);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}
