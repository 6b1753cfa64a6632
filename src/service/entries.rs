//! Entries: the shape of a write and whose it is, who may see an entry, the month sheet.
//! Used alike by the REST handlers, the phones' sync and the web page.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use mobile_api::entries::{Busy, Entry, EntryWrite, MonthSheet, PurposeMinutes, Warning};
use mobile_api::{EntryStatus, ErrorCode, Locale, MonthState, Role};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AppState;
use super::auth::Caller;
use crate::db::entity::{entries, trips};
use crate::db::entries::{self as store, Saved, WriteError};
use crate::db::{self, Conn, TransactionTrait};
use crate::domain::decision;
use crate::domain::ledger::{Actor, TripRow, Write, instant};
use crate::domain::text;
use crate::domain::time::{Month, month_parts, riga_date};
use crate::error::ApiError;
use crate::i18n;

pub const TRIP_MODES: [&str; 4] = ["public_transport", "own_car", "taxi", "other"];

/// The wire form of an entry, times with the offset the device sent.
pub fn view(e: &entries::Model, t: &[trips::Model], locale: Locale) -> Entry {
    store::wire(e, t, locale)
}

pub fn refused(code: ErrorCode, details: Value) -> ApiError {
    ApiError::Rule { code, details }
}

/// An RFC 3339 time with offset, seconds dropped; anything else is `invalid_interval`.
fn parse_time(field: &str, value: &str) -> Result<DateTime<FixedOffset>, ApiError> {
    let malformed = || {
        refused(
            ErrorCode::InvalidInterval,
            json!({ "field": field, "reason": "malformed", "value": value }),
        )
    };
    let t = DateTime::parse_from_rfc3339(value.trim()).map_err(|_| malformed())?;
    if !(2000..=2100).contains(&t.year()) {
        return Err(malformed());
    }
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or_else(malformed)
}

fn looks_like_coordinates(place: &str) -> bool {
    let nums: Vec<&str> = place
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .collect();
    nums.len() == 2
        && nums
            .iter()
            .all(|n| n.contains('.') && n.parse::<f64>().is_ok())
}

/// Checks the shape of a write and resolves whose entry it is.
pub fn parse_write(caller: &Caller, body: &EntryWrite, id: Uuid) -> Result<Write, ApiError> {
    let assistant_id = match caller.role {
        Role::Assistant => {
            let own = caller
                .assistant_id
                .ok_or_else(|| refused(ErrorCode::Forbidden, json!({})))?;
            if body.assistant_id.is_some_and(|a| a != own) {
                return Err(refused(
                    ErrorCode::Forbidden,
                    json!({ "assistant_id": body.assistant_id }),
                ));
            }
            own
        }
        Role::Coordinator | Role::Admin => body
            .assistant_id
            .ok_or_else(|| ApiError::invalid("assistant_id", "required"))?,
        _ => return Err(refused(ErrorCode::Forbidden, json!({}))),
    };
    let purpose = text::line("purpose", &body.purpose, 50)?;
    let place = text::line("place", &body.place, 100)?;
    if looks_like_coordinates(&place) {
        return Err(ApiError::invalid("place", "coordinates"));
    }
    let note = text::opt_text("note", body.note.as_deref(), 2000)?;
    if body.trips.len() > 20 {
        return Err(ApiError::invalid("trips", "too_long"));
    }
    let mut trips = Vec::with_capacity(body.trips.len());
    for (i, t) in body.trips.iter().enumerate() {
        let field = |f: &str| format!("trips[{i}].{f}");
        if !TRIP_MODES.contains(&t.mode.as_str()) {
            return Err(ApiError::invalid_with(
                field("mode"),
                "out_of_range",
                json!({ "allowed": TRIP_MODES }),
            ));
        }
        if !t.distance_km.is_finite() || !(0.0..=5000.0).contains(&t.distance_km) {
            return Err(ApiError::invalid(field("distance_km"), "out_of_range"));
        }
        if !(0..=1_000_000).contains(&t.cost_cents) {
            return Err(ApiError::invalid(field("cost_cents"), "out_of_range"));
        }
        trips.push(TripRow {
            mode: t.mode.clone(),
            from: text::line(&field("from"), &t.from, 200)?,
            to: text::line(&field("to"), &t.to, 200)?,
            distance_m: (t.distance_km * 1000.0).round() as i32,
            cost_cents: t.cost_cents,
        });
    }
    Ok(Write {
        id,
        client_id: body.client_id,
        assistant_id,
        purpose,
        start: parse_time("started_at", &body.started_at)?,
        end: parse_time("ended_at", &body.ended_at)?,
        place,
        note,
        trips,
        base_version: body.base_version,
        device_time: body.device_time,
        amendment: false,
    })
}

pub fn write_error(e: WriteError, locale: Locale) -> ApiError {
    match e {
        WriteError::Refused(r) => refused(r.code, r.details),
        WriteError::Stale(current) => {
            let (entry, trips) = *current;
            refused(
                ErrorCode::StaleVersion,
                json!({ "current": view(&entry, &trips, locale) }),
            )
        }
        WriteError::NotFound => ApiError::NotFound,
        WriteError::Exists(_) => ApiError::conflict("already_exists", json!({})),
        WriteError::Db(db) => db.into(),
    }
}

/// For staff: the client and assistant named must exist (assistants learn nothing: the rules
/// answer `not_assigned` for a client that is not theirs, existing or not).
pub async fn check_names(db: &impl Conn, caller: &Caller, w: &Write) -> Result<(), ApiError> {
    if caller.is_staff() {
        db::people::client(db, w.client_id)
            .await?
            .ok_or_else(|| ApiError::invalid("client_id", "unknown"))?;
        db::people::assistant(db, w.assistant_id)
            .await?
            .ok_or_else(|| ApiError::invalid("assistant_id", "unknown"))?;
    }
    Ok(())
}

pub fn actor(caller: &Caller) -> Actor {
    Actor {
        user_id: caller.user_id,
        coordinator: caller.is_staff(),
    }
}

/// The entry if the caller may see it (404 otherwise, like a missing one).
pub async fn visible(
    db: &impl Conn,
    caller: &Caller,
    id: Uuid,
) -> Result<entries::Model, ApiError> {
    let e = store::entry(db, id).await?.ok_or(ApiError::NotFound)?;
    let ok = match caller.role {
        Role::Coordinator | Role::Admin | Role::Accountant => true,
        Role::Assistant => caller.assistant_id == Some(e.assistant_id),
        Role::Client => caller.client_id == Some(e.client_id),
        Role::Representative => db::session::represented(db, caller.user_id)
            .await?
            .contains(&e.client_id),
    };
    if ok { Ok(e) } else { Err(ApiError::NotFound) }
}

pub fn parse_month(value: &str) -> Result<Month, ApiError> {
    Month::parse(value).ok_or_else(|| ApiError::invalid("month", "out_of_range"))
}

pub(super) async fn build_sheet(
    state: &AppState,
    client_id: Uuid,
    month: Month,
    locale: Locale,
) -> Result<MonthSheet, ApiError> {
    let now = state.clock.now();
    let sheet = store::month_sheet(&state.db, client_id, month).await?;
    let versions: Vec<_> = db::people::decisions_of(&state.db, client_id)
        .await?
        .iter()
        .map(db::people::figures)
        .collect();
    let policy = db::policy::book(&state.db)
        .await?
        .at(month.last_day())
        .map_err(ApiError::Internal)?;
    let allowance = decision::month_allowance(&versions, month, policy.proration);
    let filter = store::EntryFilter {
        client_id: Some(client_id),
        month: Some(month),
        ..Default::default()
    };
    let (rows, _) = store::list(&state.db, &filter, 0, 10_000).await?;
    let trips = store::trips_of(&state.db, rows.iter().map(|e| e.id).collect()).await?;
    let used = sheet.as_ref().map(|s| s.used_minutes).unwrap_or(0);
    let mut by_purpose: Vec<PurposeMinutes> = Vec::new();
    for e in rows.iter().filter(|e| e.status == EntryStatus::Active) {
        let m: i64 = month_parts(instant(e.start_utc), instant(e.end_utc))
            .into_iter()
            .filter(|(x, _)| *x == month)
            .map(|(_, m)| m)
            .sum();
        match by_purpose.iter_mut().find(|p| p.purpose == e.purpose) {
            Some(p) => p.minutes += m,
            None => by_purpose.push(PurposeMinutes {
                purpose: e.purpose.clone(),
                minutes: m,
            }),
        }
    }
    by_purpose.sort_by(|a, b| a.purpose.cmp(&b.purpose));
    let today = riga_date(now);
    let projected = if Month::of(today) == month {
        used * month.days() / i64::from(today.day())
    } else {
        used
    };
    let remaining = (allowance - used).max(0);
    let mut warnings = Vec::new();
    if allowance > 0 && remaining * 100 < allowance * policy.allowance_low_percent {
        let details = json!({ "month": month.to_string(), "remaining_minutes": remaining, "allowance_minutes": allowance });
        warnings.push(Warning {
            code: "allowance_low".into(),
            message: i18n::warning_message("allowance_low", locale, &details),
            details,
        });
    }
    Ok(MonthSheet {
        client_id,
        month: month.to_string(),
        state: sheet.as_ref().map_or(MonthState::Open, |s| *s.state),
        allowance_minutes: allowance,
        used_minutes: used,
        remaining_minutes: remaining,
        projected_minutes: projected,
        transport_cap_cents: decision::month_transport_cap(&versions, month),
        transport_used_cents: sheet.as_ref().map(|s| s.transport_used_cents).unwrap_or(0),
        by_purpose,
        entries: rows.iter().map(|e| view(e, &trips, locale)).collect(),
        warnings,
        version: sheet.as_ref().map(|s| s.version).unwrap_or(0),
        confirmed_at: sheet.as_ref().and_then(|s| s.confirmed_at),
        confirmed_as: sheet.as_ref().and_then(|s| s.confirmed_as.clone()),
        approved_at: sheet.as_ref().and_then(|s| s.approved_at),
        approval_reason: sheet.as_ref().and_then(|s| s.approval_reason.clone()),
        disputes: db::months::disputes(&state.db, client_id, month)
            .await?
            .into_iter()
            .map(|d| mobile_api::entries::Dispute {
                entry_id: d.entry_id,
                reason: d.reason,
                comment: d.comment,
                raised_at: d.raised_at,
                resolved_at: d.resolved_at,
                resolution: d.resolution,
            })
            .collect(),
        busy: Vec::new(),
    })
}

/// Edits an entry seen at `body.base_version` (its client and assistant cannot change; a
/// coordinator's edit keeps the entry's assistant when it names none).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    id: Uuid,
    body: EntryWrite,
) -> Result<Saved, ApiError> {
    if body.base_version.is_none() {
        return Err(ApiError::invalid("base_version", "required"));
    }
    if body.id.is_some_and(|b| b != id) {
        return Err(ApiError::invalid("id", "immutable"));
    }
    let existing = visible(&state.db, caller, id).await?;
    if !matches!(
        caller.role,
        Role::Assistant | Role::Coordinator | Role::Admin
    ) {
        return Err(refused(ErrorCode::Forbidden, json!({})));
    }
    let mut body = body;
    if caller.is_staff() && body.assistant_id.is_none() {
        body.assistant_id = Some(existing.assistant_id);
    }
    let write = parse_write(caller, &body, id)?;
    if write.client_id != existing.client_id {
        return Err(ApiError::invalid("client_id", "immutable"));
    }
    if write.assistant_id != existing.assistant_id {
        return Err(ApiError::invalid("assistant_id", "immutable"));
    }
    let (by, now) = (actor(caller), state.clock.now());
    super::in_transaction(state, locale, async |txn| {
        crate::db::ledger::save(txn, &write, by, now).await
    })
    .await
}

/// Deletes an entry seen at `base_version`; answers with it as deleted.
pub async fn delete(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    id: Uuid,
    base_version: i32,
) -> Result<(entries::Model, Vec<trips::Model>), ApiError> {
    visible(&state.db, caller, id).await?;
    if !matches!(
        caller.role,
        Role::Assistant | Role::Coordinator | Role::Admin
    ) {
        return Err(refused(ErrorCode::Forbidden, json!({})));
    }
    let (by, now) = (actor(caller), state.clock.now());
    let gone = super::in_transaction(state, locale, async |txn| {
        crate::db::ledger::delete(txn, id, base_version, by, now).await
    })
    .await?;
    let trips = store::trips_of(&state.db, vec![id]).await?;
    Ok((gone, trips))
}

/// What logging a session through REST answered: the entry, or (a retry under the same
/// `Idempotency-Key` with the same body) the answer stored for the first request.
pub enum Created {
    Saved(Box<Entry>),
    Replayed { status: i32, response: String },
}

fn request_hash(body: &EntryWrite) -> String {
    let digest = Sha256::digest(serde_json::to_vec(body).unwrap_or_default());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Logs a session through REST. With an idempotency key a retried request gets the first answer
/// again (a different body under the same key is a conflict); a business refusal is an answer
/// too, stored for the retry.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    key: Option<&str>,
    body: &EntryWrite,
) -> Result<Created, ApiError> {
    if body.base_version.is_some() {
        return Err(ApiError::invalid("base_version", "out_of_range"));
    }
    let write = parse_write(caller, body, body.id.unwrap_or_else(Uuid::now_v7))?;
    check_names(&state.db, caller, &write).await?;
    let hash = request_hash(body);
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    if let Some(key) = key
        && !store::claim_key(&txn, caller.user_id, key, &hash, now).await?
    {
        txn.rollback().await?;
        let stored = store::idempotent(&state.db, caller.user_id, key)
            .await?
            .ok_or(ApiError::NotFound)?;
        if stored.request_hash != hash {
            return Err(ApiError::conflict(
                "idempotency_key_reused",
                json!({ "key": key }),
            ));
        }
        return Ok(Created::Replayed {
            status: stored.status,
            response: stored.response,
        });
    }
    match crate::db::ledger::save(&txn, &write, actor(caller), now).await {
        Ok(saved) => {
            let entry = view(&saved.entry, &saved.trips, locale);
            if let Some(key) = key {
                let response = serde_json::to_string(&entry).unwrap_or_default();
                store::store_answer(&txn, caller.user_id, key, &hash, 201, &response, now).await?;
            }
            txn.commit().await?;
            Ok(Created::Saved(Box::new(entry)))
        }
        Err(e) => {
            txn.rollback().await?;
            let err = write_error(e, locale);
            // A business refusal is an answer too: a retry gets it again.
            if let (Some(key), ApiError::Rule { code, details }) = (key, &err) {
                let response = json!({ "error": { "code": code, "details": details } }).to_string();
                let status = err.status().as_u16();
                store::store_answer(
                    &state.db,
                    caller.user_id,
                    key,
                    &hash,
                    status,
                    &response,
                    now,
                )
                .await?;
            }
            Err(err)
        }
    }
}

/// One session, if the caller may see it.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    id: Uuid,
) -> Result<Entry, ApiError> {
    let e = visible(&state.db, caller, id).await?;
    let trips = store::trips_of(&state.db, vec![id]).await?;
    Ok(view(&e, &trips, locale))
}

/// What a list of sessions asks for.
pub struct ListFilter {
    pub client_id: Option<Uuid>,
    pub assistant_id: Option<Uuid>,
    /// Entries touching this month (Riga).
    pub month: Option<Month>,
    /// Only entries in this status (default: all but deleted).
    pub status: Option<EntryStatus>,
    /// Only entries that carry warnings.
    pub with_warnings: bool,
}

/// A page of the sessions the caller may see: staff and accountants all; an assistant their
/// own; a client or representative their clients'.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    asked: ListFilter,
    (offset, limit): (u64, u64),
) -> Result<mobile_api::Page<Entry>, ApiError> {
    let longest = match asked.month {
        Some(_) => Some(
            db::policy::book(&state.reads)
                .await?
                .longest_session_minutes(),
        ),
        None => None,
    };
    let mut filter = store::EntryFilter {
        client_id: asked.client_id,
        assistant_id: asked.assistant_id,
        month: asked.month,
        longest_minutes: longest,
        status: asked.status,
        with_warnings: asked.with_warnings,
        clients: None,
    };
    match caller.role {
        Role::Coordinator | Role::Admin | Role::Accountant => {}
        Role::Assistant => {
            if asked
                .assistant_id
                .is_some_and(|a| Some(a) != caller.assistant_id)
            {
                return Err(ApiError::Forbidden);
            }
            filter.assistant_id = Some(caller.assistant_id.ok_or(ApiError::Forbidden)?);
        }
        Role::Client => filter.clients = Some(caller.client_id.into_iter().collect()),
        Role::Representative => {
            filter.clients = Some(db::session::represented(&state.db, caller.user_id).await?)
        }
    }
    // Read beside the writer: a long list never waits for a close or a group of pushes.
    let (rows, total) = store::list(&state.reads, &filter, offset, limit).await?;
    let trips = store::trips_of(&state.reads, rows.iter().map(|e| e.id).collect()).await?;
    let items = rows.iter().map(|e| view(e, &trips, locale)).collect();
    Ok(mobile_api::Page {
        items,
        total,
        offset,
        limit,
    })
}

/// A client's month, for those who may see it: allowance, use, projection, transport, totals
/// per purpose, warnings and the month's entries (for an assistant, as `as_seen_by` shapes it).
pub async fn month_sheet(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
) -> Result<MonthSheet, ApiError> {
    caller.may_see_month(state, client_id, month).await?;
    as_seen_by(state, caller, locale, client_id, month).await
}

/// The month sheet as the caller may see it, once their right to the month is known (after a
/// step they took in it). An assistant sees their own sessions and the disputes of those; the
/// other assistants' sessions only as busy time, and only on the days of their own assignment.
pub async fn as_seen_by(
    state: &AppState,
    caller: &Caller,
    locale: Locale,
    client_id: Uuid,
    month: Month,
) -> Result<MonthSheet, ApiError> {
    let mut sheet = build_sheet(state, client_id, month, locale).await?;
    let (Role::Assistant, Some(me)) = (caller.role, caller.assistant_id) else {
        return Ok(sheet);
    };
    let days = db::people::assigned_days(&state.db, me, client_id).await?;
    let covered = |e: &Entry| {
        let day = riga_date(e.started_at.to_utc());
        days.iter()
            .any(|(from, to)| *from <= day && to.is_none_or(|to| day <= to))
    };
    let (own, others): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut sheet.entries)
        .into_iter()
        .partition(|e| e.assistant_id == me);
    sheet.busy = others
        .into_iter()
        .filter(|e| covered(e))
        .map(|e| Busy {
            entry_id: e.id,
            version: e.version,
            started_at: e.started_at,
            ended_at: e.ended_at,
            minutes: e.minutes,
            status: e.status,
        })
        .collect();
    sheet
        .disputes
        .retain(|d| own.iter().any(|e| e.id == d.entry_id));
    sheet.entries = own;
    Ok(sheet)
}
