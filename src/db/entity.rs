//! SeaORM entities, one module per table of `migrations/` (the only place table shapes are
//! repeated). Relations are expressed in queries, not here.

pub mod clients {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::Locale;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "clients")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub search_name: String,
        pub birth_date: Date,
        pub personal_code: Option<String>,
        pub disability_group: Option<i32>,
        pub locale: Stored<Locale>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub pin_hash: Option<String>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod decisions {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::Service;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "decisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub series_id: Uuid,
        pub version: i32,
        pub client_id: Uuid,
        pub number: String,
        pub decided_on: Date,
        pub service: Stored<Service>,
        pub valid_from: Date,
        pub valid_to: Date,
        pub effective_from: Date,
        pub monthly_minutes: i32,
        pub purposes: Option<String>,
        pub transport_allowed: bool,
        pub transport_cap_cents: i64,
        pub weekly_procedures: bool,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
        pub created_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod suspensions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "suspensions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub series_id: Uuid,
        pub client_id: Uuid,
        pub starts_on: Date,
        pub ends_on: Date,
        pub reason: String,
        pub created_at: DateTimeUtc,
        pub created_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod assistants {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::InsuranceStatus;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "assistants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub search_name: String,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub personal_code: Option<String>,
        pub iban: Option<String>,
        pub insurance_status: Stored<InsuranceStatus>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod assignments {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::Service;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "assignments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub assistant_id: Uuid,
        pub client_id: Uuid,
        pub service: Stored<Service>,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
        pub relative: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod users {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::{Locale, Role};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub login: String,
        pub password_hash: String,
        pub role: Stored<Role>,
        pub display_name: String,
        pub locale: Stored<Locale>,
        pub email: Option<String>,
        pub assistant_id: Option<Uuid>,
        pub client_id: Option<Uuid>,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Set by staff: the login must choose its own password before anything else.
        pub password_temporary: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod representatives {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "representatives")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub client_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod devices {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "devices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub device_id: String,
        pub name: String,
        pub platform: String,
        pub app_version: String,
        pub token_hash: String,
        pub created_at: DateTimeUtc,
        pub last_login_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
        pub revoked_by: Option<Uuid>,
        pub last_applied_seq: i64,
        /// The seqs below its latest push's first: the phone had their answers (migration 14).
        pub confirmed_seq: i64,
        /// Opened with a password staff set: it may only change the password.
        pub temporary: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::users::Entity",
            from = "Column::UserId",
            to = "super::users::Column::Id"
        )]
        User,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod login_attempts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_attempts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub failures: i32,
        pub window_started_at: DateTimeUtc,
        pub locked_until: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod entries {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::EntryStatus;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub client_id: Uuid,
        pub assistant_id: Uuid,
        pub purpose: String,
        pub start_utc: i64,
        pub start_offset: i32,
        pub end_utc: i64,
        pub end_offset: i32,
        pub minutes: i32,
        pub place: String,
        pub note: Option<String>,
        pub status: Stored<EntryStatus>,
        pub version: i32,
        pub late: bool,
        pub review_reason: Option<String>,
        pub reviewed_by: Option<Uuid>,
        pub reviewed_at: Option<DateTimeUtc>,
        pub created_by: Uuid,
        pub device_time: Option<DateTimeUtc>,
        pub received_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub warnings: Option<String>,
        pub amendment: Option<String>,
        pub flag: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod trips {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "trips")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub entry_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub position: i32,
        pub mode: String,
        pub from_place: String,
        pub to_place: String,
        pub distance_m: i32,
        pub cost_cents: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod month_sheets {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::MonthState;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "month_sheets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub client_id: Uuid,
        pub month: String,
        pub state: Stored<MonthState>,
        pub used_minutes: i64,
        pub transport_used_cents: i64,
        pub version: i32,
        pub submitted_at: Option<DateTimeUtc>,
        pub submitted_by: Option<Uuid>,
        pub confirmed_at: Option<DateTimeUtc>,
        pub confirmed_by: Option<Uuid>,
        pub confirmed_as: Option<String>,
        pub approved_at: Option<DateTimeUtc>,
        pub approved_by: Option<Uuid>,
        pub approval_reason: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
        pub reported_version: Option<i32>,
        /// Its lines were recorded (`reported_lines`) when it was reported.
        pub lines_reported: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod month_disputes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "month_disputes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub client_id: Uuid,
        pub month: String,
        pub entry_id: Uuid,
        pub reason: String,
        pub comment: Option<String>,
        pub raised_by: Uuid,
        pub raised_at: DateTimeUtc,
        pub resolved_at: Option<DateTimeUtc>,
        pub resolution: Option<String>,
        /// The session's version when the client disputed it (none for disputes before it was kept).
        pub entry_version: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod policy_values {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "policy_values")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub key: String,
        pub effective_from: Date,
        pub value: String,
        pub source: String,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
        pub created_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod wage_overrides {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "wage_overrides")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub month: String,
        pub reason: String,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod insurance_periods {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::InsuranceStatus;

    /// An assistant's insurance status from a day on.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "insurance_periods")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub assistant_id: Uuid,
        pub status: Stored<InsuranceStatus>,
        pub effective_from: Date,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reported_lines {
    use sea_orm::entity::prelude::*;

    /// What a close reported for one line (work month × assistant × client × rate period); the
    /// rows of a line add up to what has been paid for it.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "reported_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub statement_id: Uuid,
        pub month: String,
        pub assistant_id: Uuid,
        pub client_id: Uuid,
        pub rate_from: Date,
        pub rate_cents: i64,
        pub minutes: i64,
        pub amount_cents: i64,
        pub trip_cents: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit_log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub actor_user_id: Option<Uuid>,
        pub action: String,
        pub subject_kind: String,
        pub subject_id: String,
        pub client_id: Option<Uuid>,
        pub before: Option<String>,
        pub after: Option<String>,
        pub prev_hash: String,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod statements {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "statements")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub month: String,
        pub kind: String,
        pub client_id: Option<Uuid>,
        pub assistant_id: Option<Uuid>,
        pub version: i32,
        pub is_correction: bool,
        pub supersedes: Option<Uuid>,
        pub summary: String,
        pub created_at: DateTimeUtc,
        /// The close job that made it, if a job did (since v1.4).
        pub close_job: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod statement_files {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "statement_files")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub statement_id: Uuid,
        pub name: String,
        pub mime: String,
        #[sea_orm(column_type = "VarBinary(StringLen::None)")]
        pub content: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod close_jobs {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::JobState;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "close_jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub month: String,
        pub state: Stored<JobState>,
        pub requested_by: Option<Uuid>,
        pub requested_at: DateTimeUtc,
        /// The close's instant: the statements it made carry it as `created_at`.
        pub started_at: Option<DateTimeUtc>,
        pub finished_at: Option<DateTimeUtc>,
        /// While running: when another worker may take the job over.
        pub lease_until: Option<DateTimeUtc>,
        pub claimed_by: Option<String>,
        pub statements: i64,
        pub mails_queued: i64,
        /// The client-months left for later, as JSON.
        pub pending: String,
        pub error_code: Option<String>,
        pub error_details: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod outbox {
    use sea_orm::entity::prelude::*;

    use crate::db::Stored;
    use mobile_api::OutboxState;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub statement_id: Uuid,
        pub recipient: String,
        pub message_id: String,
        pub state: Stored<OutboxState>,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
        pub resend_of: Option<Uuid>,
        pub created_at: DateTimeUtc,
        /// The process holding the lease (`host/bind address`), while `sending`.
        pub claimed_by: Option<String>,
        /// One mail for a whole close: its statement is the close's summary, and it carries the
        /// files of every statement issued with it.
        pub digest: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod idempotency_keys {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub request_hash: String,
        pub status: i32,
        pub response: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sync_mutations {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_mutations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub device_row: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub name: String,
        pub body_hash: String,
        pub status: String,
        pub outcome: String,
        pub device_time: Option<DateTimeUtc>,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod changes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub position: Option<i64>,
        pub kind: String,
        pub op: String,
        pub entity_id: String,
        pub client_id: Option<Uuid>,
        pub assistant_id: Option<Uuid>,
        pub user_id: Option<Uuid>,
        pub data: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
