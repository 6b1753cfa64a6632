//! The wire contract of the asistents API, version 1: every request and response body, the error
//! body and its codes. Shared by the server and its tests (and by any Rust client).
//!
//! Compatibility rule: within v1 fields are only ever added (new response fields are optional for
//! old clients to ignore), never renamed or removed.

pub mod auth;
pub mod entries;
pub mod error;
pub mod people;
pub mod policy;
pub mod statements;
pub mod sync;
pub mod types;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use types::*;
