//! The regulation's figures as versioned data.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One version of one figure: `value` applies from `effective_from` until the next version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyValue {
    pub id: Uuid,
    pub key: String,
    pub effective_from: NaiveDate,
    pub value: serde_json::Value,
    /// The legal act or page the figure comes from.
    pub source: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/policy` (admin): a new version of a figure from a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyCreate {
    pub key: String,
    pub effective_from: NaiveDate,
    pub value: serde_json::Value,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `GET /api/v1/policy?on=YYYY-MM-DD`: the figures in force on a day, and every version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub on: NaiveDate,
    pub in_force: Vec<PolicyValue>,
    pub history: Vec<PolicyValue>,
    /// What is wrong with the figures in force, in the caller's language: today only
    /// `rate_below_minimum_wage` (added in v1.2).
    #[serde(default)]
    pub warnings: Vec<crate::entries::Warning>,
}
