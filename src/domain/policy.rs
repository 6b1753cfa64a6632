//! The regulation's figures as versioned data (DOMAIN.md): each key has values with effective
//! dates and a legal source. A change in law is a new row, never a release.

use std::collections::HashMap;

use chrono::NaiveDate;
use mobile_api::{InsuranceStatus, Service};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One version of one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyRow {
    pub key: String,
    pub effective_from: NaiveDate,
    pub value: Value,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInvalid {
    pub key: String,
    pub reason: &'static str,
}

enum Shape {
    Int(i64, i64),
    OneOf(&'static [&'static str]),
    Purposes,
    /// A list of disability groups (1–3), each at most once.
    Groups,
}

/// Every key the service reads, the shape of its value, and what it means.
const KEYS: &[(&str, Shape, &str)] = &[
    (
        "hourly_rate_cents",
        Shape::Int(1, 100_000),
        "State payment per service hour, employer contributions included",
    ),
    (
        "submission_deadline_day",
        Shape::Int(1, 28),
        "Day of the next month by which the month's record is due",
    ),
    (
        "weekly_limit_minutes",
        Shape::Int(60, 10_080),
        "An assistant's ISO-week total across clients above which the weekly limit applies",
    ),
    (
        "weekly_limit_mode",
        Shape::OneOf(&["warn", "refuse"]),
        "Whether the weekly limit warns or refuses",
    ),
    (
        "max_session_minutes",
        Shape::Int(1, 1_440),
        "The longest single session",
    ),
    (
        "future_tolerance_minutes",
        Shape::Int(0, 1_440),
        "How far past the server's now a session may end",
    ),
    (
        "clock_skew_minutes",
        Shape::Int(0, 1_440),
        "Device clock difference that earns the clock_skew warning",
    ),
    (
        "allowance_low_percent",
        Shape::Int(0, 100),
        "Remaining share of the allowance below which allowance_low warns",
    ),
    (
        "overlap_assistant",
        Shape::OneOf(&["refuse", "allow"]),
        "Whether an assistant may log overlapping sessions for two clients",
    ),
    (
        "proration",
        Shape::OneOf(&["none", "by_days"]),
        "Allowance of a month that a decision covers only in part",
    ),
    (
        "decision_max_years",
        Shape::Int(1, 10),
        "Longest validity of one decision",
    ),
    (
        "child_min_age",
        Shape::Int(0, 18),
        "Youngest age for a child's decision",
    ),
    (
        "adult_age",
        Shape::Int(1, 30),
        "Age from which a person is an adult",
    ),
    (
        "cap.adult_assistant",
        Shape::Int(1, 44_640),
        "Monthly maximum, adult, assistant service (minutes)",
    ),
    (
        "cap.child_assistant",
        Shape::Int(1, 44_640),
        "Monthly maximum, child, assistant service (minutes)",
    ),
    (
        "cap.child_assistant_procedures",
        Shape::Int(1, 44_640),
        "Monthly maximum, child with weekly procedures or rehabilitation (minutes)",
    ),
    (
        "cap.child_companion",
        Shape::Int(1, 44_640),
        "Monthly maximum, child, companion service (minutes)",
    ),
    (
        "employer_contribution_bp.insured",
        Shape::Int(0, 10_000),
        "Employer contribution on top of gross pay, fully insured (basis points)",
    ),
    (
        "employer_contribution_bp.old_age_pensioner",
        Shape::Int(0, 10_000),
        "Employer contribution, old-age pensioner (basis points)",
    ),
    (
        "employer_contribution_bp.long_service_pensioner",
        Shape::Int(0, 10_000),
        "Employer contribution, long-service pensioner (basis points)",
    ),
    (
        "admin_overhead_max_percent",
        Shape::Int(0, 100),
        "Administration overhead the municipality may claim, share",
    ),
    (
        "admin_overhead_max_cents_per_hour",
        Shape::Int(0, 10_000),
        "Administration overhead the municipality may claim per hour",
    ),
    (
        "purposes",
        Shape::Purposes,
        "Purposes of the service, their groups, base hours and names",
    ),
    (
        "municipal_top_up_cents",
        Shape::Int(0, 100_000),
        "What the municipality pays per service hour on top of the state rate, from its own budget",
    ),
    (
        "adult_assistant_groups",
        Shape::Groups,
        "Disability groups with which an adult may be granted the assistant service",
    ),
    (
        "free_fare_groups",
        Shape::Groups,
        "Disability groups whose holders ride public transport free (no fare is compensated)",
    ),
    (
        "free_fare_children",
        Shape::OneOf(&["yes", "no"]),
        "Whether children with a disability ride public transport free",
    ),
    (
        "minimum_monthly_wage_cents",
        Shape::Int(1, 1_000_000),
        "Latvia's minimum monthly wage for normal working time (the hourly rate, net of employer contributions, must not pay less per hour)",
    ),
    (
        "normal_month_hours",
        Shape::Int(1, 744),
        "Normal working hours of a month, by which the minimum monthly wage gives the minimum hourly wage",
    ),
];

pub fn known_keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    KEYS.iter().map(|(k, _, d)| (*k, *d))
}

/// Checks that `value` fits `key` before it is stored.
pub fn validate(key: &str, value: &Value) -> Result<(), PolicyInvalid> {
    let invalid = |reason| {
        Err(PolicyInvalid {
            key: key.to_owned(),
            reason,
        })
    };
    let Some((_, shape, _)) = KEYS.iter().find(|(k, _, _)| *k == key) else {
        return invalid("unknown_key");
    };
    match shape {
        Shape::Int(min, max) => match value.as_i64() {
            Some(n) if (*min..=*max).contains(&n) => Ok(()),
            Some(_) => invalid("out_of_range"),
            None => invalid("wrong_type"),
        },
        Shape::OneOf(options) => match value.as_str() {
            Some(s) if options.contains(&s) => Ok(()),
            _ => invalid("wrong_type"),
        },
        Shape::Purposes => {
            let Ok(list) = serde_json::from_value::<Vec<Purpose>>(value.clone()) else {
                return invalid("wrong_type");
            };
            let mut codes: Vec<&str> = list.iter().map(|p| p.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            let codes_ok = list.iter().all(|p| {
                !p.code.is_empty()
                    && p.code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && [&p.labels.lv, &p.labels.ru, &p.labels.en]
                        .iter()
                        .all(|l| !l.trim().is_empty())
            });
            if list.is_empty() || codes.len() != list.len() || !codes_ok {
                return invalid("out_of_range");
            }
            Ok(())
        }
        Shape::Groups => match serde_json::from_value::<Vec<i64>>(value.clone()) {
            Ok(mut groups) => {
                let n = groups.len();
                groups.sort_unstable();
                groups.dedup();
                if groups.len() == n && groups.iter().all(|g| (1..=3).contains(g)) {
                    Ok(())
                } else {
                    invalid("out_of_range")
                }
            }
            Err(_) => invalid("wrong_type"),
        },
    }
}

/// A purpose a session can be logged for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Purpose {
    pub code: String,
    pub service: Service,
    /// The regulation's group 1–4 (companion trips: 0).
    pub group: i64,
    /// Base hours per month in minutes for support-intensity coefficient 1 and 2, where set.
    #[serde(default)]
    pub base_minutes: Option<[i64; 2]>,
    pub labels: Labels,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub lv: String,
    pub ru: String,
    pub en: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proration {
    None,
    ByDays,
}

/// The figures in force on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub on: NaiveDate,
    pub hourly_rate_cents: i64,
    pub submission_deadline_day: i64,
    pub weekly_limit_minutes: i64,
    pub weekly_limit_refuses: bool,
    pub max_session_minutes: i64,
    pub future_tolerance_minutes: i64,
    pub clock_skew_minutes: i64,
    pub allowance_low_percent: i64,
    pub overlap_assistant_allowed: bool,
    pub proration: Proration,
    pub decision_max_years: i64,
    pub child_min_age: i64,
    pub adult_age: i64,
    pub cap_adult_assistant: i64,
    pub cap_child_assistant: i64,
    pub cap_child_assistant_procedures: i64,
    pub cap_child_companion: i64,
    pub employer_contribution_bp: HashMap<InsuranceStatus, i64>,
    pub admin_overhead_max_percent: i64,
    pub admin_overhead_max_cents_per_hour: i64,
    pub purposes: Vec<Purpose>,
    /// Disability groups with which an adult may have the assistant service.
    pub adult_assistant_groups: Vec<i64>,
    /// Disability groups whose holders ride public transport free.
    pub free_fare_groups: Vec<i64>,
    /// Children with a disability ride public transport free.
    pub free_fare_children: bool,
    /// The minimum monthly wage in force (none before the first figure the policy has).
    pub minimum_monthly_wage_cents: Option<i64>,
    pub normal_month_hours: i64,
}

impl Policy {
    pub fn purpose(&self, code: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.code == code)
    }

    pub fn purposes_of(&self, service: Service) -> Vec<String> {
        self.purposes
            .iter()
            .filter(|p| p.service == service)
            .map(|p| p.code.clone())
            .collect()
    }
}

/// Every version of every figure; answers "what was in force on this day".
#[derive(Clone, Debug, Default)]
pub struct PolicyBook {
    rows: Vec<PolicyRow>,
}

impl PolicyBook {
    pub fn new(mut rows: Vec<PolicyRow>) -> PolicyBook {
        rows.sort_by(|a, b| {
            a.key
                .cmp(&b.key)
                .then(a.effective_from.cmp(&b.effective_from))
        });
        PolicyBook { rows }
    }

    pub fn rows(&self) -> &[PolicyRow] {
        &self.rows
    }

    /// The row of `key` in force on `on`; for a day before its first version, that first
    /// version (the earliest figures the service knows stand for anything earlier).
    pub fn row_at(&self, key: &str, on: NaiveDate) -> Option<&PolicyRow> {
        self.rows
            .iter()
            .rfind(|r| r.key == key && r.effective_from <= on)
            .or_else(|| self.rows.iter().find(|r| r.key == key))
    }

    /// The longest session (minutes) any version of the policy allowed, at least a day: no
    /// stored session is longer, since each was checked against the policy of its day. A
    /// month's sessions therefore start no earlier than this before the month.
    pub fn longest_session_minutes(&self) -> i64 {
        self.rows
            .iter()
            .filter(|r| r.key == "max_session_minutes")
            .filter_map(|r| r.value.as_i64())
            .fold(24 * 60, i64::max)
    }

    /// The rows in force on `on`, one per key.
    pub fn in_force(&self, on: NaiveDate) -> Vec<&PolicyRow> {
        let mut keys: Vec<&str> = self.rows.iter().map(|r| r.key.as_str()).collect();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| self.row_at(k, on))
            .collect()
    }

    /// The hourly pay rate periods, oldest first: (from, state rate + municipal top-up, state
    /// rate), a new period wherever either changes.
    pub fn pay_rates(&self) -> Vec<(NaiveDate, i64, i64)> {
        let mut days: Vec<NaiveDate> = self
            .rows
            .iter()
            .filter(|r| r.key == "hourly_rate_cents" || r.key == "municipal_top_up_cents")
            .map(|r| r.effective_from)
            .collect();
        days.sort_unstable();
        days.dedup();
        let at = |key: &str, day: NaiveDate| {
            self.rows
                .iter()
                .rfind(|r| r.key == key && r.effective_from <= day)
                .and_then(|r| r.value.as_i64())
        };
        days.into_iter()
            .filter_map(|d| {
                let state = at("hourly_rate_cents", d)?;
                Some((
                    d,
                    state + at("municipal_top_up_cents", d).unwrap_or(0),
                    state,
                ))
            })
            .collect()
    }

    /// Every version of `key` as (from, value), oldest first: e.g. the hourly rate periods.
    pub fn versions(&self, key: &str) -> Vec<(NaiveDate, &Value)> {
        self.rows
            .iter()
            .filter(|r| r.key == key)
            .map(|r| (r.effective_from, &r.value))
            .collect()
    }

    /// The figures in force on `on`. Fails only when a key has no value by then, which the seed
    /// data rules out for any day since the regulation took effect.
    pub fn at(&self, on: NaiveDate) -> Result<Policy, String> {
        let int = |key: &str| -> Result<i64, String> {
            self.row_at(key, on)
                .and_then(|r| r.value.as_i64())
                .ok_or_else(|| format!("policy {key} has no integer value on {on}"))
        };
        let word = |key: &str| -> Result<String, String> {
            self.row_at(key, on)
                .and_then(|r| r.value.as_str().map(str::to_owned))
                .ok_or_else(|| format!("policy {key} has no value on {on}"))
        };
        let groups = |key: &str| -> Result<Vec<i64>, String> {
            self.row_at(key, on)
                .and_then(|r| serde_json::from_value::<Vec<i64>>(r.value.clone()).ok())
                .ok_or_else(|| format!("policy {key} has no list of groups on {on}"))
        };
        let purposes = self
            .row_at("purposes", on)
            .and_then(|r| serde_json::from_value::<Vec<Purpose>>(r.value.clone()).ok())
            .ok_or_else(|| format!("policy purposes has no value on {on}"))?;
        let mut employer_contribution_bp = HashMap::new();
        for status in InsuranceStatus::ALL {
            employer_contribution_bp.insert(
                status,
                int(&format!("employer_contribution_bp.{}", status.as_str()))?,
            );
        }
        Ok(Policy {
            on,
            hourly_rate_cents: int("hourly_rate_cents")?,
            submission_deadline_day: int("submission_deadline_day")?,
            weekly_limit_minutes: int("weekly_limit_minutes")?,
            weekly_limit_refuses: word("weekly_limit_mode")? == "refuse",
            max_session_minutes: int("max_session_minutes")?,
            future_tolerance_minutes: int("future_tolerance_minutes")?,
            clock_skew_minutes: int("clock_skew_minutes")?,
            allowance_low_percent: int("allowance_low_percent")?,
            overlap_assistant_allowed: word("overlap_assistant")? == "allow",
            proration: if word("proration")? == "by_days" {
                Proration::ByDays
            } else {
                Proration::None
            },
            decision_max_years: int("decision_max_years")?,
            child_min_age: int("child_min_age")?,
            adult_age: int("adult_age")?,
            cap_adult_assistant: int("cap.adult_assistant")?,
            cap_child_assistant: int("cap.child_assistant")?,
            cap_child_assistant_procedures: int("cap.child_assistant_procedures")?,
            cap_child_companion: int("cap.child_companion")?,
            employer_contribution_bp,
            admin_overhead_max_percent: int("admin_overhead_max_percent")?,
            admin_overhead_max_cents_per_hour: int("admin_overhead_max_cents_per_hour")?,
            purposes,
            adult_assistant_groups: groups("adult_assistant_groups")?,
            free_fare_groups: groups("free_fare_groups")?,
            free_fare_children: word("free_fare_children")? == "yes",
            // Only from its first figure: no minimum wage is assumed before it.
            minimum_monthly_wage_cents: self
                .rows
                .iter()
                .rfind(|r| r.key == "minimum_monthly_wage_cents" && r.effective_from <= on)
                .and_then(|r| r.value.as_i64()),
            normal_month_hours: int("normal_month_hours")?,
        })
    }
}

const REG_316: &str = "MK noteikumi Nr. 316 (18.05.2021), https://likumi.lv — \"Noteikumi par asistenta, pavadoņa un aprūpes mājās pakalpojumu personām ar invaliditāti\"";
const RATES: &str = "MK noteikumi Nr. 316 ar grozījumiem; https://tapportals.mk.gov.lv/annotation/8eda971a-5bb7-47bd-a3fa-30e92f21ed33";
const MUNICIPAL: &str = "Pašvaldības prakse (2021), DOMAIN.md; neapstiprināts";
const REG_942: &str =
    "MK noteikumi Nr. 942 (18.12.2012), spēkā līdz 2021. gada 30. jūnijam; pašvaldības noklusējums";
const FARES: &str = "Sabiedriskā transporta pakalpojumu likums, 14. pants (braukšanas maksas atvieglojumi), https://likumi.lv";
const DEFAULT: &str = "asistents noklusējums (SPEC §4); pašvaldība var mainīt";
const MINIMUM_WAGE: &str = "Ministru kabineta noteikumi par minimālās mēneša darba algas apmēru normālā darba laika ietvaros (ar grozījumiem), https://likumi.lv";
const LABOUR_LAW: &str =
    "Darba likums, 131. pants (normālais darba laiks 40 stundas nedēļā); pašvaldības noklusējums";

/// The figures of DOMAIN.md, as first seeded into an empty database.
pub fn seed() -> Vec<PolicyRow> {
    let start = NaiveDate::from_ymd_opt(2021, 7, 1).unwrap_or_default();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(start);
    let row =
        |key: &str, from: NaiveDate, value: Value, source: &str, note: Option<&str>| PolicyRow {
            key: key.to_owned(),
            effective_from: from,
            value,
            source: source.to_owned(),
            note: note.map(str::to_owned),
        };
    vec![
        row(
            "hourly_rate_cents",
            start,
            json!(450),
            RATES,
            Some("4,50 EUR/h"),
        ),
        row(
            "hourly_rate_cents",
            day(2023, 1, 1),
            json!(479),
            RATES,
            Some("4,79 EUR/h"),
        ),
        row(
            "hourly_rate_cents",
            day(2023, 4, 1),
            json!(511),
            RATES,
            Some("5,11 EUR/h"),
        ),
        row(
            "submission_deadline_day",
            start,
            json!(5),
            DEFAULT,
            Some("uzskaites lapa līdz nākamā mēneša 5. datumam"),
        ),
        row(
            "weekly_limit_minutes",
            start,
            json!(2400),
            REG_942,
            Some(
                "40 h nedēļā: veco noteikumu Nr. 942 skaitlis, saglabāts kā pašvaldības noklusējums",
            ),
        ),
        row("weekly_limit_mode", start, json!("warn"), DEFAULT, None),
        row(
            "max_session_minutes",
            start,
            json!(960),
            DEFAULT,
            Some("16 h"),
        ),
        row("future_tolerance_minutes", start, json!(5), DEFAULT, None),
        row("clock_skew_minutes", start, json!(5), DEFAULT, None),
        row("allowance_low_percent", start, json!(10), DEFAULT, None),
        row(
            "overlap_assistant",
            start,
            json!("refuse"),
            REG_316,
            Some("asistents ar diviem klientiem vienlaikus tiek apmaksāts vienreiz"),
        ),
        row(
            "proration",
            start,
            json!("none"),
            DEFAULT,
            Some("avotos nav noteikts"),
        ),
        row("decision_max_years", start, json!(3), REG_316, None),
        row("child_min_age", start, json!(5), REG_316, None),
        row("adult_age", start, json!(18), REG_316, None),
        row(
            "cap.adult_assistant",
            start,
            json!(9600),
            REG_316,
            Some("160 h mēnesī (neapstiprināts)"),
        ),
        row(
            "cap.child_assistant",
            start,
            json!(4800),
            REG_316,
            Some("80 h mēnesī"),
        ),
        row(
            "cap.child_assistant_procedures",
            start,
            json!(4800),
            REG_316,
            Some("80 h mēnesī"),
        ),
        row(
            "cap.child_assistant_procedures",
            day(2022, 5, 26),
            json!(6000),
            REG_316,
            Some(
                "100 h mēnesī, ja procedūras vai rehabilitācija vismaz reizi nedēļā (no 2022. gada 26. maija)",
            ),
        ),
        row(
            "cap.child_companion",
            start,
            json!(3600),
            REG_316,
            Some("60 h mēnesī"),
        ),
        row(
            "employer_contribution_bp.insured",
            start,
            json!(2359),
            MUNICIPAL,
            Some("23,59 %"),
        ),
        row(
            "employer_contribution_bp.old_age_pensioner",
            start,
            json!(2077),
            MUNICIPAL,
            Some("20,77 %"),
        ),
        row(
            "employer_contribution_bp.long_service_pensioner",
            start,
            json!(2194),
            MUNICIPAL,
            Some("21,94 %"),
        ),
        row(
            "admin_overhead_max_percent",
            day(2023, 4, 1),
            json!(5),
            RATES,
            Some("no 2023. gada 1. aprīļa"),
        ),
        row(
            "admin_overhead_max_cents_per_hour",
            day(2023, 4, 1),
            json!(26),
            RATES,
            Some("0,26 EUR/h, no 2023. gada 1. aprīļa"),
        ),
        row(
            "purposes",
            start,
            purposes_seed(),
            REG_316,
            Some("grupas 1–4; pavadoņa pakalpojumam — ceļš uz galamērķi un atpakaļ"),
        ),
        row(
            "municipal_top_up_cents",
            start,
            json!(0),
            MUNICIPAL,
            Some("pašvaldības piemaksa stundā virs valsts likmes; 0 — nav"),
        ),
        row(
            "adult_assistant_groups",
            start,
            json!([1, 2]),
            REG_316,
            Some("pilngadīgām personām ar I vai II invaliditātes grupu"),
        ),
        row(
            "free_fare_groups",
            start,
            json!([1, 2]),
            FARES,
            Some("I un II grupa brauc bez maksas; brauciena cena netiek kompensēta"),
        ),
        row(
            "free_fare_children",
            start,
            json!("yes"),
            FARES,
            Some("bērni ar invaliditāti (un pavadonis) brauc bez maksas"),
        ),
        row(
            "minimum_monthly_wage_cents",
            day(2024, 1, 1),
            json!(70_000),
            MINIMUM_WAGE,
            Some("700 EUR mēnesī"),
        ),
        row(
            "minimum_monthly_wage_cents",
            day(2025, 1, 1),
            json!(74_000),
            MINIMUM_WAGE,
            Some("740 EUR mēnesī"),
        ),
        row(
            "minimum_monthly_wage_cents",
            day(2026, 1, 1),
            json!(78_000),
            MINIMUM_WAGE,
            Some("780 EUR mēnesī"),
        ),
        row(
            "normal_month_hours",
            start,
            json!(168),
            LABOUR_LAW,
            Some(
                "21 darba diena × 8 h; mēneša faktiskās stundas var ievadīt kā jaunu vērtību no mēneša 1. datuma",
            ),
        ),
    ]
}

fn purposes_seed() -> Value {
    let p = |code: &str,
             service: &str,
             group: i64,
             base: Option<[i64; 2]>,
             lv: &str,
             ru: &str,
             en: &str| {
        json!({"code": code, "service": service, "group": group, "base_minutes": base,
               "labels": {"lv": lv, "ru": ru, "en": en}})
    };
    json!([
        p(
            "work",
            "assistant",
            1,
            Some([4800, 9600]),
            "Algots darbs",
            "Оплачиваемая работа",
            "Paid work"
        ),
        p(
            "self_employment",
            "assistant",
            1,
            Some([4800, 9600]),
            "Saimnieciskā darbība",
            "Собственная хозяйственная деятельность",
            "Own economic activity"
        ),
        p(
            "higher_education",
            "assistant",
            1,
            Some([4800, 9600]),
            "Studijas augstskolā vai koledžā",
            "Учёба в вузе или колледже",
            "Studies at a university or college"
        ),
        p(
            "paralympic_sport",
            "assistant",
            1,
            Some([4800, 9600]),
            "Paralimpiskais sports",
            "Паралимпийский спорт",
            "Paralympic sport"
        ),
        p(
            "school",
            "assistant",
            2,
            Some([3600, 7200]),
            "Ceļš uz skolu vai no tās",
            "Дорога в школу или из школы",
            "Travel to or from school"
        ),
        p(
            "board_duties",
            "assistant",
            2,
            Some([3600, 7200]),
            "Valdes locekļa pienākumi",
            "Обязанности члена правления",
            "Duties as a board member"
        ),
        p(
            "volunteering",
            "assistant",
            3,
            Some([2400, 4800]),
            "Brīvprātīgais darbs",
            "Волонтёрская работа",
            "Volunteering"
        ),
        p(
            "day_centre",
            "assistant",
            3,
            Some([2400, 4800]),
            "Dienas aprūpes centrs vai darbnīca",
            "Центр дневного ухода или мастерская",
            "Day-care centre or workshop"
        ),
        p(
            "medical_procedures",
            "assistant",
            3,
            Some([2400, 4800]),
            "Regulāras medicīniskās procedūras",
            "Регулярные медицинские процедуры",
            "Regular medical procedures"
        ),
        p(
            "other",
            "assistant",
            4,
            None,
            "Citas aktivitātes",
            "Другие занятия",
            "Other activities"
        ),
        p(
            "companion_trip",
            "companion",
            0,
            None,
            "Pavadīšana uz galamērķi un atpakaļ",
            "Сопровождение до места и обратно",
            "Accompanying to a destination and back"
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_session_is_the_largest_of_every_version_and_never_below_a_day() {
        let row = |from: (i32, u32, u32), minutes: i64| PolicyRow {
            key: "max_session_minutes".into(),
            effective_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
            value: json!(minutes),
            source: "test".into(),
            note: None,
        };
        // The seed allows 16 hours: the floor of a day stands.
        assert_eq!(PolicyBook::new(seed()).longest_session_minutes(), 24 * 60);
        // A later, shorter maximum does not shorten what older sessions may be.
        let book = PolicyBook::new(vec![row((2024, 1, 1), 30 * 60), row((2026, 1, 1), 12 * 60)]);
        assert_eq!(book.longest_session_minutes(), 30 * 60);
        let book = PolicyBook::new(vec![row((2024, 1, 1), 12 * 60), row((2026, 1, 1), 36 * 60)]);
        assert_eq!(book.longest_session_minutes(), 36 * 60);
    }
}
