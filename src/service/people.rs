//! What phones learn when the social service's records change: every write of an assignment or
//! a decision, from the API or the demo, records the same change rows for the pull.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::db::changes::{self, Scope};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::{assignments, assistants, clients, decisions, suspensions};
use crate::db::{self, DbErr, TransactionTrait, Txn, audit};
use crate::domain::decision::Draft;
use crate::domain::text;
use crate::domain::time::{Month, riga_date};
use crate::error::ApiError;
use mobile_api::people::{AssistantCreate, AssistantUpdate, ClientCreate, ClientUpdate};

/// An assignment as the pull and the audit log show it.
pub fn assignment_snapshot(a: &assignments::Model) -> Value {
    json!({
        "assistant_id": a.assistant_id, "client_id": a.client_id, "service": a.service,
        "valid_from": a.valid_from, "valid_to": a.valid_to, "relative": a.relative,
    })
}

/// A decision version as the pull and the audit log show it (`purposes` a list, or null for
/// every purpose of the service kind).
pub fn decision_snapshot(d: &decisions::Model) -> Value {
    json!({
        "series_id": d.series_id, "version": d.version, "number": d.number, "service": d.service,
        "valid_from": d.valid_from, "valid_to": d.valid_to, "effective_from": d.effective_from,
        "monthly_minutes": d.monthly_minutes,
        "purposes": db::people::parse_purposes(&d.purposes),
        "transport_allowed": d.transport_allowed, "transport_cap_cents": d.transport_cap_cents,
    })
}

/// Tells the client's assistants (pull) of an assignment made or changed.
pub async fn assignment_changed(
    txn: &Txn,
    a: &assignments::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut data = assignment_snapshot(a);
    data["id"] = json!(a.id);
    if let Some(c) = db::people::client(txn, a.client_id).await? {
        data["client_name"] = json!(c.name);
    }
    let scope = Scope {
        client_id: Some(a.client_id),
        assistant_id: Some(a.assistant_id),
        user_id: None,
    };
    changes::record(
        txn,
        "assignment",
        "upsert",
        a.id.to_string(),
        scope,
        &data,
        now,
    )
    .await
}

/// Tells phones (pull) of a decision version (`op` `upsert`) or a suspension of it (`op`
/// `suspension`, `data` the suspension), and of the allowance of the months around today.
pub async fn decision_changed(
    txn: &Txn,
    op: &str,
    d: &decisions::Model,
    data: Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let scope = Scope {
        client_id: Some(d.client_id),
        ..Default::default()
    };
    changes::record(
        txn,
        "decision",
        op,
        d.series_id.to_string(),
        scope,
        &data,
        now,
    )
    .await?;
    let this = Month::of(riga_date(now));
    db::entries::record_months(txn, d.client_id, &[this.prev(), this], now).await
}

/// A client as the audit log shows it (the personal code masked).
pub fn client_snapshot(c: &clients::Model) -> Value {
    json!({
        "name": c.name, "birth_date": c.birth_date,
        "personal_code": c.personal_code.as_ref().map(|_| "***"),
        "disability_group": c.disability_group, "locale": c.locale,
        "email": c.email, "phone": c.phone, "active": c.active,
    })
}

/// Stores a new client, audited as `client_created` by `by` (None: the service itself).
pub async fn add_client(
    txn: &Txn,
    model: &clients::Model,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    db::people::insert(txn, model.clone()).await?;
    audit::append(
        txn,
        now,
        audit::Record {
            actor: by,
            action: "client_created",
            subject_kind: "client",
            subject_id: model.id.to_string(),
            client_id: Some(model.id),
            before: None,
            after: Some(client_snapshot(model)),
        },
    )
    .await
}

/// Stores a new decision series' first version: phones are told, the audit log records
/// `decision_created`.
pub async fn add_decision(
    txn: &Txn,
    model: &decisions::Model,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    db::people::insert(txn, model.clone()).await?;
    decision_changed(txn, "upsert", model, decision_snapshot(model), now).await?;
    audit::append(
        txn,
        now,
        audit::Record {
            actor: by,
            action: "decision_created",
            subject_kind: "decision",
            subject_id: model.id.to_string(),
            client_id: Some(model.client_id),
            before: None,
            after: Some(decision_snapshot(model)),
        },
    )
    .await
}

/// Stores a suspension of `decision` (an inpatient stay): phones are told, the audit log
/// records `suspension_created`.
pub async fn add_suspension(
    txn: &Txn,
    decision: &decisions::Model,
    model: &suspensions::Model,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    db::people::insert(txn, model.clone()).await?;
    let data = json!({
        "id": model.id, "series_id": model.series_id, "from": model.starts_on,
        "to": model.ends_on, "reason": model.reason,
    });
    decision_changed(txn, "suspension", decision, data, now).await?;
    audit::append(
        txn,
        now,
        audit::Record {
            actor: by,
            action: "suspension_created",
            subject_kind: "suspension",
            subject_id: model.id.to_string(),
            client_id: Some(model.client_id),
            before: None,
            after: Some(
                json!({ "from": model.starts_on, "to": model.ends_on, "reason": model.reason }),
            ),
        },
    )
    .await
}

/// Stores a new assignment: the assistant's phones are told, the audit log records
/// `assignment_created`.
pub async fn add_assignment(
    txn: &Txn,
    model: &assignments::Model,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    db::people::insert(txn, model.clone()).await?;
    assignment_changed(txn, model, now).await?;
    audit::append(
        txn,
        now,
        audit::Record {
            actor: by,
            action: "assignment_created",
            subject_kind: "assignment",
            subject_id: model.id.to_string(),
            client_id: Some(model.client_id),
            before: None,
            after: Some(assignment_snapshot(model)),
        },
    )
    .await
}

/// The first version of a new decision series, as it is stored: its figures from `draft`.
#[allow(clippy::too_many_arguments)]
pub fn first_version(
    client_id: Uuid,
    number: String,
    decided_on: NaiveDate,
    draft: &Draft,
    note: Option<String>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> decisions::Model {
    let id = Uuid::now_v7();
    decisions::Model {
        id,
        series_id: id,
        version: 1,
        client_id,
        number,
        decided_on,
        service: draft.service.into(),
        valid_from: draft.valid_from,
        valid_to: draft.valid_to,
        effective_from: draft.valid_from,
        monthly_minutes: draft.monthly_minutes as i32,
        purposes: draft.purposes.as_ref().map(|p| json!(p).to_string()),
        transport_allowed: draft.transport_allowed,
        transport_cap_cents: draft.transport_cap_cents,
        weekly_procedures: draft.weekly_procedures,
        note,
        created_at: now,
        created_by: by,
    }
}

fn check_group(group: Option<i32>) -> Result<Option<i32>, ApiError> {
    match group {
        None | Some(1..=3) => Ok(group),
        Some(_) => Err(ApiError::invalid("disability_group", "out_of_range")),
    }
}

fn check_birth_date(state: &AppState, d: NaiveDate) -> Result<(), ApiError> {
    let today = riga_date(state.clock.now());
    if d > today {
        return Err(ApiError::invalid("birth_date", "in_future"));
    }
    if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) {
        return Err(ApiError::invalid("birth_date", "out_of_range"));
    }
    Ok(())
}

/// Registers a new client (coordinators).
pub async fn create_client(
    state: &AppState,
    caller: &Caller,
    body: &ClientCreate,
) -> Result<clients::Model, ApiError> {
    let now = state.clock.now();
    let model = client_model(state, body, now)?;
    let txn = state.db.begin().await?;
    add_client(&txn, &model, Some(caller.user_id), now).await?;
    txn.commit().await?;
    Ok(model)
}

/// A new client's record from what staff typed, checked.
pub(super) fn client_model(
    state: &AppState,
    body: &ClientCreate,
    now: DateTime<Utc>,
) -> Result<clients::Model, ApiError> {
    let name = text::line("name", &body.name, 200)?;
    check_birth_date(state, body.birth_date)?;
    let model = clients::Model {
        id: Uuid::now_v7(),
        search_name: text::search_fold(&name),
        name,
        birth_date: body.birth_date,
        personal_code: body
            .personal_code
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::personal_code("personal_code", s))
            .transpose()?,
        disability_group: check_group(body.disability_group)?,
        locale: body.locale.unwrap_or_default().into(),
        email: body
            .email
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::email("email", s))
            .transpose()?,
        phone: body
            .phone
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| text::phone("phone", s))
            .transpose()?,
        pin_hash: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    Ok(model)
}

/// Updates a client: absent fields stay, `null` clears.
pub async fn update_client(
    state: &AppState,
    caller: &Caller,
    client_id: Uuid,
    body: &ClientUpdate,
) -> Result<clients::Model, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::client(&txn, client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut c = before.clone();
    if let Some(name) = &body.name {
        c.name = text::line("name", name, 200)?;
        c.search_name = text::search_fold(&c.name);
    }
    if let Some(d) = body.birth_date {
        check_birth_date(state, d)?;
        c.birth_date = d;
    }
    if let Some(code) = &body.personal_code {
        c.personal_code = code
            .as_deref()
            .map(|s| text::personal_code("personal_code", s))
            .transpose()?;
    }
    if let Some(group) = body.disability_group {
        c.disability_group = check_group(group)?;
    }
    if let Some(locale) = body.locale {
        c.locale = locale.into();
    }
    if let Some(email) = &body.email {
        c.email = email
            .as_deref()
            .map(|s| text::email("email", s))
            .transpose()?;
    }
    if let Some(phone) = &body.phone {
        c.phone = phone
            .as_deref()
            .map(|s| text::phone("phone", s))
            .transpose()?;
    }
    if let Some(active) = body.active {
        c.active = active;
    }
    c.updated_at = now;
    db::people::update(&txn, c.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "client_updated",
            subject_kind: "client",
            subject_id: client_id.to_string(),
            client_id: Some(client_id),
            before: Some(client_snapshot(&before)),
            after: Some(client_snapshot(&c)),
        },
    )
    .await?;
    // A disability group or birth date corrected after the fact (a group removed at a review,
    // say) decides who may have the assistant service and who rides free: the client's
    // sessions in months not yet closed are checked again.
    if (c.disability_group, c.birth_date) != (before.disability_group, before.birth_date)
        && let Some(open) = db::months::earliest_unclosed(&txn).await?
    {
        let by = super::entries::actor(caller);
        super::flags::recheck(
            &txn,
            Some(&[client_id]),
            (open.first_day(), None),
            false,
            by,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(c)
}

/// An assistant as the audit log shows it (the personal code masked).
fn assistant_snapshot(a: &assistants::Model) -> Value {
    json!({
        "name": a.name, "email": a.email, "phone": a.phone,
        "personal_code": a.personal_code.as_ref().map(|_| "***"),
        "iban": a.iban, "insurance_status": a.insurance_status, "active": a.active,
    })
}

fn opt<T>(
    value: Option<&str>,
    check: impl Fn(&str) -> Result<T, text::FieldError>,
) -> Result<Option<T>, ApiError> {
    Ok(value
        .filter(|s| !s.trim().is_empty())
        .map(check)
        .transpose()?)
}

/// Registers a new assistant (coordinators).
pub async fn create_assistant(
    state: &AppState,
    caller: &Caller,
    body: &AssistantCreate,
) -> Result<assistants::Model, ApiError> {
    let name = text::line("name", &body.name, 200)?;
    let now = state.clock.now();
    let model = assistants::Model {
        id: Uuid::now_v7(),
        search_name: text::search_fold(&name),
        name,
        email: opt(body.email.as_deref(), |s| text::email("email", s))?,
        phone: opt(body.phone.as_deref(), |s| text::phone("phone", s))?,
        personal_code: opt(body.personal_code.as_deref(), |s| {
            text::personal_code("personal_code", s)
        })?,
        iban: opt(body.iban.as_deref(), |s| text::iban("iban", s))?,
        insurance_status: body.insurance_status.unwrap_or_default().into(),
        active: true,
        created_at: now,
        updated_at: now,
    };
    let txn = state.db.begin().await?;
    db::people::insert(&txn, model.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "assistant_created",
            subject_kind: "assistant",
            subject_id: model.id.to_string(),
            client_id: None,
            before: None,
            after: Some(assistant_snapshot(&model)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Updates an assistant: absent fields stay, `null` clears.
pub async fn update_assistant(
    state: &AppState,
    caller: &Caller,
    assistant_id: Uuid,
    body: &AssistantUpdate,
) -> Result<assistants::Model, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let before = db::people::assistant(&txn, assistant_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut a = before.clone();
    if let Some(name) = &body.name {
        a.name = text::line("name", name, 200)?;
        a.search_name = text::search_fold(&a.name);
    }
    if let Some(v) = &body.email {
        a.email = opt(v.as_deref(), |s| text::email("email", s))?;
    }
    if let Some(v) = &body.phone {
        a.phone = opt(v.as_deref(), |s| text::phone("phone", s))?;
    }
    if let Some(v) = &body.personal_code {
        a.personal_code = opt(v.as_deref(), |s| text::personal_code("personal_code", s))?;
    }
    if let Some(v) = &body.iban {
        a.iban = opt(v.as_deref(), |s| text::iban("iban", s))?;
    }
    if body.insurance_from.is_some() && body.insurance_status.is_none() {
        return Err(ApiError::invalid("insurance_from", "out_of_range"));
    }
    if let Some(status) = body.insurance_status {
        // The status is recorded with the day it applies from: the pay of the days before it
        // keeps the status held then. The assistant's own field is the status in force today.
        let today = crate::domain::time::riga_date(now);
        let from = body.insurance_from.unwrap_or(today);
        let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(from);
        if status != *before.insurance_status || body.insurance_from.is_some() {
            db::people::record_insurance(
                &txn,
                &before,
                (status, from),
                since,
                Some(caller.user_id),
                now,
            )
            .await?;
        }
        let periods = db::people::insurance_periods(&txn, &[assistant_id]).await?;
        let in_force = periods
            .get(&assistant_id)
            .and_then(|p| p.iter().rfind(|(d, _)| *d <= today).map(|(_, s)| *s))
            .unwrap_or(status);
        a.insurance_status = in_force.into();
    }
    if let Some(active) = body.active {
        a.active = active;
    }
    a.updated_at = now;
    db::people::update(&txn, a.clone()).await?;
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "assistant_updated",
            subject_kind: "assistant",
            subject_id: assistant_id.to_string(),
            client_id: None,
            before: Some(assistant_snapshot(&before)),
            after: Some(assistant_snapshot(&a)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}
