//! The social service's console at `/console/`, for coordinators, accountants and admins:
//! server-rendered, no JavaScript, in lv/ru/en. Accountants read the month board, the statements
//! and the policy; coordinators and admins act. This module is the console's route table; each
//! screen lives in its own module, and what they share in `page`.

use axum::Router;

use crate::service::AppState;

mod board;
mod page;
mod people;
mod queue;
mod records;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(board::router())
        .merge(queue::router())
        .merge(people::router())
        .merge(records::router())
}
