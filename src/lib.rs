//! asistents: timesheets, rules and monthly statements for Latvia's state-funded assistant
//! service. The binary in `main.rs` is a thin CLI over this library.

pub mod app;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod net;
pub mod secrets;
pub mod service;
pub mod telemetry;
pub mod web;

pub use app::App;
pub use clock::Clock;
pub use config::Config;
pub use service::AppState;
