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
        if e.status.as_str() == "active" {
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

/// One delivery attempt of the phone's queue.
#[derive(Debug, Clone)]
struct Delivery {
    /// How far before the last acknowledged seq the phone starts re-sending.
    back: i64,
    len: i64,
    /// The request never reaches the server.
    dropped: bool,
    /// The server applies it but the answer is lost.
    lost: bool,
    /// Two identical pushes in flight at once.
    twin: bool,
}

fn delivery() -> impl Strategy<Value = Delivery> {
    (
        0i64..4,
        1i64..6,
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.3),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(back, len, dropped, lost, twin)| Delivery {
            back,
            len,
            dropped,
            lost,
            twin,
        })
}

/// The phone's queue: saves (some refused by the rules), an edit, a delete, a submission.
fn queue(client: Uuid) -> Vec<serde_json::Value> {
    let id = |n: u128| Uuid::from_u128(0xA5_0000 + n);
    let s = |d: u32, from: u32, to: u32| {
        json!({"client_id": client, "purpose": "work", "place": "home",
               "started_at": format!("2026-11-{d:02}T{from:02}:00:00+02:00"), "ended_at": format!("2026-11-{d:02}T{to:02}:00:00+02:00")})
    };
    let save = |seq: i64, n: u128, body: serde_json::Value, base: Option<i32>| {
        let mut b = body;
        b["id"] = json!(id(n));
        b["base_version"] = json!(base);
        json!({"seq": seq, "name": "entry.save", "args": b})
    };
    vec![
        save(1, 1, s(2, 8, 12), None),
        save(2, 2, s(3, 8, 16), None),
        save(3, 3, s(2, 10, 11), None),
        save(4, 4, s(4, 8, 10), None),
        save(5, 1, s(2, 8, 9), Some(1)),
        save(6, 5, s(5, 8, 12), None),
        json!({"seq": 7, "name": "entry.delete", "args": {"id": id(2), "base_version": 1}}),
        save(8, 6, s(6, 8, 14), None),
        json!({"seq": 9, "name": "month.submit", "args": {"client_id": client, "month": "2026-10"}}),
        save(10, 7, s(9, 8, 10), None),
        save(11, 4, s(4, 8, 9), Some(1)),
        save(12, 8, s(10, 8, 9), None),
    ]
}

/// What a clean application leaves: entries, month use, and each seq's outcome.
async fn final_state(
    app: &TestApp,
    token: &str,
    client: Uuid,
) -> (Vec<(String, i64, String, i64)>, i64, Vec<(i64, String)>) {
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={client}&limit=500"),
        )
        .await;
    let deleted = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={client}&status=deleted"),
        )
        .await;
    let mut entries: Vec<(String, i64, String, i64)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(deleted.body["items"].as_array().unwrap())
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["version"].as_i64().unwrap(),
                e["status"].as_str().unwrap().to_owned(),
                e["minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    entries.sort();
    let used = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{client}/months/2026-11"),
        )
        .await
        .body["used_minutes"]
        .as_i64()
        .unwrap();
    // Replaying the whole queue now returns every original outcome.
    let replay = app
        .post(
            token,
            "/api/v1/sync/push",
            json!({"device_id": "phone-prop", "mutations": queue(client)}),
        )
        .await;
    let outcomes = replay.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["seq"].as_i64().unwrap(),
                format!(
                    "{}/{}",
                    x["original_status"].as_str().unwrap_or("?"),
                    x["error"]["code"].as_str().unwrap_or("")
                ),
            )
        })
        .collect();
    (entries, used, outcomes)
}

async fn sync_case(schedule: Vec<Delivery>) -> Result<(), TestCaseError> {
    async fn setup() -> (TestApp, Uuid, String) {
        let app = TestApp::spawn().await;
        let client = app.client("Sinhronais", "1970-01-01").await;
        app.adult_decision(client.id, 1200).await;
        let a = app.assistant("Asistente").await;
        app.assign(a.id, client.id, "2026-01-01").await;
        let (_, token) = app
            .user("prop", "assistant", json!({"assistant_id": a.id}))
            .await;
        (app, client.id, token)
    }
    // The clean application: the whole queue once.
    let (clean, clean_client, clean_token) = setup().await;
    let r = clean
        .post(
            &clean_token,
            "/api/v1/sync/push",
            json!({"device_id": "phone-prop", "mutations": queue(clean_client)}),
        )
        .await;
    prop_assert_eq!(r.status, 200);
    let expected = final_state(&clean, &clean_token, clean_client).await;

    let (app, client, token) = setup().await;
    let q = queue(client);
    let total = q.len() as i64;
    let mut acked = 0i64;
    let send = |from: i64, len: i64| {
        let batch: Vec<_> = q
            .iter()
            .skip((from - 1) as usize)
            .take(len as usize)
            .cloned()
            .collect();
        app.post(
            &token,
            "/api/v1/sync/push",
            json!({"device_id": "phone-prop", "mutations": batch}),
        )
    };
    let mut steps = schedule
        .into_iter()
        .map(Some)
        .chain(std::iter::repeat(None))
        .take(200);
    while acked < total {
        let Some(d) = steps.next().flatten().or(Some(Delivery {
            back: 0,
            len: 5,
            dropped: false,
            lost: false,
            twin: false,
        })) else {
            break;
        };
        let from = (acked + 1 - d.back).max(1);
        if d.dropped {
            continue;
        }
        let answers = if d.twin {
            let (a, b) = tokio::join!(send(from, d.len), send(from, d.len));
            vec![a, b]
        } else {
            vec![send(from, d.len).await]
        };
        for r in &answers {
            prop_assert_eq!(r.status, 200, "{}", r.text);
            for x in r.body["results"].as_array().unwrap() {
                let code = x["error"]["code"].as_str().unwrap_or("");
                prop_assert!(
                    code != "seq_conflict",
                    "the same body never conflicts: {}",
                    r.text
                );
            }
        }
        if !d.lost {
            acked = answers
                .iter()
                .map(|r| r.body["last_applied_seq"].as_i64().unwrap())
                .max()
                .unwrap();
        }
    }
    let got = final_state(&app, &token, client).await;
    // Ids differ between the two databases only in the client, which the entries do not show.
    prop_assert_eq!(got, expected);
    Ok(())
}

#[test]
fn dropped_duplicated_and_concurrent_pushes_end_as_one_clean_application() {
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(delivery(), 1..20), |schedule| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(sync_case(schedule))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
