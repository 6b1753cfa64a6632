//! The error body every failing request answers with, and the stable codes in it.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "...", "details": {...}}}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: one of [`ErrorCode`]'s names.
    pub code: ErrorCode,
    /// For people, in the language asked for by `Accept-Language` (lv by default).
    pub message: String,
    /// The numbers and names involved; always an object.
    pub details: serde_json::Value,
}

macro_rules! codes {
    ($($name:ident => $text:literal,)*) => {
        /// Every error code the API answers with. Codes are never renamed within v1.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $($name,)* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => $text,)* }
            }
        }
    };
}

codes! {
    // Request shape and transport.
    MalformedJson => "malformed_json",
    ValidationFailed => "validation_failed",
    UnsupportedMediaType => "unsupported_media_type",
    PayloadTooLarge => "payload_too_large",
    NotFound => "not_found",
    MethodNotAllowed => "method_not_allowed",
    Conflict => "conflict",
    // Authentication and rights.
    Unauthorized => "unauthorized",
    // The token's time ran out: log in again (the phone keeps its unsent changes).
    TokenExpired => "token_expired",
    // The token was ended (logout, a password change, or staff revoking a lost phone): log in
    // again; a revoked phone should keep nothing personal.
    TokenRevoked => "token_revoked",
    InvalidCredentials => "invalid_credentials",
    TooManyAttempts => "too_many_attempts",
    Forbidden => "forbidden",
    // The password in use was set by staff: choose your own (`POST /me/password`) first.
    PasswordChangeRequired => "password_change_required",
    // Coordinator's records.
    DecisionInvalid => "decision_invalid",
    PolicyInvalid => "policy_invalid",
    // The rules an entry must pass (SPEC §4).
    InvalidInterval => "invalid_interval",
    InFuture => "in_future",
    NotAssigned => "not_assigned",
    NoDecision => "no_decision",
    ServiceSuspended => "service_suspended",
    PurposeNotAllowed => "purpose_not_allowed",
    OverAllowance => "over_allowance",
    OverlapClient => "overlap_client",
    OverlapAssistant => "overlap_assistant",
    TransportNotAllowed => "transport_not_allowed",
    TransportCap => "transport_cap",
    MonthLocked => "month_locked",
    // The month's state does not allow this step (e.g. confirming a month not yet submitted).
    MonthState => "month_state",
    // The month holds flagged entries a coordinator has not yet kept or voided (added in v1.2).
    EntriesFlagged => "entries_flagged",
    // The hourly rate in force, net of employer contributions, pays less than the minimum hourly
    // wage: the month is not closed until a new rate is entered or an admin records why it
    // closes anyway (added in v1.2).
    RateBelowMinimumWage => "rate_below_minimum_wage",
    // The assistant's ISO-week total would pass the policy limit (when policy refuses).
    WeeklyLimit => "weekly_limit",
    StaleVersion => "stale_version",
    // Sync.
    SeqConflict => "seq_conflict",
    SeqGap => "seq_gap",
    // The server's own trouble; the message never carries internals.
    NotReady => "not_ready",
    Internal => "internal",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
