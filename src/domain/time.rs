//! Calendar questions, answered in Europe/Riga time.

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;

/// The legal time zone.
pub const TZ: Tz = chrono_tz::Europe::Riga;

/// The calendar day in Riga on which `instant` falls.
pub fn riga_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&TZ).date_naive()
}

/// A calendar month, written `YYYY-MM` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        if !(1900..=9998).contains(&year) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, month, 1).map(|first| Month { first })
    }

    pub fn of(day: NaiveDate) -> Month {
        Month {
            first: day.with_day(1).unwrap_or(day),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first.pred_opt().unwrap_or(self.first)
    }

    pub fn next(self) -> Month {
        Month {
            first: self
                .first
                .checked_add_months(Months::new(1))
                .unwrap_or(self.first),
        }
    }

    pub fn prev(self) -> Month {
        Month {
            first: self
                .first
                .checked_sub_months(Months::new(1))
                .unwrap_or(self.first),
        }
    }

    pub fn days(self) -> i64 {
        (self.last_day() - self.first).num_days() + 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

/// Whole years from `birth` to `on` (a birthday counts on the day itself).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The day someone born on `birth` turns `years` old (29 February birthdays move to 1 March).
pub fn birthday(birth: NaiveDate, years: i64) -> NaiveDate {
    let year = birth.year() + years as i32;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(birth)
}

/// The instant Riga's day `day` begins (midnight always exists there: clocks change at 03:00/04:00).
pub fn riga_midnight(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    TZ.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Real elapsed whole minutes from `start` to `end`.
pub fn minutes_between(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_minutes()
}

/// Splits `[start, end)` at Riga midnights where `key` of the day changes, giving each piece's
/// key and minutes. The pieces add up to the whole.
fn split_by_day<K: PartialEq + Copy>(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    key: impl Fn(NaiveDate) -> K,
) -> Vec<(K, i64)> {
    let mut out: Vec<(K, i64)> = Vec::new();
    let mut at = start;
    while at < end {
        let day = riga_date(at);
        let next_midnight = riga_midnight(day.succ_opt().unwrap_or(day));
        let piece_end = if next_midnight > at {
            next_midnight.min(end)
        } else {
            end
        };
        let k = key(day);
        let m = minutes_between(at, piece_end);
        match out.last_mut() {
            Some((last, total)) if *last == k => *total += m,
            _ => out.push((k, m)),
        }
        at = piece_end;
    }
    out
}

/// Minutes of `[start, end)` in each Riga calendar month.
pub fn month_parts(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(Month, i64)> {
    split_by_day(start, end, Month::of)
}

/// Minutes of `[start, end)` on each Riga day.
pub fn day_parts(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(NaiveDate, i64)> {
    split_by_day(start, end, |d| d)
}

/// An ISO week (Monday to Sunday, Riga time), as (ISO year, week number).
pub type IsoWeek = (i32, u32);

/// Minutes of `[start, end)` in each ISO week.
pub fn week_parts(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(IsoWeek, i64)> {
    split_by_day(start, end, |d| (d.iso_week().year(), d.iso_week().week()))
}

/// Minutes of `[start, end)` in each period that begins on one of `starts` (sorted days); the key
/// is the index of the period in force, `None` before the first.
pub fn period_parts(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    starts: &[NaiveDate],
) -> Vec<(Option<usize>, i64)> {
    split_by_day(start, end, |d| starts.iter().rposition(|s| *s <= d))
}

/// The first and last calendar days (Riga) the session touches.
pub fn session_days(start: DateTime<Utc>, end: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let last = if end > start {
        end - chrono::Duration::seconds(1)
    } else {
        end
    };
    (riga_date(start), riga_date(last))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn clock_changes_count_real_minutes_and_months_split_at_riga_midnight() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let autumn = month_parts(
            t("2026-10-25T02:00:00+03:00"),
            t("2026-10-25T05:00:00+02:00"),
        );
        assert_eq!(autumn, vec![(Month::parse("2026-10").unwrap(), 240)]);
        let end = month_parts(
            t("2026-10-31T22:00:00+02:00"),
            t("2026-11-01T02:00:00+02:00"),
        );
        assert_eq!(
            end,
            vec![
                (Month::parse("2026-10").unwrap(), 120),
                (Month::parse("2026-11").unwrap(), 120)
            ]
        );
        // 23:30 UTC on 31 October is already 1 November in Riga.
        assert_eq!(
            month_parts(t("2026-10-31T23:30:00Z"), t("2026-11-01T00:30:00Z")),
            vec![(Month::parse("2026-11").unwrap(), 60)]
        );
    }

    proptest! {
        /// Month parts and week parts always add up to the whole session.
        #[test]
        fn parts_add_up_to_the_whole(start in 0i64..3 * 366 * 24 * 60, len in 1i64..3 * 24 * 60) {
            let base: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
            let (s, e) = (base + Duration::minutes(start), base + Duration::minutes(start + len));
            prop_assert_eq!(month_parts(s, e).iter().map(|(_, m)| m).sum::<i64>(), len);
            prop_assert_eq!(week_parts(s, e).iter().map(|(_, m)| m).sum::<i64>(), len);
            prop_assert!(month_parts(s, e).iter().all(|(_, m)| *m > 0));
        }
    }
}
