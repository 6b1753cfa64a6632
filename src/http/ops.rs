//! Liveness, readiness and metrics for operators.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use mobile_api::Health;

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

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
