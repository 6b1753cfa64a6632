//! Monthly statements and their delivery.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A generated, immutable statement version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Statement {
    pub id: Uuid,
    /// `YYYY-MM`
    pub month: String,
    /// `client_timesheet`, `assistant_pay` or `municipality_summary`.
    pub kind: String,
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    pub version: i32,
    /// A later version that corrects an earlier one (which stays as it was sent).
    pub is_correction: bool,
    pub supersedes: Option<Uuid>,
    /// The figures the statement states (totals, hours, amounts).
    pub summary: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub files: Vec<StatementFile>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatementFile {
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// `GET` this path for the file's bytes.
    pub path: String,
}

/// `POST /api/v1/months/{month}/close` answers at once (202) with the close as a job; poll
/// `GET /api/v1/close-jobs/{id}` until it is `done` or `failed`, and list what it made with
/// `GET /api/v1/statements?close={id}` (added in v1.4; before, the close answered when done).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CloseJob {
    pub id: Uuid,
    /// `YYYY-MM`
    pub month: String,
    pub state: crate::JobState,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The statements the close made (0 until it is done; 0 too when nothing was new).
    pub statements: i64,
    /// The mails it queued.
    pub mails_queued: i64,
    /// When done: the client-months of the month still coming in (not approved yet), left for
    /// a later close.
    #[serde(default)]
    pub pending: Vec<PendingMonth>,
    /// When failed: why, as in an error response (nothing of the close was written).
    pub error: Option<crate::ErrorDetail>,
}

/// A client-month a close left for later, with its state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingMonth {
    pub client_id: Uuid,
    pub client_name: String,
    pub state: crate::MonthState,
    /// Flagged entries wait there for a coordinator (added in v1.2).
    #[serde(default)]
    pub flagged: bool,
}

/// `PUT /api/v1/months/{month}/wage-override`: an admin records why the month closes although
/// its hourly rate, net of employer contributions, pays less than the minimum hourly wage
/// (added in v1.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WageOverride {
    pub reason: String,
}

/// A statement mail's delivery to one recipient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutboxRow {
    pub id: Uuid,
    pub statement_id: Uuid,
    pub recipient: String,
    pub message_id: String,
    pub state: crate::OutboxState,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// For a deliberate resend: the row it repeats.
    pub resend_of: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/clients/{client_id}/months/{month}/amendments`: a coordinator's correction of a
/// closed month — either `add` a session or `void` one. The next close issues the month's
/// statements again as corrections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AmendmentRequest {
    #[serde(default)]
    pub add: Option<crate::entries::EntryWrite>,
    #[serde(default)]
    pub void: Option<VoidRequest>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoidRequest {
    pub entry_id: Uuid,
    pub reason: String,
}
