//! The regulation's figures as data: a new version of one figure from a date (admins).

use chrono::NaiveDate;
use mobile_api::Role;
use mobile_api::policy::{PolicyCreate, PolicyValue, PolicyView};
use serde_json::json;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::policy_values;
use crate::db::{self, TransactionTrait, audit};
use crate::domain::policy::{self, PolicyRow};
use crate::domain::text;
use crate::domain::time::riga_date;
use crate::error::ApiError;

/// Adds a version of a figure from a date; earlier versions stay as they were. A second version
/// of the same figure on the same date is a conflict.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    body: &PolicyCreate,
) -> Result<policy_values::Model, ApiError> {
    if caller.role != mobile_api::Role::Admin {
        return Err(ApiError::Forbidden);
    }
    policy::validate(&body.key, &body.value)?;
    let source = text::text("source", &body.source, 500)?;
    let note = text::opt_text("note", body.note.as_deref(), 1000)?;
    let row = PolicyRow {
        key: body.key.clone(),
        effective_from: body.effective_from,
        value: body.value.clone(),
        source,
        note,
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let inserted = match db::policy::insert(&txn, &row, Some(caller.user_id), now).await {
        Ok(m) => m,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(ApiError::conflict(
                "duplicate_date",
                json!({ "key": row.key, "effective_from": row.effective_from }),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::append(
        &txn,
        now,
        audit::Record {
            actor: Some(caller.user_id),
            action: "policy_added",
            subject_kind: "policy",
            subject_id: format!("{}@{}", row.key, row.effective_from),
            client_id: None,
            before: None,
            after: Some(json!({ "value": row.value, "source": row.source })),
        },
    )
    .await?;
    // A figure with a date already past (a purpose withdrawn, a shorter longest session, free
    // fares): every client's sessions from that month on are checked again, and those that
    // break a rule now are flagged.
    if row.effective_from <= riga_date(now)
        && let Some(open) = db::months::earliest_unclosed(&txn).await?
    {
        let from = row.effective_from.max(open.first_day());
        let by = super::entries::actor(caller);
        super::flags::recheck(&txn, None, (from, None), false, by, now).await?;
    }
    // A rate recorded for days of months already closed: their pay changed since it was sent,
    // and the next close carries the difference as a correction.
    if matches!(
        row.key.as_str(),
        "hourly_rate_cents" | "municipal_top_up_cents"
    ) {
        db::months::closed_pay_changed(&txn, row.effective_from, now).await?;
    }
    txn.commit().await?;
    Ok(inserted)
}

/// A stored figure as its readers see it.
pub fn view(m: &policy_values::Model) -> PolicyValue {
    PolicyValue {
        id: m.id,
        key: m.key.clone(),
        effective_from: m.effective_from,
        value: serde_json::from_str(&m.value).unwrap_or(serde_json::Value::Null),
        source: m.source.clone(),
        note: m.note.clone(),
        created_at: m.created_at,
    }
}

/// The figures in force on a day (today by default), and every version: for staff and
/// accountants.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    on: Option<NaiveDate>,
    locale: mobile_api::Locale,
) -> Result<PolicyView, ApiError> {
    caller.require(&[Role::Coordinator, Role::Admin, Role::Accountant])?;
    let on = on.unwrap_or_else(|| riga_date(state.clock.now()));
    let rows = db::policy::rows(&state.db).await?;
    let in_force: Vec<PolicyValue> = rows
        .iter()
        .filter(|r| r.effective_from <= on)
        .filter(|r| {
            !rows.iter().any(|o| {
                o.key == r.key && o.effective_from <= on && o.effective_from > r.effective_from
            })
        })
        .map(view)
        .collect();
    // The rate in force that pays below the minimum wage is said loudly.
    let month = crate::domain::time::Month::of(on);
    let warnings = super::statements::below_minimum_wage(&state.db, month)
        .await?
        .iter()
        .rfind(|b| b.from <= on)
        .map(|b| {
            let details = super::statements::below_details(b);
            let code = mobile_api::ErrorCode::RateBelowMinimumWage;
            mobile_api::entries::Warning {
                code: code.as_str().to_owned(),
                message: crate::i18n::message(code, locale, &details),
                details,
            }
        })
        .into_iter()
        .collect();
    Ok(PolicyView {
        on,
        in_force,
        history: rows.iter().map(view).collect(),
        warnings,
    })
}

/// The purposes in force today, with their names in three languages (for pages that name a
/// session's purpose as people know it).
pub async fn purposes(state: &AppState) -> Result<Vec<crate::domain::policy::Purpose>, ApiError> {
    let today = riga_date(state.clock.now());
    Ok(db::policy::book(&state.db)
        .await?
        .at(today)
        .map_err(ApiError::Internal)?
        .purposes)
}
