//! Month close at scale: generates N clients (each with an assistant, a decision, an
//! assignment, E one-hour sessions in October 2026 and an approved month sheet) straight into
//! the schema, then runs the real `asistents close --month 2026-10` and reports how long it took
//! to generate the statements, to deliver the mail (to `.eml` files), the statements, files and
//! outbox rows it made, and its peak RSS (VmHWM from /proc, sampled every 10 ms).
//!
//! cargo bench --bench month_close -- --clients 10000 --entries 40 [--database-url postgres://…]
//!
//! With `--via http` it runs `asistents serve` on the generated data instead and times, as a
//! coordinator and a phone see them: the month overview's first page, the close asked for over
//! HTTP (the answer, the background job to its end, `/me` meanwhile), the statements' and the
//! outbox's first pages, and the mail handed to a local SMTP server (a sink in the bench that
//! counts messages and connections) with `/me` meanwhile; an
//! assistant's phone pushes a session every 50 ms during the close and during the mail; p50 /
//! p99 in ms over repeated calls and the server's peak RSS. It also times the entries' list, a
//! new phone's first pull and the console's pages, and prints the database's bytes per entry.
//!
//! With `--months M` (2 to 9, `--via http` only) it is the national data set: the people are
//! written as above (each assistant with a login and a signed-in phone), but the sessions of
//! the M months up to October come through the service's own write path (each assistant's
//! phone pushes them, with their audit records, change rows and stored outcomes), every month
//! is approved through the API, and the months before October are closed through the API with
//! their mail handed out, before the service is timed as above.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use asistents::db::entity::{
    assignments, assistants, clients, decisions, entries, month_sheets, users,
};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

mod common;
#[path = "../tests/api/helpers/smtp.rs"]
#[allow(
    dead_code,
    reason = "the tests' SMTP server; the bench only counts what it receives"
)]
mod smtp;

fn peak_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

async fn insert<A: sea_orm::ActiveModelTrait + Send>(db: &impl ConnectionTrait, rows: Vec<A>) {
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(400));
        <A::Entity as EntityTrait>::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await
            .unwrap();
    }
}

/// The token of assistant `i`'s phone.
fn phone_token(i: usize) -> String {
    format!("bench-phone-token-{i:05}")
}

/// The token of the first assistant's new phone, whose first pull is timed.
const NEW_PHONE_TOKEN: &str = "bench-new-phone-token";

/// The `m` months up to October 2026, oldest first.
fn bench_months(m: u32) -> Vec<asistents::domain::time::Month> {
    (0..m)
        .rev()
        .map(|back| {
            let text = format!("2026-{:02}", 10 - back);
            asistents::domain::time::Month::parse(&text).unwrap()
        })
        .collect()
}

/// 08:00 UTC on `day` of the month after `month`.
fn after(month: asistents::domain::time::Month, day: u32) -> chrono::DateTime<Utc> {
    let first = month.next().first_day();
    Utc.from_utc_datetime(&first.with_day(day).unwrap().and_hms_opt(8, 0, 0).unwrap())
}

/// POSTs `body` to `path` as `token`; panics unless the answer is a success.
async fn post_ok(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let r = http
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// Runs `work` for each of `items`, `at_once` at a time.
async fn each<T, F>(items: Vec<T>, at_once: usize, work: impl Fn(T) -> F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for item in items {
        if running.len() >= at_once {
            running.join_next().await.unwrap().unwrap();
        }
        running.spawn(work(item));
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
}

/// The national data set's sessions, through the service's own write path: the service runs in
/// this process on the generated people, with its clock set month by month. At the start of
/// the month after each, every assistant's phone pushes its client's `per` sessions of the
/// month with the month's submission (one push), a coordinator approves every client's month
/// (the client did not confirm: with a reason), and every month before the last is closed
/// through the API and its mail handed out (to `.eml` files). Each session gets its audit
/// record, change row and stored outcome as a phone's would. The last month stays approved
/// for the timed close. Returns the seconds it took.
async fn through_the_service(
    dir: &std::path::Path,
    url: &str,
    people: &[(Uuid, Uuid)],
    months: u32,
    per: usize,
) -> f64 {
    let started = Instant::now();
    let months = bench_months(months);
    let clock = asistents::clock::Clock::fixed(after(months[0], 1));
    let config = asistents::config::Config {
        database_url: url.to_owned(),
        bind: "127.0.0.1:0".into(),
        admin_password: Some("close-admin-password".into()),
        statement_recipients: vec!["gramatvediba@example.lv".into()],
        mail_dir: dir.join("mail"),
        // Months are closed here when the bench says, not by the date.
        close_day: 0,
        // The admin's token outlives the months the clock moves through.
        token_ttl_days: 365,
        instance: Some("bench-generator".into()),
        ..Default::default()
    };
    let app = asistents::app::App::build(config, clock.clone())
        .await
        .unwrap();
    let (base, state) = (format!("http://{}", app.local_addr()), app.state());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let admin: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"login": "admin", "password": "close-admin-password",
            "device": {"device_id": "bench-generator", "name": "bench", "platform": "bench", "app_version": "1"}}))
        .send().await.unwrap().json().await.unwrap();
    let admin = admin["token"]
        .as_str()
        .expect("the admin's token")
        .to_owned();
    let note = "Palīdzība iepirkties, pēc tam pavadīju uz poliklīniku pie ģimenes ārsta";
    for (m, &month) in months.iter().enumerate() {
        let t = Instant::now();
        clock.set(after(month, 1));
        let days = (month.next().first_day() - month.first_day()).num_days() as usize;
        let pushes: Vec<_> = people.iter().enumerate().collect();
        let (h, b) = (http.clone(), base.clone());
        each(pushes, 8, move |(i, &(client, _))| {
            let (http, base) = (h.clone(), b.clone());
            async move {
                let seq0 = (m * (per + 1)) as i64;
                let mut mutations: Vec<serde_json::Value> = (0..per)
                    .map(|k| {
                        let day = month.first_day().with_day((k % days) as u32 + 1).unwrap();
                        let hour = 6 + 3 * (k / days) as u32;
                        let start = Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap());
                        serde_json::json!({"seq": seq0 + k as i64 + 1, "name": "entry.save",
                            "args": {"id": Uuid::now_v7(), "client_id": client,
                            "purpose": if k % 3 == 0 { "other" } else { "work" },
                            "place": "community",
                            "note": (k % 2 == 0).then_some(note),
                            "started_at": start.to_rfc3339(),
                            "ended_at": (start + chrono::Duration::hours(1)).to_rfc3339(),
                            "trips": [], "base_version": null}})
                    })
                    .collect();
                mutations.push(serde_json::json!({"seq": seq0 + per as i64 + 1,
                    "name": "month.submit", "args": {"client_id": client, "month": month.to_string()}}));
                let body = serde_json::json!({"device_id": format!("phone-{i}"),
                    "mutations": mutations});
                let pushed = post_ok(&http, &base, &phone_token(i), "/api/v1/sync/push", &body).await;
                let results = pushed["results"].as_array().expect("results");
                if let Some(r) = results.iter().find(|r| r["status"] != "applied") {
                    panic!("a session of {month} not applied: {r}");
                }
                assert_eq!(results.len(), per + 1, "every session answered");
            }
        })
        .await;
        let pushed = t.elapsed().as_secs_f64();
        let t = Instant::now();
        clock.set(after(month, 2));
        let (h, b, a) = (http.clone(), base.clone(), admin.clone());
        each(people.to_vec(), 4, move |(client, _)| {
            let (http, base, admin) = (h.clone(), b.clone(), a.clone());
            async move {
                let path = format!("/api/v1/clients/{client}/months/{month}/approve");
                let body = serde_json::json!({"reason": "the client was away; approved on the assistant's submission"});
                post_ok(&http, &base, &admin, &path, &body).await;
            }
        })
        .await;
        let approved = t.elapsed().as_secs_f64();
        if m + 1 == months.len() {
            println!(
                "# {month}: {} sessions pushed in {pushed:.1} s, approved in {approved:.1} s",
                people.len() * per
            );
            break;
        }
        let t = Instant::now();
        clock.set(after(month, 3));
        let path = format!("/api/v1/months/{month}/close");
        let job = post_ok(&http, &base, &admin, &path, &serde_json::json!({})).await;
        let id = job["id"].as_str().expect("a close job").to_owned();
        let job = loop {
            let path = format!("/api/v1/close-jobs/{id}");
            let j = common::get_json(&http, &base, &admin, &path).await;
            if j["state"] == "done" || j["state"] == "failed" {
                break j;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(job["state"], "done", "{job}");
        let closed = t.elapsed().as_secs_f64();
        let t = Instant::now();
        // Every mail handed out (a round of the service's own may be delivering some of them).
        loop {
            asistents::jobs::deliver_outbox(&state).await.unwrap();
            let mut left = 0;
            for s in ["pending", "sending"] {
                let path = format!("/api/v1/outbox?state={s}&limit=1");
                left += common::get_json(&http, &base, &admin, &path).await["total"]
                    .as_u64()
                    .expect("a total");
            }
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!(
            "# {month}: {} sessions pushed in {pushed:.1} s, approved in {approved:.1} s, closed in {closed:.1} s ({} statements), mail in {:.1} s",
            people.len() * per,
            job["statements"],
            t.elapsed().as_secs_f64()
        );
    }
    // A phone's pull numbers the change log, as phones pulling through the month do.
    let t = Instant::now();
    let (changes, _) = pull_all(&http, &base, &phone_token(0)).await;
    println!(
        "# the first pull after the data set (numbers the change log): {changes} changes in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    drop(state);
    started.elapsed().as_secs_f64()
}

/// Prints the database's size and its bytes per entry (SQLite: the file's pages with the
/// write-ahead log folded in; PostgreSQL: `pg_database_size`, dead rows included).
async fn database_size(url: &str) {
    let db = asistents::db::connect(url, 1).await.unwrap();
    let one = |sql: &str| {
        let db = db.clone();
        let sql = sql.to_owned();
        async move {
            let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
            let row = db.query_one_raw(statement).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let bytes = if url.starts_with("postgres") {
        one("select pg_database_size(current_database())").await
    } else {
        db.execute_unprepared("pragma wal_checkpoint(truncate)")
            .await
            .unwrap();
        one("select page_count * page_size from pragma_page_count(), pragma_page_size()").await
    };
    let entries = one("select count(*) from entries").await;
    println!(
        "# the database: {:.0} MiB, {entries} entries, {} bytes per entry",
        bytes as f64 / 1048576.0,
        bytes / entries.max(1)
    );
    // Table by table, each with its indexes.
    let sql = if url.starts_with("postgres") {
        "select relname::text, pg_total_relation_size(oid)::bigint from pg_class \
         where relkind = 'r' and relnamespace = 'public'::regnamespace"
    } else {
        "select coalesce(t.tbl_name, d.name), sum(d.pgsize) from dbstat d \
         left join sqlite_master t on t.name = d.name group by 1"
    };
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let mut tables: Vec<(String, i64)> = db
        .query_all_raw(statement)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect();
    tables.sort_by_key(|(_, b)| -b);
    let per: Vec<String> = tables
        .iter()
        .take(9)
        .map(|(t, b)| format!("{t} {}", b / entries.max(1)))
        .collect();
    println!("# bytes per entry by table: {}", per.join(", "));
}

/// A phone's pull of everything it may see, from an empty cursor, page by page: the changes
/// and the pages.
async fn pull_all(http: &reqwest::Client, base: &str, token: &str) -> (usize, usize) {
    let (mut cursor, mut changes, mut pages) = (String::new(), 0, 0);
    loop {
        let path = format!("/api/v1/sync/pull?cursor={cursor}&limit=1000");
        let page = common::get_json(http, base, token, &path).await;
        changes += page["changes"].as_array().map_or(0, Vec::len);
        pages += 1;
        cursor = page["cursor"].as_str().expect("a cursor").to_owned();
        if page["has_more"] != true {
            return (changes, pages);
        }
    }
}

#[tokio::main]
async fn main() {
    let flags = common::flags();
    let flag = |name: &str| {
        flags
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.clone())
    };
    let n: usize = flag("--clients")
        .map(|v| v.parse().expect("--clients N"))
        .unwrap_or(10_000)
        .min(100_000);
    let per: usize = flag("--entries")
        .map(|v| v.parse().expect("--entries N"))
        .unwrap_or(40)
        .min(60);
    // With `--months M` above 1, the M months up to October come through the service's own
    // write path (see `through_the_service`), the earlier ones closed with their mail.
    let months: u32 = flag("--months")
        .map(|v| v.parse().expect("--months M"))
        .unwrap_or(1)
        .clamp(1, 9);
    let history = months > 1;
    let via_http = flag("--via").as_deref() == Some("http");
    assert!(via_http || !history, "--months above 1 needs --via http");
    let dir = std::env::temp_dir().join(format!("asistents-close-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = flag("--database-url")
        .unwrap_or_else(|| format!("sqlite://{}/close.db?mode=rwc", dir.display()));
    let db = asistents::db::connect(&url, 4).await.unwrap();
    asistents::db::migrate(&db).await.unwrap();
    let now = Utc::now();
    asistents::db::policy::seed_missing(&db, now).await.unwrap();
    // The seeded rate pays below the 2026 minimum wage: closed as a municipality closes while
    // the new rate is not entered yet, with an admin's reason.
    for month in bench_months(months) {
        asistents::db::statements::record_wage_override(&db, month, "bench", Uuid::nil(), now)
            .await
            .unwrap();
    }
    // Each assistant has a login and a phone signed in (a token the bench knows), so that its
    // sessions can come through the phone's push; the first assistant has a second, new phone
    // whose first pull is timed.
    let password = asistents::secrets::hash_password("bench-unused-password").unwrap();
    let mut people = Vec::with_capacity(n);

    let generated = Instant::now();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let (mut cs, mut asst, mut ds, mut asg, mut es, mut ss, mut us) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut phones = vec![];
        for i in chunk {
            let (client, assistant, decision) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
            let user = Uuid::now_v7();
            people.push((client, assistant));
            phones.push((user, format!("phone-{i}"), phone_token(*i)));
            if *i == 0 {
                phones.push((user, "new-phone".into(), NEW_PHONE_TOKEN.into()));
            }
            us.push(
                users::Model {
                    id: user,
                    login: format!("asistents{i:05}"),
                    password_hash: password.clone(),
                    role: mobile_api::Role::Assistant.into(),
                    display_name: format!("Asistents {i:05} Ozoliņa"),
                    locale: mobile_api::Locale::Lv.into(),
                    email: None,
                    assistant_id: Some(assistant),
                    client_id: None,
                    active: true,
                    created_at: now,
                    updated_at: now,
                    password_temporary: false,
                }
                .into_active_model(),
            );
            let name = format!("Klients {i:05} Bērziņš");
            cs.push(
                clients::Model {
                    id: client,
                    search_name: name.to_lowercase(),
                    name,
                    birth_date: day(1970, 1, 1),
                    personal_code: None,
                    // Adults with group I or II may have an assistant.
                    disability_group: Some(1 + (*i % 2) as i32),
                    locale: mobile_api::Locale::Lv.into(),
                    // Each client gets their timesheet by mail, as clients with an address do.
                    email: Some(format!("klients{i:05}@example.lv")),
                    phone: None,
                    pin_hash: None,
                    active: true,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model(),
            );
            let name = format!("Asistents {i:05} Ozoliņa");
            asst.push(
                assistants::Model {
                    id: assistant,
                    search_name: name.to_lowercase(),
                    name,
                    email: None,
                    phone: None,
                    personal_code: None,
                    iban: None,
                    insurance_status: mobile_api::InsuranceStatus::Insured.into(),
                    active: true,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model(),
            );
            ds.push(
                decisions::Model {
                    id: decision,
                    series_id: decision,
                    version: 1,
                    client_id: client,
                    number: format!("L/{i}"),
                    decided_on: day(2025, 12, 1),
                    service: mobile_api::Service::Assistant.into(),
                    valid_from: day(2026, 1, 1),
                    valid_to: day(2026, 12, 31),
                    effective_from: day(2026, 1, 1),
                    monthly_minutes: 4800,
                    purposes: None,
                    transport_allowed: false,
                    transport_cap_cents: 0,
                    weekly_procedures: false,
                    note: None,
                    created_at: now,
                    created_by: None,
                }
                .into_active_model(),
            );
            asg.push(
                assignments::Model {
                    id: Uuid::now_v7(),
                    assistant_id: assistant,
                    client_id: client,
                    service: mobile_api::Service::Assistant.into(),
                    valid_from: day(2026, 1, 1),
                    valid_to: None,
                    relative: false,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model(),
            );
            for k in (0..per).filter(|_| !history) {
                let start = Utc
                    .from_utc_datetime(
                        &day(2026, 10, (k % 31) as u32 + 1)
                            .and_hms_opt(6 + 3 * (k / 31) as u32, 0, 0)
                            .unwrap(),
                    )
                    .timestamp();
                es.push(
                    entries::Model {
                        id: Uuid::now_v7(),
                        client_id: client,
                        assistant_id: assistant,
                        purpose: if k % 3 == 0 { "other" } else { "work" }.into(),
                        start_utc: start,
                        start_offset: 10800,
                        end_utc: start + 3600,
                        end_offset: 10800,
                        minutes: 60,
                        place: "community".into(),
                        note: None,
                        status: mobile_api::EntryStatus::Active.into(),
                        version: 1,
                        late: false,
                        review_reason: None,
                        reviewed_by: None,
                        reviewed_at: None,
                        created_by: assistant,
                        device_time: None,
                        received_at: now,
                        created_at: now,
                        updated_at: now,
                        warnings: None,
                        amendment: None,
                        flag: None,
                    }
                    .into_active_model(),
                );
            }
            ss.extend((!history).then(|| {
                month_sheets::Model {
                    id: Uuid::now_v7(),
                    client_id: client,
                    month: "2026-10".into(),
                    state: mobile_api::MonthState::Approved.into(),
                    used_minutes: 60 * per as i64,
                    transport_used_cents: 0,
                    version: 2,
                    submitted_at: Some(now),
                    submitted_by: None,
                    confirmed_at: None,
                    confirmed_by: None,
                    confirmed_as: None,
                    approved_at: Some(now),
                    approved_by: None,
                    approval_reason: Some("load test".into()),
                    closed_at: None,
                    updated_at: now,
                    reported_version: None,
                    lines_reported: false,
                }
                .into_active_model()
            }));
        }
        let txn = db.begin().await.unwrap();
        insert(&txn, cs).await;
        insert(&txn, asst).await;
        insert(&txn, us).await;
        insert(&txn, ds).await;
        insert(&txn, asg).await;
        insert(&txn, es).await;
        insert(&txn, ss).await;
        for (user, device, token) in phones {
            let token_hash = asistents::secrets::token_hash(&token);
            let valid = (now, now + chrono::Duration::days(365));
            let (name, platform) = ("bench".to_owned(), "bench".to_owned());
            asistents::db::session::new_device(
                &txn,
                user,
                device,
                name,
                platform,
                "1".into(),
                token_hash,
                valid,
                false,
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
    }
    let mut generated = generated.elapsed().as_secs_f64();
    drop(db);
    if history {
        generated += through_the_service(&dir, &url, &people, months, per).await;
    }
    database_size(&url).await;
    if via_http {
        over_http(&dir, &url, n, per * months as usize, generated).await;
        if flag("--keep").is_none() {
            std::fs::remove_dir_all(&dir).ok();
        } else {
            println!("# kept: {}", dir.display());
        }
        return;
    }

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_asistents"))
        .args(["close", "--month", "2026-10"])
        .current_dir(&dir)
        .env("DATABASE_URL", &url)
        .env("ASISTENTS_ADMIN_PASSWORD", "close-admin-password")
        .env("ASISTENTS_STATEMENT_RECIPIENTS", "gramatvediba@example.lv")
        .env("ASISTENTS_MAIL_DIR", dir.join("mail"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run asistents close");
    let pid = child.id();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut closed_at = None;
        let mut text = String::new();
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line.contains("statements generated") {
                closed_at = Some(started.elapsed().as_secs_f64());
            }
            text.push_str(&line);
            text.push('\n');
        }
        (closed_at, text)
    });
    let mut peak = 0;
    let status = loop {
        if let Some(p) = peak_kib(pid) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let total = started.elapsed().as_secs_f64();
    let (closed_at, text) = reader.join().unwrap();
    assert!(status.success(), "asistents close failed:\n{text}");

    let db = asistents::db::connect(&url, 2).await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let statements = count("select count(*) from statements").await;
    let files = count("select count(*) from statement_files").await;
    let outbox = count("select count(*) from outbox").await;
    // The close must be whole, not only quick: every client once, every sheet closed with its
    // change and audit record, every session counted.
    let whole = [
        (
            "select count(distinct client_id) from statements where kind = 'client_timesheet'",
            n,
        ),
        (
            "select count(*) from statements where kind = 'client_timesheet'",
            n,
        ),
        (
            "select count(*) from statements where kind = 'assistant_pay'",
            n,
        ),
        (
            "select count(*) from month_sheets where state = 'closed' and reported_version = 3",
            n,
        ),
        (
            "select count(*) from audit_log where action = 'month_closed'",
            n,
        ),
        ("select count(*) from changes where kind = 'month'", n),
    ];
    for (sql, expected) in whole {
        assert_eq!(count(sql).await, expected as i64, "{sql}");
    }
    let engine = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "| {engine} | {n} | {} | {:.1} | {:.1} | {:.1} | {statements} | {files} | {outbox} | {:.0} |",
        n * per,
        generated,
        closed_at.unwrap_or(total),
        total,
        peak as f64 / 1024.0
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// p50 and p99 of `ms`, in ms.
fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}

/// Times `times` calls of GET `path`, one after another; panics on a failed call.
async fn timed(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    times: usize,
) -> (f64, f64) {
    let mut ms = Vec::with_capacity(times);
    for _ in 0..times {
        let t = Instant::now();
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let _ = r.bytes().await.unwrap();
        assert!(status.is_success(), "{path}: {status}");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    percentiles(ms)
}

/// The console as a coordinator's browser uses it: signed in with the session cookie.
struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Console {
    async fn sign_in(base: &str) -> Console {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http
            .post(format!("{base}/console/login"))
            .form(&[("login", "admin"), ("password", "close-admin-password")])
            .send()
            .await
            .unwrap();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("asistents_console="))
            .and_then(|v| v.split(';').next())
            .unwrap_or_else(|| panic!("signed in to the console: {}", r.status()))
            .to_owned();
        Console {
            http,
            base: base.to_owned(),
            cookie,
        }
    }

    /// Times `times` loads of the page at `path`; panics unless each is a 200.
    async fn timed(&self, path: &str, times: usize) -> (f64, f64) {
        let mut ms = Vec::with_capacity(times);
        for _ in 0..times {
            let t = Instant::now();
            let r = self
                .http
                .get(format!("{}{path}", self.base))
                .header("cookie", &self.cookie)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let _ = r.bytes().await.unwrap();
            assert_eq!(status, 200, "{path}");
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        percentiles(ms)
    }
}

/// An assistant's phone of the data set: the first assistant gets a login (chosen at the first
/// login, as people must) and pushes for its client. Returns the token and the client.
async fn assistant_phone(http: &reqwest::Client, base: &str, admin: &str) -> (String, String) {
    let post = |path: String, token: Option<String>, body: serde_json::Value| {
        let (http, base) = (http.clone(), base.to_owned());
        async move {
            let mut req = http.post(format!("{base}{path}")).json(&body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            let body = r.bytes().await.unwrap();
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)
        }
    };
    let first = common::get_json(http, base, admin, "/api/v1/assistants?limit=1").await;
    let aid = first["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/assignments?assistant_id={aid}");
    let assigned = common::get_json(http, base, admin, &path).await;
    let cid = assigned["items"][0]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = serde_json::json!({"login": "bench-assistant", "password": "bench-temporary-1",
        "role": "assistant", "assistant_id": aid});
    post("/api/v1/users".into(), Some(admin.to_owned()), user).await;
    let login = |password: &'static str| {
        serde_json::json!({"login": "bench-assistant", "password": password, "device":
            {"device_id": "bench-assistant-phone", "name": "bench", "platform": "bench", "app_version": "1"}})
    };
    let first = post(
        "/api/v1/auth/login".into(),
        None,
        login("bench-temporary-1"),
    )
    .await;
    let change = serde_json::json!({"current_password": "bench-temporary-1",
        "new_password": "bench-password-1"});
    post(
        "/api/v1/me/password".into(),
        first["token"].as_str().map(str::to_owned),
        change,
    )
    .await;
    let phone = post("/api/v1/auth/login".into(), None, login("bench-password-1")).await;
    (phone["token"].as_str().unwrap().to_owned(), cid)
}

/// The phone pushes one five-minute November session every 50 ms until `stop`, continuing its
/// sequence from `seq`: each push's time in ms, the next seq, and how many were answered 503.
fn pushes_meanwhile(
    http: reqwest::Client,
    base: String,
    (token, client): (String, String),
    seq: i64,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<(Vec<f64>, i64, usize)> {
    tokio::spawn(async move {
        let (mut ms, mut seq, mut unavailable) = (Vec::new(), seq, 0);
        let november = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let november = Utc.from_utc_datetime(&november.and_hms_opt(5, 0, 0).unwrap());
        while !*stop.borrow() {
            // Twelve sessions an hour, from 07:00 to 19:00 Riga time, day after day.
            let n = seq - 1;
            let start = november
                + chrono::Duration::days(n / 144)
                + chrono::Duration::minutes((n % 144) * 5);
            let body = serde_json::json!({"device_id": "bench-assistant-phone", "mutations": [{
                "seq": seq, "name": "entry.save", "args": {"id": Uuid::now_v7(),
                "client_id": client, "purpose": "work", "place": "home",
                "started_at": start.to_rfc3339(),
                "ended_at": (start + chrono::Duration::minutes(5)).to_rfc3339(),
                "trips": [], "base_version": null}}]});
            let t = Instant::now();
            let r = http
                .post(format!("{base}/api/v1/sync/push"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let _ = r.bytes().await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            // A 503 (the service was too busy to answer in time) is sent again with the same
            // seq, as a phone does: a replay if it was applied meanwhile.
            if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                unavailable += 1;
            } else {
                assert!(status.is_success(), "a push: {status}");
                seq += 1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (ms, seq, unavailable)
    })
}

/// `/me` every 20 ms until `stop`: each call's time in ms.
fn me_meanwhile(
    http: reqwest::Client,
    base: String,
    token: String,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Vec<f64>> {
    tokio::spawn(async move {
        let mut ms = Vec::new();
        while !*stop.borrow() {
            let t = Instant::now();
            let r = http
                .get(format!("{base}/api/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
            let _ = r.bytes().await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ms
    })
}

async fn over_http(dir: &std::path::Path, url: &str, n: usize, per: usize, generated: f64) {
    let sink = smtp::SmtpSink::start_counting();
    let svc = common::start(
        dir,
        &[
            ("DATABASE_URL", url.to_owned()),
            ("ASISTENTS_ADMIN_PASSWORD", "close-admin-password".into()),
            (
                "ASISTENTS_STATEMENT_RECIPIENTS",
                "gramatvediba@example.lv".into(),
            ),
            ("ASISTENTS_SMTP_URL", smtp::SmtpSink::url(sink.port)),
            ("RUST_LOG", "warn".into()),
        ],
    );
    let (base, pid) = (svc.base.clone(), svc.pid);
    let http = reqwest::Client::new();
    let login = |device: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let v: serde_json::Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"login": "admin", "password": "close-admin-password",
                    "device": {"device_id": device, "name": "bench", "platform": "bench", "app_version": "1"}}))
                .send().await.unwrap().json().await.unwrap();
            v["token"].as_str().expect("a token").to_owned()
        }
    };
    let (token, phone) = (login("bench-desk").await, login("bench-phone").await);
    let assistant = assistant_phone(&http, &base, &token).await;
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut row = |what: &str, (p50, p99): (f64, f64)| {
        rows.push((what.to_owned(), format!("{p50:.1} / {p99:.1}")))
    };

    row(
        "GET /months/2026-10 (overview, 200 rows)",
        timed(&http, &base, &token, "/api/v1/months/2026-10?limit=200", 20).await,
    );
    row(
        "GET /me (quiet)",
        timed(&http, &base, &phone, "/api/v1/me", 50).await,
    );
    row(
        "GET /entries?month=2026-10 (all clients, first 200)",
        timed(
            &http,
            &base,
            &token,
            "/api/v1/entries?month=2026-10&limit=200",
            20,
        )
        .await,
    );
    // A new phone of the first assistant pulls everything it may see, five times over.
    let mut ms = Vec::new();
    let mut pulled = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        pulled = pull_all(&http, &base, NEW_PHONE_TOKEN).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    row(
        &format!(
            "a new phone's first pull, whole ({} changes in {} pages)",
            pulled.0, pulled.1
        ),
        percentiles(ms),
    );
    let console = Console::sign_in(&base).await;
    for page in [
        "/console/months/2026-10",
        "/console/exceptions",
        "/console/clients",
        "/console/audit",
    ] {
        row(&format!("GET {page} (page)"), console.timed(page, 10).await);
    }

    let sent_before = common::get_json(&http, &base, &token, "/api/v1/outbox?state=sent&limit=1")
        .await["total"]
        .as_u64()
        .expect("a total");
    // The peak so far: the start, the logins, the overview pages.
    let peak_before = peak_kib(pid).unwrap_or(0) as f64 / 1024.0;

    // The close over HTTP: the answer, then the job to its end, with a phone's /me meanwhile.
    let (stop, watch) = tokio::sync::watch::channel(false);
    let me = me_meanwhile(http.clone(), base.clone(), phone.clone(), watch.clone());
    let pushes = pushes_meanwhile(http.clone(), base.clone(), assistant.clone(), 1, watch);
    let t = Instant::now();
    let r = http
        .post(format!("{base}/api/v1/months/2026-10/close"))
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let job: serde_json::Value = r.json().await.unwrap();
    assert_eq!(status, 202, "{job}");
    let answered = t.elapsed().as_secs_f64() * 1000.0;
    let id = job["id"].as_str().unwrap().to_owned();
    let job = loop {
        let j = common::get_json(&http, &base, &token, &format!("/api/v1/close-jobs/{id}")).await;
        if j["state"] == "done" || j["state"] == "failed" {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let closed = t.elapsed().as_secs_f64();
    assert_eq!(job["state"], "done", "{job}");
    let _ = stop.send(true);
    let during_close = percentiles(me.await.unwrap());
    let (pushed, seq, busy_close) = pushes.await.unwrap();
    let (pushes_close, pushed_close) = (percentiles(pushed.clone()), pushed.len());
    let peak_close = peak_kib(pid).unwrap_or(0) as f64 / 1024.0;

    row(
        "GET /statements?month= (first 50)",
        timed(
            &http,
            &base,
            &token,
            "/api/v1/statements?month=2026-10&limit=50",
            20,
        )
        .await,
    );
    row(
        "GET /outbox (first 50)",
        timed(&http, &base, &token, "/api/v1/outbox?limit=50", 20).await,
    );
    row(
        "GET /console/statements?month=2026-10 (page)",
        console.timed("/console/statements?month=2026-10", 10).await,
    );

    // The mail, handed out by the service's own rounds, with /me meanwhile.
    let (stop, watch) = tokio::sync::watch::channel(false);
    let me = me_meanwhile(http.clone(), base.clone(), phone.clone(), watch.clone());
    let pushes = pushes_meanwhile(http.clone(), base.clone(), assistant, seq, watch);
    let t = Instant::now();
    // Earlier months' mail was sent before: this month's adds to it.
    let queued = job["mails_queued"].as_u64().unwrap_or(0) + sent_before;
    loop {
        let page =
            common::get_json(&http, &base, &token, "/api/v1/outbox?state=sent&limit=1").await;
        if page["total"].as_u64() >= Some(queued) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mailed = t.elapsed().as_secs_f64();
    let (connections, received) = sink.counts();
    assert_eq!(
        received as u64,
        job["mails_queued"].as_u64().unwrap_or(0),
        "every mail of the close reached the SMTP server once"
    );
    let _ = stop.send(true);
    let during_mail = percentiles(me.await.unwrap());
    let (pushed, _, busy_mail) = pushes.await.unwrap();
    let (pushes_mail, pushed_mail) = (percentiles(pushed.clone()), pushed.len());
    let peak = peak_kib(pid).unwrap_or(0) as f64 / 1024.0;
    let engine = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "# {engine}, {n} clients, {} entries generated in {generated:.1} s",
        n * per
    );
    println!("| what | p50 / p99 ms |\n|---|---|");
    for (what, figures) in &rows {
        println!("| {what} | {figures} |");
    }
    println!("| POST /months/2026-10/close answered | {answered:.1} |");
    println!(
        "| the close job to done ({} statements, {} mails) | {closed:.1} s |",
        job["statements"], job["mails_queued"]
    );
    println!(
        "| GET /me during the close | {:.1} / {:.1} |",
        during_close.0, during_close.1
    );
    println!(
        "| a phone's push of one session during the close ({pushed_close} pushes, {busy_close} answered 503) | {:.1} / {:.1} |",
        pushes_close.0, pushes_close.1
    );
    println!(
        "| mail handed to the local SMTP server, until every mail is sent ({received} messages over {connections} connections) | {mailed:.1} s |"
    );
    println!(
        "| GET /me during the mail | {:.1} / {:.1} |",
        during_mail.0, during_mail.1
    );
    println!(
        "| a phone's push of one session during the mail ({pushed_mail} pushes, {busy_mail} answered 503) | {:.1} / {:.1} |",
        pushes_mail.0, pushes_mail.1
    );
    println!(
        "| server peak RSS | {peak_before:.0} MiB before the close, {peak_close:.0} MiB to the close's end, {peak:.0} MiB to the mail's |"
    );
    let mut child = svc.child;
    let _ = child.kill();
    let _ = child.wait();
}
