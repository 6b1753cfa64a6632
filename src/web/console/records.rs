//! The console's records: statements by month with their files and delivery (accountants read
//! them too), the policy figures (admins add versions), the logins, and the audit log with the
//! check of its chain.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use mobile_api::people::{UserCreate, UserUpdate};
use mobile_api::policy::PolicyCreate;
use mobile_api::{Locale, Role};
use serde::Deserialize;
use uuid::Uuid;

use super::page::*;
use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use crate::service::{self, AppState};
use crate::web::text;
use crate::web::with_cookie;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/statements", get(statements))
        .route("/console/statements/{statement_id}/files/{name}", get(file))
        .route("/console/policy", get(policy).post(add_policy))
        .route("/console/users", get(users).post(create_user))
        .route("/console/users/{user_id}", post(update_user))
        .route("/console/audit", get(audit))
        .route("/console/outbox/{outbox_id}/resend", post(resend))
}

#[derive(Deserialize)]
struct MonthQuery {
    lang: Option<String>,
    month: Option<String>,
    done: Option<String>,
    offset: Option<u64>,
}

/// Statements on one page of the console.
const STATEMENTS_PER_PAGE: u64 = 50;

fn kind_text(kind: &str, lang: Locale) -> &'static str {
    text::word(&format!("c_kind_{kind}"), lang)
}

/// A month's statements, newest version last, each with its files to download; for staff also
/// the mail each went out in and its delivery, with resend.
async fn statements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let month = q
        .month
        .as_deref()
        .and_then(Month::parse)
        .unwrap_or_else(|| Month::of(riga_date(state.clock.now())).prev());
    let notice = (q.done.as_deref() == Some("resent"))
        .then(|| (false, text::word("c_done_resent", lang).to_owned()));
    let at = (month, q.offset.unwrap_or(0));
    match statements_page(&state, &who, lang, at, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

pub(super) async fn statements_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    (month, offset): (Month, u64),
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let page = service::statements::list(
        state,
        &who.caller,
        Some(month),
        None,
        (offset, STATEMENTS_PER_PAGE),
    )
    .await?;
    let ids: Vec<Uuid> = page.items.iter().map(|s| s.id).collect();
    let shown = page.items.len() as u64;
    let pager = context! {
        from => if shown == 0 { 0 } else { offset + 1 }, to => offset + shown, total => page.total,
        prev => (offset > 0).then(|| offset.saturating_sub(STATEMENTS_PER_PAGE)),
        next => (offset + shown < page.total).then_some(offset + shown),
    };
    let rows: Vec<minijinja::Value> = page
        .items
        .iter()
        .map(|s| {
            let facts: Vec<String> = s.summary["facts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|f| f.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let change = if s.is_correction {
                text::word("c_correction", lang)
            } else if s.version > 1 {
                text::word("c_addition", lang)
            } else {
                text::word("c_original", lang)
            };
            context! {
                id => s.id.to_string(), kind => kind_text(&s.kind, lang),
                title => s.summary["title"].as_str().unwrap_or("").to_owned(),
                version => s.version, change => change, facts => facts,
                written => instant(s.created_at),
                files => s.files.iter().map(|f| context! {
                    name => f.name.clone(), size => format!("{} KB", (f.size + 1023) / 1024),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let mail: Vec<minijinja::Value> = if who.caller.is_staff() {
        service::statements::mail_of(state, &who.caller, &ids)
            .await?
            .into_iter()
            .map(|o| {
                context! {
                    id => o.id.to_string(), recipient => o.recipient,
                    state => text::word(&format!("c_mail_{}", o.state.as_str()), lang),
                    failed => o.state == mobile_api::OutboxState::Failed,
                    attempts => o.attempts, sent => o.sent_at.map(instant),
                    error => o.last_error.unwrap_or_default(), resend => o.resend_of.is_some(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let first = month.first_day();
    Ok(show(
        who,
        lang,
        "console_statements.html",
        status,
        message,
        context! {
            month => month.to_string(),
            month_name => text::month_name(first.month(), first.year(), lang),
            prev => month.prev().to_string(), next => month.next().to_string(),
            rows => rows, mail => mail, pager => pager,
        },
    ))
}

async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let (who, lang, _) = match viewing(&state, &headers, None).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    match service::statements::file(&state, &who.caller, id, &name).await {
        Ok(f) => (
            [
                (header::CONTENT_TYPE, f.mime),
                (
                    header::CONTENT_DISPOSITION,
                    crate::domain::text::attachment(&f.name),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            f.content,
        )
            .into_response(),
        Err(e) => problem_page(e, lang, &who),
    }
}

/// The figures in force today and every version; admins add a version from a date.
async fn policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let notice = (q.done.as_deref() == Some("added"))
        .then(|| (false, text::word("c_done_saved", lang).to_owned()));
    let typed = Fields(Vec::new());
    match policy_page(&state, &who, lang, &typed, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn policy_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    typed: &Fields,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let view = service::policy::read(state, &who.caller, None, lang).await?;
    let row = |p: &mobile_api::policy::PolicyValue| {
        context! {
            key => p.key.clone(), from => day(p.effective_from),
            value => serde_json::to_string(&p.value).unwrap_or_default(),
            source => p.source.clone(), note => p.note.clone().unwrap_or_default(),
        }
    };
    let mut keys: Vec<String> = view.history.iter().map(|p| p.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let mut history = view.history.clone();
    history.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then(b.effective_from.cmp(&a.effective_from))
    });
    Ok(show(
        who,
        lang,
        "console_policy.html",
        status,
        message,
        context! {
            on => day(view.on), in_force => view.in_force.iter().map(row).collect::<Vec<_>>(),
            history => history.iter().map(row).collect::<Vec<_>>(), keys => keys,
            v => typed.0.iter().filter(|(k, _)| k != "csrf").cloned().collect::<std::collections::BTreeMap<String, String>>(),
        },
    ))
}

fn read_policy(f: &Fields) -> Result<PolicyCreate, ApiError> {
    let from = f.get("effective_from").unwrap_or("").trim();
    let effective_from = NaiveDate::parse_from_str(from, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid("effective_from", "format"))?;
    let raw = f.get("value").unwrap_or("").trim();
    // A figure is typed as JSON (`511`, `"warn"`, `{…}`); a bare word is taken as text.
    let value = serde_json::from_str(raw).unwrap_or_else(|_| serde_json::json!(raw));
    Ok(PolicyCreate {
        key: f.get("key").unwrap_or("").to_owned(),
        effective_from,
        value,
        source: f.get("source").unwrap_or("").to_owned(),
        note: f
            .get("note")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    })
}

async fn add_policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let done = match read_policy(&fields) {
        Ok(body) => service::policy::add(&state, &who.caller, &body).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to("/console/policy?done=added").into_response(),
        Err(e) => {
            again(&who, lang, e, async |message, status| {
                policy_page(&state, &who, lang, &fields, message, status).await
            })
            .await
        }
    }
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    lang: Option<String>,
    q: Option<String>,
    role: Option<String>,
    offset: Option<u64>,
    done: Option<String>,
}

const ROLES: [Role; 6] = [
    Role::Admin,
    Role::Coordinator,
    Role::Accountant,
    Role::Assistant,
    Role::Client,
    Role::Representative,
];

/// Every login, by role and name, with what staff can do to one: a new password (the person
/// chooses their own at the next login), or switching it off.
async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<UsersQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let notice = q.done.as_deref().map(|d| {
        let key = match d {
            "created" => "c_done_user",
            "password" => "c_password_given",
            _ => "c_done_saved",
        };
        (false, text::word(key, lang).to_owned())
    });
    let typed = Fields(Vec::new());
    match users_page(&state, &who, lang, &q, &typed, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn users_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    q: &UsersQuery,
    typed: &Fields,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let role = ROLES
        .iter()
        .copied()
        .find(|r| Some(r.as_str()) == q.role.as_deref());
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let offset = q.offset.unwrap_or(0);
    let page = service::users::list(state, &who.caller, (role, search, None), (offset, 50)).await?;
    let rows: Vec<minijinja::Value> = page
        .items
        .iter()
        .map(|u| {
            context! {
                id => u.id.to_string(), login => u.login.clone(), name => u.display_name.clone(),
                role => text::word(&format!("c_role_{}", u.role.as_str()), lang),
                active => u.active,
                assistant_id => u.assistant_id.map(|a| a.to_string()),
                client_id => u.client_id.map(|c| c.to_string()).or_else(|| u.client_ids.first().map(|c| c.to_string())),
            }
        })
        .collect();
    let assistants =
        service::assistants::list(state, &who.caller, None, Some(true), (0, 1000)).await?;
    let assistants: Vec<minijinja::Value> = assistants
        .items
        .iter()
        .map(|a| context! { id => a.id.to_string(), name => a.name.clone() })
        .collect();
    let roles: Vec<minijinja::Value> = ROLES
        .iter()
        .map(|r| context! { code => r.as_str(), text => text::word(&format!("c_role_{}", r.as_str()), lang) })
        .collect();
    Ok(show(
        who,
        lang,
        "console_users.html",
        status,
        message,
        context! {
            rows => rows, roles => roles, assistants => assistants,
            role => q.role.clone().unwrap_or_default(), q => search.unwrap_or(""),
            prev => (offset > 0).then(|| offset.saturating_sub(50)),
            next => (offset + 50 < page.total).then_some(offset + 50), total => page.total,
            v => typed.0.iter().filter(|(k, _)| k != "csrf" && k != "password").cloned().collect::<std::collections::BTreeMap<String, String>>(),
        },
    ))
}

/// A login for staff or an assistant (clients' and representatives' logins come with the
/// client's form, or the API); its password is temporary.
async fn create_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let role = ROLES
        .iter()
        .copied()
        .find(|r| Some(r.as_str()) == fields.get("role"));
    let opt = |k: &str| {
        fields
            .get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let done = match role {
        Some(role) => {
            let body = UserCreate {
                login: fields.get("login").unwrap_or("").to_owned(),
                password: fields.get("password").unwrap_or("").to_owned(),
                role,
                display_name: opt("display_name"),
                locale: Some(match fields.get("locale") {
                    Some("ru") => Locale::Ru,
                    Some("en") => Locale::En,
                    _ => Locale::Lv,
                }),
                email: opt("email"),
                assistant_id: (role == Role::Assistant)
                    .then(|| opt("assistant_id").and_then(|a| a.parse().ok()))
                    .flatten(),
                client_id: None,
                client_ids: None,
            };
            service::users::create(&state, &who.caller, &body).await
        }
        None => Err(ApiError::invalid("role", "out_of_range")),
    };
    match done {
        Ok(_) => Redirect::to("/console/users?done=created").into_response(),
        Err(e) => {
            let q = UsersQuery::default();
            again(&who, lang, e, async |message, status| {
                users_page(&state, &who, lang, &q, &fields, message, status).await
            })
            .await
        }
    }
}

/// A new temporary password for a login, or the login switched off or on.
async fn update_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let mut body = UserUpdate::default();
    let done_key = match fields.get("action") {
        Some("password") => {
            body.password = Some(fields.get("password").unwrap_or("").to_owned());
            "password"
        }
        Some("off") => {
            body.active = Some(false);
            "saved"
        }
        _ => {
            body.active = Some(true);
            "saved"
        }
    };
    let back = fields.get("back").unwrap_or("");
    match service::users::update(&state, &who.caller, id, &body).await {
        Ok(_) => {
            let to = match back.parse::<Uuid>() {
                Ok(client) => format!("/console/clients/{client}?done={done_key}"),
                Err(_) => format!("/console/users?done={done_key}"),
            };
            Redirect::to(&to).into_response()
        }
        Err(e) => {
            let (q, none) = (UsersQuery::default(), Fields(Vec::new()));
            again(&who, lang, e, async |message, status| {
                users_page(&state, &who, lang, &q, &none, message, status).await
            })
            .await
        }
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    lang: Option<String>,
    before: Option<i64>,
    client: Option<String>,
    check: Option<String>,
}

/// The audit log, newest first, a hundred records a page; on request the whole chain is
/// recomputed and the page says whether it is intact or where it was altered.
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    match audit_page(&state, &who, lang, &q).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn audit_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    q: &AuditQuery,
) -> Result<Response, ApiError> {
    let client = q.client.as_deref().and_then(|c| c.parse::<Uuid>().ok());
    let (rows, total) = service::audit::page(state, &who.caller, client, q.before, 100).await?;
    let check = if q.check.is_some() {
        Some(match service::audit::verify(state, &who.caller).await? {
            service::audit::Verdict::Intact { records } => (
                false,
                text::word("c_chain_intact", lang).replace("{n}", &records.to_string()),
            ),
            service::audit::Verdict::Broken {
                id,
                records_before,
                why,
            } => (
                true,
                text::word("c_chain_broken", lang)
                    .replace("{id}", &id.to_string())
                    .replace("{n}", &records_before.to_string())
                    .replace("{why}", why),
            ),
        })
    } else {
        None
    };
    let mut actors: std::collections::HashMap<Uuid, String> = Default::default();
    for r in &rows {
        if let Some(a) = r.actor
            && let std::collections::hash_map::Entry::Vacant(v) = actors.entry(a)
        {
            let name = service::users::read(state, &who.caller, a)
                .await
                .map(|u| u.display_name)
                .unwrap_or_else(|_| a.to_string());
            v.insert(name);
        }
    }
    let older = rows.last().map(|r| r.id).filter(|_| rows.len() == 100);
    let rows: Vec<minijinja::Value> = rows
        .iter()
        .map(|r| {
            context! {
                id => r.id, at => instant(r.at),
                actor => r.actor.and_then(|a| actors.get(&a).cloned()).unwrap_or_else(|| text::word("c_the_service", lang).to_owned()),
                action => r.action.clone(), subject => format!("{} {}", r.subject_kind, r.subject_id),
                before => r.before.clone().unwrap_or_default(), after => r.after.clone().unwrap_or_default(),
            }
        })
        .collect();
    Ok(show(
        who,
        lang,
        "console_audit.html",
        StatusCode::OK,
        check,
        context! {
            rows => rows, total => total, older => older,
            client => client.map(|c| c.to_string()),
        },
    ))
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
            let m = month.unwrap_or_else(|| Month::of(riga_date(state.clock.now())));
            again(&who, lang, e, async |message, status| {
                statements_page(&state, &who, lang, (m, 0), message, status).await
            })
            .await
        }
        Err(e) => super::queue::exceptions_after(&state, &who, lang, e).await,
    }
}
