//! Service sessions (entries), their trips and warnings, and the month sheet.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /api/v1/entries` and `PUT /api/v1/entries/{id}`; also the args of sync's `entry.save`.
///
/// `started_at` / `ended_at` are RFC 3339 with the device's UTC offset (e.g.
/// `2026-11-20T09:00:00+02:00`); seconds are dropped, the service counts whole minutes. A time
/// that cannot be read is refused with `invalid_interval`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryWrite {
    /// Chosen by the device (a retried upload names the same entry); the server picks one when
    /// absent on create.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub client_id: Uuid,
    /// Coordinators name the assistant; an assistant's own entries take theirs.
    #[serde(default)]
    pub assistant_id: Option<Uuid>,
    pub purpose: String,
    pub started_at: String,
    pub ended_at: String,
    /// `home`, `community` or a short description (never GPS coordinates).
    pub place: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub trips: Vec<Trip>,
    /// The version last seen (PUT); null or absent on create.
    #[serde(default)]
    pub base_version: Option<i32>,
    /// The device's clock when it sent this, for the `clock_skew` warning.
    #[serde(default)]
    pub device_time: Option<DateTime<Utc>>,
}

/// A leg travelled with the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Trip {
    /// `public_transport`, `own_car`, `taxi` or `other`.
    pub mode: String,
    pub from: String,
    pub to: String,
    /// Kilometres, to 0.1 km.
    pub distance_km: f64,
    pub cost_cents: i64,
}

/// A finding that does not refuse an entry: `weekly_limit`, `allowance_low`, `late_entry`,
/// `clock_skew`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    pub code: String,
    pub message: String,
    pub details: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: Uuid,
    pub client_id: Uuid,
    pub assistant_id: Uuid,
    pub purpose: String,
    /// With the offset the device sent.
    pub started_at: DateTime<FixedOffset>,
    pub ended_at: DateTime<FixedOffset>,
    /// Real elapsed minutes (a night across a clock change counts as lived).
    pub minutes: i64,
    pub place: String,
    pub note: Option<String>,
    pub trips: Vec<Trip>,
    pub status: crate::EntryStatus,
    /// `addition` or `void` for a correction made after the month closed (added in v1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amendment: Option<String>,
    pub version: i32,
    pub warnings: Vec<Warning>,
    /// For a `flagged` entry: the rule it now breaks, in words (added in v1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<Warning>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurposeMinutes {
    pub purpose: String,
    pub minutes: i64,
}

/// `GET /api/v1/clients/{client_id}/months/{month}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthSheet {
    pub client_id: Uuid,
    /// `YYYY-MM`
    pub month: String,
    pub state: crate::MonthState,
    pub allowance_minutes: i64,
    /// Active entries' minutes in this month (entries waiting for review do not count).
    pub used_minutes: i64,
    pub remaining_minutes: i64,
    /// Use by the month's end at the pace so far.
    pub projected_minutes: i64,
    pub transport_cap_cents: i64,
    pub transport_used_cents: i64,
    pub by_purpose: Vec<PurposeMinutes>,
    pub entries: Vec<Entry>,
    pub warnings: Vec<Warning>,
    /// The sheet's own version: it grows with every change of the month (added in v1.1).
    #[serde(default)]
    pub version: i32,
    /// When and how the month was confirmed: `client`, `representative`,
    /// `representative_also_assistant` (the assistant is also the representative) or
    /// `client_pin` (the client's PIN on the assistant's phone).
    #[serde(default)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub confirmed_as: Option<String>,
    #[serde(default)]
    pub approved_at: Option<DateTime<Utc>>,
    /// A coordinator's reason for approving without the client's confirmation.
    #[serde(default)]
    pub approval_reason: Option<String>,
    #[serde(default)]
    pub disputes: Vec<Dispute>,
    /// For an assistant: the other assistants' sessions on the days of their own assignment,
    /// as busy time only (when, not what); `entries` then holds only their own sessions and
    /// `disputes` only those of their own sessions. Empty for everyone else (added in v1.2).
    #[serde(default)]
    pub busy: Vec<Busy>,
}

/// Another assistant's session as a co-assigned assistant sees it: its time, so that the two
/// do not plan over each other, and its version, so that the client can confirm the whole
/// month on this phone. No purpose, place, note, trips or disputes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Busy {
    pub entry_id: Uuid,
    pub version: i32,
    pub started_at: DateTime<FixedOffset>,
    pub ended_at: DateTime<FixedOffset>,
    pub minutes: i64,
    pub status: crate::EntryStatus,
}

/// A client's objection to an entry, and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dispute {
    pub entry_id: Uuid,
    pub reason: String,
    pub comment: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

/// `POST …/months/{month}/approve` (`reason` required when the client has not confirmed) and
/// `…/reopen` (`reason` required).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthDecision {
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/entries/{entry_id}/review`: a coordinator's verdict on a late entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    /// `approve` or `reject`.
    pub decision: String,
    pub reason: String,
}

/// `POST /api/v1/entries/{entry_id}/flag`: a coordinator's verdict on a flagged entry
/// (added in v1.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlagResolution {
    /// `keep` (it counts again: the rule it broke is excused for it, e.g. escorting the client
    /// to hospital on the admission day) or `void` (it is taken out for good).
    pub resolution: String,
    pub reason: String,
}

/// `POST /api/v1/clients/{client_id}/months/{month}/disputes/{entry_id}/resolve`: how a
/// coordinator settled a client's dispute of one session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisputeResolution {
    /// `corrected` (the session was corrected) or `rejected` (it stands as recorded).
    pub resolution: String,
    pub reason: String,
}

/// `PUT /api/v1/clients/{client_id}/pin`: the client's own confirmation PIN (6 to 8 digits).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PinSet {
    pub pin: String,
}

/// One client's month in the coordinator's overview `GET /api/v1/months/{month}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthOverviewRow {
    pub client_id: Uuid,
    pub client_name: String,
    pub state: crate::MonthState,
    pub allowance_minutes: i64,
    pub used_minutes: i64,
    pub remaining_minutes: i64,
    pub open_disputes: i64,
    pub pending_review: i64,
}

/// `GET /api/v1/months/{month}`: a page of the month's overview, in the order of the clients'
/// names, with the month's client-months counted by state whatever the page and filter (paged
/// since v1.4; before, every row at once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthOverview {
    /// `YYYY-MM`
    pub month: String,
    pub items: Vec<MonthOverviewRow>,
    /// The rows of the filter (`state`), all pages.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    /// Every client-month of the month by state, in the life cycle's order (a state no
    /// client-month is in counts 0).
    pub by_state: Vec<StateCount>,
}

/// How many client-months are in a state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StateCount {
    pub state: crate::MonthState,
    pub count: u64,
}

/// `POST /api/v1/clients/{client_id}/months/{month}/confirm`: the client confirms exactly the
/// entries (and versions) they saw; anything changed since refuses it with `stale_version`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfirmRequest {
    pub entries: Vec<SeenEntry>,
    /// The client's own PIN, when confirming on the assistant's phone.
    #[serde(default)]
    pub pin: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenEntry {
    pub id: uuid::Uuid,
    pub version: i32,
}

/// `POST /api/v1/clients/{client_id}/months/{month}/dispute`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisputeRequest {
    pub entries: Vec<DisputedEntry>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisputedEntry {
    pub id: uuid::Uuid,
    pub reason: String,
}
