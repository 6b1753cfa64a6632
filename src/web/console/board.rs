//! Signing in and out, the staff member's own password, and the month board: every client of a
//! month with what stops the close, bulk approval of the confirmed months, approval without
//! confirmation with a reason, and the close itself.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use mobile_api::statements::CloseJob;
use mobile_api::{JobState, Locale, MonthState};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use crate::i18n;
use crate::service::{self, AppState};
use crate::web::{
    LANG, csrf_for, duration, locale_at, render, same_origin, set_cookie_at, text, with_cookie,
};

use super::page::*;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(home))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route(
            "/console/password",
            get(password_page).post(change_password),
        )
        .route("/console/months/{month}", get(board))
        .route("/console/months/{month}/approve", post(approve_confirmed))
        .route(
            "/console/months/{month}/clients/{client_id}/approve",
            post(approve_one),
        )
        .route("/console/months/{month}/close", post(close))
        .route("/console/months/{month}/wage-override", post(wage_override))
}

/// The month that needs closing: the last one.
async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(to) = session(&state, &headers).await {
        return to;
    }
    let last = Month::of(riga_date(state.clock.now())).prev();
    Redirect::to(&format!("/console/months/{last}")).into_response()
}

async fn login_page(headers: HeaderMap, Query(q): Query<Lang>) -> Response {
    let (lang, set) = locale_at(PATH, &headers, q.lang.as_deref());
    let notice =
        (q.done.as_deref() == Some("password")).then(|| text::word("login_with_new", lang));
    let page = render(
        StatusCode::OK,
        "console_login.html",
        context! { lang => lang.as_str(), t => words(lang), login => "", notice => notice },
    );
    with_cookie(page, set)
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let (lang, _) = locale_at(PATH, &headers, None);
    let again = |problem: String, status: StatusCode| {
        render(
            status,
            "console_login.html",
            context! { lang => lang.as_str(), t => words(lang), login => form.login.chars().take(100).collect::<String>(), problem => problem },
        )
    };
    if !same_origin(&headers) {
        return again(
            i18n::message(
                mobile_api::ErrorCode::Forbidden,
                lang,
                &serde_json::json!({}),
            ),
            StatusCode::FORBIDDEN,
        );
    }
    let done = crate::web::sign_in(
        &state,
        peer,
        service::auth::Channel::Console,
        (&form.login, &form.password),
        SESSION_HOURS,
    )
    .await;
    match done {
        Ok(done) => {
            // A password staff set leads to the page to choose one's own first.
            let to = if done.password_change_required {
                "/console/password"
            } else {
                "/console/"
            };
            let mut r = Redirect::to(to).into_response();
            for c in [
                set_cookie_at(PATH, SESSION, &done.token, SESSION_HOURS * 3600),
                set_cookie_at(PATH, LANG, done.user.locale.as_str(), 365 * 24 * 3600),
            ] {
                if let Ok(c) = HeaderValue::from_str(&c) {
                    r.headers_mut().append(header::SET_COOKIE, c);
                }
            }
            r
        }
        Err(ApiError::TooManyAttempts { .. }) => again(
            text::word("too_many", lang).into(),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(ApiError::InvalidCredentials) => again(
            text::word("wrong_login", lang).into(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => {
            let status = e.status();
            let (code, details) = e.code_and_details();
            again(i18n::message(code, lang, &details), status)
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Ok(Session { caller, token }) = session(&state, &headers).await
        && form.csrf == csrf_for(&token)
    {
        let _ = service::auth::revoke(&state.env(), caller.device, caller.user_id, "logout").await;
    }
    crate::web::logged_out_to(PATH, SESSION, "/console/login")
}

/// Clients on one page of the board (a coordinator has about forty; a national office pages).
const BOARD_ROWS: u64 = 200;

/// Every client of the month: state, hours used and left, disputes and late entries waiting,
/// and what the coordinator can do about each.
async fn board(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(month): Path<String>,
    Query(q): Query<Lang>,
) -> Response {
    let who = match session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, set) = locale_at(PATH, &headers, q.lang.as_deref());
    let Some(month) = Month::parse(&month) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let notice = q.done.as_deref().map(|d| match d {
        "closed" => text::word("c_done_closed", lang),
        "overridden" => text::word("c_done_overridden", lang),
        _ => text::word("c_done_approved", lang),
    });
    let notice = notice.map(|n| (false, n.to_owned()));
    match board_page(
        &state,
        &who,
        month,
        lang,
        (q.state.as_deref(), q.offset.unwrap_or(0)),
        notice,
        StatusCode::OK,
    )
    .await
    {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn board_page(
    state: &AppState,
    who: &Session,
    month: Month,
    lang: Locale,
    (only, offset): (Option<&str>, u64),
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let only = only.and_then(MonthState::parse);
    let page =
        service::months::overview(state, &who.caller, month, only, (offset, BOARD_ROWS)).await?;
    let count = |s: MonthState| {
        page.by_state
            .iter()
            .find(|c| c.state == s)
            .map_or(0, |c| c.count)
    };
    let states = [
        MonthState::Open,
        MonthState::Submitted,
        MonthState::Disputed,
        MonthState::Confirmed,
        MonthState::Approved,
        MonthState::Closed,
    ];
    let tally: Vec<minijinja::Value> = states
        .iter()
        .map(|s| context! { state => s.as_str(), text => text::word(&format!("cs_{s}"), lang), n => count(*s) })
        .collect();
    let shown: Vec<minijinja::Value> = page
        .items
        .iter()
        .map(|r| {
            context! {
                id => r.client_id.to_string(),
                name => r.client_name.clone(),
                state => r.state.as_str(),
                state_text => text::word(&format!("cs_{}", r.state), lang),
                used => duration(r.used_minutes, lang),
                allowance => duration(r.allowance_minutes, lang),
                left => duration(r.remaining_minutes, lang),
                disputes => r.open_disputes,
                pending => r.pending_review,
                confirmed => r.state == MonthState::Confirmed && r.pending_review == 0,
                unconfirmed => matches!(r.state, MonthState::Open | MonthState::Submitted | MonthState::Disputed),
            }
        })
        .collect();
    let stopping: u64 = states
        .iter()
        .filter(|s| !matches!(s, MonthState::Approved | MonthState::Closed))
        .map(|s| count(*s))
        .sum();
    let listed = page.items.len() as u64;
    let pager = context! {
        from => if listed == 0 { 0 } else { offset + 1 }, to => offset + listed, total => page.total,
        prev => (offset > 0).then(|| offset.saturating_sub(BOARD_ROWS)),
        next => (offset + listed < page.total).then_some(offset + listed),
    };
    // A rate below the minimum wage stops the close until a new rate or an admin's reason.
    let below = service::statements::below_minimum_wage(&state.db, month)
        .await?
        .first()
        .map(|b| {
            message_of(
                &ApiError::Rule {
                    code: mobile_api::ErrorCode::RateBelowMinimumWage,
                    details: service::statements::below_details(b),
                },
                lang,
            )
        });
    let overridden = match below {
        Some(_) => service::statements::wage_override_of(state, month).await?,
        None => None,
    };
    // Closed months corrected since they were sent: the next close carries them.
    let corrections: Vec<minijinja::Value> = service::statements::corrections_waiting(
        state,
        &who.caller,
    )
    .await?
    .into_iter()
    .map(|(of, id, name)| context! { month => of.to_string(), id => id.to_string(), name => name })
    .collect();
    // A close of this month still running (in this or another process) is shown until it ends.
    let closing = service::close_jobs::of_month(state, &who.caller, lang, month)
        .await?
        .into_iter()
        .next()
        .filter(|j| matches!(j.state, JobState::Queued | JobState::Running))
        .is_some();
    let first = month.first_day();
    Ok(show(
        who,
        lang,
        "console_board.html",
        status,
        message,
        context! {
            month => month.to_string(),
            month_name => text::month_name(chrono::Datelike::month(&first), chrono::Datelike::year(&first), lang),
            prev => month.prev().to_string(), next => month.next().to_string(),
            rows => shown, tally => tally, only => only.map_or("", MonthState::as_str),
            pager => pager,
            approved => count(MonthState::Approved).to_string(),
            stopping => text::word("c_stopping", lang).replace("{n}", &stopping.to_string()),
            below => below, overridden => overridden, corrections => corrections,
            closing => closing,
        },
    ))
}

/// After an action: back to the board with a notice, or the board again with the problem.
async fn after(
    state: &AppState,
    who: &Session,
    month: Month,
    lang: Locale,
    result: Result<&str, (ApiError, Option<String>)>,
) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("/console/months/{month}?done={done}")).into_response(),
        Err((e, name)) => {
            let status = e.status();
            let mut message = message_of(&e, lang);
            if let Some(name) = name {
                message = format!("{name}: {message}");
            }
            board_page(
                state,
                who,
                month,
                lang,
                (None, 0),
                Some((true, message)),
                status,
            )
            .await
            .unwrap_or_else(|e| problem_page(e, lang, who))
        }
    }
}

/// Approves every ticked confirmed month with one reason (optional: they are confirmed).
async fn approve_confirmed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(month): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Some(month) = Month::parse(&month) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let ticked: Vec<Uuid> = fields
        .0
        .iter()
        .filter(|(k, _)| k == "client")
        .filter_map(|(_, v)| v.parse().ok())
        .take(100_000)
        .collect();
    if ticked.is_empty() {
        return after(
            &state,
            &who,
            month,
            lang,
            Err((ApiError::invalid("client", "empty"), None)),
        )
        .await;
    }
    let reason = fields
        .get("reason")
        .map(str::trim)
        .filter(|r| !r.is_empty());
    for client in ticked {
        if let Err(e) =
            service::months::approve(&state, &who.caller, lang, client, month, reason).await
        {
            let name = service::clients::read(&state, &who.caller, client)
                .await
                .ok()
                .map(|c| c.name);
            return after(&state, &who, month, lang, Err((e, name))).await;
        }
    }
    after(&state, &who, month, lang, Ok("approved")).await
}

/// Approves one client's month that the client has not confirmed: a reason is required.
async fn approve_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((month, client)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let (Some(month), Ok(client)) = (Month::parse(&month), client.parse::<Uuid>()) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let reason = fields
        .get("reason")
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let name = service::clients::read(&state, &who.caller, client)
        .await
        .ok()
        .map(|c| c.name);
    let Some(reason) = reason else {
        return after(
            &state,
            &who,
            month,
            lang,
            Err((ApiError::invalid("reason", "required"), name)),
        )
        .await;
    };
    let done =
        service::months::approve(&state, &who.caller, lang, client, month, Some(reason)).await;
    after(
        &state,
        &who,
        month,
        lang,
        done.map(|()| "approved").map_err(|e| (e, name)),
    )
    .await
}

#[derive(serde::Deserialize)]
struct ReasonForm {
    csrf: String,
    reason: String,
}

/// An admin records why the month closes although its rate pays below the minimum wage.
async fn wage_override(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(month): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Some(month) = Month::parse(&month) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let done = service::statements::override_wage(&state, &who.caller, month, &form.reason).await;
    after(
        &state,
        &who,
        month,
        lang,
        done.map(|()| "overridden").map_err(|e| (e, None)),
    )
    .await
}

/// Closes the month: statements for every approved client-month, mail queued.
async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(month): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Some(month) = Month::parse(&month) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let job = match service::close_jobs::request(&state, &who.caller, month).await {
        Ok(job) => job,
        Err(e) => return after(&state, &who, month, lang, Err((e, None))).await,
    };
    // A small close is done in a moment: wait a little so the coordinator sees its outcome;
    // a large one goes on in the background and the board says so.
    let mut seen = service::close_jobs::view(job, lang);
    for _ in 0..30 {
        if matches!(seen.state, JobState::Done | JobState::Failed) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        match service::close_jobs::read(&state, &who.caller, lang, seen.id).await {
            Ok(now) => seen = now,
            Err(e) => return problem_page(e, lang, &who),
        }
    }
    let status = match seen.state {
        JobState::Failed => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let message = job_message(&seen, lang);
    board_page(&state, &who, month, lang, (None, 0), message, status)
        .await
        .unwrap_or_else(|e| problem_page(e, lang, &who))
}

/// What a close job's state tells the coordinator: (a problem?, the text).
fn job_message(job: &CloseJob, lang: Locale) -> Option<(bool, String)> {
    match job.state {
        JobState::Queued | JobState::Running => {
            Some((false, text::word("c_close_running", lang).to_owned()))
        }
        JobState::Failed => Some((
            true,
            job.error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )),
        JobState::Done => {
            let mut message = text::word("c_closed", lang)
                .replace("{s}", &job.statements.to_string())
                .replace("{m}", &job.mails_queued.to_string());
            if !job.pending.is_empty() {
                let names: Vec<&str> = job.pending.iter().map(|p| p.client_name.as_str()).collect();
                message.push(' ');
                message.push_str(
                    &text::word("c_closed_pending", lang)
                        .replace("{n}", &names.len().to_string())
                        .replace("{names}", &names.join(", ")),
                );
            }
            Some((false, message))
        }
    }
}

async fn password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Lang>,
) -> Response {
    let who = match session_any(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, set) = locale_at(PATH, &headers, q.lang.as_deref());
    with_cookie(password_form(lang, &who, None, StatusCode::OK), set)
}

fn password_form(
    lang: Locale,
    who: &Session,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    show(
        who,
        lang,
        "console_password.html",
        status,
        problem.map(|p| (true, p)),
        context! { temporary => who.caller.temporary },
    )
}

/// The member of staff chooses their own password; after one staff set, the session ends with
/// it and they log in again with the new one.
async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<crate::web::PasswordForm>,
) -> Response {
    let who = match session_any(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, _) = locale_at(PATH, &headers, None);
    if form.csrf != csrf_for(&who.token) || !same_origin(&headers) {
        return problem_page(ApiError::Forbidden, lang, &who);
    }
    match crate::web::change_own_password(&state, &who.caller, &form, lang).await {
        crate::web::PasswordChange::LogInAgain => {
            crate::web::logged_out_to(PATH, SESSION, "/console/login?done=password")
        }
        crate::web::PasswordChange::Done => Redirect::to("/console/").into_response(),
        crate::web::PasswordChange::Problem(problem, status) => {
            password_form(lang, &who, Some(problem), status)
        }
    }
}
