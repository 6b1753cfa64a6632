//! The coordinator's records: clients, decisions, suspensions, assistants, assignments, users.
//!
//! Update bodies use `Option<Option<T>>` for fields that can be cleared: absent = unchanged,
//! `null` = cleared, a value = set.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::{InsuranceStatus, Locale, Role, Service};

/// Tells "absent" (outer `None`, via `#[serde(default)]`) from `null` (`Some(None)`).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientCreate {
    pub name: String,
    pub birth_date: NaiveDate,
    pub personal_code: Option<String>,
    /// 1, 2 or 3 (an adult is granted the assistant service only with 1 or 2); none for a child.
    pub disability_group: Option<i32>,
    pub locale: Option<Locale>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClientUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub personal_code: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub disability_group: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub birth_date: NaiveDate,
    /// Present only in answers to coordinators and admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_code: Option<String>,
    pub disability_group: Option<i32>,
    pub locale: Locale,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub representatives: Vec<PersonRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transport {
    pub allowed: bool,
    #[serde(default)]
    pub monthly_cap_cents: i64,
}

/// `POST /api/v1/clients/{client_id}/decisions`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionCreate {
    pub number: String,
    pub decided_on: NaiveDate,
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub monthly_minutes: i64,
    /// Allowed purpose codes; absent or null = every purpose of the service kind.
    #[serde(default)]
    pub purposes: Option<Vec<String>>,
    #[serde(default)]
    pub transport: Option<Transport>,
    /// A child with doctor-prescribed procedures or rehabilitation at least weekly (higher cap).
    #[serde(default)]
    pub weekly_procedures: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/clients/{client_id}/decisions/{decision_id}/amendments`: a new version of the
/// decision from `effective_from`; what is absent is carried over from the version amended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionAmend {
    pub effective_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_minutes: Option<i64>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub purposes: Option<Option<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_procedures: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: Uuid,
    /// All versions of one decision share the series id.
    pub series_id: Uuid,
    pub version: i32,
    pub client_id: Uuid,
    pub number: String,
    pub decided_on: NaiveDate,
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// The day this version applies from.
    pub effective_from: NaiveDate,
    /// The last day this version applies (the day before the next version, or valid_to).
    pub effective_to: NaiveDate,
    pub monthly_minutes: i64,
    /// The purposes allowed (the service kind's full list when the decision names none).
    pub purposes: Vec<String>,
    /// True when the decision itself limits the purposes.
    pub purposes_limited: bool,
    pub transport: Transport,
    pub weekly_procedures: bool,
    pub note: Option<String>,
    pub suspensions: Vec<Suspension>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/clients/{client_id}/decisions/{decision_id}/suspensions`; both days inclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuspensionCreate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Suspension {
    pub id: Uuid,
    pub series_id: Uuid,
    pub client_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssistantCreate {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub personal_code: Option<String>,
    pub iban: Option<String>,
    pub insurance_status: Option<InsuranceStatus>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssistantUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub personal_code: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub iban: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_status: Option<InsuranceStatus>,
    /// The day `insurance_status` applies from (default: today). A change within a month splits
    /// that month's pay at the day; the days before keep the status held then (added in v1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assistant {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Present only in answers to coordinators and admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_code: Option<String>,
    pub iban: Option<String>,
    pub insurance_status: InsuranceStatus,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentCreate {
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    pub service: Service,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// The assistant is a family member of the client.
    #[serde(default)]
    pub relative: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentUpdate {
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_to: Option<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id: Uuid,
    pub assistant_id: Uuid,
    pub assistant_name: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub relative: bool,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/users`: links a login to the assistant, the client, or the clients a
/// representative acts for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserCreate {
    pub login: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub locale: Option<Locale>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub assistant_id: Option<Uuid>,
    #[serde(default)]
    pub client_id: Option<Uuid>,
    #[serde(default)]
    pub client_ids: Option<Vec<Uuid>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserUpdate {
    /// A new password; every device of the user is logged out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    /// A deactivated user can no longer log in and their devices are logged out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Representatives only: the full new list of clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ids: Option<Vec<Uuid>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub login: String,
    pub role: Role,
    pub display_name: String,
    pub locale: Locale,
    pub email: Option<String>,
    pub assistant_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub client_ids: Vec<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// `PATCH /api/v1/clients/{client_id}/suspensions/{suspension_id}`: e.g. a hospital stay that
/// ended earlier or later than first known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuspensionUpdate {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub reason: Option<String>,
}
