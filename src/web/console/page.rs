//! What every console page shares: the staff member's session and its checks, the layout's
//! context, refusals in the person's words, and how days, times and purposes are written.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use mobile_api::{Locale, Role};
use serde::Deserialize;

use crate::error::ApiError;
use crate::i18n;
use crate::service::auth::Caller;
use crate::service::{self, AppState};
use crate::web::{cookie, csrf_for, locale_at, render, same_origin, text};

pub(super) const SESSION: &str = "asistents_console";

pub(super) const PATH: &str = "/console";

pub(super) const SESSION_HOURS: i64 = 10;

pub(super) struct Session {
    pub(super) caller: Caller,
    pub(super) token: String,
}

/// Before an action: the person's session, their language, and a form of this site carrying
/// the session's token (`csrf`); otherwise the page to answer with.
pub(super) async fn acting(
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
pub(super) async fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    let who = session_any(state, headers).await?;
    if who.caller.temporary {
        return Err(Redirect::to("/console/password").into_response());
    }
    Ok(who)
}

/// The signed-in member of staff, also with a password staff set (for the password page).
pub(super) async fn session_any(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Session, Response> {
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
pub(super) async fn viewing(
    state: &AppState,
    headers: &HeaderMap,
    asked: Option<&str>,
) -> Result<(Session, Locale, Option<String>), Response> {
    let who = session(state, headers).await?;
    let (lang, set) = locale_at(PATH, headers, asked);
    Ok((who, lang, set))
}

/// A session's day and time as people read them: `14.10.2026 09:00–11:30`.
pub(super) fn when(
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
pub(super) fn day(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// An instant in Riga as people read it: `14.10.2026 09:00`.
pub(super) fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&crate::domain::time::TZ)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The purposes' names in the person's language, by code.
pub(super) async fn purpose_names(
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
pub(super) struct Lang {
    pub(super) lang: Option<String>,
    pub(super) state: Option<String>,
    pub(super) done: Option<String>,
    pub(super) offset: Option<u64>,
}

pub(super) fn words(lang: Locale) -> std::collections::BTreeMap<&'static str, &'static str> {
    text::words(lang)
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

/// A console page for the signed-in member of staff: the layout's context (language, words,
/// the form token, who is signed in and what their role may open), a notice or a problem
/// (`(true, …)`), and the page's own `extra` context.
pub(super) fn show(
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
pub(super) fn message_of(e: &ApiError, lang: Locale) -> String {
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
            "entry_id" => "c_sessions",
            _ => "",
        };
        let label = text::word(key, lang);
        if !label.is_empty() {
            details["field"] = serde_json::Value::String(label.to_owned());
        }
    }
    i18n::message(code, lang, &details)
}

pub(super) fn problem_page(e: ApiError, lang: Locale, who: &Session) -> Response {
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

/// A form's fields as sent.
pub(super) struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// After a refused action: `page` made again with the refusal said in the person's words and
/// the refusal's status; the problem page if even that page cannot be made.
pub(super) async fn again(
    who: &Session,
    lang: Locale,
    e: ApiError,
    page: impl AsyncFnOnce(Option<(bool, String)>, StatusCode) -> Result<Response, ApiError>,
) -> Response {
    let status = e.status();
    page(Some((true, message_of(&e, lang))), status)
        .await
        .unwrap_or_else(|e| problem_page(e, lang, who))
}
