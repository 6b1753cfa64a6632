//! The first schema: everything SPEC §3 names.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_initial"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::dialect::run(manager, include_str!("m20261124_000001_initial.sql")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::dialect::run(
            manager,
            "drop table outbox; drop table statement_files; drop table statements;
             drop table audit_log; drop table policy_values; drop table month_disputes;
             drop table month_sheets; drop table trips; drop table entries;
             drop table login_attempts; drop table devices; drop table representatives;
             drop table users; drop table assignments; drop table assistants;
             drop table suspensions; drop table decisions; drop table clients",
        )
        .await
    }
}
