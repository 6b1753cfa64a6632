//! A realistic demo municipality (Daugavpils-like): clients (adults and children, assistant and
//! companion service), decisions, a suspension, assistants, assignments, a login for every role,
//! and a month of entries, with a hospital stay reported after its sessions were logged (they
//! wait flagged), a session sent long after its deadline (it waits for review), and an earlier
//! month closed and corrected afterwards (the next close carries the differences), so that a
//! newcomer can try every endpoint within a minute.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use mobile_api::{InsuranceStatus, Locale, Role, Service};
use uuid::Uuid;

use crate::db::entity::{assignments, assistants, clients, suspensions, users};
use crate::db::ledger;
use crate::db::{self, Db, DbErr, TransactionTrait};
use crate::domain::decision::{self, Draft};
use crate::domain::ledger::{Actor, Op, TripRow, Write};
use crate::domain::text::search_fold;
use crate::domain::time::{Month, TZ, riga_date};
use crate::{secrets, service};

/// The password of every demo login (the admin's is set separately).
pub const DEMO_PASSWORD: &str = "demo-parole-2026";

/// A login the demo created, to print.
pub struct DemoLogin {
    pub login: String,
    pub role: Role,
    pub who: String,
}

const ADULTS: &[(&str, (i32, u32, u32), i32)] = &[
    ("Jānis Bērziņš", (1978, 3, 14), 1),
    ("Olga Ivanova", (1965, 11, 2), 2),
    ("Aivars Kalniņš", (1990, 6, 21), 1),
    ("Svetlana Petrova", (1983, 1, 30), 2),
    ("Inese Ozola", (1972, 9, 9), 1),
    ("Dmitrijs Smirnovs", (1995, 4, 17), 2),
    ("Līga Liepiņa", (1988, 12, 5), 1),
    ("Nikolajs Kuzņecovs", (1959, 7, 28), 2),
    ("Ilze Krūmiņa", (1980, 2, 11), 1),
    ("Sergejs Popovs", (1975, 10, 19), 1),
    ("Anna Vasiļjeva", (1993, 5, 3), 2),
    ("Māris Ozoliņš", (1969, 8, 24), 1),
    ("Tatjana Sokolova", (1986, 3, 8), 2),
    ("Edgars Vītols", (1999, 11, 15), 1),
    ("Jeļena Mihailova", (1962, 1, 22), 2),
    ("Guntis Jansons", (1977, 6, 6), 1),
    ("Natālija Fjodorova", (1991, 9, 27), 2),
    ("Artūrs Zariņš", (1984, 4, 1), 1),
    ("Irina Novikova", (1970, 12, 12), 2),
    ("Raimonds Pētersons", (1996, 2, 29), 1),
    ("Valentīna Morozova", (1958, 5, 16), 2),
    ("Oskars Eglītis", (2001, 7, 9), 1),
];

/// (name, birth date, service, weekly procedures)
type Child = (&'static str, (i32, u32, u32), Service, bool);

const CHILDREN: &[Child] = &[
    ("Emīls Kalns", (2014, 5, 12), Service::Assistant, false),
    ("Sofija Lebedeva", (2012, 9, 1), Service::Assistant, true),
    ("Markuss Jurkāns", (2016, 2, 20), Service::Companion, false),
    ("Darja Volkova", (2010, 11, 30), Service::Companion, false),
    ("Roberts Lapiņš", (2013, 3, 3), Service::Assistant, false),
    ("Aleksandra Orlova", (2015, 7, 7), Service::Companion, false),
    ("Kārlis Balodis", (2011, 1, 18), Service::Assistant, true),
    (
        "Viktorija Zaiceva",
        (2017, 10, 10),
        Service::Companion,
        false,
    ),
];

const ASSISTANTS: &[(&str, InsuranceStatus)] = &[
    ("Ruta Bērziņa", InsuranceStatus::Insured),
    ("Ludmila Ivanova", InsuranceStatus::OldAgePensioner),
    ("Andris Kalniņš", InsuranceStatus::Insured),
    ("Marina Petrova", InsuranceStatus::Insured),
    ("Zane Ozola", InsuranceStatus::Insured),
    ("Pāvels Smirnovs", InsuranceStatus::LongServicePensioner),
    ("Dace Liepiņa", InsuranceStatus::Insured),
    ("Galina Kuzņecova", InsuranceStatus::OldAgePensioner),
    ("Kristīne Krūmiņa", InsuranceStatus::Insured),
    ("Igors Popovs", InsuranceStatus::Insured),
    ("Laura Vasiļjeva", InsuranceStatus::Insured),
    ("Vera Sokolova", InsuranceStatus::OldAgePensioner),
    ("Juris Vītols", InsuranceStatus::Insured),
    ("Oksana Mihailova", InsuranceStatus::Insured),
    ("Elīna Jansone", InsuranceStatus::Insured),
    ("Tamāra Fjodorova", InsuranceStatus::Insured),
];

const ADULT_PURPOSES: &[&[&str]] = &[
    &["work", "other"],
    &["day_centre", "medical_procedures", "other"],
    &["higher_education", "other"],
    &["volunteering", "day_centre", "other"],
];

/// Deterministic variety without a random-number crate.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    TZ.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Seeds the demo into an empty database (no clients yet); returns the logins created, or an
/// empty list when the database already has clients.
pub async fn seed(
    db: &Db,
    now: DateTime<Utc>,
    settings: &service::close::CloseSettings<'_>,
) -> Result<Vec<DemoLogin>, DbErr> {
    if !is_empty(db).await? {
        return Ok(Vec::new());
    }
    let password_hash = secrets::hash_password(DEMO_PASSWORD).map_err(DbErr::Custom)?;
    let today = riga_date(now);
    let month = Month::of(today).prev();
    let year_start = day(today.year() - 1, 1, 1);
    let policy = db::policy::book(db)
        .await?
        .at(year_start)
        .map_err(DbErr::Custom)?;
    let mut dice = Dice(316);
    let mut logins = Vec::new();
    let txn = db.begin().await?;

    let user =
        |login: &str, role: Role, name: &str, assistant: Option<Uuid>, client: Option<Uuid>| {
            users::Model {
                id: Uuid::now_v7(),
                login: login.to_owned(),
                password_hash: password_hash.clone(),
                role: role.into(),
                display_name: name.to_owned(),
                locale: if name.contains("ova") || name.contains("ovs") {
                    Locale::Ru.into()
                } else {
                    Locale::Lv.into()
                },
                email: None,
                assistant_id: assistant,
                client_id: client,
                active: true,
                password_temporary: false,
                created_at: now,
                updated_at: now,
            }
        };
    let mut coordinator = Uuid::nil();
    for (login, role, name) in [
        (
            "koordinators",
            Role::Coordinator,
            "Inga Sociālā (koordinatore)",
        ),
        ("gramatvede", Role::Accountant, "Marta Skaitle (grāmatvede)"),
    ] {
        let u = user(login, role, name, None, None);
        if role == Role::Coordinator {
            coordinator = u.id;
        }
        db::people::insert(&txn, u).await?;
        logins.push(DemoLogin {
            login: login.into(),
            role,
            who: name.into(),
        });
    }

    let mut assistant_ids = Vec::new();
    let mut assistant_users = Vec::new();
    for (i, (name, insurance)) in ASSISTANTS.iter().enumerate() {
        let id = Uuid::now_v7();
        db::people::insert(
            &txn,
            assistants::Model {
                id,
                name: (*name).into(),
                search_name: search_fold(name),
                email: Some(format!("asistents{:02}@example.lv", i + 1)),
                phone: Some(format!("+371 2{:07}", 6_540_000 + i)),
                personal_code: Some(format!(
                    "{:02}{:02}7{}-1{:04}",
                    10 + i % 18,
                    1 + i % 12,
                    5 + i % 4,
                    2000 + i
                )),
                iban: None,
                insurance_status: (*insurance).into(),
                active: true,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        let login = format!("asistents{:02}", i + 1);
        let u = user(&login, Role::Assistant, name, Some(id), None);
        assistant_users.push(u.id);
        db::people::insert(&txn, u).await?;
        logins.push(DemoLogin {
            login,
            role: Role::Assistant,
            who: (*name).into(),
        });
        assistant_ids.push(id);
    }

    // (client, service, monthly minutes, transport allowed, birth) for scheduling below.
    let mut served: Vec<(Uuid, Service, i64, bool)> = Vec::new();
    let valid_from = year_start;
    let mut new_client = |name: &str, birth: NaiveDate, group: Option<i32>| clients::Model {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        search_name: search_fold(name),
        birth_date: birth,
        personal_code: Some(format!(
            "{:02}{:02}{:02}-{}{:04}",
            birth.day(),
            birth.month(),
            birth.year() % 100,
            if birth.year() >= 2000 { 2 } else { 1 },
            dice.next(10_000)
        )),
        disability_group: group,
        locale: if name.contains("ova") || name.contains("ovs") || name.contains("eva") {
            Locale::Ru.into()
        } else {
            Locale::Lv.into()
        },
        email: None,
        phone: Some(format!("+371 2{:07}", 9_100_000 + dice.next(900_000))),
        pin_hash: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    let mut clients_made = Vec::new();
    for (i, (name, (y, m, d), group)) in ADULTS.iter().enumerate() {
        let c = new_client(name, day(*y, *m, *d), Some(*group));
        let hours = [40, 60, 80, 100, 120, 160][i % 6];
        let transport = i % 3 == 0;
        let draft = Draft {
            service: Service::Assistant,
            valid_from,
            valid_to: valid_from + Duration::days(3 * 365 - 2),
            monthly_minutes: hours * 60,
            purposes: Some(
                ADULT_PURPOSES[i % ADULT_PURPOSES.len()]
                    .iter()
                    .map(|s| (*s).into())
                    .collect(),
            ),
            transport_allowed: transport,
            transport_cap_cents: if transport { 3000 } else { 0 },
            weekly_procedures: false,
        };
        clients_made.push((c, draft, i));
    }
    for (i, (name, (y, m, d), service, procedures)) in CHILDREN.iter().enumerate() {
        let birth = day(*y, *m, *d);
        let c = new_client(name, birth, None);
        let adulthood = crate::domain::time::birthday(birth, 18)
            .pred_opt()
            .unwrap_or(birth);
        let minutes = match (service, procedures) {
            (Service::Companion, _) => 3600,
            (Service::Assistant, true) => 6000,
            (Service::Assistant, false) => 4800,
        };
        let draft = Draft {
            service: *service,
            valid_from,
            valid_to: (valid_from + Duration::days(3 * 365 - 2)).min(adulthood),
            monthly_minutes: minutes,
            purposes: None,
            transport_allowed: false,
            transport_cap_cents: 0,
            weekly_procedures: *procedures,
        };
        clients_made.push((c, draft, 100 + i));
    }
    for (c, draft, i) in clients_made {
        decision::validate(&draft, c.birth_date, &[], &policy)
            .and_then(|()| decision::eligible(&draft, c.birth_date, c.disability_group, &policy))
            .map_err(|e| {
                DbErr::Custom(format!("demo decision for {} is invalid: {e:?}", c.name))
            })?;
        service::people::add_client(&txn, &c, None, now).await?;
        let decision = service::people::first_version(
            c.id,
            format!("SD/{}/{:04}", valid_from.year(), i + 1),
            valid_from - Duration::days(20),
            &draft,
            None,
            None,
            now,
        );
        let id = decision.id;
        service::people::add_decision(&txn, &decision, None, now).await?;
        if i == 7 {
            // An inpatient stay in the demo month: nothing may be logged then.
            let stay = suspensions::Model {
                id: Uuid::now_v7(),
                series_id: id,
                client_id: c.id,
                starts_on: month.first_day() + Duration::days(9),
                ends_on: month.first_day() + Duration::days(15),
                reason: "Stacionārā ārstēšana (slimnīca)".into(),
                created_at: now,
                created_by: None,
            };
            service::people::add_suspension(&txn, &decision, &stay, None, now).await?;
        }
        served.push((
            c.id,
            draft.service,
            draft.monthly_minutes,
            draft.transport_allowed,
        ));
        if i < 3 {
            let login = format!("klients{:02}", i + 1);
            db::people::insert(&txn, user(&login, Role::Client, &c.name, None, Some(c.id))).await?;
            logins.push(DemoLogin {
                login,
                role: Role::Client,
                who: c.name.clone(),
            });
        }
        if (100..103).contains(&i) {
            let login = format!("parstavis{:02}", i - 99);
            let parent = format!("{} (vecāks)", c.name);
            let u = user(&login, Role::Representative, &parent, None, None);
            let uid = u.id;
            db::people::insert(&txn, u).await?;
            db::session::set_represented(&txn, uid, &[c.id]).await?;
            logins.push(DemoLogin {
                login,
                role: Role::Representative,
                who: parent,
            });
        }
    }

    // Each client gets one assistant (every fourth gets a second one on alternate days); each
    // assistant works fixed day parts, so no assistant is in two places at once.
    let slots: [(u32, u32); 3] = [(8, 0), (12, 30), (16, 30)];
    let mut days: BTreeMap<NaiveDate, Vec<(Actor, Op)>> = BTreeMap::new();
    let mut load = vec![0usize; assistant_ids.len()];
    let mut first_assistant: BTreeMap<Uuid, usize> = BTreeMap::new();
    for (n, (client_id, service, minutes, transport)) in served.iter().enumerate() {
        let mut team = vec![n % assistant_ids.len()];
        if n % 4 == 1 {
            team.push((n + 5) % assistant_ids.len());
        }
        let mut booked: Vec<(usize, usize)> = Vec::new();
        for a in team {
            if load[a] >= slots.len() {
                continue;
            }
            let slot = load[a];
            load[a] += 1;
            let assignment = assignments::Model {
                id: Uuid::now_v7(),
                assistant_id: assistant_ids[a],
                client_id: *client_id,
                service: (*service).into(),
                valid_from,
                valid_to: None,
                relative: n % 3 == 0,
                created_at: now,
                updated_at: now,
            };
            service::people::add_assignment(&txn, &assignment, None, now).await?;
            first_assistant.entry(*client_id).or_insert(a);
            booked.push((a, slot));
        }
        let suspended = (
            month.first_day() + Duration::days(9),
            month.first_day() + Duration::days(15),
        );
        let purposes: Vec<String> = match service {
            Service::Companion => vec!["companion_trip".into()],
            Service::Assistant if n < ADULTS.len() => ADULT_PURPOSES[n % ADULT_PURPOSES.len()]
                .iter()
                .map(|s| (*s).into())
                .collect(),
            Service::Assistant => {
                vec!["school".into(), "medical_procedures".into(), "other".into()]
            }
        };
        let target = minutes * (70 + dice.next(25) as i64) / 100;
        let mut used = 0i64;
        let mut trip_cents = 0i64;
        let mut workday = 0usize;
        for date in month
            .first_day()
            .iter_days()
            .take_while(|d| *d <= month.last_day())
        {
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || date >= today {
                continue;
            }
            if n == 7 && date >= suspended.0 && date <= suspended.1 {
                continue;
            }
            let Some(&(a, slot)) = booked.get(workday % booked.len().max(1)) else {
                break;
            };
            workday += 1;
            let length = [120i64, 150, 180, 210][dice.next(4) as usize].min(target - used);
            if length < 30 {
                break;
            }
            let (h, m) = slots[slot];
            let start = at(date, h, m);
            let end = start + Duration::minutes(length);
            let trip = *transport && dice.next(4) == 0 && trip_cents + 420 <= 3000;
            if trip {
                trip_cents += 420;
            }
            let write = Write {
                id: Uuid::now_v7(),
                client_id: *client_id,
                assistant_id: assistant_ids[a],
                purpose: purposes[dice.next(purposes.len() as u64) as usize].clone(),
                start: start.with_timezone(&TZ).fixed_offset(),
                end: end.with_timezone(&TZ).fixed_offset(),
                place: if dice.next(3) == 0 {
                    "home".into()
                } else {
                    "community".into()
                },
                note: None,
                trips: if trip {
                    vec![TripRow {
                        mode: "own_car".into(),
                        from: "Mājas".into(),
                        to: "Daugavpils reģionālā slimnīca".into(),
                        distance_m: 7_400,
                        cost_cents: 420,
                    }]
                } else {
                    Vec::new()
                },
                base_version: None,
                device_time: None,
                amendment: false,
            };
            let by = Actor {
                user_id: assistant_users[a],
                coordinator: false,
            };
            days.entry(date).or_default().push((by, Op::Save(write)));
            used += length;
        }
    }
    // The sessions reach the service the way phones send them: through the ledger, each day's
    // in the evening after it, so every rule checks them and every change row and audit record
    // is written as for a real push.
    for (date, ops) in days {
        let sent = at(date, 21, 0).min(now);
        let count = ops.len();
        let done = ledger::run_as(&txn, ops, sent, &db::policy::Kept::default()).await?;
        let refused = done.iter().filter(|r| r.is_err()).count();
        if refused > 0 {
            return Err(DbErr::Custom(format!(
                "{refused} of the demo's {count} sessions of {date} were refused by the rules"
            )));
        }
    }
    // A session of the month before, sent only now, long after its deadline: it waits for the
    // coordinator's review in the exceptions queue (approve, checked again, or reject).
    if let Some((client_id, ..)) = served.get(3)
        && let Some(&a) = first_assistant.get(client_id)
    {
        let day = month.prev().first_day() + Duration::days(9);
        let start = at(day, 10, 0);
        let write = Write {
            id: Uuid::now_v7(),
            client_id: *client_id,
            assistant_id: assistant_ids[a],
            purpose: "other".into(),
            start: start.with_timezone(&TZ).fixed_offset(),
            end: (start + Duration::minutes(120))
                .with_timezone(&TZ)
                .fixed_offset(),
            place: "community".into(),
            note: Some("Papīra lapa atrasta vēlāk".into()),
            trips: Vec::new(),
            base_version: None,
            device_time: None,
            amendment: false,
        };
        let by = Actor {
            user_id: assistant_users[a],
            coordinator: false,
        };
        let done = ledger::run_as(
            &txn,
            vec![(by, Op::Save(write))],
            now,
            &db::policy::Kept::default(),
        )
        .await?;
        if let Some(Err(e)) = done.first() {
            return Err(DbErr::Custom(format!(
                "the demo's late session was refused: {e:?}"
            )));
        }
    }
    // A hospital stay reported after the fact: the family of the third client calls about
    // three days already logged, so the coordinator finds those sessions flagged in the
    // exceptions queue, out of the count until each is kept or voided.
    if let Some((client_id, ..)) = served.get(2) {
        let decision = db::people::decisions_of(&txn, *client_id)
            .await?
            .into_iter()
            .max_by_key(|d| d.version)
            .ok_or_else(|| DbErr::Custom("the demo's third client has no decision".into()))?;
        let (from, to) = (
            month.first_day() + Duration::days(19),
            month.first_day() + Duration::days(21),
        );
        let stay = suspensions::Model {
            id: Uuid::now_v7(),
            series_id: decision.series_id,
            client_id: *client_id,
            starts_on: from,
            ends_on: to,
            reason: "Slimnīca (ģimene paziņoja vēlāk)".into(),
            created_at: now,
            created_by: None,
        };
        service::people::add_suspension(&txn, &decision, &stay, None, now).await?;
        service::flags::recheck(
            &txn,
            Some(&[*client_id]),
            (from, Some(to)),
            false,
            Actor::service(),
            now,
        )
        .await?;
    }
    // Two months before the demo's month: clear of the months a console walk closes.
    closed_and_corrected(
        &txn,
        Month::of(today).prev().prev().prev(),
        (&served, &first_assistant),
        (&assistant_ids, &assistant_users),
        (coordinator, settings),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(logins)
}

/// The served clients (id, service, monthly minutes, transport) and each one's first assistant.
type Served<'a> = (&'a [(Uuid, Service, i64, bool)], &'a BTreeMap<Uuid, usize>);

/// A month already closed and then corrected: the first two clients' sessions of `month` were
/// confirmed on paper, approved and closed (their statements sent); afterwards the coordinator
/// added a session found on a late paper sheet and voided one of a day the client was in
/// hospital. The next close carries both as corrections: the differences in hours and euro, to
/// pay on top or to withhold.
async fn closed_and_corrected(
    txn: &impl db::Conn,
    month: Month,
    (served, first_assistant): Served<'_>,
    (assistant_ids, assistant_users): (&[Uuid], &[Uuid]),
    (coordinator, settings): (Uuid, &service::close::CloseSettings<'_>),
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let by_coordinator = Actor {
        user_id: coordinator,
        coordinator: true,
    };
    let weekdays: Vec<NaiveDate> = month
        .first_day()
        .iter_days()
        .skip(1)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(4)
        .collect();
    let session = |client_id: Uuid, a: usize, date: NaiveDate, minutes: i64, purpose: &str| {
        let start = at(date, 8, 0);
        Write {
            id: Uuid::now_v7(),
            client_id,
            assistant_id: assistant_ids[a],
            purpose: purpose.into(),
            start: start.with_timezone(&TZ).fixed_offset(),
            end: (start + Duration::minutes(minutes))
                .with_timezone(&TZ)
                .fixed_offset(),
            place: "community".into(),
            note: None,
            trips: Vec::new(),
            base_version: None,
            device_time: None,
            amendment: false,
        }
    };
    let mut team = Vec::new();
    for (n, purpose) in [(0usize, "work"), (1, "day_centre")] {
        let Some(&(client_id, ..)) = served.get(n) else {
            continue;
        };
        let Some(&a) = first_assistant.get(&client_id) else {
            continue;
        };
        let by = Actor {
            user_id: assistant_users[a],
            coordinator: false,
        };
        let mut ids = Vec::new();
        for date in &weekdays[..3] {
            let write = session(client_id, a, *date, 180, purpose);
            ids.push(write.id);
            let done = ledger::run_as(
                txn,
                vec![(by, Op::Save(write))],
                at(*date, 21, 0),
                &db::policy::Kept::default(),
            )
            .await?;
            if let Some(Err(e)) = done.first() {
                return Err(DbErr::Custom(format!(
                    "the demo's closed month refused a session: {e:?}"
                )));
            }
        }
        let refused = |e| DbErr::Custom(format!("the demo's closed month: {e:?}"));
        service::months::submit_in(txn, client_id, month, None, Actor::service(), now)
            .await
            .map_err(refused)?;
        let why = "Klients apstiprināja uzskaites lapu uz papīra".to_owned();
        service::months::approve_in(txn, client_id, month, Some(why), by_coordinator, now)
            .await
            .map_err(refused)?;
        team.push((client_id, a, ids));
    }
    if team.len() < 2 {
        return Ok(());
    }
    // The seeded rate pays below the 2026 minimum wage: the demo records why it closes anyway,
    // as an admin would, until the rate from the regulation is entered.
    let why = "Demonstrācija: likme no noteikumiem vēl nav ievadīta";
    db::statements::record_wage_override(txn, month, why, coordinator, now).await?;
    let settings = service::close::CloseSettings {
        wage_override: Some(why),
        ..*settings
    };
    service::close::close_month(txn, month, &settings, by_coordinator, now).await?;
    // After the close: a session found on a late paper sheet, and one of a hospital day.
    let (client_id, a, _) = &team[0];
    let mut found = session(*client_id, *a, weekdays[3], 120, "work");
    found.amendment = true;
    found.note = Some("Uzskaites lapa atrasta pēc mēneša slēgšanas".into());
    let amended = |e| DbErr::Custom(format!("the demo's correction: {e:?}"));
    ledger::save(txn, &found, by_coordinator, now)
        .await
        .map_err(amended)?;
    let (_, _, ids) = &team[1];
    let reason = "Klients tajā dienā bija slimnīcā (ģimene paziņoja pēc slēgšanas)";
    ledger::void(txn, ids[1], reason, by_coordinator, now)
        .await
        .map_err(amended)?;
    Ok(())
}

/// True when the database holds no clients (so the demo may seed it).
pub async fn is_empty(db: &impl db::Conn) -> Result<bool, DbErr> {
    Ok(db::people::client_count(db).await? == 0)
}
