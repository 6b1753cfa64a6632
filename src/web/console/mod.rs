//! The social service's console at `/console/`, for coordinators, accountants and admins:
//! server-rendered, no JavaScript, in lv/ru/en. This first part is the month board: every
//! client of a month in one screen with what stops the close, bulk approval of the confirmed
//! months, approval without confirmation with a reason, and the close itself. Accountants read
//! the board; only coordinators and admins act on it.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use mobile_api::{Locale, MonthState, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    LANG, cookie, csrf_for, duration, locale_at, render, same_origin, set_cookie_at, text,
    with_cookie,
};
use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use crate::i18n;
use crate::service::auth::Caller;
use crate::service::{self, AppState};

mod people;
mod records;

const SESSION: &str = "asistents_console";
const PATH: &str = "/console";
const SESSION_HOURS: i64 = 10;

pub fn router() -> Router<AppState> {
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
        .route("/console/exceptions", get(exceptions))
        .route("/console/entries/{entry_id}/review", post(review))
        .route("/console/outbox/{outbox_id}/resend", post(resend))
        .route(
            "/console/clients/{client_id}/months/{month}/disputes/{entry_id}",
            post(resolve_dispute),
        )
        .merge(people::router())
        .merge(records::router())
}

struct Session {
    caller: Caller,
    token: String,
}

/// Before an action: the person's session, their language, and a form of this site carrying
/// the session's token (`csrf`); otherwise the page to answer with.
async fn acting(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<(Session, Locale), Response> {
    let who = session(state, headers).await?;
    let (lang, _) = locale_at(PATH, headers, None);
    if csrf != Some(csrf_for(&who.token).as_str()) || !same_origin(headers) {
        return Err(problem_page(ApiError::Forbidden, lang, &who));
    }
    Ok((who, lang))
}

/// The signed-in member of staff, who has their own password (one staff set leads to the
/// page to choose it); otherwise the login.
async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    let who = session_any(state, headers).await?;
    if who.caller.temporary {
        return Err(Redirect::to("/console/password").into_response());
    }
    Ok(who)
}

/// The signed-in member of staff, also with a password staff set (for the password page).
async fn session_any(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    let to_login = || Redirect::to("/console/login").into_response();
    let token = cookie(headers, SESSION).ok_or_else(to_login)?.to_owned();
    let caller = service::auth::caller_from_token(state, &token)
        .await
        .map_err(|_| to_login())?;
    if !matches!(
        caller.role,
        Role::Coordinator | Role::Accountant | Role::Admin
    ) {
        return Err(to_login());
    }
    Ok(Session { caller, token })
}

/// Before showing a page: the person's session, their language, and the language cookie to set.
async fn viewing(
    state: &AppState,
    headers: &HeaderMap,
    asked: Option<&str>,
) -> Result<(Session, Locale, Option<String>), Response> {
    let who = session(state, headers).await?;
    let (lang, set) = locale_at(PATH, headers, asked);
    Ok((who, lang, set))
}

/// A session's day and time as people read them: `14.10.2026 09:00–11:30`.
fn when(
    from: chrono::DateTime<chrono::FixedOffset>,
    to: chrono::DateTime<chrono::FixedOffset>,
) -> String {
    let (from, to) = (
        from.with_timezone(&crate::domain::time::TZ),
        to.with_timezone(&crate::domain::time::TZ),
    );
    format!(
        "{} {}–{}",
        from.format("%d.%m.%Y"),
        from.format("%H:%M"),
        to.format("%H:%M")
    )
}

/// A day as people read it: `14.10.2026`.
fn day(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// An instant in Riga as people read it: `14.10.2026 09:00`.
fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&crate::domain::time::TZ)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The purposes' names in the person's language, by code.
async fn purpose_names(
    state: &AppState,
    lang: Locale,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Ok(service::policy::purposes(state)
        .await?
        .into_iter()
        .map(|p| {
            let name = match lang {
                Locale::Lv => p.labels.lv,
                Locale::Ru => p.labels.ru,
                Locale::En => p.labels.en,
            };
            (p.code, name)
        })
        .collect())
}

#[derive(Deserialize)]
struct Lang {
    lang: Option<String>,
    state: Option<String>,
    done: Option<String>,
}

fn words(lang: Locale) -> std::collections::BTreeMap<&'static str, &'static str> {
    text::words(lang)
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
    let done = super::sign_in(
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

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
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
    super::logged_out_to(PATH, SESSION, "/console/login")
}

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
        _ => text::word("c_done_approved", lang),
    });
    let notice = notice.map(|n| (false, n.to_owned()));
    match board_page(
        &state,
        &who,
        month,
        lang,
        q.state.as_deref(),
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
    only: Option<&str>,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let rows = service::months::overview(state, &who.caller, month).await?;
    let count = |s: MonthState| rows.iter().filter(|r| r.state == s).count();
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
    let shown: Vec<minijinja::Value> = rows
        .iter()
        .filter(|r| only.is_none_or(|o| r.state.as_str() == o))
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
    let stopping = rows
        .iter()
        .filter(|r| !matches!(r.state, MonthState::Approved | MonthState::Closed))
        .count();
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
            rows => shown, tally => tally, only => only.unwrap_or(""),
            approved => count(MonthState::Approved).to_string(),
            stopping => text::word("c_stopping", lang).replace("{n}", &stopping.to_string()),
        },
    ))
}

/// A console page for the signed-in member of staff: the layout's context (language, words,
/// the form token, who is signed in and what their role may open), a notice or a problem
/// (`(true, …)`), and the page's own `extra` context.
fn show(
    who: &Session,
    lang: Locale,
    name: &str,
    status: StatusCode,
    message: Option<(bool, String)>,
    extra: minijinja::Value,
) -> Response {
    render(
        status,
        name,
        context! {
            lang => lang.as_str(), t => words(lang), csrf => csrf_for(&who.token),
            who => who.caller.display_name.clone(),
            staff => who.caller.is_staff(), admin => who.caller.role == Role::Admin,
            problem => message.as_ref().filter(|m| m.0).map(|m| m.1.clone()),
            notice => message.as_ref().filter(|m| !m.0).map(|m| m.1.clone()),
            ..extra
        },
    )
}

/// The message of a refusal in the person's language.
/// A field is named as the form labels it, not by its code.
fn message_of(e: &ApiError, lang: Locale) -> String {
    let (code, mut details) = e.code_and_details();
    if let Some(field) = details.get("field").and_then(|f| f.as_str()) {
        let key = match field {
            "name" | "display_name" => "c_name",
            "birth_date" => "c_born",
            "personal_code" => "c_personal_code",
            "disability_group" => "c_group",
            "email" => "c_email",
            "phone" => "c_phone",
            "number" => "c_decision_number",
            "decided_on" => "c_decided_on",
            "valid_from" => "c_valid_from",
            "valid_to" => "c_valid_to",
            "monthly_hours" | "monthly_minutes" => "c_monthly_hours",
            "transport_cap" => "c_transport_cap",
            "purposes" => "c_purposes",
            "assistant_id" => "assistant",
            "login" => "login",
            "password" => "c_temporary_password",
            "reason" => "c_reason",
            "pin" => "c_new_pin",
            "key" => "c_figure",
            "value" => "c_value",
            "source" => "c_source",
            "effective_from" => "c_from",
            "role" => "c_role",
            "resolution" => "c_resolved",
            "client" => "c_client",
            _ => "",
        };
        let label = text::word(key, lang);
        if !label.is_empty() {
            details["field"] = serde_json::Value::String(label.to_owned());
        }
    }
    i18n::message(code, lang, &details)
}

fn problem_page(e: ApiError, lang: Locale, who: &Session) -> Response {
    let message = message_of(&e, lang);
    show(
        who,
        lang,
        "console_board.html",
        e.status(),
        Some((true, message)),
        context! {},
    )
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
            board_page(state, who, month, lang, None, Some((true, message)), status)
                .await
                .unwrap_or_else(|e| problem_page(e, lang, who))
        }
    }
}

/// A form's fields as sent.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
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
    match service::statements::close_report(&state, &who.caller, month).await {
        Ok(report) => {
            let message = text::word("c_closed", lang)
                .replace("{s}", &report.statements.len().to_string())
                .replace("{m}", &report.mails_queued.to_string());
            board_page(
                &state,
                &who,
                month,
                lang,
                None,
                Some((false, message)),
                StatusCode::OK,
            )
            .await
            .unwrap_or_else(|e| problem_page(e, lang, &who))
        }
        Err(e) => after(&state, &who, month, lang, Err((e, None))).await,
    }
}

/// What waits for a person, oldest first: late entries to review, mail that could not be sent.
/// (Disputes show on the month board, with the client's reasons on the month sheet.)
async fn exceptions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Lang>,
) -> Response {
    let who = match session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, set) = locale_at(PATH, &headers, q.lang.as_deref());
    let notice = q.done.as_deref().map(|d| {
        (
            false,
            match d {
                "resent" => text::word("c_done_resent", lang),
                "resolved" => text::word("c_done_resolved", lang),
                _ => text::word("c_done_reviewed", lang),
            }
            .to_owned(),
        )
    });
    match exceptions_page(&state, &who, lang, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn exceptions_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    who.caller.require_staff()?;
    let filter = service::entries::ListFilter {
        client_id: None,
        assistant_id: None,
        month: None,
        status: Some(mobile_api::EntryStatus::PendingReview),
        with_warnings: false,
    };
    let mut late = service::entries::list(state, &who.caller, lang, filter, (0, 500))
        .await?
        .items;
    late.sort_by_key(|e| e.started_at);
    let mut names: std::collections::HashMap<Uuid, String> = std::collections::HashMap::new();
    for e in &late {
        if let std::collections::hash_map::Entry::Vacant(v) = names.entry(e.client_id) {
            v.insert(
                service::clients::read(state, &who.caller, e.client_id)
                    .await?
                    .name,
            );
        }
        if let std::collections::hash_map::Entry::Vacant(v) = names.entry(e.assistant_id) {
            v.insert(
                service::assistants::read(state, &who.caller, e.assistant_id)
                    .await?
                    .name,
            );
        }
    }
    let policy = service::policy::purposes(state).await?;
    let label = |code: &str| {
        policy
            .iter()
            .find(|p| p.code == code)
            .map(|p| match lang {
                Locale::Lv => p.labels.lv.clone(),
                Locale::Ru => p.labels.ru.clone(),
                Locale::En => p.labels.en.clone(),
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let late: Vec<minijinja::Value> = late
        .iter()
        .map(|e| {
            let (from, to) = (
                e.started_at.with_timezone(&crate::domain::time::TZ),
                e.ended_at.with_timezone(&crate::domain::time::TZ),
            );
            context! {
                id => e.id.to_string(),
                client => names.get(&e.client_id).cloned().unwrap_or_default(),
                assistant => names.get(&e.assistant_id).cloned().unwrap_or_default(),
                when => format!("{} {}–{}", from.format("%d.%m.%Y"), from.format("%H:%M"), to.format("%H:%M")),
                duration => duration(e.minutes, lang),
                purpose => label(&e.purpose),
                note => e.note.clone().unwrap_or_default(),
            }
        })
        .collect();
    let mut failed =
        service::statements::outbox(state, &who.caller, Some(mobile_api::OutboxState::Failed))
            .await?;
    failed.sort_by_key(|o| o.created_at);
    let failed: Vec<minijinja::Value> = failed
        .iter()
        .map(|o| {
            context! {
                id => o.id.to_string(),
                recipient => o.recipient.clone(),
                when => o.created_at.with_timezone(&crate::domain::time::TZ).format("%d.%m.%Y %H:%M").to_string(),
                attempts => o.attempts,
                error => o.last_error.clone().unwrap_or_default(),
            }
        })
        .collect();
    let open = service::months::open_disputes(state, &who.caller, lang).await?;
    let mut disputes = Vec::with_capacity(open.len());
    for d in open {
        if let std::collections::hash_map::Entry::Vacant(v) = names.entry(d.client_id) {
            v.insert(
                service::clients::read(state, &who.caller, d.client_id)
                    .await?
                    .name,
            );
        }
        let entry = match &d.entry {
            Some(e) => {
                if let std::collections::hash_map::Entry::Vacant(v) = names.entry(e.assistant_id) {
                    v.insert(
                        service::assistants::read(state, &who.caller, e.assistant_id)
                            .await?
                            .name,
                    );
                }
                let (from, to) = (
                    e.started_at.with_timezone(&crate::domain::time::TZ),
                    e.ended_at.with_timezone(&crate::domain::time::TZ),
                );
                context! {
                    id => e.id.to_string(),
                    when => format!("{} {}–{}", from.format("%d.%m.%Y"), from.format("%H:%M"), to.format("%H:%M")),
                    duration => duration(e.minutes, lang),
                    purpose => label(&e.purpose),
                    assistant => names.get(&e.assistant_id).cloned().unwrap_or_default(),
                    deleted => e.status == mobile_api::EntryStatus::Deleted,
                }
            }
            None => context! {},
        };
        disputes.push(context! {
            client => names.get(&d.client_id).cloned().unwrap_or_default(),
            client_id => d.client_id.to_string(),
            month => d.month.to_string(),
            entry_id => d.entry.as_ref().map(|e| e.id.to_string()),
            entry => entry,
            reason => d.reason,
            comment => d.comment.unwrap_or_default(),
            raised => d.raised_at.with_timezone(&crate::domain::time::TZ).format("%d.%m.%Y %H:%M").to_string(),
        });
    }
    Ok(show(
        who,
        lang,
        "console_exceptions.html",
        status,
        message,
        context! { late => late, failed => failed, disputes => disputes },
    ))
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf: String,
    decision: String,
    reason: String,
}

/// A late entry approved (re-checked against the allowance) or rejected, with a reason.
async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let body = mobile_api::entries::Review {
        decision: form.decision,
        reason: form.reason,
    };
    match service::months::review(&state, &who.caller, lang, id, &body).await {
        Ok(_) => Redirect::to("/console/exceptions?done=reviewed").into_response(),
        Err(e) => exceptions_after(&state, &who, lang, e).await,
    }
}

#[derive(Deserialize)]
struct ResolveForm {
    csrf: String,
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    reason: String,
    /// Where to go back to: `sheet` (the client's month) or the exceptions queue.
    #[serde(default)]
    back: String,
}

/// A client's dispute of one session resolved: corrected or rejected, with a reason.
async fn resolve_dispute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((client, month, entry)): Path<(String, String, String)>,
    Form(form): Form<ResolveForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let (Ok(client), Some(month), Ok(entry)) = (
        client.parse::<Uuid>(),
        Month::parse(&month),
        entry.parse::<Uuid>(),
    ) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let done = match service::months::Resolution::parse(&form.resolution) {
        Ok(how) => {
            service::months::resolve_dispute(
                &state,
                &who.caller,
                lang,
                (client, month),
                entry,
                how,
                &form.reason,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let to_sheet = form.back == "sheet";
    match done {
        Ok(()) if to_sheet => Redirect::to(&format!(
            "/console/clients/{client}/months/{month}?done=resolved"
        ))
        .into_response(),
        Ok(()) => Redirect::to("/console/exceptions?done=resolved").into_response(),
        Err(e) if to_sheet => people::sheet_after(&state, &who, lang, (client, month), e).await,
        Err(e) => exceptions_after(&state, &who, lang, e).await,
    }
}

/// A failed mail sent again.
#[derive(Deserialize)]
struct ResendForm {
    csrf: String,
    /// Set when sent from the statements of a month: back there.
    month: Option<String>,
}

async fn resend(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ResendForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let month = form.month.as_deref().and_then(Month::parse);
    match service::statements::resend(&state, &who.caller, id).await {
        Ok(_) => match month {
            Some(m) => {
                Redirect::to(&format!("/console/statements?month={m}&done=resent")).into_response()
            }
            None => Redirect::to("/console/exceptions?done=resent").into_response(),
        },
        Err(e) if month.is_some() => {
            let status = e.status();
            let message = Some((true, message_of(&e, lang)));
            let m = month.unwrap_or_else(|| Month::of(riga_date(state.clock.now())));
            records::statements_page(&state, &who, lang, m, message, status)
                .await
                .unwrap_or_else(|e| problem_page(e, lang, &who))
        }
        Err(e) => exceptions_after(&state, &who, lang, e).await,
    }
}

async fn exceptions_after(state: &AppState, who: &Session, lang: Locale, e: ApiError) -> Response {
    let status = e.status();
    let message = message_of(&e, lang);
    exceptions_page(state, who, lang, Some((true, message)), status)
        .await
        .unwrap_or_else(|e| problem_page(e, lang, who))
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
    Form(form): Form<super::PasswordForm>,
) -> Response {
    let who = match session_any(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, _) = locale_at(PATH, &headers, None);
    if form.csrf != csrf_for(&who.token) || !same_origin(&headers) {
        return problem_page(ApiError::Forbidden, lang, &who);
    }
    match super::change_own_password(&state, &who.caller, &form, lang).await {
        super::PasswordChange::LogInAgain => {
            super::logged_out_to(PATH, SESSION, "/console/login?done=password")
        }
        super::PasswordChange::Done => Redirect::to("/console/").into_response(),
        super::PasswordChange::Problem(problem, status) => {
            password_form(lang, &who, Some(problem), status)
        }
    }
}
