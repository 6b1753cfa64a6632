//! The HTTP edge: extract, check rights, call the use cases, map to wire types.
//! This file is the table of contents: every route of the service is listed here, once.

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
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::render_errors;
use crate::service::AppState;
use crate::telemetry;

/// Largest request body outside sync pushes (SPEC §9).
pub const BODY_LIMIT: usize = 256 * 1024;

/// The table of contents: every route of the API with its handler, from which both the router
/// and the OpenAPI document are made, so an undocumented route cannot exist. Paths come from
/// each handler's `#[utoipa::path]`.
pub fn api() -> OpenApiRouter<AppState> {
    // A push carries up to 500 mutations: its own body limit (SPEC §9).
    let (schemas, paths, push) = routes!(sync::push);
    let push = (
        schemas,
        paths,
        push.layer(DefaultBodyLimit::max(sync::PUSH_BODY_LIMIT)),
    );
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        // Who is calling
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::devices_of_user))
        .routes(routes!(auth::revoke_device))
        // The social service's records
        .routes(routes!(clients::list, clients::create))
        .routes(routes!(clients::read, clients::update))
        .routes(routes!(decisions::list, decisions::create))
        .routes(routes!(decisions::read))
        .routes(routes!(decisions::amend))
        .routes(routes!(decisions::suspend))
        .routes(routes!(decisions::update_suspension))
        .routes(routes!(assistants::list, assistants::create))
        .routes(routes!(assistants::read, assistants::update))
        .routes(routes!(assignments::list, assignments::create))
        .routes(routes!(assignments::read, assignments::update))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::read, users::update))
        .routes(routes!(policy::read, policy::create))
        // Entries and phones
        .routes(routes!(entries::list, entries::create))
        .routes(routes!(entries::read, entries::update, entries::delete))
        .routes(routes!(entries::month_sheet))
        .routes(push)
        .routes(routes!(sync::pull))
        // The month's life
        .routes(routes!(months::submit))
        .routes(routes!(months::confirm))
        .routes(routes!(months::dispute))
        .routes(routes!(months::approve))
        .routes(routes!(months::reopen))
        .routes(routes!(months::set_pin))
        .routes(routes!(months::review))
        .routes(routes!(months::resolve_flag))
        .routes(routes!(months::resolve_dispute))
        .routes(routes!(months::overview))
        // Statements and mail
        .routes(routes!(statements::close_month))
        .routes(routes!(statements::close_job))
        .routes(routes!(statements::wage_override))
        .routes(routes!(statements::list))
        .routes(routes!(statements::read))
        .routes(routes!(statements::file))
        .routes(routes!(statements::outbox_list))
        .routes(routes!(statements::resend))
        .routes(routes!(statements::amend))
        // Operations
        .routes(routes!(ops::live))
        .routes(routes!(ops::ready))
}

/// A request id from the caller is kept only when it is short and plain (letters, digits, `-`,
/// `_`, `.`); otherwise the service makes its own, so nothing a caller sends reaches the logs raw.
async fn plain_request_id(
    mut request: Request,
    next: middleware::Next,
) -> axum::response::Response {
    let plain = match request.headers().get("x-request-id") {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        }),
    };
    if !plain {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api().split_for_parts();

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
        .merge(api)
        .route("/metrics", get(ops::metrics))
        .merge(crate::web::router())
        .merge(crate::web::phone::router())
        .merge(
            crate::web::console::router()
                .layer(axum::middleware::from_fn(crate::web::security_headers)),
        )
        .with_state(state.clone())
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            telemetry::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(plain_request_id))
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
