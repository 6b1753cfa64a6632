//! The rules every entry must pass (SPEC §4), as one pure function: the database layer loads the
//! context (under the client-month lock), this decides, the database layer stores the result.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use mobile_api::{EntryStatus, ErrorCode, MonthState, Service};
use serde_json::{Value, json};
use uuid::Uuid;

use super::decision::{self, Figures};
use super::policy::Policy;
use super::policy::Proration;
use super::time::{
    IsoWeek, Month, day_parts, minutes_between, month_parts, riga_date, riga_midnight,
    session_days, week_parts,
};

/// The session as it would be stored (instants on whole minutes).
#[derive(Debug, Clone)]
pub struct Proposed {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub purpose: String,
    /// The sum of the trips' costs.
    pub trip_cents: i64,
    /// The part of it that is public transport fares.
    pub public_fare_cents: i64,
}

/// An assignment of this assistant to this client.
#[derive(Debug, Clone)]
pub struct Assigned {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub service: Service,
}

#[derive(Debug, Clone)]
pub struct Suspended {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// A month the session (or the entry it replaces) touches, with what other entries already use.
#[derive(Debug, Clone)]
pub struct MonthUse {
    pub month: Month,
    pub state: MonthState,
    /// Active minutes of the client's other entries in this month.
    pub used_minutes: i64,
    /// Trip costs of the client's other active entries starting in this month.
    pub transport_used_cents: i64,
    /// When the month is split between decision versions: the active minutes of the client's
    /// other entries on each of its days (days without any absent); empty otherwise.
    pub by_day: Vec<(NaiveDate, i64)>,
}

/// Another live entry in the way.
#[derive(Debug, Clone)]
pub struct Neighbour {
    pub id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

pub struct Context<'a> {
    pub now: DateTime<Utc>,
    /// The policy in force on the session's first day.
    pub policy: &'a Policy,
    pub assignments: &'a [Assigned],
    /// Every version of every decision of the client.
    pub decisions: &'a [Figures],
    pub suspensions: &'a [Suspended],
    /// Every month of the new session and of the entry it replaces.
    pub months: &'a [MonthUse],
    pub client_overlap: Option<Neighbour>,
    pub assistant_overlap: Option<Neighbour>,
    /// The assistant's minutes, across clients, in each ISO week the session touches (without
    /// this entry's earlier version).
    pub week_minutes: &'a [(IsoWeek, i64)],
    /// Coordinators' entries skip the late-entry review.
    pub by_coordinator: bool,
    pub device_time: Option<DateTime<Utc>>,
    /// An amendment to closed months: they must all be closed, and being closed does not lock them.
    pub amendment: bool,
    /// The client rides public transport free by law (their disability group, or a child), so
    /// a fare is never compensated.
    pub rides_free: bool,
    /// The client may have the assistant service on the session's first day: a child, or an
    /// adult with a disability group the policy names (`decision::eligible`).
    pub eligible: bool,
    /// A coordinator approves a late entry: allowed in a month the client has confirmed
    /// meanwhile (the entry was there, waiting, when they confirmed).
    pub review: bool,
    /// A stored entry checked again because a fact changed after it was recorded (a
    /// suspension, an amended decision, a policy row with a past date): only the rules those
    /// facts decide apply (decision, suspension, purposes, transport, allowance and cap); the
    /// month's state, the clock, overlaps and the week are as they were when it was accepted.
    pub recheck: bool,
    /// The rule a coordinator excused for this entry when keeping it after a flag. The
    /// allowance and the transport cap are never excused: money above the decision is not paid.
    pub excused: Option<ErrorCode>,
}

/// A finding that travels back on an accepted entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: &'static str,
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub minutes: i64,
    pub parts: Vec<(Month, i64)>,
    pub service: Service,
    /// Arrived after the month's deadline: kept for a coordinator's review, not yet counted.
    pub late: bool,
    pub warnings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub details: Value,
}

fn refuse<T>(code: ErrorCode, details: Value) -> Result<T, Refusal> {
    Err(Refusal { code, details })
}

/// The instant after which an entry for `month` is late: the end of the deadline day of the
/// next month, Riga time.
pub fn deadline(month: Month, policy: &Policy) -> DateTime<Utc> {
    let day = month.next().first_day() + Duration::days(policy.submission_deadline_day - 1);
    riga_midnight(day + Duration::days(1))
}

/// States in which a month's entries may no longer change.
pub fn is_locked(state: MonthState) -> bool {
    crate::domain::month::locked(state)
}

/// Whether an entry in `status` still stands: it blocks overlapping sessions and may be edited
/// (active, late and waiting for review, or flagged and waiting for a coordinator).
pub fn is_live(status: EntryStatus) -> bool {
    matches!(
        status,
        EntryStatus::Active | EntryStatus::PendingReview | EntryStatus::Flagged
    )
}

/// Whether an entry in `status` counts against the allowance and is paid: only active ones (a
/// late entry counts once a coordinator approves it).
pub fn is_counted(status: EntryStatus) -> bool {
    status == EntryStatus::Active
}

/// Checks `p` against every rule, in the order of SPEC §4.
pub fn check(p: &Proposed, ctx: &Context<'_>) -> Result<Accepted, Refusal> {
    let policy = ctx.policy;
    let minutes = minutes_between(p.start, p.end);
    if p.end <= p.start || minutes > policy.max_session_minutes {
        return refuse(
            ErrorCode::InvalidInterval,
            json!({ "minutes": minutes, "max_minutes": policy.max_session_minutes }),
        );
    }
    let latest_end = ctx.now + Duration::minutes(policy.future_tolerance_minutes);
    let excused = |code: ErrorCode| {
        ctx.excused == Some(code)
            && !matches!(code, ErrorCode::OverAllowance | ErrorCode::TransportCap)
    };
    if p.end > latest_end && !ctx.recheck {
        return refuse(
            ErrorCode::InFuture,
            json!({ "ended_at": p.end, "server_time": ctx.now, "tolerance_minutes": policy.future_tolerance_minutes }),
        );
    }
    if ctx.recheck {
        // The month's state was checked when the entry was accepted.
    } else if ctx.amendment {
        if let Some(m) = ctx.months.iter().find(|m| m.state != MonthState::Closed) {
            return refuse(
                ErrorCode::MonthState,
                json!({ "month": m.month.to_string(), "state": m.state }),
            );
        }
    } else if let Some(locked) = ctx
        .months
        .iter()
        .find(|m| is_locked(m.state) && !(ctx.review && m.state == MonthState::Confirmed))
    {
        return refuse(
            ErrorCode::MonthLocked,
            json!({ "month": locked.month.to_string(), "state": locked.state }),
        );
    }
    let (first_day, last_day) = session_days(p.start, p.end);
    let Some(assigned) = ctx
        .assignments
        .iter()
        .find(|a| a.from <= first_day && a.to.is_none_or(|to| to >= last_day))
    else {
        return refuse(
            ErrorCode::NotAssigned,
            json!({ "from": first_day, "to": last_day }),
        );
    };
    let service = assigned.service;
    let versions: Vec<Figures> = ctx
        .decisions
        .iter()
        .filter(|d| d.service == service)
        .cloned()
        .collect();
    let days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .collect();
    if let Some(uncovered) = days
        .iter()
        .find(|d| decision::in_force(&versions, **d).is_none())
        .filter(|_| !excused(ErrorCode::NoDecision))
    {
        return refuse(
            ErrorCode::NoDecision,
            json!({ "service": service.as_str(), "day": uncovered }),
        );
    }
    if service == Service::Assistant && !ctx.eligible && !excused(ErrorCode::NoDecision) {
        return refuse(
            ErrorCode::NoDecision,
            json!({
                "service": service.as_str(), "day": first_day, "reason": "group_not_eligible",
                "eligible_groups": policy.adult_assistant_groups,
            }),
        );
    }
    if let Some(s) = ctx
        .suspensions
        .iter()
        .find(|s| s.from <= last_day && s.to >= first_day)
        .filter(|_| !excused(ErrorCode::ServiceSuspended))
    {
        return refuse(
            ErrorCode::ServiceSuspended,
            json!({ "from": s.from, "to": s.to, "reason": s.reason }),
        );
    }
    let known = policy
        .purpose(&p.purpose)
        .is_some_and(|x| x.service == service);
    for day in [first_day, last_day] {
        let allowed = match decision::purposes_on(&versions, day) {
            Some(Some(list)) => list,
            _ => policy.purposes_of(service),
        };
        if (!known || !allowed.contains(&p.purpose)) && !excused(ErrorCode::PurposeNotAllowed) {
            return refuse(
                ErrorCode::PurposeNotAllowed,
                json!({ "purpose": p.purpose, "allowed": allowed }),
            );
        }
    }
    if let (Some(n), false) = (&ctx.client_overlap, ctx.recheck) {
        return refuse(
            ErrorCode::OverlapClient,
            json!({ "entry_id": n.id, "started_at": n.start, "ended_at": n.end }),
        );
    }
    if let (Some(n), false) = (
        &ctx.assistant_overlap,
        policy.overlap_assistant_allowed || ctx.recheck,
    ) {
        return refuse(
            ErrorCode::OverlapAssistant,
            json!({ "entry_id": n.id, "started_at": n.start, "ended_at": n.end }),
        );
    }
    let at_start = decision::in_force(&versions, first_day);
    if p.trip_cents > 0
        && !at_start.is_some_and(|d| d.transport_allowed)
        && !excused(ErrorCode::TransportNotAllowed)
    {
        return refuse(
            ErrorCode::TransportNotAllowed,
            json!({ "requested_cents": p.trip_cents }),
        );
    }
    if p.public_fare_cents > 0 && ctx.rides_free && !excused(ErrorCode::TransportNotAllowed) {
        return refuse(
            ErrorCode::TransportNotAllowed,
            json!({ "reason": "free_fare", "requested_cents": p.public_fare_cents }),
        );
    }

    let parts = month_parts(p.start, p.end);
    let days_of_session = day_parts(p.start, p.end);
    let mut warnings = Vec::new();
    for (month, part) in &parts {
        // The allowance is the client's, whatever the service kind of each day (the month sheet
        // computes it the same way).
        let allowance = decision::month_allowance(ctx.decisions, *month, policy.proration);
        let this = ctx.months.iter().find(|m| m.month == *month);
        let used = this.map(|m| m.used_minutes).unwrap_or(0);
        // A month split between versions: the days under each may use at most its volume.
        let segments = match policy.proration {
            Proration::None => decision::month_segments(ctx.decisions, *month),
            Proration::ByDays => Vec::new(),
        };
        if segments.len() > 1 {
            let within = |list: &[(NaiveDate, i64)], from: NaiveDate, to: NaiveDate| -> i64 {
                list.iter()
                    .filter(|(d, _)| *d >= from && *d <= to)
                    .map(|(_, m)| *m)
                    .sum()
            };
            let by_day = this.map(|m| m.by_day.as_slice()).unwrap_or(&[]);
            for (from, to, volume) in segments {
                let requested = within(&days_of_session, from, to);
                let used_there = within(by_day, from, to);
                if requested > 0 && used_there + requested > volume {
                    return refuse(
                        ErrorCode::OverAllowance,
                        json!({
                            "month": month.to_string(), "from": from, "to": to,
                            "allowance_minutes": volume, "used_minutes": used_there,
                            "remaining_minutes": (volume - used_there).max(0),
                            "requested_minutes": requested,
                        }),
                    );
                }
            }
        }
        let remaining = (allowance - used).max(0);
        if *part > remaining {
            return refuse(
                ErrorCode::OverAllowance,
                json!({
                    "month": month.to_string(), "allowance_minutes": allowance, "used_minutes": used,
                    "remaining_minutes": remaining, "requested_minutes": part,
                }),
            );
        }
        let left = remaining - part;
        if left * 100 < allowance * policy.allowance_low_percent {
            warnings.push(Finding {
                code: "allowance_low",
                details: json!({ "month": month.to_string(), "remaining_minutes": left, "allowance_minutes": allowance }),
            });
        }
    }
    if p.trip_cents > 0 {
        let month = Month::of(first_day);
        let cap = decision::month_transport_cap(&versions, month);
        let used = ctx
            .months
            .iter()
            .find(|m| m.month == month)
            .map(|m| m.transport_used_cents)
            .unwrap_or(0);
        if used + p.trip_cents > cap {
            return refuse(
                ErrorCode::TransportCap,
                json!({
                    "month": month.to_string(), "cap_cents": cap, "used_cents": used,
                    "remaining_cents": (cap - used).max(0), "requested_cents": p.trip_cents,
                }),
            );
        }
    }
    for (week, part) in week_parts(p.start, p.end)
        .into_iter()
        .filter(|_| !ctx.recheck)
    {
        let before = ctx
            .week_minutes
            .iter()
            .find(|(w, _)| *w == week)
            .map(|(_, m)| *m)
            .unwrap_or(0);
        let total = before + part;
        if total > policy.weekly_limit_minutes {
            let details = json!({
                "week": format!("{}-W{:02}", week.0, week.1),
                "week_minutes": total, "limit_minutes": policy.weekly_limit_minutes,
            });
            if policy.weekly_limit_refuses {
                return refuse(ErrorCode::WeeklyLimit, details);
            }
            warnings.push(Finding {
                code: "weekly_limit",
                details,
            });
        }
    }
    let own_deadline = deadline(Month::of(first_day), policy);
    let late = !ctx.by_coordinator && !ctx.recheck && ctx.now > own_deadline;
    if late {
        warnings.push(Finding {
            code: "late_entry",
            details: json!({ "deadline": own_deadline }),
        });
    }
    if let Some(device) = ctx.device_time {
        let skew = (device - ctx.now).num_minutes().abs();
        if skew > policy.clock_skew_minutes {
            warnings.push(Finding {
                code: "clock_skew",
                details: json!({ "device_time": device, "server_time": ctx.now, "skew_minutes": skew }),
            });
        }
    }
    Ok(Accepted {
        minutes,
        parts,
        service,
        late,
        warnings,
    })
}

/// The Riga day of an instant, re-exported for callers that build contexts.
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    riga_date(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{PolicyBook, seed};
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn policy() -> Policy {
        PolicyBook::new(seed()).at(day("2026-11-01")).unwrap()
    }

    fn decision(minutes: i64, transport_cap: i64) -> Figures {
        let id = Uuid::from_u128(1);
        Figures {
            id,
            series_id: id,
            version: 1,
            effective_from: day("2026-01-01"),
            valid_from: day("2026-01-01"),
            valid_to: day("2026-12-31"),
            monthly_minutes: minutes,
            purposes: None,
            service: Service::Assistant,
            transport_allowed: transport_cap > 0,
            transport_cap_cents: transport_cap,
        }
    }

    /// A context for November 2026 with nothing used yet; `now` the 20th at noon.
    struct World {
        policy: Policy,
        assignments: Vec<Assigned>,
        decisions: Vec<Figures>,
        suspensions: Vec<Suspended>,
        months: Vec<MonthUse>,
        weeks: Vec<(IsoWeek, i64)>,
    }

    impl World {
        fn new(minutes: i64) -> World {
            World {
                policy: policy(),
                assignments: vec![Assigned {
                    from: day("2026-01-01"),
                    to: None,
                    service: Service::Assistant,
                }],
                decisions: vec![decision(minutes, 3000)],
                suspensions: Vec::new(),
                months: vec![MonthUse {
                    month: Month::of(day("2026-11-01")),
                    state: MonthState::Open,
                    used_minutes: 0,
                    transport_used_cents: 0,
                    by_day: Vec::new(),
                }],
                weeks: Vec::new(),
            }
        }

        fn ctx(&self) -> Context<'_> {
            Context {
                now: at("2026-11-20T10:00:00Z"),
                policy: &self.policy,
                assignments: &self.assignments,
                decisions: &self.decisions,
                suspensions: &self.suspensions,
                months: &self.months,
                client_overlap: None,
                assistant_overlap: None,
                week_minutes: &self.weeks,
                by_coordinator: false,
                device_time: None,
                amendment: false,
                rides_free: false,
                review: false,
                recheck: false,
                excused: None,
                eligible: true,
            }
        }
    }

    fn session(start: &str, minutes: i64) -> Proposed {
        let start = at(start);
        Proposed {
            start,
            end: start + Duration::minutes(minutes),
            purpose: "work".into(),
            trip_cents: 0,
            public_fare_cents: 0,
        }
    }

    fn code(r: Result<Accepted, Refusal>) -> String {
        match r {
            Ok(_) => "accepted".into(),
            Err(e) => serde_json::to_value(e.code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned(),
        }
    }

    #[test]
    fn a_plain_session_is_accepted_with_its_real_minutes() {
        let w = World::new(6000);
        let ok = check(&session("2026-11-02T07:00:00Z", 150), &w.ctx()).unwrap();
        assert_eq!(ok.minutes, 150);
        assert_eq!(ok.parts, vec![(Month::of(day("2026-11-01")), 150)]);
        assert!(!ok.late && ok.warnings.is_empty());
    }

    #[test]
    fn each_rule_refuses_with_its_own_code() {
        let w = World::new(6000);
        let s = session("2026-11-02T07:00:00Z", 60);
        assert_eq!(
            code(check(&session("2026-11-02T07:00:00Z", 0), &w.ctx())),
            "invalid_interval"
        );
        assert_eq!(
            code(check(&session("2026-11-02T07:00:00Z", 17 * 60), &w.ctx())),
            "invalid_interval"
        );
        assert_eq!(
            code(check(&session("2026-11-21T07:00:00Z", 60), &w.ctx())),
            "in_future"
        );

        let mut locked = World::new(6000);
        locked.months[0].state = MonthState::Confirmed;
        assert_eq!(code(check(&s, &locked.ctx())), "month_locked");

        let mut unassigned = World::new(6000);
        unassigned.assignments[0].from = day("2026-11-03");
        assert_eq!(code(check(&s, &unassigned.ctx())), "not_assigned");

        let mut undecided = World::new(6000);
        undecided.decisions[0].valid_to = day("2026-10-31");
        assert_eq!(code(check(&s, &undecided.ctx())), "no_decision");

        let mut suspended = World::new(6000);
        suspended.suspensions.push(Suspended {
            from: day("2026-11-02"),
            to: day("2026-11-05"),
            reason: "slimnīca".into(),
        });
        assert_eq!(code(check(&s, &suspended.ctx())), "service_suspended");

        let mut narrow = World::new(6000);
        narrow.decisions[0].purposes = Some(vec!["other".into()]);
        assert_eq!(code(check(&s, &narrow.ctx())), "purpose_not_allowed");
        let mut unknown = s.clone();
        unknown.purpose = "shopping_spree".into();
        assert_eq!(code(check(&unknown, &w.ctx())), "purpose_not_allowed");

        let neighbour = Neighbour {
            id: Uuid::from_u128(9),
            start: s.start,
            end: s.end,
        };
        let mut ctx = w.ctx();
        ctx.client_overlap = Some(neighbour.clone());
        assert_eq!(code(check(&s, &ctx)), "overlap_client");
        let mut ctx = w.ctx();
        ctx.assistant_overlap = Some(neighbour);
        assert_eq!(code(check(&s, &ctx)), "overlap_assistant");

        let mut no_transport = World::new(6000);
        no_transport.decisions[0].transport_allowed = false;
        let mut with_trip = s.clone();
        with_trip.trip_cents = 420;
        assert_eq!(
            code(check(&with_trip, &no_transport.ctx())),
            "transport_not_allowed"
        );
        // A fare for a client who rides free is refused even where transport is allowed.
        let mut fare = s.clone();
        fare.trip_cents = 150;
        fare.public_fare_cents = 150;
        let world = World::new(6000);
        let mut free = world.ctx();
        free.rides_free = true;
        let refused = check(&fare, &free).unwrap_err();
        assert_eq!(
            (refused.code, refused.details["reason"].as_str()),
            (ErrorCode::TransportNotAllowed, Some("free_fare"))
        );
        assert!(check(&fare, &world.ctx()).is_ok());
        let mut near_cap = World::new(6000);
        near_cap.months[0].transport_used_cents = 2800;
        assert_eq!(code(check(&with_trip, &near_cap.ctx())), "transport_cap");

        let mut full = World::new(6000);
        full.months[0].used_minutes = 5950;
        assert_eq!(code(check(&s, &full.ctx())), "over_allowance");
    }

    #[test]
    fn warnings_travel_back_on_accepted_entries() {
        let mut w = World::new(6000);
        w.months[0].used_minutes = 5400;
        w.weeks.push(((2026, 45), 40 * 60));
        let mut ctx = w.ctx();
        ctx.device_time = Some(ctx.now + Duration::minutes(30));
        let ok = check(&session("2026-11-02T07:00:00Z", 60), &ctx).unwrap();
        let codes: Vec<&str> = ok.warnings.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["allowance_low", "weekly_limit", "clock_skew"]);

        // After the deadline (the 5th of the next month) an assistant's entry waits for review;
        // a coordinator's does not.
        let w = World::new(6000);
        let mut ctx = w.ctx();
        ctx.now = at("2026-12-06T10:00:00Z");
        let late = check(&session("2026-11-02T07:00:00Z", 60), &ctx).unwrap();
        assert!(late.late);
        ctx.by_coordinator = true;
        assert!(
            !check(&session("2026-11-02T07:00:00Z", 60), &ctx)
                .unwrap()
                .late
        );
    }

    #[test]
    fn a_session_across_the_months_midnight_counts_in_each_month() {
        let mut w = World::new(6000);
        w.months.push(MonthUse {
            month: Month::of(day("2026-10-01")),
            state: MonthState::Open,
            used_minutes: 0,
            transport_used_cents: 0,
            by_day: Vec::new(),
        });
        // 23:00–01:00 Riga time on the night from 31 October to 1 November (UTC+2 by then).
        let ok = check(&session("2026-10-31T21:00:00Z", 120), &w.ctx()).unwrap();
        assert_eq!(
            ok.parts,
            vec![
                (Month::of(day("2026-10-01")), 60),
                (Month::of(day("2026-11-01")), 60)
            ]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever was used before, an accepted session never takes the month past its
        /// allowance, and a refused one is refused for the allowance only when it would.
        #[test]
        fn the_allowance_is_never_exceeded(
            allowance in 0i64..12_000,
            used in 0i64..12_000,
            minutes in 1i64..=960,
            start_minute in 0i64..(18 * 24 * 60),
        ) {
            let mut w = World::new(allowance);
            w.months[0].used_minutes = used;
            let start = at("2026-11-01T00:00:00Z") + Duration::minutes(start_minute);
            let p = Proposed { start, end: start + Duration::minutes(minutes), purpose: "work".into(), trip_cents: 0, public_fare_cents: 0 };
            match check(&p, &w.ctx()) {
                Ok(ok) => {
                    let in_november: i64 = ok.parts.iter().map(|(_, m)| m).sum();
                    prop_assert_eq!(in_november, minutes);
                    prop_assert!(used + minutes <= allowance);
                }
                Err(e) => {
                    prop_assert_eq!(e.code, ErrorCode::OverAllowance);
                    prop_assert!(used + minutes > allowance);
                }
            }
        }

        /// The minutes of an accepted session are its real elapsed time, and its month parts add
        /// up to them, across any midnight and either clock change.
        #[test]
        fn month_parts_add_up_to_the_real_minutes(
            minutes in 1i64..=960,
            start_minute in 0i64..(365 * 24 * 60),
        ) {
            let start = at("2026-01-01T00:00:00Z") + Duration::minutes(start_minute);
            let end = start + Duration::minutes(minutes);
            let parts = month_parts(start, end);
            prop_assert_eq!(parts.iter().map(|(_, m)| m).sum::<i64>(), minutes);
            prop_assert!(parts.len() <= 2);
            prop_assert_eq!(minutes_between(start, end), minutes);
        }
    }
}
