//! The console's people: the clients (a list, a card, one form that enrols a new client with
//! their decision, assistant and login, a month sheet with the disputes to resolve) and the
//! assistants (a list, a card with hours per week and pay per month, and their phones to
//! revoke). Coordinators and admins only.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use mobile_api::people::{ClientCreate, DecisionCreate, Transport, UserCreate};
use mobile_api::{Locale, Role, Service};
use serde::Deserialize;
use uuid::Uuid;

use super::page::*;
use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use crate::service::{self, AppState};
use crate::web::with_cookie;
use crate::web::{duration, text};

/// Rows on one page of a list.
const PAGE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/clients", get(clients))
        .route("/console/clients/new", get(new_client).post(enrol))
        .route("/console/clients/{client_id}", get(client_card))
        .route("/console/clients/{client_id}/pin", post(set_pin))
        .route("/console/clients/{client_id}/months/{month}", get(sheet))
        .route("/console/assistants", get(assistants))
        .route("/console/assistants/{assistant_id}", get(assistant_card))
        .route("/console/devices/{device_id}/revoke", post(revoke_device))
        .route(
            "/console/assistants/{assistant_id}/insurance",
            post(change_insurance),
        )
        .route(
            "/console/clients/{client_id}/months/{month}/disputes/{entry_id}",
            post(resolve_dispute),
        )
}

#[derive(Deserialize)]
struct ListQuery {
    lang: Option<String>,
    q: Option<String>,
    offset: Option<u64>,
    done: Option<String>,
}

/// The pager of a list: where the previous and next pages start, if there are any.
fn pager(offset: u64, total: u64) -> minijinja::Value {
    context! {
        prev => (offset > 0).then(|| offset.saturating_sub(PAGE)),
        next => (offset + PAGE < total).then_some(offset + PAGE),
        from => if total == 0 { 0 } else { offset + 1 },
        to => (offset + PAGE).min(total),
        total => total,
    }
}

async fn clients(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let offset = q.offset.unwrap_or(0);
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let page = match service::clients::list(&state, &who.caller, search, None, (offset, PAGE)).await
    {
        Ok(p) => p,
        Err(e) => return problem_page(e, lang, &who),
    };
    let rows: Vec<minijinja::Value> = page
        .items
        .iter()
        .map(|c| {
            context! {
                id => c.id.to_string(), name => c.name.clone(), born => day(c.birth_date),
                group => c.disability_group, active => c.active,
            }
        })
        .collect();
    let notice = (q.done.as_deref() == Some("enrolled"))
        .then(|| (false, text::word("c_done_enrolled", lang).to_owned()));
    with_cookie(
        show(
            &who,
            lang,
            "console_clients.html",
            StatusCode::OK,
            notice,
            context! { rows => rows, q => search.unwrap_or(""), pager => pager(offset, page.total) },
        ),
        set,
    )
}

/// A client's card: details, decisions with every version and suspension, assistants, logins
/// and PIN, and the allowance used month by month.
async fn client_card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let notice = q.done.as_deref().map(|d| {
        let key = match d {
            "pin" => "c_done_pin",
            "enrolled" => "c_done_enrolled",
            _ => "c_done_saved",
        };
        (false, text::word(key, lang).to_owned())
    });
    match card_page(&state, &who, lang, id, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn card_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    id: Uuid,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    who.caller.require_staff()?;
    let c = service::clients::read(state, &who.caller, id).await?;
    let names = purpose_names(state, lang).await?;
    let decisions = service::decisions::list(state, &who.caller, id).await?;
    let decisions: Vec<minijinja::Value> = decisions
        .iter()
        .map(|d| {
            let purposes: Vec<String> = d
                .purposes
                .iter()
                .map(|p| names.get(p).cloned().unwrap_or_else(|| p.clone()))
                .collect();
            context! {
                number => d.number.clone(), version => d.version, decided_on => day(d.decided_on),
                service => text::word(&format!("c_service_{}", d.service.as_str()), lang),
                from => day(d.effective_from), to => day(d.effective_to),
                valid => format!("{} – {}", day(d.valid_from), day(d.valid_to)),
                monthly => duration(d.monthly_minutes, lang),
                purposes => if d.purposes_limited { purposes.join(", ") } else { text::word("c_all_purposes", lang).to_owned() },
                transport => if d.transport.allowed {
                    format!("{} €", crate::domain::statements::euros(d.transport.monthly_cap_cents))
                } else { text::word("c_no", lang).to_owned() },
                suspensions => d.suspensions.iter().map(|s| format!("{} – {}: {}", day(s.from), day(s.to), s.reason)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let assignments =
        service::assignments::list(state, &who.caller, (None, Some(id), None), (0, 200)).await?;
    let assignments: Vec<minijinja::Value> = assignments
        .items
        .iter()
        .map(|a| {
            context! {
                assistant_id => a.assistant_id.to_string(), assistant => a.assistant_name.clone(),
                service => text::word(&format!("c_service_{}", a.service.as_str()), lang),
                from => day(a.valid_from), to => a.valid_to.map(day).unwrap_or_default(),
                relative => a.relative,
            }
        })
        .collect();
    let logins = service::users::logins_of(state, &who.caller, Some(id), None).await?;
    let logins: Vec<minijinja::Value> = logins
        .iter()
        .map(|u| {
            context! {
                id => u.id.to_string(), login => u.login.clone(), name => u.display_name.clone(),
                role => text::word(&format!("c_role_{}", u.role.as_str()), lang), active => u.active,
            }
        })
        .collect();
    let pin = service::clients::has_pin(state, &who.caller, id).await?;
    // The allowance month by month: this month and the five before it.
    let this = Month::of(riga_date(state.clock.now()));
    let mut months = Vec::new();
    let mut m = this;
    for _ in 0..6 {
        let sheet = service::entries::month_sheet(state, &who.caller, lang, id, m).await?;
        let first = m.first_day();
        months.push(context! {
            month => m.to_string(),
            name => text::month_name(first.month(), first.year(), lang),
            state => text::word(&format!("cs_{}", sheet.state), lang),
            used => duration(sheet.used_minutes, lang),
            allowance => duration(sheet.allowance_minutes, lang),
            left => duration(sheet.remaining_minutes, lang),
            percent => if sheet.allowance_minutes > 0 { (sheet.used_minutes * 100 / sheet.allowance_minutes).min(100) } else { 0 },
        });
        m = m.prev();
    }
    let group = c
        .disability_group
        .map(|g| g.to_string())
        .unwrap_or_else(|| "—".into());
    Ok(show(
        who,
        lang,
        "console_client.html",
        status,
        message,
        context! {
            id => id.to_string(), name => c.name.clone(), born => day(c.birth_date),
            personal_code => c.personal_code.clone().unwrap_or_default(), group => group,
            language => match c.locale { Locale::Lv => "Latviešu", Locale::Ru => "Русский", Locale::En => "English" },
            email => c.email.clone().unwrap_or_default(),
            phone => c.phone.clone().unwrap_or_default(), active => c.active,
            decisions => decisions, assignments => assignments, logins => logins, pin => pin,
            months => months,
        },
    ))
}

#[derive(Deserialize)]
struct PinForm {
    csrf: String,
    pin: String,
}

async fn set_pin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PinForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    match service::auth::set_pin(&state.env(), &who.caller, id, form.pin.trim()).await {
        Ok(()) => Redirect::to(&format!("/console/clients/{id}?done=pin")).into_response(),
        Err(e) => {
            again(&who, lang, e, async |message, status| {
                card_page(&state, &who, lang, id, message, status).await
            })
            .await
        }
    }
}

/// The one form that enrols a client; after a refusal it comes back with everything typed.
async fn new_client(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    match enrol_form(
        &state,
        &who,
        lang,
        &Fields(Vec::new()),
        None,
        StatusCode::OK,
    )
    .await
    {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn enrol_form(
    state: &AppState,
    who: &Session,
    lang: Locale,
    typed: &Fields,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    who.caller.require_staff()?;
    let assistants =
        service::assistants::list(state, &who.caller, None, Some(true), (0, 1000)).await?;
    let chosen = typed.get("assistant_id").unwrap_or("");
    let assistants: Vec<minijinja::Value> = assistants
        .items
        .iter()
        .map(|a| context! { id => a.id.to_string(), name => a.name.clone(), chosen => a.id.to_string() == chosen })
        .collect();
    let ticked: Vec<&str> = typed
        .0
        .iter()
        .filter(|(k, _)| k == "purpose")
        .map(|(_, v)| v.as_str())
        .collect();
    let purposes: Vec<minijinja::Value> = service::policy::purposes(state)
        .await?
        .into_iter()
        .map(|p| {
            let name = match lang {
                Locale::Lv => p.labels.lv,
                Locale::Ru => p.labels.ru,
                Locale::En => p.labels.en,
            };
            context! {
                code => p.code.clone(), name => name, service => p.service.as_str(),
                ticked => ticked.contains(&p.code.as_str()),
            }
        })
        .collect();
    let value: std::collections::BTreeMap<String, String> = typed
        .0
        .iter()
        .filter(|(k, _)| k != "purpose" && k != "password" && k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(show(
        who,
        lang,
        "console_client_new.html",
        status,
        message,
        context! { assistants => assistants, purposes => purposes, v => value },
    ))
}

/// A day typed as `2026-10-01` (the date field) or `01.10.2026`.
fn parse_day(field: &str, value: Option<&str>) -> Result<NaiveDate, ApiError> {
    let value = value.map(str::trim).unwrap_or("");
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"))
        .map_err(|_| {
            ApiError::invalid(
                field,
                if value.is_empty() {
                    "required"
                } else {
                    "format"
                },
            )
        })
}

/// Hours typed with a decimal comma or point (`40`, `12,5`) as minutes.
fn parse_hours(field: &str, value: Option<&str>) -> Result<i64, ApiError> {
    let value = value.map(str::trim).unwrap_or("").replace(',', ".");
    let hours: f64 = value.parse().map_err(|_| {
        ApiError::invalid(
            field,
            if value.is_empty() {
                "required"
            } else {
                "format"
            },
        )
    })?;
    if !(0.0..=744.0).contains(&hours) {
        return Err(ApiError::invalid(field, "out_of_range"));
    }
    Ok((hours * 60.0).round() as i64)
}

/// Euro typed with a decimal comma or point as cents.
fn parse_euro(field: &str, value: &str) -> Result<i64, ApiError> {
    let value = value.trim().replace(',', ".");
    let euro: f64 = value
        .parse()
        .map_err(|_| ApiError::invalid(field, "format"))?;
    if !(0.0..=100_000.0).contains(&euro) {
        return Err(ApiError::invalid(field, "out_of_range"));
    }
    Ok((euro * 100.0).round() as i64)
}

fn optional(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// What the form says, read into the enrolment, or the first thing that is wrong with it.
fn read_enrolment(f: &Fields) -> Result<service::enrol::Enrolment, ApiError> {
    let service = match f.get("service") {
        Some("companion") => Service::Companion,
        _ => Service::Assistant,
    };
    let locale = match f.get("locale") {
        Some("ru") => Locale::Ru,
        Some("en") => Locale::En,
        _ => Locale::Lv,
    };
    let group = match optional(f.get("disability_group")) {
        Some(g) => Some(
            g.parse::<i32>()
                .map_err(|_| ApiError::invalid("disability_group", "format"))?,
        ),
        None => None,
    };
    let client = ClientCreate {
        name: f.get("name").unwrap_or("").to_owned(),
        birth_date: parse_day("birth_date", f.get("birth_date"))?,
        personal_code: optional(f.get("personal_code")),
        disability_group: group,
        locale: Some(locale),
        email: optional(f.get("email")),
        phone: optional(f.get("phone")),
    };
    let purposes: Vec<String> =
        f.0.iter()
            .filter(|(k, _)| k == "purpose")
            .map(|(_, v)| v.clone())
            .collect();
    let transport_allowed = f.get("transport") == Some("yes");
    let cap = match optional(f.get("transport_cap")) {
        Some(v) if transport_allowed => Some(parse_euro("transport_cap", &v)?),
        _ => None,
    };
    let decision = DecisionCreate {
        number: f.get("number").unwrap_or("").to_owned(),
        decided_on: parse_day("decided_on", f.get("decided_on"))?,
        service,
        valid_from: parse_day("valid_from", f.get("valid_from"))?,
        valid_to: parse_day("valid_to", f.get("valid_to"))?,
        monthly_minutes: parse_hours("monthly_hours", f.get("monthly_hours"))?,
        purposes: (!purposes.is_empty()).then_some(purposes),
        transport: Some(Transport {
            allowed: transport_allowed,
            monthly_cap_cents: cap.unwrap_or(0),
        }),
        weekly_procedures: Some(f.get("weekly_procedures") == Some("yes")),
        note: optional(f.get("note")),
    };
    let assistant_id = match optional(f.get("assistant_id")) {
        Some(a) => Some(
            a.parse::<Uuid>()
                .map_err(|_| ApiError::invalid("assistant_id", "unknown"))?,
        ),
        None => None,
    };
    let login = match optional(f.get("login")) {
        Some(login) => {
            let role = if f.get("login_role") == Some("representative") {
                Role::Representative
            } else {
                Role::Client
            };
            Some(UserCreate {
                login,
                password: f.get("password").unwrap_or("").to_owned(),
                role,
                display_name: optional(f.get("login_name")),
                locale: Some(locale),
                email: optional(f.get("login_email")),
                assistant_id: None,
                client_id: None,
                client_ids: None,
            })
        }
        None => None,
    };
    Ok(service::enrol::Enrolment {
        client,
        decision,
        assistant_id,
        login,
    })
}

async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let (who, lang) = match acting(&state, &headers, fields.get("csrf")).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let done = match read_enrolment(&fields) {
        Ok(e) => service::enrol::enrol(&state, &who.caller, e).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(id) => Redirect::to(&format!("/console/clients/{id}?done=enrolled")).into_response(),
        Err(e) => {
            again(&who, lang, e, async |message, status| {
                enrol_form(&state, &who, lang, &fields, message, status).await
            })
            .await
        }
    }
}

/// A client's month as the coordinator sees it: every session with its status, the client's
/// disputes and how each was resolved, and the forms to resolve the open ones.
async fn sheet(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((client, month)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let (Ok(client), Some(month)) = (client.parse::<Uuid>(), Month::parse(&month)) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let notice = (q.done.as_deref() == Some("resolved"))
        .then(|| (false, text::word("c_done_resolved", lang).to_owned()));
    match sheet_page(&state, &who, lang, (client, month), notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

/// The month sheet again, with the problem an action ran into.
pub(super) async fn sheet_after(
    state: &AppState,
    who: &Session,
    lang: Locale,
    at: (Uuid, Month),
    e: ApiError,
) -> Response {
    again(who, lang, e, async |message, status| {
        sheet_page(state, who, lang, at, message, status).await
    })
    .await
}

async fn sheet_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    (client, month): (Uuid, Month),
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    who.caller.require_staff()?;
    let c = service::clients::read(state, &who.caller, client).await?;
    let s = service::entries::month_sheet(state, &who.caller, lang, client, month).await?;
    let names = purpose_names(state, lang).await?;
    let mut assistants: std::collections::HashMap<Uuid, String> = Default::default();
    for e in &s.entries {
        if let std::collections::hash_map::Entry::Vacant(v) = assistants.entry(e.assistant_id) {
            v.insert(
                service::assistants::read(state, &who.caller, e.assistant_id)
                    .await?
                    .name,
            );
        }
    }
    let entries: Vec<minijinja::Value> = s
        .entries
        .iter()
        .map(|e| {
            let disputes: Vec<minijinja::Value> = s
                .disputes
                .iter()
                .filter(|d| d.entry_id == e.id)
                .map(|d| context! {
                    reason => d.reason.clone(), open => d.resolved_at.is_none(),
                    resolution => d.resolution.clone().unwrap_or_default(),
                })
                .collect();
            context! {
                id => e.id.to_string(), when => when(e.started_at, e.ended_at),
                duration => duration(e.minutes, lang),
                purpose => names.get(&e.purpose).cloned().unwrap_or_else(|| e.purpose.clone()),
                assistant => assistants.get(&e.assistant_id).cloned().unwrap_or_default(),
                status => text::word(&format!("c_entry_{}", e.status.as_str()), lang),
                note => e.note.clone().unwrap_or_default(),
                trips => e.trips.iter().map(|t| format!("{} → {}", t.from, t.to)).collect::<Vec<_>>().join(", "),
                disputes => disputes,
            }
        })
        .collect();
    let first = month.first_day();
    Ok(show(
        who,
        lang,
        "console_sheet.html",
        status,
        message,
        context! {
            client_id => client.to_string(), client => c.name, month => month.to_string(),
            month_name => text::month_name(first.month(), first.year(), lang),
            state => text::word(&format!("cs_{}", s.state), lang),
            used => duration(s.used_minutes, lang), allowance => duration(s.allowance_minutes, lang),
            left => duration(s.remaining_minutes, lang),
            confirmed => s.confirmed_at.map(instant), confirmed_as => s.confirmed_as.clone(),
            approved => s.approved_at.map(instant), approval_reason => s.approval_reason.clone(),
            entries => entries,
        },
    ))
}

async fn assistants(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    if let Err(e) = who.caller.require_staff() {
        return problem_page(e, lang, &who);
    }
    let offset = q.offset.unwrap_or(0);
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let page =
        match service::assistants::list(&state, &who.caller, search, None, (offset, PAGE)).await {
            Ok(p) => p,
            Err(e) => return problem_page(e, lang, &who),
        };
    let rows: Vec<minijinja::Value> = page
        .items
        .iter()
        .map(|a| {
            context! {
                id => a.id.to_string(), name => a.name.clone(),
                phone => a.phone.clone().unwrap_or_default(), active => a.active,
            }
        })
        .collect();
    with_cookie(
        show(
            &who,
            lang,
            "console_assistants.html",
            StatusCode::OK,
            None,
            context! { rows => rows, q => search.unwrap_or(""), pager => pager(offset, page.total) },
        ),
        set,
    )
}

/// An assistant's card: details payroll needs, assignments, hours per ISO week of this month
/// and the last against the weekly figure, pay per month, and their phones.
async fn assistant_card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let (who, lang, set) = match viewing(&state, &headers, q.lang.as_deref()).await {
        Ok(v) => v,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let notice = match q.done.as_deref() {
        Some("revoked") => Some((false, text::word("c_done_revoked", lang).to_owned())),
        Some("insurance") => Some((false, text::word("c_done_insurance", lang).to_owned())),
        _ => None,
    };
    match assistant_page(&state, &who, lang, id, notice, StatusCode::OK).await {
        Ok(r) => with_cookie(r, set),
        Err(e) => problem_page(e, lang, &who),
    }
}

async fn assistant_page(
    state: &AppState,
    who: &Session,
    lang: Locale,
    id: Uuid,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    who.caller.require_staff()?;
    let a = service::assistants::read(state, &who.caller, id).await?;
    let assignments =
        service::assignments::list(state, &who.caller, (Some(id), None, None), (0, 200)).await?;
    let assignments: Vec<minijinja::Value> = assignments
        .items
        .iter()
        .map(|a| {
            context! {
                client_id => a.client_id.to_string(), client => a.client_name.clone(),
                service => text::word(&format!("c_service_{}", a.service.as_str()), lang),
                from => day(a.valid_from), to => a.valid_to.map(day).unwrap_or_default(),
                relative => a.relative,
            }
        })
        .collect();
    // Hours per ISO week (Monday to Sunday, in Riga) over this month and the last.
    let this = Month::of(riga_date(state.clock.now()));
    let mut weeks: std::collections::BTreeMap<(i32, u32), i64> = Default::default();
    for m in [this.prev(), this] {
        let filter = service::entries::ListFilter {
            client_id: None,
            assistant_id: Some(id),
            month: Some(m),
            status: None,
            with_warnings: false,
        };
        let page = service::entries::list(state, &who.caller, lang, filter, (0, 2000)).await?;
        for e in page.items {
            let start = e.started_at.with_timezone(&crate::domain::time::TZ);
            if Month::of(start.date_naive()) != m {
                continue;
            }
            let w = start.iso_week();
            *weeks.entry((w.year(), w.week())).or_default() += e.minutes;
        }
    }
    let limit = service::policy::read(state, &who.caller, None, lang)
        .await?
        .in_force
        .iter()
        .find(|p| p.key == "weekly_limit_minutes")
        .and_then(|p| p.value.as_i64())
        .unwrap_or(0);
    let weeks: Vec<minijinja::Value> = weeks
        .iter()
        .rev()
        .map(|((y, w), minutes)| {
            let monday = NaiveDate::from_isoywd_opt(*y, *w, chrono::Weekday::Mon);
            context! {
                week => format!("{y}-W{w:02}"),
                from => monday.map(day).unwrap_or_default(),
                hours => duration(*minutes, lang),
                over => limit > 0 && *minutes > limit,
            }
        })
        .collect();
    let pay = service::statements::pay_of_assistant(state, &who.caller, id).await?;
    let pay: Vec<minijinja::Value> = pay
        .iter()
        .map(|p| {
            context! {
                month => p.month.clone(), version => p.version, correction => p.is_correction,
                amount => crate::domain::statements::euros(p.amount_cents),
                gross => crate::domain::statements::euros(p.gross_cents),
                trips => crate::domain::statements::euros(p.trip_cents),
            }
        })
        .collect();
    let mut phones = Vec::new();
    for u in service::users::logins_of(state, &who.caller, None, Some(id)).await? {
        for d in service::account::devices_of_user(state, &who.caller, u.id).await? {
            phones.push(context! {
                id => d.id.to_string(), login => u.login.clone(), name => d.name,
                platform => d.platform, version => d.app_version,
                last => instant(d.last_login_at),
                revoked => d.revoked_at.map(instant),
                expired => d.expires_at < state.clock.now(),
            });
        }
    }
    let insurance = text::word(
        &format!("c_insurance_{}", a.insurance_status.as_str()),
        lang,
    );
    // The statuses with the days they apply from, newest first.
    let periods = service::assistants::insurance_history(state, &who.caller, id).await?;
    let history: Vec<minijinja::Value> = periods
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (from, status))| {
            // The first period is the status held before any change: until the next one.
            let when = match (i, periods.get(1)) {
                (0, Some((next, _))) => format!(
                    "{} {}",
                    text::word("c_until_day", lang),
                    next.pred_opt().map(day).unwrap_or_default()
                ),
                _ => format!("{} {}", text::word("c_from_day", lang), day(*from)),
            };
            context! {
                when => when,
                status => text::word(&format!("c_insurance_{}", status.as_str()), lang),
            }
        })
        .collect();
    let statuses: Vec<minijinja::Value> = mobile_api::InsuranceStatus::ALL
        .iter()
        .map(|s| {
            context! {
                value => s.as_str(),
                text => text::word(&format!("c_insurance_{}", s.as_str()), lang),
                current => *s == a.insurance_status,
            }
        })
        .collect();
    Ok(show(
        who,
        lang,
        "console_assistant.html",
        status,
        message,
        context! {
            id => id.to_string(), name => a.name.clone(),
            personal_code => a.personal_code.clone().unwrap_or_default(),
            iban => a.iban.clone().unwrap_or_default(), insurance => insurance,
            email => a.email.clone().unwrap_or_default(), phone => a.phone.clone().unwrap_or_default(),
            active => a.active, assignments => assignments, weeks => weeks,
            limit => duration(limit, lang), pay => pay, phones => phones,
            history => history, statuses => statuses,
            today => crate::domain::time::riga_date(state.clock.now()).to_string(),
        },
    ))
}

#[derive(Deserialize)]
struct RevokeForm {
    csrf: String,
    assistant: String,
}

/// A lost phone logged out: its token stops working at once.
async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let (Ok(id), Ok(assistant)) = (id.parse::<Uuid>(), form.assistant.parse::<Uuid>()) else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    match service::account::revoke_device(&state, &who.caller, id).await {
        Ok(_) => {
            Redirect::to(&format!("/console/assistants/{assistant}?done=revoked")).into_response()
        }
        Err(e) => {
            again(&who, lang, e, async |message, status| {
                assistant_page(&state, &who, lang, assistant, message, status).await
            })
            .await
        }
    }
}

#[derive(Deserialize)]
struct InsuranceForm {
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
}

/// An assistant's insurance status changed from a day (a pensioner from the day the pension was
/// granted): the pay of the days before keeps the status held then.
async fn change_insurance(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<InsuranceForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let body = match (
        mobile_api::InsuranceStatus::parse(&form.status),
        form.from.parse::<NaiveDate>(),
    ) {
        (Some(status), Ok(from)) => Ok(mobile_api::people::AssistantUpdate {
            insurance_status: Some(status),
            insurance_from: Some(from),
            ..Default::default()
        }),
        (None, _) => Err(ApiError::invalid("status", "out_of_range")),
        (_, Err(_)) => Err(ApiError::invalid("from", "invalid_date")),
    };
    let done = match body {
        Ok(body) => service::people::update_assistant(&state, &who.caller, id, &body)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to(&format!("/console/assistants/{id}?done=insurance")).into_response(),
        Err(e) => {
            again(&who, lang, e, async |message, status| {
                assistant_page(&state, &who, lang, id, message, status).await
            })
            .await
        }
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
        Err(e) if to_sheet => sheet_after(&state, &who, lang, (client, month), e).await,
        Err(e) => super::queue::exceptions_after(&state, &who, lang, e).await,
    }
}
