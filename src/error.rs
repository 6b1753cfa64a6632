//! The one error type of the HTTP edge. Only this module knows statuses and error codes.
//!
//! Handlers return `ApiError`; its response carries the code and details in an extension, and
//! the [`render_errors`] middleware writes the body with the message in the caller's language.
//! Internal causes are logged once and never sent.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mobile_api::{ErrorBody, ErrorCode, ErrorDetail};
use serde_json::{Value, json};

use crate::domain::decision::DecisionInvalid;
use crate::domain::policy::PolicyInvalid;
use crate::i18n;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("unauthorized")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_seconds: i64 },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A field of the request is missing, malformed or out of range.
    #[error("invalid field {field}: {reason}")]
    Invalid {
        field: String,
        reason: &'static str,
        details: Value,
    },
    #[error("malformed json: {0}")]
    MalformedJson(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many mutations in one push")]
    TooManyMutations { max: usize },
    /// The request contradicts an existing record (a taken login, an id in use).
    #[error("conflict: {reason}")]
    Conflict {
        reason: &'static str,
        details: Value,
    },
    #[error("decision invalid: {0:?}")]
    Decision(DecisionInvalid),
    #[error("policy invalid: {0:?}")]
    Policy(PolicyInvalid),
    /// A business rule refused the request (SPEC §4 codes, `stale_version`, ...).
    #[error("refused: {code}")]
    Rule { code: ErrorCode, details: Value },
    #[error("database unavailable: {0}")]
    NotReady(String),
    /// Too much work of one kind is waiting (password checks); try again shortly.
    #[error("busy")]
    Busy,
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: &'static str) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            reason,
            details: json!({}),
        }
    }

    pub fn invalid_with(
        field: impl Into<String>,
        reason: &'static str,
        details: Value,
    ) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            reason,
            details,
        }
    }

    pub fn conflict(reason: &'static str, details: Value) -> ApiError {
        ApiError::Conflict { reason, details }
    }

    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    /// The stable code and details, e.g. to report a refused sync mutation inside a 200 reply.
    pub fn code_and_details(&self) -> (ErrorCode, Value) {
        let (_, code, details) = self.parts();
        (code, details)
    }

    /// True for failures of the service itself (the database away), not of the request.
    pub fn is_infrastructure(&self) -> bool {
        matches!(self, ApiError::NotReady(_) | ApiError::Internal(_))
    }

    fn parts(&self) -> (StatusCode, ErrorCode, Value) {
        use ApiError::*;
        match self {
            Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, json!({})),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                json!({}),
            ),
            TooManyAttempts {
                retry_after_seconds,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                json!({ "retry_after_seconds": retry_after_seconds }),
            ),
            Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, json!({})),
            NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound, json!({})),
            Invalid {
                field,
                reason,
                details,
            } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                merge(details, json!({ "field": field, "reason": reason })),
            ),
            MalformedJson(detail) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                json!({ "detail": detail }),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                json!({}),
            ),
            TooManyMutations { max } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                json!({ "max_mutations": max }),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                json!({}),
            ),
            Conflict { reason, details } => (
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                merge(details, json!({ "reason": reason })),
            ),
            Decision(d) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::DecisionInvalid,
                merge(&d.details, json!({ "reason": d.reason })),
            ),
            Policy(p) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PolicyInvalid,
                json!({ "key": p.key, "reason": p.reason }),
            ),
            Rule { code, details } => {
                let status = match code {
                    ErrorCode::StaleVersion
                    | ErrorCode::MonthLocked
                    | ErrorCode::MonthState
                    | ErrorCode::EntriesFlagged
                    | ErrorCode::OverlapClient
                    | ErrorCode::OverlapAssistant => StatusCode::CONFLICT,
                    ErrorCode::Forbidden | ErrorCode::PasswordChangeRequired => {
                        StatusCode::FORBIDDEN
                    }
                    ErrorCode::TokenExpired | ErrorCode::TokenRevoked => StatusCode::UNAUTHORIZED,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                (status, *code, details.clone())
            }
            NotReady(_) | Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::NotReady,
                json!({}),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                json!({}),
            ),
        }
    }
}

fn merge(base: &Value, extra: Value) -> Value {
    let mut out = match base {
        Value::Object(m) => Value::Object(m.clone()),
        _ => json!({}),
    };
    if let (Value::Object(o), Value::Object(e)) = (&mut out, extra) {
        for (k, v) in e {
            o.insert(k, v);
        }
    }
    out
}

impl From<crate::secrets::Busy> for ApiError {
    fn from(_: crate::secrets::Busy) -> Self {
        ApiError::Busy
    }
}

impl From<DecisionInvalid> for ApiError {
    fn from(e: DecisionInvalid) -> Self {
        ApiError::Decision(e)
    }
}

impl From<PolicyInvalid> for ApiError {
    fn from(e: PolicyInvalid) -> Self {
        ApiError::Policy(e)
    }
}

impl From<crate::domain::text::FieldError> for ApiError {
    fn from(e: crate::domain::text::FieldError) -> Self {
        ApiError::Invalid {
            field: e.field,
            reason: e.reason,
            details: json!({}),
        }
    }
}

impl From<crate::db::DbErr> for ApiError {
    fn from(e: crate::db::DbErr) -> Self {
        use crate::db::DbErr;
        match e {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => ApiError::NotReady(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// What [`render_errors`] needs to write the body.
#[derive(Clone, Debug)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub details: Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            ApiError::NotReady(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let (status, code, details) = self.parts();
        let mut response = status.into_response();
        if let ApiError::Busy = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(1));
        }
        if let ApiError::TooManyAttempts {
            retry_after_seconds,
        } = self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds.max(1)),
            );
        }
        response
            .extensions_mut()
            .insert(ErrorPayload { code, details });
        response
    }
}

/// Writes every error response's body as `{"error": {code, message, details}}`, the message in
/// the language of the request's `Accept-Language`. Error responses made outside our handlers
/// (unknown route, wrong method, body limit, timeout, panic) get a fitting code the same way.
pub async fn render_errors(request: Request, next: Next) -> Response {
    // The web pages and the console answer people with pages of their own.
    let path = request.uri().path();
    if path.starts_with("/web") || path.starts_with("/console") {
        return next.run(request).await;
    }
    let locale = i18n::locale_from_accept_language(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut response = next.run(request).await;
    let status = response.status();
    let payload = match response.extensions_mut().remove::<ErrorPayload>() {
        Some(p) => p,
        None if status.is_client_error() || status.is_server_error() => {
            let is_json = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            if is_json {
                return response;
            }
            ErrorPayload {
                code: code_for_status(status),
                details: json!({}),
            }
        }
        None => return response,
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: payload.code,
            message: i18n::message(payload.code, locale, &payload.details),
            details: payload.details,
        },
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(locale.as_str()),
    );
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::BAD_REQUEST => ErrorCode::MalformedJson,
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => ErrorCode::NotReady,
        s if s.is_client_error() => ErrorCode::ValidationFailed,
        _ => ErrorCode::Internal,
    }
}

/// Reads `value` as a `T`; a field of the wrong type or out of range is `validation_failed`
/// naming the field, anything else malformed JSON.
pub fn parse_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(path_error)
}

pub(crate) fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => ApiError::invalid_with(
            if path == "." { "body".to_owned() } else { path },
            "out_of_range",
            json!({ "detail": inner.to_string() }),
        ),
        _ => ApiError::MalformedJson(inner.to_string()),
    }
}
