//! The HTTP edge: extract, check rights, call the domain and the database, map to wire types.
//! This file is the table of contents: every route of the service is listed here.

pub mod assignments;
pub mod assistants;
pub mod auth;
pub mod clients;
pub mod decisions;
pub mod entries;
pub mod extract;
pub mod months;
pub mod openapi;
pub mod ops;
pub mod policy;
pub mod statements;
pub mod sync;
pub mod users;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::error::render_errors;
use crate::telemetry;

/// Largest request body outside sync pushes (SPEC §9).
pub const BODY_LIMIT: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/password", post(auth::change_password))
        .route("/clients", get(clients::list).post(clients::create))
        .route(
            "/clients/{client_id}",
            get(clients::read).patch(clients::update),
        )
        .route(
            "/clients/{client_id}/decisions",
            get(decisions::list).post(decisions::create),
        )
        .route(
            "/clients/{client_id}/decisions/{decision_id}",
            get(decisions::read),
        )
        .route(
            "/clients/{client_id}/decisions/{decision_id}/amendments",
            post(decisions::amend),
        )
        .route(
            "/clients/{client_id}/decisions/{decision_id}/suspensions",
            post(decisions::suspend),
        )
        .route(
            "/clients/{client_id}/suspensions/{suspension_id}",
            axum::routing::patch(decisions::update_suspension),
        )
        .route(
            "/assistants",
            get(assistants::list).post(assistants::create),
        )
        .route(
            "/assistants/{assistant_id}",
            get(assistants::read).patch(assistants::update),
        )
        .route(
            "/assignments",
            get(assignments::list).post(assignments::create),
        )
        .route(
            "/assignments/{assignment_id}",
            get(assignments::read).patch(assignments::update),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/{user_id}", get(users::read).patch(users::update))
        .route("/users/{user_id}/devices", get(auth::devices_of_user))
        .route("/devices/{device_id}/revoke", post(auth::revoke_device))
        .route("/policy", get(policy::read).post(policy::create))
        .route("/entries", get(entries::list).post(entries::create))
        .route(
            "/entries/{entry_id}",
            get(entries::read)
                .put(entries::update)
                .delete(entries::delete),
        )
        .route(
            "/clients/{client_id}/months/{month}",
            get(entries::month_sheet),
        )
        .route(
            "/sync/push",
            post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_BODY_LIMIT)),
        )
        .route("/sync/pull", get(sync::pull))
        .route(
            "/clients/{client_id}/months/{month}/submit",
            post(months::submit),
        )
        .route(
            "/clients/{client_id}/months/{month}/confirm",
            post(months::confirm),
        )
        .route(
            "/clients/{client_id}/months/{month}/dispute",
            post(months::dispute),
        )
        .route(
            "/clients/{client_id}/months/{month}/approve",
            post(months::approve),
        )
        .route(
            "/clients/{client_id}/months/{month}/reopen",
            post(months::reopen),
        )
        .route(
            "/clients/{client_id}/pin",
            axum::routing::put(months::set_pin),
        )
        .route("/entries/{entry_id}/review", post(months::review))
        .route("/months/{month}", get(months::overview))
        .route("/months/{month}/close", post(statements::close_month))
        .route("/statements", get(statements::list))
        .route("/statements/{statement_id}", get(statements::read))
        .route(
            "/statements/{statement_id}/files/{name}",
            get(statements::file),
        )
        .route("/outbox", get(statements::outbox_list))
        .route("/outbox/{outbox_id}/resend", post(statements::resend))
        .route(
            "/clients/{client_id}/months/{month}/amendments",
            post(statements::amend),
        );

    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request| {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned());
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = route.as_deref().unwrap_or("unmatched"),
            request_id = %request_id,
        )
    });

    Router::new()
        .nest("/api/v1", api)
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .merge(crate::web::router())
        .with_state(state.clone())
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            telemetry::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(trace)
                .layer(middleware::from_fn(render_errors))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
}
