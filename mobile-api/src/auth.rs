//! Login, logout and "who am I".

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Locale, Role, Service};

/// `POST /api/v1/auth/login`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    pub device: DeviceInfo,
}

/// The phone (or browser) logging in; `device_id` is stable per installation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceInfo {
    pub device_id: String,
    pub name: String,
    pub platform: String,
    pub app_version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserSummary,
    /// The password was set by staff (a new login, or a reset): this token may only call
    /// `GET /me`, `POST /me/password` and log out; anything else answers 403
    /// `password_change_required`. Changing the password ends this token: log in again with
    /// the new one (added in v1.2).
    #[serde(default)]
    pub password_change_required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub locale: Locale,
}

/// `GET /api/v1/me`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Me {
    pub user: UserSummary,
    /// The assistant this login acts as (assistants only).
    pub assistant_id: Option<Uuid>,
    /// The clients this login acts for (clients and representatives).
    pub client_ids: Vec<Uuid>,
    /// For assistants: current assignments with the client's allowance state.
    pub assignments: Vec<MeAssignment>,
    /// As in the login's answer: this token may only change the password (added in v1.2).
    #[serde(default)]
    pub password_change_required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeAssignment {
    pub assignment_id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Purpose codes the client's decision allows (empty with no decision in force).
    pub allowed_purposes: Vec<String>,
    /// The same purposes with their names in Latvian, Russian and English, for people (added
    /// in v1.2).
    #[serde(default)]
    pub purposes: Vec<PurposeName>,
    /// The previous and the current month, in that order.
    pub months: Vec<MonthAllowance>,
}

/// A purpose as people know it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurposeName {
    pub code: String,
    pub lv: String,
    pub ru: String,
    pub en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthAllowance {
    /// `YYYY-MM`
    pub month: String,
    pub state: crate::MonthState,
    pub allowance_minutes: i64,
    pub used_minutes: i64,
    pub remaining_minutes: i64,
    /// This assistant's own counted minutes with this client in the month (added in v1.2).
    #[serde(default)]
    pub own_minutes: i64,
    /// An estimate of this assistant's gross pay for those minutes: the hourly rates in force,
    /// less the employer's contributions, computed as the pay statement will (trips aside). It
    /// is final only once the month is approved and closed (added in v1.2).
    #[serde(default)]
    pub estimated_gross_cents: i64,
}

/// A registered device as coordinators see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    pub id: Uuid,
    pub user_id: Uuid,
    pub device_id: String,
    pub name: String,
    pub platform: String,
    pub app_version: String,
    pub created_at: DateTime<Utc>,
    pub last_login_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}
