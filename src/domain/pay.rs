//! Pay arithmetic: minutes × the hourly rate in force at each instant, rounded half up to the
//! cent per assistant × client × rate line; and the split into gross pay and employer
//! contributions by insurance status.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::policy::PolicyBook;
use super::time::{Month, period_parts};

/// A worked session, as pay sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// One line of a pay statement: an assistant's minutes for one client at one rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    /// The day the rate took effect.
    pub rate_from: NaiveDate,
    pub rate_cents: i64,
    pub minutes: i64,
    pub amount_cents: i64,
}

/// `numerator / denominator` rounded half up, for non-negative numbers.
pub fn round_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// Pay lines for `sessions` under `rates` (each: the first day it applies, cents per hour; sorted).
/// Minutes before the first rate are not paid (no rate was in force).
pub fn pay_lines(sessions: &[Session], rates: &[(NaiveDate, i64)]) -> Vec<PayLine> {
    let starts: Vec<NaiveDate> = rates.iter().map(|(d, _)| *d).collect();
    let mut minutes: Vec<((Uuid, Uuid, usize), i64)> = Vec::new();
    for s in sessions {
        for (period, m) in period_parts(s.start, s.end, &starts) {
            let Some(i) = period else { continue };
            let key = (s.assistant_id, s.client_id, i);
            match minutes.iter_mut().find(|(k, _)| *k == key) {
                Some((_, total)) => *total += m,
                None => minutes.push((key, m)),
            }
        }
    }
    minutes.sort_by_key(|((a, c, i), _)| (*a, *c, *i));
    minutes
        .into_iter()
        .map(|((assistant_id, client_id, i), m)| {
            let (rate_from, rate_cents) = rates[i];
            PayLine {
                assistant_id,
                client_id,
                rate_from,
                rate_cents,
                minutes: m,
                amount_cents: round_half_up(i128::from(m) * i128::from(rate_cents), 60) as i64,
            }
        })
        .collect()
}

/// Splits an amount that includes employer contributions of `contribution_bp` basis points on
/// top of gross pay: gross = amount / (1 + rate), rounded half up; the contribution is the rest,
/// so the two always add up to the amount.
pub fn split_gross(amount_cents: i64, contribution_bp: i64) -> (i64, i64) {
    let gross = round_half_up(
        i128::from(amount_cents) * 10_000,
        10_000 + i128::from(contribution_bp),
    ) as i64;
    (gross, amount_cents - gross)
}

/// A day whose hourly amount, net of employer contributions, pays less than the minimum hourly
/// wage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelowMinimum {
    /// The first day of the month these figures hold on.
    pub from: NaiveDate,
    /// The hourly amount in force (state rate and top-up), contributions included.
    pub rate_cents: i64,
    /// What that pays gross per hour to an assistant with the highest employer contribution.
    pub gross_hourly_cents: i64,
    /// The minimum monthly wage divided by the month's normal hours, rounded up to the cent.
    pub minimum_hourly_cents: i64,
    pub minimum_monthly_wage_cents: i64,
    pub normal_month_hours: i64,
}

/// The days of `month` (the first of each stretch of equal figures) on which the hourly amount
/// in force pays less than the minimum hourly wage. Empty when it never does, or when the
/// policy has no minimum wage for those days.
pub fn below_minimum_wage(book: &PolicyBook, month: Month) -> Vec<BelowMinimum> {
    let rates = book.pay_rates();
    let mut out: Vec<BelowMinimum> = Vec::new();
    for day in month
        .first_day()
        .iter_days()
        .take_while(|d| *d <= month.last_day())
    {
        let Ok(policy) = book.at(day) else {
            continue;
        };
        let (Some(wage), Some(rate)) = (
            policy.minimum_monthly_wage_cents,
            rates
                .iter()
                .rfind(|(from, _, _)| *from <= day)
                .map(|(_, total, _)| *total),
        ) else {
            continue;
        };
        let bp = policy
            .employer_contribution_bp
            .values()
            .copied()
            .max()
            .unwrap_or(0);
        let hours = policy.normal_month_hours.max(1);
        let found = BelowMinimum {
            from: day,
            rate_cents: rate,
            gross_hourly_cents: round_half_up(i128::from(rate) * 10_000, 10_000 + i128::from(bp))
                as i64,
            minimum_hourly_cents: (wage + hours - 1) / hours,
            minimum_monthly_wage_cents: wage,
            normal_month_hours: hours,
        };
        if found.gross_hourly_cents >= found.minimum_hourly_cents {
            continue;
        }
        let same = |b: &BelowMinimum| {
            (b.rate_cents, b.gross_hourly_cents, b.minimum_hourly_cents)
                == (
                    found.rate_cents,
                    found.gross_hourly_cents,
                    found.minimum_hourly_cents,
                )
        };
        if !out.last().is_some_and(same) {
            out.push(found);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rates() -> Vec<(NaiveDate, i64)> {
        [
            ("2021-07-01", 450),
            ("2023-01-01", 479),
            ("2023-04-01", 511),
        ]
        .iter()
        .map(|(d, c)| (d.parse().unwrap(), *c))
        .collect()
    }

    #[test]
    fn the_worked_example_pays_as_in_docs() {
        let (ruta, ludmila, anna) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(9));
        let s = |a, start, end| Session {
            assistant_id: a,
            client_id: anna,
            start: t(start),
            end: t(end),
        };
        let sessions = [
            s(
                ruta,
                "2023-03-02T09:00:00+02:00",
                "2023-03-02T12:30:00+02:00",
            ),
            s(
                ludmila,
                "2023-03-07T14:00:00+02:00",
                "2023-03-07T17:00:00+02:00",
            ),
            s(
                ruta,
                "2023-03-14T08:30:00+02:00",
                "2023-03-14T16:30:00+02:00",
            ),
            s(
                ruta,
                "2023-03-21T10:00:00+02:00",
                "2023-03-21T13:15:00+02:00",
            ),
            s(
                ludmila,
                "2023-03-26T01:00:00+02:00",
                "2023-03-26T05:00:00+03:00",
            ),
            s(
                ruta,
                "2023-03-31T21:00:00+03:00",
                "2023-04-01T01:00:00+03:00",
            ),
        ];
        let lines = pay_lines(&sessions, &rates());
        let got: Vec<(Uuid, i64, i64, i64)> = lines
            .iter()
            .map(|l| (l.assistant_id, l.rate_cents, l.minutes, l.amount_cents))
            .collect();
        assert_eq!(
            got,
            [
                (ruta, 479, 1065, 8502),
                (ruta, 511, 60, 511),
                (ludmila, 479, 360, 2874)
            ]
        );
        assert_eq!(split_gross(8502, 2359), (6879, 1623));
        assert_eq!(split_gross(2874, 2077), (2380, 494));
        assert_eq!(split_gross(511, 2359), (413, 98));
    }

    #[test]
    fn rounding_is_half_up_per_line() {
        // 1 minute at 4.50 EUR/h = 7.5 cents → 8; 3 minutes = 22.5 → 23.
        let a = Uuid::from_u128(1);
        let one = Session {
            assistant_id: a,
            client_id: a,
            start: t("2022-01-03T10:00:00Z"),
            end: t("2022-01-03T10:01:00Z"),
        };
        assert_eq!(
            pay_lines(std::slice::from_ref(&one), &rates())[0].amount_cents,
            8
        );
        let three = [
            one.clone(),
            Session {
                start: t("2022-01-04T10:00:00Z"),
                end: t("2022-01-04T10:02:00Z"),
                ..one
            },
        ];
        assert_eq!(
            pay_lines(&three, &rates())[0].amount_cents,
            23,
            "summed per line, then rounded once"
        );
    }

    proptest! {
        /// Money equals minutes × rates: per line, the amount is within half a cent of the exact
        /// product, and the lines' minutes add up to the sessions' minutes.
        #[test]
        fn money_equals_minutes_times_rates(starts in proptest::collection::vec((0i64..900 * 24 * 60, 1i64..960), 1..12)) {
            let base = t("2022-10-01T00:00:00Z");
            let a = Uuid::from_u128(7);
            let sessions: Vec<Session> = starts.iter().map(|(s, len)| Session {
                assistant_id: a, client_id: a,
                start: base + chrono::Duration::minutes(*s),
                end: base + chrono::Duration::minutes(s + len),
            }).collect();
            let lines = pay_lines(&sessions, &rates());
            let total: i64 = lines.iter().map(|l| l.minutes).sum();
            prop_assert_eq!(total, starts.iter().map(|(_, l)| l).sum::<i64>());
            for l in &lines {
                let exact = l.minutes * l.rate_cents;
                prop_assert!((l.amount_cents * 60 - exact).abs() <= 30, "{:?}", l);
                let (gross, employer) = split_gross(l.amount_cents, 2359);
                prop_assert_eq!(gross + employer, l.amount_cents);
            }
        }
    }

    #[test]
    fn the_seeded_rate_is_below_the_2026_minimum_wage_and_a_new_rate_clears_it() {
        use crate::domain::policy::{PolicyRow, seed};
        let month = |s: &str| Month::parse(s).unwrap();
        let book = PolicyBook::new(seed());
        // 2023: no minimum wage figure yet, nothing to say.
        assert!(below_minimum_wage(&book, month("2023-11")).is_empty());
        // 2026: 5.11 / 1.2359 = 4.13 gross an hour; 780 EUR / 168 h = 4.65 (rounded up).
        let found = below_minimum_wage(&book, month("2026-10"));
        assert_eq!(found.len(), 1);
        let b = &found[0];
        assert_eq!(
            (b.rate_cents, b.gross_hourly_cents, b.minimum_hourly_cents),
            (511, 413, 465)
        );
        assert_eq!(b.from, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        // A rate the admin enters from the regulation, from the 15th: the first half stays below.
        let mut rows = seed();
        rows.push(PolicyRow {
            key: "hourly_rate_cents".into(),
            effective_from: NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(),
            value: serde_json::json!(600),
            source: "test".into(),
            note: None,
        });
        let book = PolicyBook::new(rows);
        let found = below_minimum_wage(&book, month("2026-10"));
        assert_eq!(found.len(), 1);
        assert!(below_minimum_wage(&book, month("2026-11")).is_empty());
    }
}
