//! The ceiling the service cannot beat: the same entries inserted straight into the same schema
//! (same indexes, one transaction per batch, no HTTP, no rules).
//!
//! cargo bench --bench raw_insert -- --batch 50 --seconds 5 [--database-url postgres://…]

use std::time::{Duration, Instant};

use asistents::db::entity::{assistants, clients, entries};
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{EntityTrait, IntoActiveModel, TransactionTrait};
use uuid::Uuid;

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
    let batch: usize = flag("--batch")
        .map(|v| v.parse().expect("--batch N"))
        .unwrap_or(50);
    let seconds: u64 = flag("--seconds")
        .map(|v| v.parse::<u64>().expect("--seconds N").min(600))
        .unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("asistents-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = flag("--database-url")
        .unwrap_or_else(|| format!("sqlite://{}/raw.db?mode=rwc", dir.display()));
    let db = asistents::db::connect(&url, 8).await.unwrap();
    asistents::db::migrate(&db).await.unwrap();
    let now = Utc::now();
    let (client, assistant) = (Uuid::now_v7(), Uuid::now_v7());
    clients::Entity::insert(
        clients::Model {
            id: client,
            name: "Raw".into(),
            search_name: "raw".into(),
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
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
    )
    .exec_without_returning(&db)
    .await
    .unwrap();
    assistants::Entity::insert(
        assistants::Model {
            id: assistant,
            name: "Raw".into(),
            search_name: "raw".into(),
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
    )
    .exec_without_returning(&db)
    .await
    .unwrap();
    let day0 = Utc
        .from_utc_datetime(
            &NaiveDate::from_ymd_opt(2024, 1, 1)
                .unwrap()
                .and_hms_opt(6, 0, 0)
                .unwrap(),
        )
        .timestamp();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut n: i64 = 0;
    while Instant::now() < deadline {
        let rows: Vec<entries::ActiveModel> = (0..batch as i64)
            .map(|k| {
                let start = day0 + (n + k) * 3600;
                entries::Model {
                    id: Uuid::now_v7(),
                    client_id: client,
                    assistant_id: assistant,
                    purpose: "work".into(),
                    start_utc: start,
                    start_offset: 7200,
                    end_utc: start + 2700,
                    end_offset: 7200,
                    minutes: 45,
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
                .into_active_model()
            })
            .collect();
        let txn = db.begin().await.unwrap();
        entries::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        n += batch as i64;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let engine = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    println!(
        "| {engine} | raw insert | {batch} | {:.0} rows/s | {n} rows in {elapsed:.1} s |",
        n as f64 / elapsed
    );
    std::fs::remove_dir_all(&dir).ok();
}
