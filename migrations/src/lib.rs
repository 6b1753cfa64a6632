//! Database migrations. Frozen history: a migration never imports today's entity code, and a
//! released migration is never edited; a change of schema is a new migration.
//!
//! The schema is written once as SQL with a few type placeholders that each engine fills in
//! (see [`dialect`]), so SQLite and PostgreSQL get the same tables, keys and indexes.

pub use sea_orm_migration::prelude::*;

mod dialect;
mod m20261124_000001_initial;
mod m20261124_000002_entry_rules;
mod m20261124_000003_sync;
mod m20261124_000004_amendments;
mod m20261130_000005_trust;
mod m20261130_000006_real_life;
mod m20261130_000007_lookups;
mod m20261130_000008_flags;
mod m20261130_000009_wage_overrides;
mod m20261201_000010_reported_lines;
mod m20261201_000011_insurance_periods;
mod m20261201_000012_close_jobs;
mod m20261201_000013_pending_review;
mod m20261201_000014_replay_retention;
mod m20261201_000015_entries_by_time;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_initial::Migration),
            Box::new(m20261124_000002_entry_rules::Migration),
            Box::new(m20261124_000003_sync::Migration),
            Box::new(m20261124_000004_amendments::Migration),
            Box::new(m20261130_000005_trust::Migration),
            Box::new(m20261130_000006_real_life::Migration),
            Box::new(m20261130_000007_lookups::Migration),
            Box::new(m20261130_000008_flags::Migration),
            Box::new(m20261130_000009_wage_overrides::Migration),
            Box::new(m20261201_000010_reported_lines::Migration),
            Box::new(m20261201_000011_insurance_periods::Migration),
            Box::new(m20261201_000012_close_jobs::Migration),
            Box::new(m20261201_000013_pending_review::Migration),
            Box::new(m20261201_000014_replay_retention::Migration),
            Box::new(m20261201_000015_entries_by_time::Migration),
        ]
    }
}
