//! Decisions: a new decision series, amendments (a new version from a date; history is never
//! edited), suspensions and their corrections. Checked against the policy and the client's other
//! decisions (`domain::decision`).

use std::collections::HashMap;

use chrono::NaiveDate;
use mobile_api::Role;
use mobile_api::people::{
    Decision, DecisionAmend, DecisionCreate, Suspension, SuspensionCreate, SuspensionUpdate,
    Transport,
};
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use super::people::{decision_changed, decision_snapshot};
use crate::db::entity::{decisions, suspensions};
use crate::db::{self, TransactionTrait, audit};
use crate::domain::decision::{self, Draft, Figures, Other};
use crate::domain::policy::Policy;
use crate::domain::text;
use crate::error::ApiError;

/// Checks `draft` as version of `series` (None for a new decision) against policy and the
/// client's other decisions.
async fn validate(
    txn: &impl crate::db::Conn,
    client_id: Uuid,
    series: Option<Uuid>,
    draft: &Draft,
) -> Result<(), ApiError> {
    let client = db::people::client(txn, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Through the transaction: on SQLite it holds the only connection.
    let policy = db::policy::book(txn)
        .await?
        .at(draft.valid_from)
        .map_err(ApiError::Internal)?;
    let all = db::people::decisions_of(txn, client_id).await?;
    // Each other series as its latest version's period.
    let mut latest: HashMap<Uuid, &decisions::Model> = HashMap::new();
    for d in all.iter().filter(|d| Some(d.series_id) != series) {
        let e = latest.entry(d.series_id).or_insert(d);
        if d.version > e.version {
            *e = d;
        }
    }
    let others: Vec<Other> = latest
        .values()
        .map(|d| Other {
            id: d.id,
            service: *d.service,
            valid_from: d.valid_from,
            valid_to: d.valid_to,
        })
        .collect();
    decision::validate(draft, client.birth_date, &others, &policy)?;
    decision::eligible(draft, client.birth_date, client.disability_group, &policy)?;
    Ok(())
}

fn check_period(
    from: NaiveDate,
    to: NaiveDate,
    decision: &decisions::Model,
) -> Result<(), ApiError> {
    if to < from {
        return Err(ApiError::invalid("to", "period_reversed"));
    }
    if from < decision.valid_from || to > decision.valid_to {
        return Err(ApiError::invalid_with(
            "from",
            "outside_validity",
            json!({ "valid_from": decision.valid_from, "valid_to": decision.valid_to }),
        ));
    }
    Ok(())
}

/// A new decision series for the client; returns its first version's id.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    body: &DecisionCreate,
) -> Result<Uuid, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let id = create_in(&txn, caller, client_id, body, now).await?;
    // Sessions flagged for want of a decision on these days meet the rules again.
    let by = super::entries::actor(caller);
    super::flags::recheck(
        &txn,
        Some(&[client_id]),
        (body.valid_from, Some(body.valid_to)),
        true,
        by,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// [`create`] inside the caller's transaction (a client enrolled in one form).
pub async fn create_in(
    txn: &crate::db::Txn,
    caller: &Caller,
    client_id: Uuid,
    body: &DecisionCreate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Uuid, ApiError> {
    let number = text::line("number", &body.number, 100)?;
    let note = text::opt_text("note", body.note.as_deref(), 2000)?;
    let transport = body.transport.unwrap_or_default();
    let draft = Draft {
        service: body.service,
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        monthly_minutes: body.monthly_minutes,
        purposes: body.purposes.clone(),
        transport_allowed: transport.allowed,
        transport_cap_cents: transport.monthly_cap_cents,
        weekly_procedures: body.weekly_procedures.unwrap_or(false),
    };
    validate(txn, client_id, None, &draft).await?;
    let model = super::people::first_version(
        client_id,
        number,
        body.decided_on,
        &draft,
        note,
        Some(caller.user_id),
        now,
    );
    let id = model.id;
    super::people::add_decision(txn, &model, Some(caller.user_id), now).await?;
    Ok(id)
}

/// A new version of the decision's latest version, in force from `effective_from`; returns its
/// id.
pub async fn amend(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    decision_id: Uuid,
    body: &DecisionAmend,
) -> Result<Uuid, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let base = db::people::decision(&txn, decision_id)
        .await?
        .filter(|d| d.client_id == client_id)
        .ok_or(ApiError::NotFound)?;
    let series: Vec<decisions::Model> = db::people::decisions_of(&txn, client_id)
        .await?
        .into_iter()
        .filter(|d| d.series_id == base.series_id)
        .collect();
    if series.iter().any(|d| d.version > base.version) {
        return Err(decision::DecisionInvalid {
            reason: "not_latest_version",
            details: json!({}),
        }
        .into());
    }
    let valid_to = body.valid_to.unwrap_or(base.valid_to);
    if body.effective_from <= base.effective_from {
        return Err(decision::DecisionInvalid {
            reason: "not_after_previous",
            details: json!({ "previous_effective_from": base.effective_from }),
        }
        .into());
    }
    if body.effective_from > valid_to {
        return Err(decision::DecisionInvalid {
            reason: "outside_validity",
            details: json!({ "valid_to": valid_to }),
        }
        .into());
    }
    let transport = body.transport.unwrap_or(Transport {
        allowed: base.transport_allowed,
        monthly_cap_cents: base.transport_cap_cents,
    });
    let purposes = match &body.purposes {
        Some(p) => p.clone(),
        None => db::people::parse_purposes(&base.purposes),
    };
    let draft = Draft {
        service: *base.service,
        valid_from: base.valid_from,
        valid_to,
        monthly_minutes: body
            .monthly_minutes
            .unwrap_or(i64::from(base.monthly_minutes)),
        purposes,
        transport_allowed: transport.allowed,
        transport_cap_cents: transport.monthly_cap_cents,
        weekly_procedures: body.weekly_procedures.unwrap_or(base.weekly_procedures),
    };
    validate(&txn, client_id, Some(base.series_id), &draft).await?;
    let id = Uuid::now_v7();
    let model = decisions::Model {
        id,
        series_id: base.series_id,
        version: base.version + 1,
        client_id,
        number: match &body.number {
            Some(n) => text::line("number", n, 100)?,
            None => base.number.clone(),
        },
        decided_on: body.decided_on.unwrap_or(base.decided_on),
        service: base.service,
        valid_from: base.valid_from,
        valid_to,
        effective_from: body.effective_from,
        monthly_minutes: draft.monthly_minutes as i32,
        purposes: draft.purposes.as_ref().map(|p| json!(p).to_string()),
        transport_allowed: draft.transport_allowed,
        transport_cap_cents: draft.transport_cap_cents,
        weekly_procedures: draft.weekly_procedures,
        note: match &body.note {
            Some(n) => text::opt_text("note", Some(n), 2000)?,
            None => base.note.clone(),
        },
        created_at: now,
        created_by: Some(caller.user_id),
    };
    db::people::insert(&txn, model.clone()).await?;
    decision_changed(&txn, "upsert", &model, decision_snapshot(&model), now).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "decision_amended",
            subject_kind: "decision",
            subject_id: id.to_string(),
            client_id: Some(client_id),
            before: Some(decision_snapshot(&base)),
            after: Some(decision_snapshot(&model)),
        },
    )
    .await?;
    // A smaller volume, fewer purposes, transport withdrawn or an earlier end: the sessions
    // already recorded from the amendment's month on that no longer fit are flagged.
    let by = super::entries::actor(caller);
    super::flags::recheck(
        &txn,
        Some(&[client_id]),
        (body.effective_from, None),
        true,
        by,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Suspends the service under the decision for a period (an inpatient stay).
pub async fn suspend(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    decision_id: Uuid,
    body: &SuspensionCreate,
) -> Result<suspensions::Model, ApiError> {
    let reason = text::text("reason", &body.reason, 500)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let decision = db::people::decision(&txn, decision_id)
        .await?
        .filter(|d| d.client_id == client_id)
        .ok_or(ApiError::NotFound)?;
    check_period(body.from, body.to, &decision)?;
    let model = suspensions::Model {
        id: Uuid::now_v7(),
        series_id: decision.series_id,
        client_id,
        starts_on: body.from,
        ends_on: body.to,
        reason,
        created_at: now,
        created_by: Some(caller.user_id),
    };
    super::people::add_suspension(&txn, &decision, &model, Some(caller.user_id), now).await?;
    // Sessions already recorded in the suspended days (a hospital stay reported afterwards)
    // are flagged.
    let by = super::entries::actor(caller);
    super::flags::recheck(
        &txn,
        Some(&[client_id]),
        (body.from, Some(body.to)),
        true,
        by,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Corrects a suspension's period or reason.
pub async fn update_suspension(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    suspension_id: Uuid,
    body: &SuspensionUpdate,
) -> Result<suspensions::Model, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::suspensions_of(&txn, client_id)
        .await?
        .into_iter()
        .find(|s| s.id == suspension_id)
        .ok_or(ApiError::NotFound)?;
    let decision = db::people::decisions_of(&txn, client_id)
        .await?
        .into_iter()
        .filter(|d| d.series_id == before.series_id)
        .max_by_key(|d| d.version)
        .ok_or(ApiError::NotFound)?;
    let mut s = before.clone();
    s.starts_on = body.from.unwrap_or(s.starts_on);
    s.ends_on = body.to.unwrap_or(s.ends_on);
    if let Some(r) = &body.reason {
        s.reason = text::text("reason", r, 500)?;
    }
    check_period(s.starts_on, s.ends_on, &decision)?;
    db::people::update(&txn, s.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "suspension_updated",
            subject_kind: "suspension",
            subject_id: s.id.to_string(),
            client_id: Some(client_id),
            before: Some(
                json!({ "from": before.starts_on, "to": before.ends_on, "reason": before.reason }),
            ),
            after: Some(json!({ "from": s.starts_on, "to": s.ends_on, "reason": s.reason })),
        },
    )
    .await?;
    // The days it covered before and covers now: flagged sessions of days no longer suspended
    // count again, sessions of newly suspended days are flagged.
    let (from, to) = (
        before.starts_on.min(s.starts_on),
        before.ends_on.max(s.ends_on),
    );
    let by = super::entries::actor(caller);
    super::flags::recheck(&txn, Some(&[client_id]), (from, Some(to)), true, by, now).await?;
    txn.commit().await?;
    Ok(s)
}

pub fn suspension_view(s: &suspensions::Model) -> Suspension {
    Suspension {
        id: s.id,
        series_id: s.series_id,
        client_id: s.client_id,
        from: s.starts_on,
        to: s.ends_on,
        reason: s.reason.clone(),
        created_at: s.created_at,
    }
}

/// Every version of every decision of the client, with each version's last day.
fn views(all: &[decisions::Model], susp: &[suspensions::Model], policy: &Policy) -> Vec<Decision> {
    let mut by_series: HashMap<Uuid, Vec<Figures>> = HashMap::new();
    for d in all {
        by_series
            .entry(d.series_id)
            .or_default()
            .push(db::people::figures(d));
    }
    for series in by_series.values_mut() {
        series.sort_by_key(|f| f.version);
    }
    all.iter()
        .map(|d| {
            let series = &by_series[&d.series_id];
            let i = series.iter().position(|f| f.id == d.id).unwrap_or(0);
            let service = *d.service;
            let limited = db::people::parse_purposes(&d.purposes);
            Decision {
                id: d.id,
                series_id: d.series_id,
                version: d.version,
                client_id: d.client_id,
                number: d.number.clone(),
                decided_on: d.decided_on,
                service,
                valid_from: d.valid_from,
                valid_to: d.valid_to,
                effective_from: d.effective_from,
                effective_to: decision::effective_to(series, i),
                monthly_minutes: i64::from(d.monthly_minutes),
                purposes_limited: limited.is_some(),
                purposes: limited.unwrap_or_else(|| policy.purposes_of(service)),
                transport: Transport {
                    allowed: d.transport_allowed,
                    monthly_cap_cents: d.transport_cap_cents,
                },
                weekly_procedures: d.weekly_procedures,
                note: d.note.clone(),
                suspensions: susp
                    .iter()
                    .filter(|s| s.series_id == d.series_id)
                    .map(suspension_view)
                    .collect(),
                created_at: d.created_at,
            }
        })
        .collect()
}

async fn policy_on(state: &AppState, day: NaiveDate) -> Result<Policy, ApiError> {
    db::policy::book(&state.db)
        .await?
        .at(day)
        .map_err(ApiError::Internal)
}

/// Every version of every decision of the client, as of today.
pub async fn views_of(state: &AppState, client_id: Uuid) -> Result<Vec<Decision>, ApiError> {
    let all = db::people::decisions_of(&state.db, client_id).await?;
    let susp = db::people::suspensions_of(&state.db, client_id).await?;
    let policy = policy_on(state, crate::domain::time::riga_date(state.clock.now())).await?;
    Ok(views(&all, &susp, &policy))
}

async fn check_reader(state: &AppState, caller: &Caller, client_id: Uuid) -> Result<(), ApiError> {
    if caller.role == Role::Accountant {
        return Err(ApiError::Forbidden);
    }
    caller.may_see_client(state, client_id).await
}

/// One decision version of the client, as its readers see it.
pub async fn view(state: &AppState, client_id: Uuid, id: Uuid) -> Result<Decision, ApiError> {
    views_of(state, client_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(ApiError::NotFound)
}

/// Every version of the client's decisions, for those who may see the client.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
) -> Result<Vec<Decision>, ApiError> {
    check_reader(state, caller, client_id).await?;
    views_of(state, client_id).await
}

/// One decision version, for those who may see the client.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    id: Uuid,
) -> Result<Decision, ApiError> {
    check_reader(state, caller, client_id).await?;
    view(state, client_id, id).await
}
