//! Shared enumerations and small types.

use serde::{Deserialize, Serialize};

/// What a login may do (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Assistant,
    Client,
    Representative,
    Coordinator,
    Accountant,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Assistant,
        Role::Client,
        Role::Representative,
        Role::Coordinator,
        Role::Accountant,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Assistant => "assistant",
            Role::Client => "client",
            Role::Representative => "representative",
            Role::Coordinator => "coordinator",
            Role::Accountant => "accountant",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The two services of the regulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Assistant,
    Companion,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Assistant => "assistant",
            Service::Companion => "companion",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        match s {
            "assistant" => Some(Service::Assistant),
            "companion" => Some(Service::Companion),
            _ => None,
        }
    }
}

/// Languages people read the service in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    Lv,
    Ru,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Lv => "lv",
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "lv" => Some(Locale::Lv),
            "ru" => Some(Locale::Ru),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

/// The assistant's social insurance status, which decides the employer contribution rate.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceStatus {
    #[default]
    Insured,
    OldAgePensioner,
    LongServicePensioner,
}

impl InsuranceStatus {
    pub const ALL: [InsuranceStatus; 3] = [
        InsuranceStatus::Insured,
        InsuranceStatus::OldAgePensioner,
        InsuranceStatus::LongServicePensioner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InsuranceStatus::Insured => "insured",
            InsuranceStatus::OldAgePensioner => "old_age_pensioner",
            InsuranceStatus::LongServicePensioner => "long_service_pensioner",
        }
    }

    pub fn parse(s: &str) -> Option<InsuranceStatus> {
        InsuranceStatus::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// A page of a list: `items` from `offset`, at most `limit` of them, out of `total`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

/// Health report of `/health/ready`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}
