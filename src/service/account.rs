//! The caller's own account: who they are (`/me`: for assistants, their assignments with the
//! purposes allowed today and the allowance of this month and the last), and their devices.

use mobile_api::auth::{Device, Me, MeAssignment, MonthAllowance, PurposeName, UserSummary};
use mobile_api::{MonthState, Role};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::{devices, users};
use crate::db::{self};
use crate::domain::decision::{self, Figures};
use crate::domain::ledger::instant;
use crate::domain::time::{Month, riga_date, riga_midnight};
use crate::domain::{pay, rules};
use crate::error::ApiError;

pub fn summary(user: &users::Model) -> UserSummary {
    UserSummary {
        id: user.id,
        role: *user.role,
        display_name: user.display_name.clone(),
        locale: *user.locale,
    }
}

pub fn device_view(d: &devices::Model) -> Device {
    Device {
        id: d.id,
        user_id: d.user_id,
        device_id: d.device_id.clone(),
        name: d.name.clone(),
        platform: d.platform.clone(),
        app_version: d.app_version.clone(),
        created_at: d.created_at,
        last_login_at: d.last_login_at,
        expires_at: d.expires_at,
        revoked_at: d.revoked_at,
    }
}

/// The caller, and for assistants their assignments and allowances: read beside the writer, so
/// a phone is not held up by a month's close or a group of pushes being written.
pub async fn me(state: &AppState, caller: &Caller) -> Result<Me, ApiError> {
    let user = db::session::user(&state.reads, caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let client_ids = match caller.role {
        Role::Client => caller.client_id.into_iter().collect(),
        Role::Representative => db::session::represented(&state.reads, caller.user_id).await?,
        _ => Vec::new(),
    };
    let mut assignments = Vec::new();
    if let (Role::Assistant, Some(assistant_id)) = (caller.role, caller.assistant_id) {
        let today = riga_date(state.clock.now());
        let this_month = Month::of(today);
        let months = [this_month.prev(), this_month];
        let filter = db::people::AssignmentFilter {
            assistant_id: Some(assistant_id),
            ending_not_before: Some(months[0].first_day()),
            ..Default::default()
        };
        let (rows, _) = db::people::assignments(&state.reads, &filter, 0, 1000).await?;
        let book = db::policy::book(&state.reads).await?;
        let policy = book.at(today).map_err(ApiError::Internal)?;
        let rates: Vec<_> = book
            .versions("hourly_rate_cents")
            .into_iter()
            .filter_map(|(d, v)| Some((d, v.as_i64()?)))
            .collect();
        let contribution_bp = match db::people::assistant(&state.reads, assistant_id).await? {
            Some(a) => policy
                .employer_contribution_bp
                .get(&*a.insurance_status)
                .copied()
                .unwrap_or(0),
            None => 0,
        };
        for a in rows {
            let Some(client) = db::people::client(&state.reads, a.client_id).await? else {
                continue;
            };
            let service = *a.service;
            let every: Vec<_> = db::people::decisions_of(&state.reads, a.client_id).await?;
            let versions: Vec<Figures> = every
                .iter()
                .filter(|d| d.service == a.service)
                .map(db::people::figures)
                .collect();
            // The allowance is the client's, over every service kind, as the rules and the
            // month sheet count it.
            let all_versions: Vec<Figures> = every.iter().map(db::people::figures).collect();
            let allowed_purposes = decision::purposes_on(&versions, today)
                .map(|p| p.unwrap_or_else(|| policy.purposes_of(service)))
                .unwrap_or_default();
            let sheets = db::people::month_sheets(
                &state.reads,
                a.client_id,
                months.iter().map(|m| m.to_string()).collect(),
            )
            .await?;
            let mut allowances = Vec::with_capacity(months.len());
            for m in months {
                let sheet = sheets.iter().find(|s| s.month == m.to_string());
                let allowance = decision::month_allowance(&all_versions, m, policy.proration);
                let used = sheet.map(|s| s.used_minutes).unwrap_or(0);
                let (own_minutes, estimated_gross_cents) =
                    own_pay(state, assistant_id, a.client_id, m, &rates, contribution_bp).await?;
                allowances.push(MonthAllowance {
                    month: m.to_string(),
                    state: sheet.map_or(MonthState::Open, |s| *s.state),
                    allowance_minutes: allowance,
                    used_minutes: used,
                    remaining_minutes: (allowance - used).max(0),
                    own_minutes,
                    estimated_gross_cents,
                });
            }
            let purposes = allowed_purposes
                .iter()
                .filter_map(|code| policy.purpose(code))
                .map(|p| PurposeName {
                    code: p.code.clone(),
                    lv: p.labels.lv.clone(),
                    ru: p.labels.ru.clone(),
                    en: p.labels.en.clone(),
                })
                .collect();
            assignments.push(MeAssignment {
                assignment_id: a.id,
                client_id: a.client_id,
                client_name: client.name,
                service,
                valid_from: a.valid_from,
                valid_to: a.valid_to,
                allowed_purposes,
                purposes,
                months: allowances,
            });
        }
    }
    if caller.temporary {
        // Nothing of the work until the person has their own password.
        assignments.clear();
    }
    Ok(Me {
        user: summary(&user),
        assistant_id: caller.assistant_id,
        client_ids,
        assignments,
        password_change_required: caller.temporary,
    })
}

/// The assistant's own counted minutes with the client in `month`, and the gross pay they
/// come to by the pay statement's arithmetic (`domain::pay`).
async fn own_pay(
    state: &AppState,
    assistant_id: Uuid,
    client_id: Uuid,
    month: Month,
    rates: &[(chrono::NaiveDate, i64)],
    contribution_bp: i64,
) -> Result<(i64, i64), ApiError> {
    let sessions: Vec<pay::Session> = db::months::live_entries(&state.reads, client_id, month)
        .await?
        .iter()
        .filter(|e| e.assistant_id == assistant_id && rules::is_counted(*e.status))
        .map(|e| pay::Session {
            assistant_id,
            client_id,
            start: instant(e.start_utc),
            end: instant(e.end_utc),
        })
        .collect();
    // Only the part of each session inside the month counts towards it.
    let (from, to) = (
        riga_midnight(month.first_day()),
        riga_midnight(month.next().first_day()),
    );
    let sessions: Vec<pay::Session> = sessions
        .into_iter()
        .filter_map(|mut s| {
            s.start = s.start.max(from);
            s.end = s.end.min(to);
            (s.end > s.start).then_some(s)
        })
        .collect();
    let lines = pay::pay_lines(&sessions, rates);
    let minutes = lines.iter().map(|l| l.minutes).sum();
    let amount = lines.iter().map(|l| l.amount_cents).sum();
    Ok((minutes, pay::split_gross(amount, contribution_bp).0))
}

/// Only admins manage admins' logins and devices: a coordinator gets 404 for them, as for a
/// device that does not exist.
fn beyond_reach(caller: &Caller, user: &users::Model) -> Result<(), ApiError> {
    if user.role == Role::Admin && caller.role != Role::Admin && caller.user_id != user.id {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// A user's devices: the user themself, or staff (admins' only for admins).
pub async fn devices_of_user(
    state: &AppState,
    caller: &Caller,
    user_id: Uuid,
) -> Result<Vec<Device>, ApiError> {
    if caller.user_id != user_id {
        caller.require_staff()?;
    }
    let user = db::session::user(&state.db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    beyond_reach(caller, &user)?;
    let rows = db::session::devices_of_user(&state.db, user_id).await?;
    Ok(rows.iter().map(device_view).collect())
}

/// Revokes a device (a lost phone): its token stops working at once. Staff may revoke any
/// device; a user their own (404 for another's).
pub async fn revoke_device(
    state: &AppState,
    caller: &Caller,
    device_id: Uuid,
) -> Result<Device, ApiError> {
    let row = db::session::device(&state.db, device_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.user_id != caller.user_id {
        if !caller.is_staff() {
            return Err(ApiError::NotFound);
        }
        let owner = db::session::user(&state.db, row.user_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        beyond_reach(caller, &owner)?;
    }
    let env = state.env();
    let row = super::auth::revoke(&env, device_id, caller.user_id, "device_revoked").await?;
    Ok(device_view(&row))
}
