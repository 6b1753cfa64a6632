//! The integration suite: every endpoint driven over HTTP against the real service.
//! Run against PostgreSQL by setting `ASISTENTS_TEST_DATABASE_URL` (see README).

mod helpers;

mod auth;
mod cli;
mod clients;
mod console;
mod decisions;
mod demo;
mod documents;
mod entries;
mod errors;
mod example;
mod faults;
mod flags;
mod matrix;
mod months;
mod need_to_know;
mod openapi;
mod ops;
mod people;
mod policy;
mod properties;
mod real_life;
mod snapshots;
mod statements;
mod sync;
mod users;
mod web;
