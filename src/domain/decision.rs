//! What makes a decision valid under the regulation, and which version of a decision is in
//! force on a day.

use chrono::{Days, Months, NaiveDate};
use mobile_api::Service;
use serde_json::{Value, json};
use uuid::Uuid;

use super::policy::{Policy, Proration};
use super::time::{Month, age_on, birthday};

/// Why a decision was refused, with the figures involved.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInvalid {
    pub reason: &'static str,
    pub details: Value,
}

fn invalid<T>(reason: &'static str, details: Value) -> Result<T, DecisionInvalid> {
    Err(DecisionInvalid { reason, details })
}

/// A decision version as it would be stored.
#[derive(Debug, Clone)]
pub struct Draft {
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub monthly_minutes: i64,
    pub purposes: Option<Vec<String>>,
    pub transport_allowed: bool,
    pub transport_cap_cents: i64,
    pub weekly_procedures: bool,
}

/// Another decision series of the same client, as far as overlap is concerned.
#[derive(Debug, Clone)]
pub struct Other {
    pub id: Uuid,
    pub service: Service,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// Whether the client may be granted this decision at all: an adult gets the assistant service
/// only with one of the disability groups the policy names (I or II); a child's eligibility
/// rests on the medical commission's opinion, not a group.
pub fn eligible(
    draft: &Draft,
    birth_date: NaiveDate,
    group: Option<i32>,
    policy: &Policy,
) -> Result<(), DecisionInvalid> {
    let adult = age_on(birth_date, draft.valid_from) >= policy.adult_age;
    let eligible = group.is_some_and(|g| policy.adult_assistant_groups.contains(&i64::from(g)));
    if adult && draft.service == Service::Assistant && !eligible {
        return invalid(
            "group_not_eligible",
            json!({ "disability_group": group, "eligible_groups": policy.adult_assistant_groups }),
        );
    }
    Ok(())
}

/// Checks a decision (or an amended version) against the policy in force on its first day, the
/// client's age and the client's other decisions.
pub fn validate(
    draft: &Draft,
    birth_date: NaiveDate,
    others: &[Other],
    policy: &Policy,
) -> Result<(), DecisionInvalid> {
    if draft.valid_to < draft.valid_from {
        return invalid("period_reversed", json!({}));
    }
    let latest_end = draft
        .valid_from
        .checked_add_months(Months::new(12 * policy.decision_max_years as u32))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(draft.valid_from);
    if draft.valid_to > latest_end {
        return invalid(
            "too_long_period",
            json!({ "max_years": policy.decision_max_years, "latest_valid_to": latest_end }),
        );
    }
    if draft.monthly_minutes <= 0 {
        return invalid(
            "minutes_not_positive",
            json!({ "monthly_minutes": draft.monthly_minutes }),
        );
    }
    let age = age_on(birth_date, draft.valid_from);
    let child = age < policy.adult_age;
    let cap = if child {
        if age < policy.child_min_age {
            return invalid(
                "too_young",
                json!({ "min_age": policy.child_min_age, "age": age }),
            );
        }
        let adulthood = birthday(birth_date, policy.adult_age);
        if draft.valid_to >= adulthood {
            let last = adulthood.pred_opt().unwrap_or(adulthood);
            return invalid("past_adulthood", json!({ "latest_valid_to": last }));
        }
        match (draft.service, draft.weekly_procedures) {
            (Service::Companion, _) => policy.cap_child_companion,
            (Service::Assistant, true) => policy.cap_child_assistant_procedures,
            (Service::Assistant, false) => policy.cap_child_assistant,
        }
    } else {
        if draft.service == Service::Companion {
            return invalid("companion_for_adult", json!({}));
        }
        policy.cap_adult_assistant
    };
    if draft.monthly_minutes > cap {
        return invalid(
            "over_cap",
            json!({ "cap_minutes": cap, "monthly_minutes": draft.monthly_minutes }),
        );
    }
    if let Some(purposes) = &draft.purposes {
        if purposes.is_empty() {
            return invalid("empty", json!({ "field": "purposes" }));
        }
        for code in purposes {
            match policy.purpose(code) {
                None => return invalid("unknown_purpose", json!({ "purpose": code })),
                Some(p) if p.service != draft.service => {
                    return invalid("purpose_not_of_service", json!({ "purpose": code }));
                }
                Some(_) => {}
            }
        }
    }
    if !(0..=1_000_000).contains(&draft.transport_cap_cents)
        || (!draft.transport_allowed && draft.transport_cap_cents != 0)
    {
        return invalid(
            "transport_cap_invalid",
            json!({ "monthly_cap_cents": draft.transport_cap_cents }),
        );
    }
    for other in others {
        let overlaps = other.valid_from <= draft.valid_to && draft.valid_from <= other.valid_to;
        if !overlaps {
            continue;
        }
        if other.service == draft.service {
            return invalid(
                "overlaps_existing",
                json!({ "decision_id": other.id, "valid_from": other.valid_from, "valid_to": other.valid_to }),
            );
        }
        if child {
            return invalid("child_both_services", json!({ "decision_id": other.id }));
        }
    }
    Ok(())
}

/// One stored version of a decision, with the figures that resolution by day needs.
#[derive(Debug, Clone)]
pub struct Figures {
    pub id: Uuid,
    pub series_id: Uuid,
    pub version: i32,
    pub effective_from: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub monthly_minutes: i64,
    /// `None`: every purpose of the service kind.
    pub purposes: Option<Vec<String>>,
    pub service: Service,
    pub transport_allowed: bool,
    pub transport_cap_cents: i64,
}

/// The last day `series[i]` applies: the day before the next version, or its `valid_to`.
/// `series` is one series sorted by version.
pub fn effective_to(series: &[Figures], i: usize) -> NaiveDate {
    let own_end = series[i].valid_to;
    match series.get(i + 1) {
        Some(next) => next
            .effective_from
            .pred_opt()
            .unwrap_or(own_end)
            .min(own_end),
        None => own_end,
    }
}

/// The version in force on `day` among decisions of one client and service kind (any number of
/// series, any order).
pub fn in_force(versions: &[Figures], day: NaiveDate) -> Option<&Figures> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .filter(|v| {
            // The latest version of its series that has started by `day`.
            !versions.iter().any(|w| {
                w.series_id == v.series_id && w.version > v.version && w.effective_from <= day
            })
        })
        .find(|v| day >= v.valid_from && day <= v.valid_to)
}

/// The purposes allowed on `day`: `None` when no decision is in force, `Some(None)` when the
/// decision allows every purpose of its kind.
pub fn purposes_on(versions: &[Figures], day: NaiveDate) -> Option<Option<Vec<String>>> {
    in_force(versions, day).map(|v| v.purposes.clone())
}

/// The month's transport cap: that of the version in force on the last day of the month that a
/// decision covers.
pub fn month_transport_cap(versions: &[Figures], month: Month) -> i64 {
    month
        .first_day()
        .iter_days()
        .take_while(|d| *d <= month.last_day())
        .filter_map(|d| in_force(versions, d))
        .last()
        .map(|v| {
            if v.transport_allowed {
                v.transport_cap_cents
            } else {
                0
            }
        })
        .unwrap_or(0)
}

/// The parts of a month under one decision version each, in order: (first day, last day, that
/// version's monthly volume). Days no decision covers belong to no part.
pub fn month_segments(versions: &[Figures], month: Month) -> Vec<(NaiveDate, NaiveDate, i64)> {
    let mut out: Vec<(NaiveDate, NaiveDate, i64, Uuid)> = Vec::new();
    for d in month
        .first_day()
        .iter_days()
        .take_while(|d| *d <= month.last_day())
    {
        let Some(v) = in_force(versions, d) else {
            continue;
        };
        match out.last_mut() {
            Some((_, last, _, id)) if *id == v.id && *last + chrono::Duration::days(1) == d => {
                *last = d;
            }
            _ => out.push((d, d, v.monthly_minutes, v.id)),
        }
    }
    out.into_iter()
        .map(|(from, to, minutes, _)| (from, to, minutes))
        .collect()
}

/// The month's allowance in minutes. Without proration, the month may use at most the largest
/// volume of the versions in force on its days, and the days under each version at most that
/// version's volume (`month_segments`; the rules check both, so an increase from mid-month
/// does not apply backwards and a child turning 18 does not use the adult volume on the
/// child's days). By days, each day covered brings its version's volume divided by the days
/// of the month, rounded down at the end.
pub fn month_allowance(versions: &[Figures], month: Month, proration: Proration) -> i64 {
    match proration {
        Proration::None => month_segments(versions, month)
            .iter()
            .map(|(_, _, minutes)| *minutes)
            .max()
            .unwrap_or(0),
        Proration::ByDays => {
            let total: i64 = month
                .first_day()
                .iter_days()
                .take_while(|d| *d <= month.last_day())
                .filter_map(|d| in_force(versions, d))
                .map(|v| v.monthly_minutes)
                .sum();
            total / month.days()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{PolicyBook, seed};
    use crate::domain::time::Month;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn policy() -> Policy {
        PolicyBook::new(seed()).at(day("2026-11-01")).unwrap()
    }

    fn draft(minutes: i64) -> Draft {
        Draft {
            service: Service::Assistant,
            valid_from: day("2026-12-01"),
            valid_to: day("2027-11-30"),
            monthly_minutes: minutes,
            purposes: None,
            transport_allowed: false,
            transport_cap_cents: 0,
            weekly_procedures: false,
        }
    }

    fn reason(r: Result<(), DecisionInvalid>) -> &'static str {
        r.err().map_or("valid", |e| e.reason)
    }

    fn version(
        series: u128,
        v: i32,
        from: &str,
        to: &str,
        effective: &str,
        minutes: i64,
    ) -> Figures {
        Figures {
            id: Uuid::from_u128(series * 100 + v as u128),
            series_id: Uuid::from_u128(series),
            version: v,
            effective_from: day(effective),
            valid_from: day(from),
            valid_to: day(to),
            monthly_minutes: minutes,
            purposes: None,
            service: Service::Assistant,
            transport_allowed: true,
            transport_cap_cents: 1000 * v as i64,
        }
    }

    #[test]
    fn a_decision_is_checked_against_the_policy_and_the_clients_age() {
        let p = policy();
        let adult = day("1980-05-01");
        assert_eq!(reason(validate(&draft(9600), adult, &[], &p)), "valid");
        let eligible_with = |group| match eligible(&draft(9600), adult, group, &p) {
            Ok(()) => "valid",
            Err(e) => e.reason,
        };
        assert_eq!(eligible_with(Some(1)), "valid");
        assert_eq!(eligible_with(Some(2)), "valid");
        assert_eq!(eligible_with(Some(3)), "group_not_eligible");
        assert_eq!(eligible_with(None), "group_not_eligible");

        assert_eq!(reason(validate(&draft(9700), adult, &[], &p)), "over_cap");
        assert_eq!(
            reason(validate(&draft(0), adult, &[], &p)),
            "minutes_not_positive"
        );
        let mut long = draft(600);
        long.valid_to = day("2029-12-01");
        assert_eq!(reason(validate(&long, adult, &[], &p)), "too_long_period");
        let mut reversed = draft(600);
        reversed.valid_to = day("2026-11-30");
        assert_eq!(
            reason(validate(&reversed, adult, &[], &p)),
            "period_reversed"
        );
        let mut companion = draft(600);
        companion.service = Service::Companion;
        assert_eq!(
            reason(validate(&companion, adult, &[], &p)),
            "companion_for_adult"
        );
        let mut purposes = draft(600);
        purposes.purposes = Some(vec!["companion_trip".into()]);
        assert_eq!(
            reason(validate(&purposes, adult, &[], &p)),
            "purpose_not_of_service"
        );
        let mut cap = draft(600);
        cap.transport_cap_cents = 500;
        assert_eq!(
            reason(validate(&cap, adult, &[], &p)),
            "transport_cap_invalid"
        );

        // A child: from the minimum age, never past the 18th birthday, the child's cap.
        let child = day("2015-03-10");
        assert_eq!(reason(validate(&draft(4800), child, &[], &p)), "valid");
        assert!(eligible(&draft(4800), child, None, &p).is_ok());
        assert_eq!(reason(validate(&draft(9600), child, &[], &p)), "over_cap");
        let mut past = draft(600);
        past.valid_from = day("2032-12-01");
        past.valid_to = day("2033-06-01");
        assert_eq!(reason(validate(&past, child, &[], &p)), "past_adulthood");
        assert_eq!(
            reason(validate(&draft(600), day("2024-01-01"), &[], &p)),
            "too_young"
        );

        // Another decision of the same kind over the same days.
        let other = Other {
            id: Uuid::from_u128(7),
            service: Service::Assistant,
            valid_from: day("2026-01-01"),
            valid_to: day("2026-12-31"),
        };
        assert_eq!(
            reason(validate(&draft(600), adult, &[other], &p)),
            "overlaps_existing"
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_started_one_of_its_series() {
        let versions = vec![
            version(1, 1, "2026-01-01", "2026-12-31", "2026-01-01", 6000),
            version(1, 2, "2026-01-01", "2026-12-31", "2026-06-15", 9000),
        ];
        assert_eq!(in_force(&versions, day("2026-06-14")).unwrap().version, 1);
        assert_eq!(in_force(&versions, day("2026-06-15")).unwrap().version, 2);
        assert!(in_force(&versions, day("2027-01-01")).is_none());
        assert_eq!(effective_to(&versions, 0), day("2026-06-14"));
        assert_eq!(effective_to(&versions, 1), day("2026-12-31"));
    }

    #[test]
    fn a_months_allowance_and_transport_cap_follow_its_versions_or_its_days() {
        let versions = vec![
            version(1, 1, "2026-01-01", "2026-12-31", "2026-01-01", 6000),
            version(1, 2, "2026-01-01", "2026-12-31", "2026-06-16", 9000),
        ];
        let june = Month::of(day("2026-06-01"));
        assert_eq!(month_allowance(&versions, june, Proration::None), 9000);
        // 15 days at 6,000 and 15 at 9,000 over 30 days.
        assert_eq!(month_allowance(&versions, june, Proration::ByDays), 7500);
        assert_eq!(month_transport_cap(&versions, june), 2000);
        let december_2027 = Month::of(day("2027-12-01"));
        assert_eq!(
            month_allowance(&versions, december_2027, Proration::None),
            0
        );
        assert_eq!(month_transport_cap(&versions, december_2027), 0);
    }

    #[test]
    fn a_month_under_two_versions_is_split_into_their_days_and_may_use_the_larger_volume() {
        // A cut from the 16th: the first half may use 6,000, the second 3,000, the month 6,000.
        let versions = vec![
            version(1, 1, "2026-01-01", "2026-12-31", "2026-01-01", 6000),
            version(1, 2, "2026-01-01", "2026-12-31", "2026-06-16", 3000),
        ];
        let june = Month::of(day("2026-06-01"));
        assert_eq!(
            month_segments(&versions, june),
            [
                (day("2026-06-01"), day("2026-06-15"), 6000),
                (day("2026-06-16"), day("2026-06-30"), 3000)
            ]
        );
        assert_eq!(month_allowance(&versions, june, Proration::None), 6000);
        // A decision that ends mid-month and a new one after a gap of days: two parts.
        let gap = vec![
            version(1, 1, "2026-01-01", "2026-06-10", "2026-01-01", 2400),
            version(2, 1, "2026-06-20", "2026-12-31", "2026-06-20", 4800),
        ];
        assert_eq!(
            month_segments(&gap, june),
            [
                (day("2026-06-01"), day("2026-06-10"), 2400),
                (day("2026-06-20"), day("2026-06-30"), 4800)
            ]
        );
        // One version for the whole month: one part.
        assert_eq!(
            month_segments(&versions[..1], june),
            [(day("2026-06-01"), day("2026-06-30"), 6000)]
        );
    }
}
