//! Temporary passwords set by staff, the outbox's lease owner, and one mail per recipient per
//! close.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000005_trust"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::dialect::run(manager, include_str!("m20261130_000005_trust.sql")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::dialect::run(
            manager,
            "alter table users drop column password_temporary; \
             alter table devices drop column temporary; \
             alter table outbox drop column claimed_by; \
             alter table outbox drop column digest",
        )
        .await
    }
}
