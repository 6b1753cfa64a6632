//! Property tests over random sequences of creates, edits and deletes through HTTP, across a
//! month boundary and a DST night, by coordinators and (late) assistants. After every step:
//! never above allowance, never overlapping, month parts add up to the whole, nothing 5xx.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use mobile_api::entries::{Entry, MonthSheet};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

const ALLOWANCE: i64 = 1200;

#[derive(Debug, Clone)]
enum Op {
    /// Write a session as the coordinator (true) or as the assistant (false).
    Create {
        staff: bool,
        assistant: usize,
        minute: i64,
        len: i64,
    },
    Edit {
        pick: usize,
        minute: i64,
        len: i64,
    },
    Delete {
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Minutes from 2026-10-20 00:00 Riga over 20 days: the DST night (25 Oct) and 31 Oct → 1 Nov.
    let minute = 0i64..20 * 24 * 60;
    prop_oneof![
        4 => (any::<bool>(), 0usize..2, minute.clone(), 30i64..600).prop_map(|(staff, assistant, minute, len)| Op::Create { staff, assistant, minute, len }),
        2 => (any::<usize>(), minute, 30i64..600).prop_map(|(pick, minute, len)| Op::Edit { pick, minute, len }),
        1 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
    ]
}

/// Minutes of `[start, end)` in each Riga month, counted one minute at a time (independent of
/// the service's own splitting).
fn minute_walk(start: DateTime<Utc>, end: DateTime<Utc>) -> HashMap<String, i64> {
    let mut out = HashMap::new();
    let mut t = start;
    while t < end {
        let month = t
            .with_timezone(&chrono_tz::Europe::Riga)
            .format("%Y-%m")
            .to_string();
        *out.entry(month).or_insert(0) += 1;
        t += Duration::minutes(1);
    }
    out
}

async fn check_invariants(app: &TestApp, client: Uuid) -> Result<(), TestCaseError> {
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={client}&limit=500"),
        )
        .await;
    prop_assert_eq!(r.status, 200);
    let live: Vec<Entry> = serde_json::from_value(r.body["items"].clone()).unwrap();
    let mut expected: HashMap<String, i64> = HashMap::new();
    for e in &live {
        let (s, end) = (
            e.started_at.with_timezone(&Utc),
            e.ended_at.with_timezone(&Utc),
        );
        prop_assert_eq!(
            e.minutes,
            (end - s).num_minutes(),
            "minutes are real elapsed time"
        );
        if e.status == "active" {
            for (m, n) in minute_walk(s, end) {
                *expected.entry(m).or_insert(0) += n;
            }
        }
    }
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            let overlap = a.started_at < b.ended_at && b.started_at < a.ended_at;
            prop_assert!(!overlap, "live entries overlap: {:?} and {:?}", a.id, b.id);
        }
    }
    for month in ["2026-10", "2026-11"] {
        let sheet: MonthSheet = app
            .get(
                &app.admin,
                &format!("/api/v1/clients/{client}/months/{month}"),
            )
            .await
            .json();
        prop_assert!(
            sheet.used_minutes <= ALLOWANCE,
            "{month} above allowance: {}",
            sheet.used_minutes
        );
        prop_assert_eq!(
            sheet.used_minutes,
            expected.get(month).copied().unwrap_or(0),
            "{} parts add up",
            month
        );
    }
    Ok(())
}

async fn run_case(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let app = TestApp::spawn().await;
    let client = app.client("Īpašību klients", "1970-01-01").await;
    app.adult_decision(client.id, ALLOWANCE).await;
    let mut assistants = Vec::new();
    for i in 0..2 {
        let a = app.assistant(&format!("Asistents {i}")).await;
        app.assign(a.id, client.id, "2026-01-01").await;
        let (_, token) = app
            .user(
                &format!("prop{i}"),
                "assistant",
                json!({"assistant_id": a.id}),
            )
            .await;
        assistants.push((a.id, token));
    }
    let base: DateTime<Utc> = "2026-10-19T21:00:00Z".parse().unwrap();
    let at = |minute: i64| {
        (base + Duration::minutes(minute))
            .with_timezone(&chrono_tz::Europe::Riga)
            .to_rfc3339()
    };
    // (id, version, who wrote it: None = staff, Some(i) = assistant i)
    let mut known: Vec<(Uuid, i32, Option<usize>, Uuid)> = Vec::new();
    for op in ops {
        let resp = match op {
            Op::Create {
                staff,
                assistant,
                minute,
                len,
            } => {
                let (aid, token) = &assistants[assistant];
                let mut body = json!({"client_id": client.id, "purpose": "work", "started_at": at(minute), "ended_at": at(minute + len), "place": "home"});
                let token = if staff {
                    body["assistant_id"] = json!(aid);
                    &app.admin
                } else {
                    token
                };
                let r = app.post(token, "/api/v1/entries", &body).await;
                if r.status == 201 {
                    known.push((
                        r.body["id"].as_str().unwrap().parse().unwrap(),
                        1,
                        (!staff).then_some(assistant),
                        *aid,
                    ));
                }
                r
            }
            Op::Edit { pick, minute, len } if !known.is_empty() => {
                let i = pick % known.len();
                let (id, version, who, aid) = known[i];
                let token = who
                    .map(|w| assistants[w].1.clone())
                    .unwrap_or_else(|| app.admin.clone());
                let body = json!({"client_id": client.id, "assistant_id": aid, "purpose": "other", "started_at": at(minute), "ended_at": at(minute + len), "place": "home", "base_version": version});
                let r = app
                    .send(
                        reqwest::Method::PUT,
                        Some(&token),
                        &format!("/api/v1/entries/{id}"),
                        Some(&body),
                        None,
                    )
                    .await;
                if r.status == 200 {
                    known[i].1 = r.body["version"].as_i64().unwrap() as i32;
                }
                r
            }
            Op::Delete { pick } if !known.is_empty() => {
                let i = pick % known.len();
                let (id, version, who, _) = known[i];
                let token = who
                    .map(|w| assistants[w].1.clone())
                    .unwrap_or_else(|| app.admin.clone());
                let r = app
                    .send(
                        reqwest::Method::DELETE,
                        Some(&token),
                        &format!("/api/v1/entries/{id}?base_version={version}"),
                        None,
                        None,
                    )
                    .await;
                if r.status == 200 {
                    known.remove(i);
                }
                r
            }
            _ => continue,
        };
        prop_assert!(resp.status < 500, "server error: {}", resp.text);
        if resp.status >= 400 {
            let code = resp.code().to_owned();
            prop_assert!(
                [
                    "over_allowance",
                    "overlap_client",
                    "overlap_assistant",
                    "weekly_limit"
                ]
                .contains(&code.as_str()),
                "unexpected refusal {code}: {}",
                resp.text
            );
        }
        check_invariants(&app, client.id).await?;
    }
    Ok(())
}

#[test]
fn random_sequences_of_writes_keep_every_invariant() {
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1..25), |ops| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run_case(ops))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
