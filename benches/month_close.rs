//! Month close at scale: generates N clients (each with an assistant, a decision, an
//! assignment, E one-hour sessions in October 2026 and an approved month sheet) straight into
//! the schema, then runs the real `asistents close --month 2026-10` and reports how long it took
//! to generate the statements, to deliver the mail (to `.eml` files), the statements, files and
//! outbox rows it made, and its peak RSS (VmHWM from /proc, sampled every 10 ms).
//!
//! cargo bench --bench month_close -- --clients 10000 --entries 40 [--database-url postgres://…]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use asistents::db::entity::{assignments, assistants, clients, decisions, entries, month_sheets};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

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

#[tokio::main]
async fn main() {
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|s| s != "--bench")
        .collect();
    let flag = |name: &str| {
        raw.iter()
            .position(|a| a == name)
            .and_then(|i| raw.get(i + 1))
            .cloned()
    };
    let n: usize = flag("--clients")
        .map(|v| v.parse().expect("--clients N"))
        .unwrap_or(10_000)
        .min(100_000);
    let per: usize = flag("--entries")
        .map(|v| v.parse().expect("--entries N"))
        .unwrap_or(40)
        .min(60);
    let dir = std::env::temp_dir().join(format!("asistents-close-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = flag("--database-url")
        .unwrap_or_else(|| format!("sqlite://{}/close.db?mode=rwc", dir.display()));
    let db = asistents::db::connect(&url, 4).await.unwrap();
    asistents::db::migrate(&db).await.unwrap();
    let now = Utc::now();
    asistents::db::policy::seed_missing(&db, now).await.unwrap();

    let generated = Instant::now();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let (mut cs, mut asst, mut ds, mut asg, mut es, mut ss) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in chunk {
            let (client, assistant, decision) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
            let name = format!("Klients {i:05} Bērziņš");
            cs.push(
                clients::Model {
                    id: client,
                    search_name: name.to_lowercase(),
                    name,
                    birth_date: day(1970, 1, 1),
                    personal_code: None,
                    disability_group: None,
                    locale: mobile_api::Locale::Lv.into(),
                    email: None,
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
            for k in 0..per {
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
            ss.push(
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
                .into_active_model(),
            );
        }
        let txn = db.begin().await.unwrap();
        insert(&txn, cs).await;
        insert(&txn, asst).await;
        insert(&txn, ds).await;
        insert(&txn, asg).await;
        insert(&txn, es).await;
        insert(&txn, ss).await;
        txn.commit().await.unwrap();
    }
    let generated = generated.elapsed().as_secs_f64();
    drop(db);

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
