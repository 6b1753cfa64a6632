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

/// An enumeration that travels and is stored as its snake_case name: `as_str`, `parse` (None
/// for a name it does not know) and `ALL`, matching its serde names (the variant's name in
/// snake_case, which the texts given here must be).
macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        // `rename_all` rather than a rename per variant: the OpenAPI derive does not read a
        // rename that comes through this macro. A test checks the names agree with `as_str`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// Where an entry stands (SPEC §6).
    EntryStatus {
        /// Counted.
        Active = "active",
        /// Late: waits for a coordinator's review and does not count until approved.
        PendingReview = "pending_review",
        /// A coordinator refused the late entry.
        Rejected = "rejected",
        /// Deleted by its author or staff.
        Deleted = "deleted",
        /// Cancelled by an amendment after the month closed.
        Voided = "voided",
        /// A fact recorded later (a suspension, a decision amended, a policy row with a past
        /// date) makes it break a rule: out of the count until a coordinator keeps or voids it
        /// (added in v1.2).
        Flagged = "flagged",
    }
}

named! {
    /// A client's month (SPEC §5).
    MonthState {
        Open = "open",
        Submitted = "submitted",
        Confirmed = "confirmed",
        Disputed = "disputed",
        Approved = "approved",
        Closed = "closed",
    }
}

named! {
    /// A statement mail's delivery.
    OutboxState {
        /// Waiting for its (next) attempt.
        Pending = "pending",
        /// Claimed by a worker right now.
        Sending = "sending",
        /// Handed to the mail server or written as a file.
        Sent = "sent",
        /// Undeliverable for longer than the configured retry time.
        Failed = "failed",
    }
}

named! {
    /// A month close running in the background (added in v1.4).
    JobState {
        /// Waiting for a worker (at once in the process that took the request).
        Queued = "queued",
        /// A worker is closing the month.
        Running = "running",
        /// Finished: the statements are made and their mail queued.
        Done = "done",
        /// Ended without closing: nothing of it was written; `error` says why.
        Failed = "failed",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn wire<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn each_name_is_the_one_on_the_wire_and_reads_back() {
        for &s in EntryStatus::ALL {
            assert_eq!(wire(s), s.as_str());
            assert_eq!(EntryStatus::parse(s.as_str()), Some(s));
        }
        for &s in MonthState::ALL {
            assert_eq!(wire(s), s.as_str());
            assert_eq!(MonthState::parse(s.as_str()), Some(s));
        }
        for &s in OutboxState::ALL {
            assert_eq!(wire(s), s.as_str());
            assert_eq!(OutboxState::parse(s.as_str()), Some(s));
        }
        for &s in JobState::ALL {
            assert_eq!(wire(s), s.as_str());
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        for s in Role::ALL {
            assert_eq!(wire(s), s.as_str());
        }
        for s in InsuranceStatus::ALL {
            assert_eq!(wire(s), s.as_str());
        }
        assert_eq!(EntryStatus::parse("archived"), None);
    }
}
