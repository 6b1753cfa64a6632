//! Mobile sync: push a queue of mutations exactly once, pull what changed by cursor.
//! See `mobile-api/README.md` for the loop a phone runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::entries::{Entry, EntryWrite, Warning};
use crate::error::ErrorDetail;

/// `POST /api/v1/sync/push`: at most 500 mutations and 1 MiB.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushRequest {
    /// The `device.device_id` this token was issued for at login.
    pub device_id: String,
    /// The device's clock when it sent the push (for the `clock_skew` warning). Optional.
    #[serde(default)]
    pub device_time: Option<DateTime<Utc>>,
    pub mutations: Vec<Mutation>,
}

/// One queued change. `seq` counts from 1 per device and never repeats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mutation {
    pub seq: i64,
    /// `entry.save` (args: an [`crate::entries::EntryWrite`] with `id` and `base_version`:
    /// null creates), `entry.delete` (args: `{id, base_version}`), `month.submit` (args:
    /// `{client_id, month}`).
    pub name: String,
    pub args: serde_json::Value,
}

/// The kinds of mutation a phone may queue, by their wire `name`. A name this version does not
/// know is refused for that mutation alone (its seq is consumed), so a newer app's queue never
/// wedges on an older server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MutationName {
    /// `entry.save`: create (null `base_version`) or edit a session; args an [`EntryWrite`].
    EntrySave,
    /// `entry.delete`: args [`EntryDeleteArgs`].
    EntryDelete,
    /// `month.submit`: hand in a client's month; args [`MonthSubmitArgs`].
    MonthSubmit,
}

impl MutationName {
    pub const ALL: [MutationName; 3] = [
        MutationName::EntrySave,
        MutationName::EntryDelete,
        MutationName::MonthSubmit,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            MutationName::EntrySave => "entry.save",
            MutationName::EntryDelete => "entry.delete",
            MutationName::MonthSubmit => "month.submit",
        }
    }

    pub fn parse(s: &str) -> Option<MutationName> {
        MutationName::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

/// The args of `entry.delete`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntryDeleteArgs {
    pub id: uuid::Uuid,
    /// The version the phone last saw.
    pub base_version: i32,
}

/// The args of `month.submit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthSubmitArgs {
    pub client_id: uuid::Uuid,
    /// `YYYY-MM`
    pub month: String,
}

/// A mutation read into its kind: the typed form of `{name, args}`.
#[derive(Clone, Debug, PartialEq)]
pub enum MutationKind {
    EntrySave(Box<EntryWrite>),
    EntryDelete(EntryDeleteArgs),
    MonthSubmit(MonthSubmitArgs),
}

impl MutationKind {
    pub fn name(&self) -> MutationName {
        match self {
            MutationKind::EntrySave(_) => MutationName::EntrySave,
            MutationKind::EntryDelete(_) => MutationName::EntryDelete,
            MutationKind::MonthSubmit(_) => MutationName::MonthSubmit,
        }
    }

    /// The mutation a phone queues for this kind.
    pub fn mutation(&self, seq: i64) -> Mutation {
        let args = match self {
            MutationKind::EntrySave(w) => serde_json::to_value(w),
            MutationKind::EntryDelete(a) => serde_json::to_value(a),
            MutationKind::MonthSubmit(a) => serde_json::to_value(a),
        };
        Mutation {
            seq,
            name: self.name().as_str().to_owned(),
            args: args.unwrap_or_default(),
        }
    }
}

/// What happened to one mutation.
///
/// `status`: `applied`; `rejected` (a rule refused it, `error` says which; the seq is consumed, so
/// the queue moves on); `duplicate` (this seq was applied before with the same body: the original
/// outcome is in `original_status` and `error`, and `entry` is the entry it wrote as the server
/// holds it now; once the phone has pushed past the seq and the server's retention time has
/// passed, the first outcome is forgotten and a `duplicate` comes without them). Two more `error.code`s come with
/// `rejected` and do **not** consume the seq: `seq_conflict` (the seq was used before with a
/// different body) and `seq_gap` (a seq is missing; `error.details.expected_seq` says where to
/// resume; the rest of the batch was not looked at).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MutationResult {
    pub seq: i64,
    pub status: String,
    /// For `duplicate`: `applied` or `rejected`; absent once the first outcome is forgotten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<Warning>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The highest seq the server has applied for this device.
    pub last_applied_seq: i64,
    pub server_time: DateTime<Utc>,
}

/// One change since the cursor. `kind`: `entry` (the user's own entries; `op` `upsert` or
/// `delete` — a tombstone with `data.id`), `month` (a client's month: state, allowance, use),
/// `assignment`, `decision` (`op` `upsert`: a version, `purposes` a list or null; `op`
/// `suspension`: a suspension of it), `dispute` (`op` `raised`: a client disputed an entry),
/// `mutation` (a refused mutation of this user: `op` `rejected`). `mobile-api/README.md` lists
/// each kind's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub kind: String,
    pub op: String,
    pub id: String,
    pub data: serde_json::Value,
}

/// `GET /api/v1/sync/pull?cursor=…&limit=…`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Opaque: pass it back as `cursor` for the next page. Empty from the beginning.
    pub cursor: String,
    pub has_more: bool,
    pub last_applied_seq: i64,
    pub server_time: DateTime<Utc>,
}
