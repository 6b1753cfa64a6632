//! The OpenAPI 3.1 document of `/api/v1`: what the route table (`http::api`) and the handlers'
//! annotations say, with the `mobile-api` types. Committed as `mobile-api/openapi.json`; a test fails when it drifts.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "asistents API",
        version = "1",
        description = "Timesheets of Latvia's assistant service: coordinators' records, entries under the regulation's rules, mobile sync. Errors always have the body {\"error\": {code, message, details}} with the message in the Accept-Language language (lv, ru, en). v1 only grows: fields are added, never renamed or removed."
    ),
    components(schemas(mobile_api::ErrorBody, mobile_api::ErrorCode, mobile_api::sync::Mutation, mobile_api::sync::EntryDeleteArgs, mobile_api::sync::MonthSubmitArgs, mobile_api::sync::Change)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Login, devices, who am I"),
        (name = "sync", description = "Phones: push queued mutations exactly once, pull changes by cursor"),
        (name = "entries", description = "Service sessions under the rules"),
        (name = "months", description = "A client's month"),
        (name = "clients"), (name = "decisions"), (name = "assistants"), (name = "assignments"), (name = "users"),
        (name = "policy", description = "The regulation's figures as versioned data"),
        (name = "statements", description = "Month close, statements, mail delivery"),
        (name = "operations"),
    )
)]
pub struct ApiDoc;

/// The document as committed: pretty JSON with a final newline. Its paths are the route table's
/// (`http::api`), so the document and the router cannot disagree.
pub fn document() -> String {
    let (_, doc) = super::api().split_for_parts();
    let mut json = doc.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
