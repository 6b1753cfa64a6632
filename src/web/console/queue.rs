//! What waits for a person, oldest first: flagged entries to keep or void, late entries to
//! review, the clients' disputes to resolve, and mail that could not be delivered.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use mobile_api::Locale;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::service::{self, AppState};
use crate::web::{duration, locale_at, text, with_cookie};

use super::page::*;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/exceptions", get(exceptions))
        .route("/console/entries/{entry_id}/review", post(review))
        .route("/console/entries/{entry_id}/flag", post(resolve_flag))
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
                "flag" => text::word("c_done_flag", lang),
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
    let waiting = async |status| {
        let filter = service::entries::ListFilter {
            client_id: None,
            assistant_id: None,
            month: None,
            status: Some(status),
            with_warnings: false,
        };
        let mut list = service::entries::list(state, &who.caller, lang, filter, (0, 500))
            .await?
            .items;
        list.sort_by_key(|e| e.started_at);
        Ok::<_, ApiError>(list)
    };
    let late = waiting(mobile_api::EntryStatus::PendingReview).await?;
    let flagged = waiting(mobile_api::EntryStatus::Flagged).await?;
    let mut names: std::collections::HashMap<Uuid, String> = std::collections::HashMap::new();
    for e in late.iter().chain(&flagged) {
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
    // Each card with the form of its verdict: a flagged session is kept or voided, a late one
    // approved or rejected.
    let answers = |flagged: bool| {
        if flagged {
            ("flag", "resolution", "keep", "c_keep", "void", "c_void")
        } else {
            (
                "review",
                "decision",
                "approve",
                "c_approve",
                "reject",
                "c_reject",
            )
        }
    };
    let card = |e: &mobile_api::entries::Entry| {
        let (action, field, yes, yes_text, no, no_text) = answers(e.flag.is_some());
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
            why => e.flag.as_ref().map(|f| f.message.clone()).unwrap_or_default(),
            action => action, field => field,
            yes => yes, yes_text => text::word(yes_text, lang),
            no => no, no_text => text::word(no_text, lang),
        }
    };
    let late: Vec<minijinja::Value> = late.iter().map(card).collect();
    let flagged: Vec<minijinja::Value> = flagged.iter().map(card).collect();
    // The failed mails (a page of them: more would wait on the next ones being sent again).
    let mut failed = service::statements::outbox(
        state,
        &who.caller,
        Some(mobile_api::OutboxState::Failed),
        (0, 500),
    )
    .await?
    .items;
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
        context! { flagged => flagged, late => late, failed => failed, disputes => disputes },
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
struct FlagForm {
    csrf: String,
    resolution: String,
    reason: String,
}

/// A flagged entry kept (the rule it broke excused for it, every other checked again) or
/// voided, with a reason.
async fn resolve_flag(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<FlagForm>,
) -> Response {
    let (who, lang) = match acting(&state, &headers, Some(&form.csrf)).await {
        Ok(w) => w,
        Err(to) => return to,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return problem_page(ApiError::NotFound, lang, &who);
    };
    let body = mobile_api::entries::FlagResolution {
        resolution: form.resolution,
        reason: form.reason,
    };
    match service::flags::resolve(&state, &who.caller, lang, id, &body).await {
        Ok(_) => Redirect::to("/console/exceptions?done=flag").into_response(),
        Err(e) => exceptions_after(&state, &who, lang, e).await,
    }
}

pub(super) async fn exceptions_after(
    state: &AppState,
    who: &Session,
    lang: Locale,
    e: ApiError,
) -> Response {
    again(who, lang, e, async |message, status| {
        exceptions_page(state, who, lang, message, status).await
    })
    .await
}
