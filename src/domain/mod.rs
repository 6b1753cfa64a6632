//! The rules of the regulation as plain functions over plain types: no HTTP, no database.

pub mod audit;
pub mod decision;
pub mod ledger;
pub mod month;
pub mod pay;
pub mod policy;
pub mod rules;
pub mod statements;
pub mod text;
pub mod time;
