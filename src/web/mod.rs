//! The clients' and representatives' web page: log in, see a month in plain language, confirm it
//! or dispute single sessions. Server-rendered HTML, no JavaScript, Latvian by default.

pub mod console;
pub mod phone;
pub mod text;

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Duration, Timelike};
use minijinja::{Environment, context};
use mobile_api::entries::MonthSheet;
use mobile_api::{EntryStatus, Locale, MonthState, Role};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::rules::is_live;
use crate::domain::time::{Month, TZ, riga_date};
use crate::error::ApiError;
use crate::i18n;
use crate::secrets;
use crate::service;
use crate::service::AppState;
use crate::service::auth::Caller;
use crate::service::auth::DeviceInfo;

const SESSION: &str = "asistents_session";
const LANG: &str = "asistents_lang";
const SESSION_HOURS: i64 = 12;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/web/") }))
        .route("/web", get(|| async { Redirect::to("/web/") }))
        .route("/web/", get(home))
        .route("/web/style.css", get(style))
        .route("/web/login", get(login_page).post(login))
        .route("/web/logout", post(logout))
        .route("/web/password", get(password_page).post(change_password))
        .route("/web/clients/{client_id}/months/{month}", get(month_page))
        .route(
            "/web/clients/{client_id}/months/{month}/confirm",
            get(confirm_page).post(confirm),
        )
        .route(
            "/web/clients/{client_id}/months/{month}/dispute",
            post(dispute),
        )
        .layer(axum::middleware::from_fn(security_headers))
}

/// Strict headers for every page: no framing, no sniffing, no referrer, only our own resources.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    strict(
        response.headers_mut(),
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "no-store",
    );
    response
}

/// The headers every page and file of ours carries: the content policy `csp`, no sniffing, no
/// referrer, no framing, and `cache`.
pub(crate) fn strict(h: &mut HeaderMap, csp: &'static str, cache: &'static str) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            (
                "layout.html",
                include_str!("../../templates/web/layout.html"),
            ),
            ("login.html", include_str!("../../templates/web/login.html")),
            (
                "months.html",
                include_str!("../../templates/web/months.html"),
            ),
            ("month.html", include_str!("../../templates/web/month.html")),
            (
                "password.html",
                include_str!("../../templates/web/password.html"),
            ),
            (
                "confirm.html",
                include_str!("../../templates/web/confirm.html"),
            ),
            (
                "console_layout.html",
                include_str!("../../templates/console/layout.html"),
            ),
            (
                "console_login.html",
                include_str!("../../templates/console/login.html"),
            ),
            (
                "console_board.html",
                include_str!("../../templates/console/board.html"),
            ),
            (
                "console_exceptions.html",
                include_str!("../../templates/console/exceptions.html"),
            ),
            (
                "console_session_card.html",
                include_str!("../../templates/console/session_card.html"),
            ),
            (
                "console_password.html",
                include_str!("../../templates/console/password.html"),
            ),
            (
                "console_pager.html",
                include_str!("../../templates/console/pager.html"),
            ),
            (
                "console_clients.html",
                include_str!("../../templates/console/clients.html"),
            ),
            (
                "console_client.html",
                include_str!("../../templates/console/client.html"),
            ),
            (
                "console_client_new.html",
                include_str!("../../templates/console/client_new.html"),
            ),
            (
                "console_sheet.html",
                include_str!("../../templates/console/sheet.html"),
            ),
            (
                "console_assistants.html",
                include_str!("../../templates/console/assistants.html"),
            ),
            (
                "console_assistant.html",
                include_str!("../../templates/console/assistant.html"),
            ),
            (
                "console_statements.html",
                include_str!("../../templates/console/statements.html"),
            ),
            (
                "console_policy.html",
                include_str!("../../templates/console/policy.html"),
            ),
            (
                "console_users.html",
                include_str!("../../templates/console/users.html"),
            ),
            (
                "console_audit.html",
                include_str!("../../templates/console/audit.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

fn render(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match templates().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><p>Error</p>".to_owned()),
            )
                .into_response()
        }
    }
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../templates/web/style.css"),
    )
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(name: &str, value: &str, max_age: i64) -> String {
    set_cookie_at("/web", name, value, max_age)
}

/// A cookie for the pages under `path` only, out of reach of scripts and other sites.
fn set_cookie_at(path: &str, name: &str, value: &str, max_age: i64) -> String {
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict")
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
    done: Option<String>,
}

/// The page's language: `?lang=` (remembered in a cookie), the cookie, then Accept-Language.
fn locale(headers: &HeaderMap, asked: Option<&str>) -> (Locale, Option<String>) {
    locale_at("/web", headers, asked)
}

fn locale_at(path: &str, headers: &HeaderMap, asked: Option<&str>) -> (Locale, Option<String>) {
    if let Some(l) = asked.and_then(Locale::parse) {
        return (
            l,
            Some(set_cookie_at(path, LANG, l.as_str(), 365 * 24 * 3600)),
        );
    }
    if let Some(l) = cookie(headers, LANG).and_then(Locale::parse) {
        return (l, None);
    }
    (
        i18n::locale_from_accept_language(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
        None,
    )
}

fn csrf_for(token: &str) -> String {
    Sha256::digest(format!("csrf:{token}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A signed-in client or representative and their session token.
struct Session {
    caller: Caller,
    token: String,
}

/// The signed-in client or representative; None → log in first.
async fn session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION)?.to_owned();
    let caller = crate::service::auth::caller_from_token(state, &token)
        .await
        .ok()?;
    matches!(caller.role, Role::Client | Role::Representative).then_some(Session { caller, token })
}

/// The session of a page of the month's work: without one, the login; with a session opened by
/// a password staff set, the page where the person chooses their own first.
async fn page_session(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    match session(state, headers).await {
        None => Err(Redirect::to("/web/login").into_response()),
        Some(s) if s.caller.temporary => Err(Redirect::to("/web/password").into_response()),
        Some(s) => Ok(s),
    }
}

fn with_cookie(mut response: Response, cookie: Option<String>) -> Response {
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// Whom a client asks when they cannot log in: the social service's phone, or its address.
fn contact(state: &AppState, lang: Locale) -> String {
    let c = &state.config;
    match c
        .municipality_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        Some(phone) => text::word("contact_phone", lang)
            .replace("{name}", &c.municipality_name)
            .replace("{phone}", phone),
        None => text::word("contact_address", lang)
            .replace("{name}", &c.municipality_name)
            .replace("{address}", &c.municipality_address),
    }
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, set) = locale(&headers, q.lang.as_deref());
    let notice =
        (q.done.as_deref() == Some("password")).then(|| text::word("login_with_new", lang));
    let page = render(
        StatusCode::OK,
        "login.html",
        context! { lang => lang.as_str(), t => text::words(lang), login => "", notice => notice, contact => contact(&state, lang) },
    );
    with_cookie(page, set)
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    lang: Option<String>,
}

/// Whether a form was sent from this site. Browsers say where a request comes from in
/// `Sec-Fetch-Site` (`same-origin`, or `none` when the person typed it); older ones only in
/// `Origin`, which must then name this host (`null`, as under `Referrer-Policy: no-referrer`,
/// tells nothing). A request with neither is not a browser's cross-site post.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    match text(header::ORIGIN) {
        None | Some("null") => true,
        Some(origin) => {
            let named = origin
                .split_once("://")
                .map(|(_, rest)| rest.trim_end_matches('/'));
            matches!((named, text(header::HOST)), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

/// With the password (never the PIN: it only confirms a month on the assistant's phone);
/// throttled like the API's login; only from a form of this site.
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let (lang, _) = locale(&headers, form.lang.as_deref());
    if !same_origin(&headers) {
        return page_error(ApiError::Forbidden, lang);
    }
    let again = |problem: &str, status: StatusCode| {
        render(
            status,
            "login.html",
            context! { lang => lang.as_str(), t => text::words(lang), login => form.login.chars().take(100).collect::<String>(), problem => problem, contact => contact(&state, lang) },
        )
    };
    match try_login(&state, peer, &form).await {
        Ok((token, own)) => {
            let mut r = Redirect::to("/web/").into_response();
            // The pages speak the person's own language from now on (a click still changes it).
            for c in [
                set_cookie(SESSION, &token, SESSION_HOURS * 3600),
                set_cookie(LANG, own.as_str(), 365 * 24 * 3600),
            ] {
                if let Ok(c) = HeaderValue::from_str(&c) {
                    r.headers_mut().append(header::SET_COOKIE, c);
                }
            }
            r
        }
        Err(ApiError::TooManyAttempts { .. }) => {
            again(text::word("too_many", lang), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(ApiError::InvalidCredentials) => {
            again(text::word("wrong_login", lang), StatusCode::UNAUTHORIZED)
        }
        Err(e) => {
            let _ = e.into_response();
            again(text::word("error", lang), StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

async fn try_login(
    state: &AppState,
    peer: SocketAddr,
    form: &LoginForm,
) -> Result<(String, Locale), ApiError> {
    let done = sign_in(
        state,
        peer,
        service::auth::Channel::Web,
        (&form.login, &form.password),
        SESSION_HOURS,
    )
    .await?;
    Ok((done.token, *done.user.locale))
}

/// A login from a browser page (`channel`: the clients' page or the console), as a device of
/// its own that lasts `hours`; login names past 100 characters are simply wrong.
async fn sign_in(
    state: &AppState,
    peer: SocketAddr,
    channel: service::auth::Channel,
    (login, password): (&str, &str),
    hours: i64,
) -> Result<service::auth::LoggedIn, ApiError> {
    if login.chars().count() > 100 {
        return Err(ApiError::InvalidCredentials);
    }
    let (prefix, name) = match channel {
        service::auth::Channel::Console => ("console", "Console"),
        _ => ("web", "Web browser"),
    };
    service::auth::login(
        &state.env(),
        channel,
        service::auth::Credentials {
            login,
            password,
            address: peer.ip(),
        },
        DeviceInfo {
            device_id: format!("{prefix}-{}", &secrets::random_token()[..12]),
            name: name.into(),
            platform: "web".into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
        },
        Duration::hours(hours),
    )
    .await
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
    if let Some(Session { caller, token }) = session(&state, &headers).await
        && form.csrf == csrf_for(&token)
    {
        let revoked =
            service::auth::revoke(&state.env(), caller.device, caller.user_id, "logout").await;
        if let Err(e) = revoked {
            // The failure is logged, and the person is told the logout did not happen.
            let _ = e.into_response();
            let (lang, _) = locale(&headers, None);
            return render(
                StatusCode::SERVICE_UNAVAILABLE,
                "login.html",
                context! { lang => lang.as_str(), t => text::words(lang), problem => text::word("error", lang) },
            );
        }
    }
    logged_out_to("/web", SESSION, "/web/login")
}

fn state_text(state: MonthState, lang: Locale) -> &'static str {
    text::word(&format!("state_{state}"), lang)
}

async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Session { caller, token } = match page_session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, set) = locale(&headers, q.lang.as_deref());
    let this = Month::of(riga_date(state.clock.now()));
    let mut clients = Vec::new();
    let wanted = [this, this.prev(), this.prev().prev()];
    let Ok(own) = service::months::own_clients(&state, &caller, &wanted).await else {
        return ApiError::NotReady(String::new()).into_response();
    };
    for (id, name, states) in own {
        let mut months = Vec::new();
        for (m, st) in states {
            let first = m.first_day();
            months.push(context! {
                month => m.to_string(),
                name => text::month_name(chrono::Datelike::month(&first), chrono::Datelike::year(&first), lang),
                state => st.as_str(),
                state_text => state_text(st, lang),
            });
        }
        clients.push(context! { id => id.to_string(), name => name, months => months });
    }
    let page = render(
        StatusCode::OK,
        "months.html",
        context! {
            lang => lang.as_str(), t => text::words(lang), csrf => csrf_for(&token), clients => clients,
            notice => (q.done.as_deref() == Some("password")).then(|| text::word("done_password", lang)),
        },
    );
    with_cookie(page, set)
}

fn duration(minutes: i64, lang: Locale) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} {}", text::word("minutes", lang)),
        (h, 0) => format!("{h} {}", text::word("hours", lang)),
        (h, m) => format!(
            "{h} {} {m} {}",
            text::word("hours", lang),
            text::word("minutes", lang)
        ),
    }
}

/// What the person typed into the dispute form, kept to show again after a problem.
#[derive(Default)]
struct Typed {
    ticked: Vec<String>,
    reasons: std::collections::HashMap<String, String>,
    comment: String,
    /// Ticked sessions without a reason.
    missing: Vec<String>,
}

async fn month_context(
    state: &AppState,
    caller: &Caller,
    token: &str,
    client_id: Uuid,
    month: Month,
    lang: Locale,
    typed: &Typed,
) -> Result<(minijinja::Value, MonthSheet), ApiError> {
    let service::months::OwnMonth {
        client_name,
        sheet,
        policy,
        assistants: names,
    } = service::months::own_month(state, caller, client_id, month, lang).await?;
    let rows: Vec<minijinja::Value> = sheet
        .entries
        .iter()
        .filter(|e| is_live(e.status))
        .map(|e| {
            let (from, to) = (e.started_at.with_timezone(&TZ), e.ended_at.with_timezone(&TZ));
            let purpose = policy
                .purpose(&e.purpose)
                .map(|p| match lang {
                    Locale::Lv => p.labels.lv.clone(),
                    Locale::Ru => p.labels.ru.clone(),
                    Locale::En => p.labels.en.clone(),
                })
                .unwrap_or_else(|| e.purpose.clone());
            let trips: Vec<String> = e.trips.iter().map(|t| {
                        // Latvian and Russian write a decimal comma; English a point.
                        let n = |v: String| if lang == Locale::En { v } else { v.replace('.', ",") };
                        format!(
                            "{} → {}, {} km, {} EUR",
                            t.from,
                            t.to,
                            n(format!("{:.1}", t.distance_km)),
                            n(format!("{:.2}", t.cost_cents as f64 / 100.0))
                        )
                    }).collect();
            let disputed = sheet.disputes.iter().rev().find(|d| d.entry_id == e.id && d.resolved_at.is_none()).map(|d| d.reason.clone());
            let id = e.id.to_string();
            context! {
                ticked => typed.ticked.contains(&id),
                reason => typed.reasons.get(&id).cloned().unwrap_or_default(),
                missing => typed.missing.contains(&id),
                id => e.id.to_string(),
                date => from.format("%d.%m.%Y").to_string(),
                from => format!("{:02}:{:02}", from.hour(), from.minute()),
                to => format!("{:02}:{:02}", to.hour(), to.minute()),
                duration => duration(e.minutes, lang),
                purpose => purpose,
                assistant => names.iter().find(|(id, _)| *id == e.assistant_id).map(|(_, n)| n.clone()).unwrap_or_default(),
                trips => trips.join("; "),
                pending => e.status == EntryStatus::PendingReview,
                disputed => disputed,
            }
        })
        .collect();
    let seen: Vec<String> = sheet
        .entries
        .iter()
        .filter(|e| is_live(e.status))
        .map(|e| format!("{}:{}", e.id, e.version))
        .collect();
    let first = month.first_day();
    let live_minutes: i64 = sheet
        .entries
        .iter()
        .filter(|e| is_live(e.status))
        .map(|e| e.minutes)
        .sum();
    let total = duration(live_minutes, lang);
    let ctx = context! {
        total_text => text::word("total", lang).replace("{d}", &total),
        confirm_summary => text::word("confirm_summary", lang)
            .replace("{n}", &rows.len().to_string())
            .replace("{d}", &total),
        can_confirm => sheet.state == MonthState::Submitted && !rows.is_empty(),
        comment => typed.comment.clone(),
        lang => lang.as_str(),
        t => text::words(lang),
        csrf => csrf_for(token),
        client_id => client_id.to_string(),
        client_name => client_name,
        month => month.to_string(),
        month_name => text::month_name(chrono::Datelike::month(&first), chrono::Datelike::year(&first), lang),
        state_text => state_text(sheet.state, lang),
        allowance => duration(sheet.allowance_minutes, lang),
        used => duration(sheet.used_minutes, lang),
        left => duration(sheet.remaining_minutes, lang),
        confirmed_on => sheet.confirmed_at.map(|t| t.with_timezone(&TZ).format("%d.%m.%Y %H:%M").to_string()),
        rows => rows,
        seen => seen.join(","),
        can_act => sheet.state == MonthState::Submitted || sheet.state == MonthState::Disputed,
    };
    Ok((ctx, sheet))
}

fn page_error(e: ApiError, lang: Locale) -> Response {
    let status = e.status();
    let (code, details) = e.code_and_details();
    let message = i18n::message(code, lang, &details);
    render(
        status,
        "login.html",
        context! { lang => lang.as_str(), t => text::words(lang), problem => message, login => "" },
    )
}

async fn month_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Path((client_id, month)): Path<(String, String)>,
) -> Response {
    let Session { caller, token } = match page_session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, set) = locale(&headers, q.lang.as_deref());
    let (Ok(client_id), Some(month)) = (Uuid::parse_str(&client_id), Month::parse(&month)) else {
        return page_error(ApiError::NotFound, lang);
    };
    match month_context(
        &state,
        &caller,
        &token,
        client_id,
        month,
        lang,
        &Typed::default(),
    )
    .await
    {
        Ok((ctx, _)) => {
            let notice = match q.done.as_deref() {
                Some("confirm") => Some(text::word("done_confirm", lang)),
                Some("dispute") => Some(text::word("done_dispute", lang)),
                _ => None,
            };
            with_cookie(
                render(
                    StatusCode::OK,
                    "month.html",
                    context! { notice => notice, ..ctx },
                ),
                set,
            )
        }
        Err(e) => page_error(e, lang),
    }
}

/// The last step before confirming: what is confirmed, in numbers, and the one irreversible
/// button.
async fn confirm_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((client_id, month)): Path<(String, String)>,
) -> Response {
    let Session { caller, token } = match page_session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, _) = locale(&headers, None);
    let (Ok(client_id), Some(month)) = (Uuid::parse_str(&client_id), Month::parse(&month)) else {
        return page_error(ApiError::NotFound, lang);
    };
    match month_context(
        &state,
        &caller,
        &token,
        client_id,
        month,
        lang,
        &Typed::default(),
    )
    .await
    {
        Ok((ctx, sheet)) if sheet.state == MonthState::Submitted => {
            render(StatusCode::OK, "confirm.html", ctx)
        }
        // Nothing to confirm (disputed, empty, or done already): back to the month.
        Ok(_) => Redirect::to(&format!("/web/clients/{client_id}/months/{month}")).into_response(),
        Err(e) => page_error(e, lang),
    }
}

/// Re-renders the month with a problem (and what was typed), or goes back to it with a notice.
#[allow(clippy::too_many_arguments)]
async fn after_step(
    state: &AppState,
    who: &Session,
    client_id: Uuid,
    month: Month,
    lang: Locale,
    result: Result<(), ApiError>,
    done: &str,
    typed: &Typed,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!(
            "/web/clients/{client_id}/months/{month}?done={done}"
        ))
        .into_response(),
        Err(e) => {
            let status = e.status();
            let (code, details) = e.code_and_details();
            let problem = match code {
                mobile_api::ErrorCode::StaleVersion => text::word("stale", lang).to_owned(),
                mobile_api::ErrorCode::ValidationFailed if !typed.missing.is_empty() => {
                    text::word("reason_needed", lang)
                        .replace("{what}", &typed.missing.len().to_string())
                }
                mobile_api::ErrorCode::ValidationFailed => text::word("pick_one", lang).to_owned(),
                _ => i18n::message(code, lang, &details),
            };
            match month_context(
                state,
                &who.caller,
                &who.token,
                client_id,
                month,
                lang,
                typed,
            )
            .await
            {
                Ok((ctx, _)) => {
                    render(status, "month.html", context! { problem => problem, ..ctx })
                }
                Err(e) => page_error(e, lang),
            }
        }
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    csrf: String,
    seen: String,
}

async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((client_id, month)): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let Session { caller, token } = match page_session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, _) = locale(&headers, None);
    if form.csrf != csrf_for(&token) {
        return page_error(ApiError::Forbidden, lang);
    }
    let (Ok(client_id), Some(month)) = (Uuid::parse_str(&client_id), Month::parse(&month)) else {
        return page_error(ApiError::NotFound, lang);
    };
    let seen: Vec<(Uuid, i32)> = form
        .seen
        .split(',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.split_once(':'))
        .filter_map(|(id, v)| Some((id.parse().ok()?, v.parse().ok()?)))
        .collect();
    let who = Session { caller, token };
    let result =
        service::months::confirm(&state, &who.caller, lang, client_id, month, &seen, None).await;
    after_step(
        &state,
        &who,
        client_id,
        month,
        lang,
        result,
        "confirm",
        &Typed::default(),
    )
    .await
}

async fn dispute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((client_id, month)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Session { caller, token } = match page_session(&state, &headers).await {
        Ok(s) => s,
        Err(to) => return to,
    };
    let (lang, _) = locale(&headers, None);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("csrf") != Some(csrf_for(&token).as_str()) {
        return page_error(ApiError::Forbidden, lang);
    }
    let (Ok(client_id), Some(month)) = (Uuid::parse_str(&client_id), Month::parse(&month)) else {
        return page_error(ApiError::NotFound, lang);
    };
    // Each field once, by name (the first of a name counts): a form of many thousand fields is
    // read in one pass.
    let by_name: std::collections::HashMap<&str, &str> = fields
        .iter()
        .rev()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let ticked: Vec<&String> = fields
        .iter()
        .filter(|(k, _)| k == "entry")
        .map(|(_, id)| id)
        .collect();
    // No month has that many sessions.
    if ticked.len() > 1_000 {
        return page_error(ApiError::invalid("entries", "too_long"), lang);
    }
    // Everything typed is kept, to show again if anything is wrong.
    let mut typed = Typed {
        ticked: ticked.iter().map(|s| s.to_string()).collect(),
        comment: field("comment").unwrap_or("").to_owned(),
        ..Typed::default()
    };
    for (k, v) in &fields {
        if let Some(id) = k.strip_prefix("reason_")
            && !v.trim().is_empty()
        {
            typed.reasons.insert(id.to_owned(), v.clone());
        }
    }
    let mut items: Vec<(Uuid, String)> = Vec::new();
    for id in &ticked {
        let reason = by_name
            .get(format!("reason_{id}").as_str())
            .copied()
            .unwrap_or("")
            .trim();
        match id.parse::<Uuid>() {
            Ok(uuid) if !reason.is_empty() => items.push((uuid, reason.to_owned())),
            _ => typed.missing.push(id.to_string()),
        }
    }
    let comment = field("comment").map(str::trim).filter(|c| !c.is_empty());
    let who = Session { caller, token };
    // A ticked session without a reason: nothing is sent, and the form comes back as typed.
    let result = if !typed.missing.is_empty() {
        Err(ApiError::invalid("reason", "empty"))
    } else {
        service::months::dispute(&state, &who.caller, lang, client_id, month, &items, comment).await
    };
    after_step(
        &state, &who, client_id, month, lang, result, "dispute", &typed,
    )
    .await
}

async fn password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(Session { caller, token }) = session(&state, &headers).await else {
        return Redirect::to("/web/login").into_response();
    };
    let (lang, set) = locale(&headers, q.lang.as_deref());
    with_cookie(
        password_form(lang, &caller, &token, None, StatusCode::OK),
        set,
    )
}

fn password_form(
    lang: Locale,
    caller: &Caller,
    token: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    render(
        status,
        "password.html",
        context! {
            lang => lang.as_str(), t => text::words(lang), csrf => csrf_for(token),
            temporary => caller.temporary, problem => problem,
        },
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

/// How a password form ended, on the clients' page and in the console alike.
enum PasswordChange {
    /// Changed; the session ended with it (it was opened with a password staff set), so the
    /// person logs in again with the new one.
    LogInAgain,
    /// Changed; the person's other sessions ended, this one goes on.
    Done,
    /// Not changed: what to tell the person, and the status.
    Problem(String, StatusCode),
}

/// Takes a password form (the caller has checked its token and site): the two new passwords
/// must agree, the current one must be right (counted as a login guess).
async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    form: &PasswordForm,
    lang: Locale,
) -> PasswordChange {
    if form.new != form.repeat {
        let problem = text::word("passwords_differ", lang).to_owned();
        return PasswordChange::Problem(problem, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match service::auth::change_password(&state.env(), caller, &form.current, &form.new).await {
        Ok(()) if caller.temporary => PasswordChange::LogInAgain,
        Ok(()) => PasswordChange::Done,
        Err(ApiError::InvalidCredentials) => PasswordChange::Problem(
            text::word("wrong_current", lang).to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => {
            let status = e.status();
            let (code, details) = e.code_and_details();
            if e.is_infrastructure() {
                let _ = e.into_response();
            }
            PasswordChange::Problem(i18n::message(code, lang, &details), status)
        }
    }
}

/// To the login page with a notice, the session's cookie (under `path`) cleared.
fn logged_out_to(path: &str, cookie_name: &str, to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Ok(c) = HeaderValue::from_str(&set_cookie_at(path, cookie_name, "", 0)) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

/// The person chooses their own password. After a password staff set, the session ends with
/// it and the person logs in again with the new one; otherwise their other sessions end.
async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(Session { caller, token }) = session(&state, &headers).await else {
        return Redirect::to("/web/login").into_response();
    };
    let (lang, _) = locale(&headers, None);
    if form.csrf != csrf_for(&token) || !same_origin(&headers) {
        return page_error(ApiError::Forbidden, lang);
    }
    match change_own_password(&state, &caller, &form, lang).await {
        PasswordChange::LogInAgain => logged_out_to("/web", SESSION, "/web/login?done=password"),
        PasswordChange::Done => Redirect::to("/web/?done=password").into_response(),
        PasswordChange::Problem(problem, status) => {
            password_form(lang, &caller, &token, Some(problem), status)
        }
    }
}
