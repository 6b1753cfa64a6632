//! Mobile sync over HTTP: exactly-once push by per-device seq, pull by commit-ordered cursor.

use mobile_api::sync::{PullResponse, PushResponse};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::entries::{Scene, scene, session, sheet};
use crate::helpers::{Resp, Skip, TestApp, skipped};

pub fn save(seq: i64, id: Uuid, mut body: Value, base_version: Option<i32>) -> Value {
    body["id"] = json!(id);
    body["base_version"] = json!(base_version);
    json!({"seq": seq, "name": "entry.save", "args": body})
}

/// A work session for `client` on `day` of November 2026, from `from` to `to` o'clock (Riga).
fn at(client: Uuid, day: u32, from: u32, to: u32) -> Value {
    session(
        client,
        &format!("2026-11-{day:02}T{from:02}:00:00+02:00"),
        &format!("2026-11-{day:02}T{to:02}:00:00+02:00"),
        "work",
    )
}

pub async fn push(app: &TestApp, token: &str, device: &str, mutations: Vec<Value>) -> Resp {
    app.post(
        token,
        "/api/v1/sync/push",
        json!({"device_id": device, "mutations": mutations}),
    )
    .await
}

async fn pull_all(
    app: &TestApp,
    token: &str,
    limit: u64,
) -> (Vec<mobile_api::sync::Change>, String, usize) {
    pull_from(app, token, String::new(), limit).await
}

/// Every change after `cursor`, page by page: the changes, the last cursor and the pages.
async fn pull_from(
    app: &TestApp,
    token: &str,
    mut cursor: String,
    limit: u64,
) -> (Vec<mobile_api::sync::Change>, String, usize) {
    let (mut all, mut pages) = (Vec::new(), 0);
    loop {
        let r = app
            .get(
                token,
                &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
            )
            .await;
        r.expect(200);
        let page: PullResponse = r.json();
        pages += 1;
        assert!(page.changes.len() as u64 <= limit);
        all.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            return (all, cursor, pages);
        }
    }
}

/// A coordinator's edit of entry `id` from `base_version`, through REST.
async fn edited(app: &TestApp, id: Uuid, mut body: Value, base_version: i32) {
    body["base_version"] = json!(base_version);
    let path = format!("/api/v1/entries/{id}");
    app.send(
        reqwest::Method::PUT,
        Some(&app.admin),
        &path,
        Some(&body),
        None,
    )
    .await
    .expect(200);
}

fn statuses(r: &Resp) -> Vec<(i64, String, Option<String>)> {
    let body: PushResponse = r.json();
    body.results
        .into_iter()
        .map(|x| (x.seq, x.status, x.error.map(|e| e.code.as_str().to_owned())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_push_changes_nothing_and_returns_the_same_outcomes() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let batch = vec![
        save(
            1,
            a,
            session(
                s.client,
                "2026-11-02T08:00:00+02:00",
                "2026-11-02T12:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            2,
            b,
            session(
                s.client,
                "2026-11-03T08:00:00+02:00",
                "2026-11-03T15:00:00+02:00",
                "work",
            ),
            None,
        ),
        json!({"seq": 3, "name": "month.submit", "args": {"client_id": s.client, "month": "2026-10"}}),
    ];
    let first = push(&app, &s.token, "phone-ruta", batch.clone()).await;
    first.expect(200);
    let r: PushResponse = first.json();
    assert_eq!(r.last_applied_seq, 3);
    assert_eq!(
        statuses(&first),
        [
            (1, "applied".into(), None),
            (2, "rejected".into(), Some("over_allowance".into())),
            (3, "applied".into(), None)
        ]
    );
    assert_eq!(r.results[0].entry.as_ref().unwrap().minutes, 240);
    let used = sheet(&app, s.client, "2026-11").await.used_minutes;
    assert_eq!(used, 240);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "submitted"
    );

    let again = push(&app, &s.token, "phone-ruta", batch.clone()).await;
    let r2: PushResponse = again.json();
    assert!(
        r2.results.iter().all(|x| x.status == "duplicate"),
        "{}",
        again.text
    );
    let originals: Vec<Option<String>> = r2
        .results
        .iter()
        .map(|x| x.original_status.clone())
        .collect();
    assert_eq!(
        originals,
        [
            Some("applied".into()),
            Some("rejected".into()),
            Some("applied".into())
        ]
    );
    assert_eq!(
        r2.results[0].entry, r.results[0].entry,
        "the original outcome again"
    );
    assert_eq!(
        r2.results[1].error.as_ref().unwrap().code,
        mobile_api::ErrorCode::OverAllowance
    );
    assert_eq!(r2.last_applied_seq, 3);
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, used);
    let entries = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}", s.client),
        )
        .await;
    assert_eq!(entries.body["total"], 1);

    // The stored outcome names the entry: once a coordinator has changed it, a replay answers
    // with the entry as it is now, still as a duplicate of what was applied, and changes nothing.
    let edit = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T11:00:00+02:00",
        "work",
    );
    edited(&app, a, edit, 1).await;
    let r3: PushResponse = push(&app, &s.token, "phone-ruta", batch).await.json();
    let now = r3.results[0].entry.as_ref().expect("the entry it wrote");
    assert_eq!(
        (r3.results[0].status.as_str(), now.version, now.minutes),
        ("duplicate", 2, 180)
    );
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 180);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_refusal_is_data_and_the_rest_of_the_batch_goes_on() {
    let app = TestApp::spawn().await;
    let s: Scene = scene(&app, 600, "ruta").await;
    let url = format!(
        "/api/v1/clients/{}/decisions/{}/suspensions",
        s.client, s.decision
    );
    app.post(
        &app.admin,
        &url,
        json!({"from": "2026-11-10", "to": "2026-11-12", "reason": "Slimnīca"}),
    )
    .await
    .expect(201);
    let undecided = app.client("Bez lēmuma", "1980-01-01").await;
    app.assign(s.assistant, undecided.id, "2026-01-01").await;
    let other = app.client("Otrs", "1981-01-01").await;
    app.decision(other.id, json!({"number": "2", "decided_on": "2025-12-01", "service": "assistant", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "monthly_minutes": 600})).await;
    app.assign(s.assistant, other.id, "2026-01-01").await;
    let someone = app.assistant("Cits asistents").await;

    let c = s.client;
    let e1 = Uuid::new_v4();
    let with = |mut body: Value, key: &str, value: Value| {
        body[key] = value;
        body
    };
    let taxi =
        json!([{"mode": "taxi", "from": "A", "to": "B", "distance_km": 2, "cost_cents": 6000}]);
    let mutations = vec![
        save(
            1,
            e1,
            session(
                c,
                "2026-11-02T08:00:00+02:00",
                "2026-11-02T12:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            2,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-04T12:00:00+02:00",
                "2026-11-04T09:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            3,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-24T11:00:00+02:00",
                "2026-11-24T13:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            4,
            Uuid::new_v4(),
            session(
                Uuid::new_v4(),
                "2026-11-04T08:00:00+02:00",
                "2026-11-04T09:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            5,
            Uuid::new_v4(),
            session(
                undecided.id,
                "2026-11-04T08:00:00+02:00",
                "2026-11-04T09:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            6,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-11T08:00:00+02:00",
                "2026-11-11T09:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            7,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-04T08:00:00+02:00",
                "2026-11-04T09:00:00+02:00",
                "fishing",
            ),
            None,
        ),
        save(
            8,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-03T08:00:00+02:00",
                "2026-11-03T15:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            9,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-02T10:00:00+02:00",
                "2026-11-02T11:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            10,
            Uuid::new_v4(),
            session(
                other.id,
                "2026-11-05T08:00:00+02:00",
                "2026-11-05T09:00:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            11,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-05T08:30:00+02:00",
                "2026-11-05T09:30:00+02:00",
                "work",
            ),
            None,
        ),
        save(
            12,
            Uuid::new_v4(),
            with(
                session(
                    other.id,
                    "2026-11-06T08:00:00+02:00",
                    "2026-11-06T09:00:00+02:00",
                    "work",
                ),
                "trips",
                taxi.clone(),
            ),
            None,
        ),
        save(
            13,
            Uuid::new_v4(),
            with(
                session(
                    c,
                    "2026-11-06T08:00:00+02:00",
                    "2026-11-06T09:00:00+02:00",
                    "work",
                ),
                "trips",
                taxi,
            ),
            None,
        ),
        save(
            14,
            e1,
            session(
                c,
                "2026-11-02T08:00:00+02:00",
                "2026-11-02T11:00:00+02:00",
                "work",
            ),
            Some(7),
        ),
        save(
            15,
            Uuid::new_v4(),
            with(
                session(
                    c,
                    "2026-11-07T08:00:00+02:00",
                    "2026-11-07T09:00:00+02:00",
                    "work",
                ),
                "assistant_id",
                json!(someone.id),
            ),
            None,
        ),
        json!({"seq": 16, "name": "entry.teleport", "args": {}}),
        json!({"seq": 17, "name": "entry.save", "args": {"purpose": 5}}),
        save(
            18,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-09T08:00:00+02:00",
                "2026-11-09T09:00:00+02:00",
                "work",
            ),
            None,
        ),
    ];
    let r = push(&app, &s.token, "phone-ruta", mutations).await;
    r.expect(200);
    let got = statuses(&r);
    let expected = [
        (1, "applied", None),
        (2, "rejected", Some("invalid_interval")),
        (3, "rejected", Some("in_future")),
        (4, "rejected", Some("not_assigned")),
        (5, "rejected", Some("no_decision")),
        (6, "rejected", Some("service_suspended")),
        (7, "rejected", Some("purpose_not_allowed")),
        (8, "rejected", Some("over_allowance")),
        (9, "rejected", Some("overlap_client")),
        (10, "applied", None),
        (11, "rejected", Some("overlap_assistant")),
        (12, "rejected", Some("transport_not_allowed")),
        (13, "rejected", Some("transport_cap")),
        (14, "rejected", Some("stale_version")),
        (15, "rejected", Some("forbidden")),
        (16, "rejected", Some("validation_failed")),
        (17, "rejected", Some("validation_failed")),
        (18, "applied", None),
    ];
    let expected: Vec<(i64, String, Option<String>)> = expected
        .iter()
        .map(|(s, st, c)| (*s, st.to_string(), c.map(str::to_owned)))
        .collect();
    assert_eq!(got, expected);
    let body: PushResponse = r.json();
    assert_eq!(body.last_applied_seq, 18);
    assert_eq!(
        body.results[7].error.as_ref().unwrap().details["remaining_minutes"],
        360
    );
    assert_eq!(
        body.results[13].error.as_ref().unwrap().details["current"]["version"],
        1
    );
    assert_eq!(sheet(&app, c, "2026-11").await.used_minutes, 300);

    // A month the client confirmed refuses too.
    push(&app, &s.token, "phone-ruta", vec![json!({"seq": 19, "name": "month.submit", "args": {"client_id": c, "month": "2026-11"}})]).await.expect(200);
    let (_, client) = app.user("klients", "client", json!({"client_id": c})).await;
    let month: mobile_api::entries::MonthSheet = app
        .get(&client, &format!("/api/v1/clients/{c}/months/2026-11"))
        .await
        .json();
    let seen: Vec<Value> = month
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "version": e.version}))
        .collect();
    app.post(
        &client,
        &format!("/api/v1/clients/{c}/months/2026-11/confirm"),
        json!({"entries": seen}),
    )
    .await
    .expect(200);
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(
            20,
            Uuid::new_v4(),
            session(
                c,
                "2026-11-16T08:00:00+02:00",
                "2026-11-16T09:00:00+02:00",
                "work",
            ),
            None,
        )],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [(20, "rejected".to_owned(), Some("month_locked".to_owned()))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_seq_with_another_body_conflicts_and_a_gap_stops_the_batch() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let day = |d: u32| {
        session(
            s.client,
            &format!("2026-11-{d:02}T08:00:00+02:00"),
            &format!("2026-11-{d:02}T09:00:00+02:00"),
            "work",
        )
    };
    push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(1, Uuid::new_v4(), day(2), None)],
    )
    .await
    .expect(200);
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(1, Uuid::new_v4(), day(3), None)],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [(1, "rejected".to_owned(), Some("seq_conflict".to_owned()))]
    );
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![
            save(2, Uuid::new_v4(), day(4), None),
            save(4, Uuid::new_v4(), day(5), None),
            save(5, Uuid::new_v4(), day(6), None),
        ],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [
            (2, "applied".to_owned(), None),
            (4, "rejected".to_owned(), Some("seq_gap".to_owned()))
        ]
    );
    let body: PushResponse = r.json();
    assert_eq!(
        body.results[1].error.as_ref().unwrap().details["expected_seq"],
        3
    );
    assert_eq!(body.last_applied_seq, 2);
    assert_eq!(
        sheet(&app, s.client, "2026-11").await.used_minutes,
        120,
        "nothing after the gap was applied"
    );
    // The phone's clock is 9 minutes fast: the entry is taken, with a warning; order is the server's.
    let r = app.post(&s.token, "/api/v1/sync/push", json!({"device_id": "phone-ruta", "device_time": "2026-11-24T10:09:00Z", "mutations": [save(3, Uuid::new_v4(), day(7), None)]})).await;
    let body: PushResponse = r.json();
    let warning = &body.results[0].entry.as_ref().unwrap().warnings[0];
    assert_eq!(
        (
            warning.code.as_str(),
            warning.details["skew_minutes"].as_i64()
        ),
        ("clock_skew", Some(9))
    );
    assert_eq!(body.server_time, crate::helpers::test_now());
    // A pull tells the same warning in the language the phone asks for.
    let skewed = body.results[0].entry.as_ref().unwrap().id.to_string();
    let mut messages = Vec::new();
    for lang in ["lv", "ru", "en"] {
        let page: PullResponse = app
            .send(
                reqwest::Method::GET,
                Some(&s.token),
                "/api/v1/sync/pull?limit=1000",
                None,
                Some(lang),
            )
            .await
            .json();
        let change = page
            .changes
            .iter()
            .rev()
            .find(|c| c.kind == "entry" && c.id == skewed)
            .expect("the entry is pulled");
        assert_eq!(change.data["warnings"][0]["code"], "clock_skew");
        messages.push(
            change.data["warnings"][0]["message"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        messages[0] != messages[1] && messages[1] != messages[2] && messages[0] != messages[2],
        "{messages:?}"
    );
    assert!(messages[2].contains('9'), "{}", messages[2]);
    // Seq counts per device: another phone of the same user starts at 1.
    let tablet = app
        .try_login("ruta", crate::helpers::PASSWORD, "tablet")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = push(
        &app,
        &tablet,
        "tablet",
        vec![save(1, Uuid::new_v4(), day(9), None)],
    )
    .await;
    assert_eq!(statuses(&r), [(1, "applied".to_owned(), None)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_is_bound_to_the_callers_device_and_its_size_is_limited() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    push(&app, &s.token, "phone-someone-else", vec![])
        .await
        .refused(403, "forbidden");
    let many: Vec<Value> = (1..=501)
        .map(|i| json!({"seq": i, "name": "month.submit", "args": {}}))
        .collect();
    let r = push(&app, &s.token, "phone-ruta", many).await;
    r.refused(413, "payload_too_large");
    assert_eq!(r.body["error"]["details"]["max_mutations"], 500);
    // 400 KB is fine for a push (beyond other requests' 256 KiB); 1.2 MB is not.
    let note = "x".repeat(1000);
    let big = |n: i64| -> Vec<Value> {
        (1..=n)
            .map(|i| {
                let mut b = session(
                    s.client,
                    "2026-11-02T08:00:00+02:00",
                    "2026-11-02T09:00:00+02:00",
                    "work",
                );
                b["note"] = json!(note);
                save(i, Uuid::new_v4(), b, None)
            })
            .collect()
    };
    push(&app, &s.token, "phone-ruta", big(1200))
        .await
        .refused(413, "payload_too_large");
    let r = push(&app, &s.token, "phone-ruta", big(350)).await;
    r.expect(200);
    let body: PushResponse = r.json();
    assert_eq!(body.last_applied_seq, 350);
    assert_eq!(
        body.results
            .iter()
            .filter(|x| x.status == "applied")
            .count(),
        1,
        "one session, the rest overlap it"
    );
    app.get(&s.token, "/api/v1/sync/pull?cursor=nonsense")
        .await
        .refused(422, "validation_failed");
    app.get(&s.token, "/api/v1/sync/pull?limit=5000")
        .await
        .refused(422, "validation_failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_pages_every_visible_change_once_in_order_with_tombstones() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let other = scene(&app, 600, "igors").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    push(
        &app,
        &s.token,
        "phone-ruta",
        vec![
            save(
                1,
                a,
                session(
                    s.client,
                    "2026-11-02T08:00:00+02:00",
                    "2026-11-02T10:00:00+02:00",
                    "work",
                ),
                None,
            ),
            save(
                2,
                b,
                session(
                    s.client,
                    "2026-11-03T08:00:00+02:00",
                    "2026-11-03T10:00:00+02:00",
                    "work",
                ),
                None,
            ),
            json!({"seq": 3, "name": "entry.delete", "args": {"id": b, "base_version": 1}}),
            save(
                4,
                Uuid::new_v4(),
                session(
                    s.client,
                    "2026-11-04T08:00:00+02:00",
                    "2026-11-04T20:00:00+02:00",
                    "work",
                ),
                None,
            ),
        ],
    )
    .await
    .expect(200);
    push(
        &app,
        &other.token,
        "phone-igors",
        vec![save(
            1,
            Uuid::new_v4(),
            session(
                other.client,
                "2026-11-02T08:00:00+02:00",
                "2026-11-02T09:00:00+02:00",
                "work",
            ),
            None,
        )],
    )
    .await
    .expect(200);
    // A coordinator's edit reaches the assistant's phone.
    let edit = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T09:30:00+02:00",
        "other",
    );
    edited(&app, a, edit, 1).await;

    let (changes, cursor, pages) = pull_all(&app, &s.token, 2).await;
    assert!(pages > 3, "paged through has_more");
    let kinds: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| (c.kind.clone(), c.op.clone(), c.id.clone()))
        .collect();
    let entry_ops: Vec<(&str, &str)> = kinds
        .iter()
        .filter(|k| k.0 == "entry")
        .map(|k| (k.1.as_str(), k.2.as_str()))
        .collect();
    let (a, b) = (a.to_string(), b.to_string());
    // Each entry at its latest change only: `a`'s first version and `b` before its deletion
    // are left out, since later changes carry them.
    assert_eq!(entry_ops, [("delete", b.as_str()), ("upsert", a.as_str())]);
    let last_a = changes
        .iter()
        .rev()
        .find(|c| c.kind == "entry" && c.id == a)
        .unwrap();
    assert_eq!(
        (
            last_a.data["version"].as_i64(),
            last_a.data["purpose"].as_str()
        ),
        (Some(2), Some("other"))
    );
    assert!(kinds.iter().any(|k| k.0 == "assignment"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.0 == "decision"), "{kinds:?}");
    let refused = changes
        .iter()
        .find(|c| c.kind == "mutation")
        .expect("the refused mutation is pulled");
    assert_eq!(
        (refused.op.as_str(), refused.data["error"]["code"].as_str()),
        ("rejected", Some("over_allowance"))
    );
    let month = changes.iter().rev().find(|c| c.kind == "month").unwrap();
    assert_eq!(
        (
            month.data["used_minutes"].as_i64(),
            month.data["allowance_minutes"].as_i64()
        ),
        (Some(90), Some(600))
    );
    // Nothing of the other assistant's client.
    let other_client = other.client.to_string();
    assert!(
        changes
            .iter()
            .all(|c| c.data["client_id"].as_str() != Some(other_client.as_str())),
        "{changes:?}"
    );

    // Pulling on from the cursor gives nothing new, then exactly what came after.
    let r: PullResponse = app
        .get(&s.token, &format!("/api/v1/sync/pull?cursor={cursor}"))
        .await
        .json();
    assert_eq!(
        (
            r.changes.len(),
            r.has_more,
            r.cursor.as_str(),
            r.last_applied_seq
        ),
        (0, false, cursor.as_str(), 4)
    );
    app.send(
        reqwest::Method::DELETE,
        Some(&app.admin),
        &format!("/api/v1/entries/{a}?base_version=2"),
        None,
        None,
    )
    .await
    .expect(200);
    let r: PullResponse = app
        .get(&s.token, &format!("/api/v1/sync/pull?cursor={cursor}"))
        .await
        .json();
    let ops: Vec<(&str, &str)> = r
        .changes
        .iter()
        .map(|c| (c.kind.as_str(), c.op.as_str()))
        .collect();
    assert_eq!(ops, [("entry", "delete"), ("month", "upsert")]);

    // The client sees their own month and entries too.
    let (_, client_token) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let (seen, _, _) = pull_all(&app, &client_token, 100).await;
    assert!(seen.iter().any(|c| c.kind == "entry") && seen.iter().all(|c| c.kind != "assignment"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_following_the_cursor_during_concurrent_writes_misses_nothing() {
    follow_the_cursor_during_writes(TestApp::spawn().await).await;
}

/// On a database file the pulls and token lookups go through read connections of their own,
/// beside the writer, and SQLite numbers changes as it writes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_database_file_the_cursor_still_misses_nothing() {
    let url = crate::helpers::file_database_url("cursor").await;
    follow_the_cursor_during_writes(TestApp::spawn_on(url, |_| {}).await).await;
}

/// A pulled change as the log tests compare them: (kind, op, id, data).
type Seen = (String, String, String, String);

fn seen(c: mobile_api::sync::Change) -> Seen {
    (c.kind, c.op, c.id, c.data.to_string())
}

/// The whole change log as the admin's device pulls it afterwards, in order.
async fn whole_log(app: &TestApp) -> Vec<Seen> {
    let (all, _, _) = pull_all(app, &app.admin, 1000).await;
    all.into_iter().map(seen).collect()
}

/// A reader following the change log through `app`, seven changes a page, until `stop` and the
/// log's end: every change it saw, in order.
fn follow(
    app: &TestApp,
    token: &str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<Vec<Seen>> {
    let (http, base, token) = (app.http.clone(), app.base.clone(), token.to_owned());
    tokio::spawn(async move {
        let (mut saw, mut cursor) = (Vec::new(), String::new());
        loop {
            let done = stop.load(std::sync::atomic::Ordering::SeqCst);
            let r = TestApp::read(
                http.get(format!("{base}/api/v1/sync/pull?cursor={cursor}&limit=7"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            let page: PullResponse = r.json();
            saw.extend(page.changes.into_iter().map(seen));
            cursor = page.cursor;
            if done && !page.has_more {
                return saw;
            }
        }
    })
}

async fn follow_the_cursor_during_writes(app: TestApp) {
    let mut writers = Vec::new();
    for i in 0..4 {
        writers.push(scene(&app, 9600, &format!("writer{i}")).await);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = follow(&app, &app.admin, stop.clone());
    let mut tasks = Vec::new();
    for w in writers {
        let (http, base) = (app.http.clone(), app.base.clone());
        tasks.push(tokio::spawn(async move {
            for day in 1..=15u32 {
                let body = session(
                    w.client,
                    &format!("2026-11-{day:02}T08:00:00+02:00"),
                    &format!("2026-11-{day:02}T09:00:00+02:00"),
                    "work",
                );
                let r = http
                    .post(format!("{base}/api/v1/entries"))
                    .bearer_auth(&w.token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let everything = whole_log(&app).await;
    assert_eq!(
        seen.len(),
        everything.len(),
        "the follower saw each change exactly once"
    );
    assert_eq!(seen, everything, "in the same order");
    assert_eq!(everything.iter().filter(|c| c.0 == "entry").count(), 60);
}

/// The assistant writes a session on the morning of 2 November through the API.
async fn morning_session(app: &TestApp, s: &Scene) {
    crate::entries::post(
        app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_late_with_an_earlier_id_is_still_pulled() {
    let app = TestApp::spawn().await;
    if !asistents::db::is_postgres(&app.state.db) {
        skipped(
            "a_change_committed_late_with_an_earlier_id_is_still_pulled",
            Skip::OtherEngine,
            "SQLite has one writer, so commits cannot interleave; the PostgreSQL pass runs it",
        );
        return;
    }
    let s = scene(&app, 9600, "ruta").await;
    // A transaction takes its change id first and commits last.
    use sea_orm::TransactionTrait;
    let slow = app.state.db.begin().await.unwrap();
    let scope = asistents::db::changes::Scope {
        assistant_id: Some(s.assistant),
        ..Default::default()
    };
    asistents::db::changes::record(
        &slow,
        "assignment",
        "upsert",
        "slow-one".into(),
        scope,
        &json!({"id": "slow-one"}),
        app.clock.now(),
    )
    .await
    .unwrap();
    // Meanwhile another write commits and a phone pulls past it.
    morning_session(&app, &s).await;
    let (first, cursor, _) = pull_all(&app, &s.token, 100).await;
    assert!(first.iter().any(|c| c.kind == "entry") && first.iter().all(|c| c.id != "slow-one"));
    slow.commit().await.unwrap();
    let r: PullResponse = app
        .get(&s.token, &format!("/api/v1/sync/pull?cursor={cursor}"))
        .await
        .json();
    assert_eq!(
        r.changes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["slow-one"]
    );
}

/// One push of mutations that depend on each other, and the same mutations pushed one at a time,
/// end in the same entries, month sheet and answers: later mutations in a batch see the earlier
/// ones (an edit moves an entry out of the way, a delete frees its time and allowance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_ends_as_the_same_mutations_pushed_one_at_a_time() {
    let (a, b, c, d) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let mutations = |client: Uuid| {
        vec![
            save(1, a, at(client, 2, 8, 12), None),
            // Overlaps a: refused.
            save(2, b, at(client, 2, 10, 11), None),
            // a moves away; then b fits where a was.
            save(3, a, at(client, 3, 8, 12), Some(1)),
            save(4, b, at(client, 2, 10, 11), None),
            // A stale edit of a, and a create that reuses a's id.
            save(5, a, at(client, 3, 8, 9), Some(1)),
            save(6, a, at(client, 4, 8, 9), None),
            // 600 minutes allowed; 300 used: 6 hours do not fit ...
            save(7, c, at(client, 5, 8, 14), None),
            // ... until a is deleted.
            json!({"seq": 8, "name": "entry.delete", "args": {"id": a, "base_version": 2}}),
            save(9, c, at(client, 5, 8, 14), None),
            // Deleting again: not found.
            json!({"seq": 10, "name": "entry.delete", "args": {"id": a, "base_version": 3}}),
            save(11, d, at(client, 3, 9, 10), None),
        ]
    };
    let mut outcomes = Vec::new();
    for batched in [true, false] {
        let app = TestApp::spawn().await;
        let s = scene(&app, 600, "ruta").await;
        let all = mutations(s.client);
        let mut got = Vec::new();
        if batched {
            got = statuses(&push(&app, &s.token, "phone-ruta", all).await);
        } else {
            for m in all {
                got.extend(statuses(&push(&app, &s.token, "phone-ruta", vec![m]).await));
            }
        }
        let month = sheet(&app, s.client, "2026-11").await;
        let entries: Vec<(Uuid, String, i32, i64)> = month
            .entries
            .iter()
            .map(|e| (e.id, e.started_at.to_rfc3339(), e.version, e.minutes))
            .collect();
        let (changes, _, _) = pull_all(&app, &s.token, 1000).await;
        let last: std::collections::BTreeMap<String, (String, Value)> = changes
            .into_iter()
            .filter(|ch| ch.kind == "entry")
            .map(|ch| (ch.id.clone(), (ch.op.clone(), ch.data["version"].clone())))
            .collect();
        outcomes.push((got, month.used_minutes, entries, last));
    }
    let codes: Vec<Option<&str>> = outcomes[0].0.iter().map(|(_, _, c)| c.as_deref()).collect();
    assert_eq!(
        codes,
        [
            None,
            Some("overlap_client"),
            None,
            None,
            Some("stale_version"),
            Some("stale_version"),
            Some("over_allowance"),
            None,
            None,
            Some("not_found"),
            None,
        ]
    );
    assert_eq!(outcomes[0].1, 60 + 360 + 60);
    assert_eq!(outcomes[0], outcomes[1]);
}

/// A coordinator's phone or tool may push too: writes name the assistant, an edit that names
/// none keeps the entry's own, and a month's submission between entry runs splits the push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_pushes_edits_without_naming_the_assistant_and_submits() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let device = format!("admin-{}", app.base.rsplit(':').next().unwrap());
    let id = Uuid::new_v4();
    let mut first = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T10:00:00+02:00",
        "work",
    );
    first["assistant_id"] = json!(s.assistant);
    let moved = session(
        s.client,
        "2026-11-03T08:00:00+02:00",
        "2026-11-03T11:00:00+02:00",
        "work",
    );
    let mut stranger = moved.clone();
    stranger["assistant_id"] = json!(Uuid::new_v4());
    let r = push(
        &app,
        &app.admin,
        &device,
        vec![
            save(1, id, first, None),
            save(2, id, moved, Some(1)),
            json!({"seq": 3, "name": "month.submit", "args": {"client_id": s.client, "month": "2026-11"}}),
            save(4, Uuid::new_v4(), stranger, None),
        ],
    )
    .await;
    r.expect(200);
    let got: Vec<Option<String>> = statuses(&r).into_iter().map(|(_, _, c)| c).collect();
    assert_eq!(
        got,
        [None, None, None, Some("validation_failed".to_owned())]
    );
    let body: PushResponse = r.json();
    let edited = body.results[1].entry.as_ref().unwrap();
    assert_eq!(edited.assistant_id, s.assistant);
    assert_eq!((edited.version, edited.minutes), (2, 180));
    let month = sheet(&app, s.client, "2026-11").await;
    assert_eq!(
        (month.state.as_str(), month.used_minutes),
        ("submitted", 180)
    );
}

/// Phones pushing at the same moment are written together (group commit), yet each push is
/// answered as if it had been alone: its own results, its rules checked against its own client,
/// and an identical push sent twice at once applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_pushing_at_once_are_each_answered_as_if_alone() {
    let app = TestApp::spawn().await;
    let mut phones = Vec::new();
    for k in 0..6 {
        phones.push(scene(&app, 600, &format!("telefons{k}")).await);
    }
    let first = |s: &Scene| {
        vec![
            save(1, Uuid::new_v4(), at(s.client, 2, 8, 12), None),
            // Overlaps the first: refused.
            save(2, Uuid::new_v4(), at(s.client, 2, 10, 11), None),
            save(3, Uuid::new_v4(), at(s.client, 3, 8, 14), None),
        ]
    };
    let bodies: Vec<Vec<Value>> = phones.iter().map(first).collect();
    let sends = phones
        .iter()
        .zip(&bodies)
        .enumerate()
        .map(|(k, (s, body))| {
            let (app, token, body) = (&app, s.token.clone(), body.clone());
            async move { push(app, &token, &format!("phone-telefons{k}"), body).await }
        });
    // Phone 0's push twice at once (a retry racing the original).
    let again = push(&app, &phones[0].token, "phone-telefons0", bodies[0].clone());
    let (answers, twice) = tokio::join!(crate::helpers::join_all(sends.collect()), again);
    for (k, r) in answers.iter().enumerate() {
        r.expect(200);
        let got = statuses(r);
        let wanted_applied = vec![
            (1, "applied".to_owned(), None),
            (2, "rejected".to_owned(), Some("overlap_client".to_owned())),
            (3, "applied".to_owned(), None),
        ];
        let wanted_duplicate: Vec<_> = wanted_applied
            .iter()
            .map(|(seq, _, code)| (*seq, "duplicate".to_owned(), code.clone()))
            .collect();
        if k == 0 {
            // One of the two was applied, the other replays its outcomes.
            let other = statuses(&twice);
            let mut both = [got, other];
            both.sort();
            assert_eq!(both, [wanted_applied, wanted_duplicate], "phone 0");
        } else {
            assert_eq!(got, wanted_applied, "phone {k}");
        }
        let body: PushResponse = r.json();
        assert_eq!(body.last_applied_seq, 3);
    }
    // Every allowance is now used up: the next push of each phone is refused by its own client.
    let sends = phones.iter().enumerate().map(|(k, s)| {
        let (app, token) = (&app, s.token.clone());
        let body = vec![save(4, Uuid::new_v4(), at(s.client, 4, 8, 9), None)];
        async move { push(app, &token, &format!("phone-telefons{k}"), body).await }
    });
    for r in crate::helpers::join_all(sends.collect()).await {
        r.expect(200);
        assert_eq!(
            statuses(&r),
            [(4, "rejected".to_owned(), Some("over_allowance".to_owned()))]
        );
    }
    for s in &phones {
        let month = sheet(&app, s.client, "2026-11").await;
        assert_eq!(month.used_minutes, 600);
        assert_eq!(month.entries.len(), 2);
    }
}

/// With reads on connections of their own (a database file), what a push wrote is pulled at
/// once, and a token revoked is refused at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_database_file_a_write_is_read_at_once_and_a_logout_holds_at_once() {
    let url = crate::helpers::file_database_url("reads").await;
    let app = TestApp::spawn_on(url, |_| {}).await;
    let s = scene(&app, 9600, "ruta").await;
    let mut cursor = String::new();
    for seq in 1..=5i64 {
        let id = Uuid::new_v4();
        let body = at(s.client, seq as u32 + 1, 8, 9);
        let r = push(
            &app,
            &s.token,
            "phone-ruta",
            vec![save(seq, id, body, None)],
        )
        .await;
        assert_eq!(statuses(&r), [(seq, "applied".into(), None)]);
        let page: PullResponse = app
            .get(&s.token, &format!("/api/v1/sync/pull?cursor={cursor}"))
            .await
            .json();
        let entries: Vec<&str> = page
            .changes
            .iter()
            .filter(|c| c.kind == "entry")
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(
            entries,
            [id.to_string()],
            "push {seq} is pulled once, at once"
        );
        assert_eq!(page.last_applied_seq, seq);
        cursor = page.cursor;
    }
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 300);
    app.post(&s.token, "/api/v1/auth/logout", json!({}))
        .await
        .expect(204);
    app.get(&s.token, "/api/v1/sync/pull")
        .await
        .refused(401, "token_revoked");
    let save_again = save(6, Uuid::new_v4(), json!({}), None);
    push(&app, &s.token, "phone-ruta", vec![save_again])
        .await
        .refused(401, "token_revoked");
}

/// On a database file, what is written reaches the database file itself in the background
/// (its write-ahead log is copied there beside the writer), well before the log would be
/// large enough for the writer to copy it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_database_file_the_log_is_copied_in_the_background() {
    if std::env::var("ASISTENTS_TEST_DATABASE_URL").is_ok() {
        skipped(
            "on_a_database_file_the_log_is_copied_in_the_background",
            Skip::OtherEngine,
            "PostgreSQL keeps its own log; the SQLite pass runs it",
        );
        return;
    }
    let url = crate::helpers::file_database_url("checkpoint").await;
    let path = std::path::PathBuf::from(
        url.trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc"),
    );
    let app = TestApp::spawn_on(url, |_| {}).await;
    let s = scene(&app, 9600, "ruta").await;
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // Settled: nothing left in the log to copy.
    let mut before = size();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = size();
        if now == before {
            break;
        }
        before = now;
    }
    let mutations: Vec<Value> = (1..=20i64)
        .map(|seq| save(seq, Uuid::new_v4(), at(s.client, seq as u32, 8, 9), None))
        .collect();
    push(&app, &s.token, "phone-ruta", mutations)
        .await
        .expect(200);
    let mut grew = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if size() > before {
            grew = true;
            break;
        }
    }
    assert!(grew, "the database file stayed at {before} bytes");
}

/// The weekly warnings of a push's results, as (seq, week, week's minutes).
fn weekly(r: &Resp) -> Vec<(i64, String, i64)> {
    let body: PushResponse = r.json();
    body.results
        .iter()
        .flat_map(|x| {
            let warnings = x.warnings.clone().unwrap_or_default();
            warnings
                .into_iter()
                .filter(|w| w.code == "weekly_limit")
                .map(|w| {
                    let week = w.details["week"].as_str().unwrap_or_default().to_owned();
                    (
                        x.seq,
                        week,
                        w.details["week_minutes"].as_i64().unwrap_or(-1),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_total_counts_every_live_minute_of_the_week() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    let other = app.client("Otrs", "1981-01-01").await;
    app.adult_decision(other.id, 9600).await;
    app.assign(s.assistant, other.id, "2026-01-01").await;
    let span = |client: Uuid, from: &str, to: &str| {
        session(
            client,
            &format!("2026-11-{from}:00+02:00"),
            &format!("2026-11-{to}:00+02:00"),
            "work",
        )
    };
    let ids: Vec<Uuid> = (0..12).map(|_| Uuid::new_v4()).collect();
    // ISO week 47 runs from Monday 16 November to Sunday 22 November (Riga). Two sessions cross
    // its midnights (2 h inside each), two of the days are with another client: 2,160 minutes.
    let week = vec![
        save(1, ids[0], span(s.client, "15T22:00", "16T02:00"), None),
        save(2, ids[1], span(other.id, "16T08:00", "16T16:00"), None),
        save(3, ids[2], span(other.id, "17T08:00", "17T16:00"), None),
        save(4, ids[3], span(s.client, "18T08:00", "18T16:00"), None),
        save(5, ids[4], span(s.client, "19T08:00", "19T16:00"), None),
        save(6, ids[5], span(s.client, "22T22:00", "23T02:00"), None),
    ];
    let r = push(&app, &s.token, "phone-ruta", week).await;
    r.expect(200);
    assert_eq!(weekly(&r), []);
    // Five hours more: 2,460, over the 2,400 of the policy.
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(
            7,
            ids[6],
            span(s.client, "20T08:00", "20T13:00"),
            None,
        )],
    )
    .await;
    assert_eq!(weekly(&r), [(7, "2026-W47".to_owned(), 2460)]);
    // Monday's eight hours move to Monday 23 November, week 48 (1,980 left in week 47; the
    // stored session lies outside the span of the push's own sessions), and the same push fills
    // week 47 to exactly 2,400 and goes one hour over it.
    let edit = span(other.id, "23T08:00", "23T16:00");
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![
            save(8, ids[1], edit, Some(1)),
            save(9, ids[7], span(s.client, "21T08:00", "21T15:00"), None),
            save(10, ids[8], span(s.client, "21T16:00", "21T17:00"), None),
        ],
    )
    .await;
    assert_eq!(
        statuses(&r)
            .iter()
            .filter(|(_, status, _)| status != "applied")
            .count(),
        0,
        "{}",
        r.text
    );
    assert_eq!(weekly(&r), [(10, "2026-W47".to_owned(), 2460)]);
    // Friday's five hours deleted: one more hour is 2,220, under the limit.
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![
            json!({"seq": 11, "name": "entry.delete", "args": {"id": ids[6], "base_version": 1}}),
            save(12, ids[9], span(s.client, "21T18:00", "21T19:00"), None),
        ],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [(11, "applied".into(), None), (12, "applied".into(), None)]
    );
    // (The deleted entry comes back with the warning it was saved with.)
    assert_eq!(weekly(&r), [(11, "2026-W47".to_owned(), 2460)]);
    // The same sums through the entries API, outside the phones' group writer.
    let r = app
        .post(
            &s.token,
            "/api/v1/entries",
            span(s.client, "21T19:00", "21T23:00"),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["warnings"][0]["code"], "weekly_limit");
    assert_eq!(r.body["warnings"][0]["details"]["week_minutes"], 2460);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_added_while_phones_push_holds_from_the_next_push() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    let days: Vec<Value> = (16..=20)
        .map(|day| {
            save(
                day - 15,
                Uuid::new_v4(),
                at(s.client, day as u32, 8, 16),
                None,
            )
        })
        .collect();
    let r = push(&app, &s.token, "phone-ruta", days).await;
    r.expect(200);
    assert_eq!(weekly(&r), []);
    app.post(&app.admin, "/api/v1/policy", json!({"key": "weekly_limit_mode", "effective_from": "2026-11-01", "value": "refuse", "source": "Domes lēmums"})).await.expect(201);
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(6, Uuid::new_v4(), at(s.client, 21, 8, 9), None)],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [(6, "rejected".into(), Some("weekly_limit".into()))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ending_days_before_it_starts_is_refused_as_data() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    let backwards = session(
        s.client,
        "2026-11-10T08:00:00+02:00",
        "2026-11-07T08:00:00+02:00",
        "work",
    );
    let r = push(
        &app,
        &s.token,
        "phone-ruta",
        vec![
            save(1, Uuid::new_v4(), at(s.client, 9, 8, 12), None),
            save(2, Uuid::new_v4(), backwards, None),
        ],
    )
    .await;
    assert_eq!(
        statuses(&r),
        [
            (1, "applied".into(), None),
            (2, "rejected".into(), Some("invalid_interval".into()))
        ]
    );
}

/// Several service processes share one PostgreSQL in production: phones' pushes land on either,
/// a retried push on the other one; nothing is lost or doubled, and a reader following the
/// change log through one of them sees every change once, in the order of the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_service_processes_on_one_postgresql_take_every_push_once_and_a_reader_misses_nothing()
{
    let first = TestApp::spawn().await;
    if !asistents::db::is_postgres(&first.state.db) {
        skipped(
            "two_service_processes_on_one_postgresql_take_every_push_once_and_a_reader_misses_nothing",
            Skip::OtherEngine,
            "an SQLite test database belongs to one process; the PostgreSQL pass runs it",
        );
        return;
    }
    let second = TestApp::spawn_on(first.database_url.clone(), |_| {}).await;
    second.clock.set(first.clock.now());
    let names = ["ruta", "igors", "janis", "anna"];
    let mut writers = Vec::new();
    for name in names {
        writers.push((scene(&first, 9600, name).await, format!("phone-{name}")));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = follow(&second, &first.admin, stop.clone());
    let processes = [
        (first.http.clone(), first.base.clone()),
        (second.http.clone(), second.base.clone()),
    ];
    let mut tasks = Vec::new();
    for (w, device) in writers {
        let processes = processes.clone();
        tasks.push(tokio::spawn(async move {
            // Six pushes of five sessions: each to one process, then the same push again to
            // the other, as a phone retries when the answer was lost.
            for batch in 0..6u32 {
                let mutations: Vec<Value> = (0..5u32)
                    .map(|k| {
                        let n = batch * 5 + k;
                        let (day, hour) = (1 + n / 2, 8 + 2 * (n % 2));
                        save(
                            i64::from(n) + 1,
                            Uuid::now_v7(),
                            at(w.client, day, hour, hour + 1),
                            None,
                        )
                    })
                    .collect();
                let body = json!({"device_id": device, "mutations": mutations});
                let mut answers = Vec::new();
                for (http, base) in [
                    &processes[(batch % 2) as usize],
                    &processes[1 - (batch % 2) as usize],
                ] {
                    let r = TestApp::read(
                        http.post(format!("{base}/api/v1/sync/push"))
                            .bearer_auth(&w.token)
                            .json(&body)
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    assert_eq!(r.status, 200, "{}", r.text);
                    answers.push(r.body["results"].clone());
                }
                // The retry is told each was a duplicate of what was applied, with the same
                // session as the first answer.
                let (once, again) = (
                    answers[0].as_array().unwrap(),
                    answers[1].as_array().unwrap(),
                );
                assert_eq!(once.len(), again.len());
                for (x, y) in once.iter().zip(again) {
                    assert_eq!(x["status"], "applied", "{x}");
                    assert_eq!(
                        (&y["status"], &y["original_status"]),
                        (&json!("duplicate"), &json!("applied")),
                        "{y}"
                    );
                    assert_eq!(x["entry"], y["entry"]);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let everything = whole_log(&first).await;
    assert_eq!(seen, everything, "each change once, in the log's order");
    let entries: std::collections::HashSet<&String> = everything
        .iter()
        .filter(|c| c.0 == "entry")
        .map(|c| &c.2)
        .collect();
    assert_eq!(entries.len(), 4 * 30, "every session once");
    assert_eq!(
        everything.iter().filter(|c| c.0 == "entry").count(),
        4 * 30,
        "no change twice"
    );
    // Both processes appended audit records; the chain holds.
    match asistents::service::maintenance::verify_audit(&first.database_url).await {
        Ok(asistents::service::maintenance::Verdict::Intact { records }) => assert!(records > 120),
        Ok(other) => panic!("the audit chain is broken: {other:?}"),
        Err(_) => panic!("the audit chain could not be read"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_a_phone_confirmed_are_forgotten_after_a_while_and_their_replays_change_nothing() {
    let app = TestApp::spawn_with(|c| {
        c.sync_replay_days = 1;
        // No automatic close when the clock moves on: this is about the outcomes only.
        c.close_day = 0;
    })
    .await;
    let s = scene(&app, 6000, "ruta").await;
    let mutations: Vec<Value> = (1..=3)
        .map(|seq| {
            let day = 1 + seq as u32;
            save(seq, Uuid::new_v4(), at(s.client, day, 8, 10), None)
        })
        .collect();
    let entries = format!("/api/v1/entries?client_id={}", s.client);
    push(&app, &s.token, "phone-ruta", mutations[..2].to_vec())
        .await
        .expect(200);
    // The next push starts at seq 3: the phone had the answers of 1 and 2.
    push(&app, &s.token, "phone-ruta", mutations[2..].to_vec())
        .await
        .expect(200);
    let originals = |r: &PushResponse| -> Vec<(String, Option<String>, bool)> {
        r.results
            .iter()
            .map(|x| {
                (
                    x.status.clone(),
                    x.original_status.clone(),
                    x.entry.is_some(),
                )
            })
            .collect()
    };
    let kept = ("duplicate".to_owned(), Some("applied".to_owned()), true);

    // Within the retention time every outcome is kept.
    asistents::jobs::housekeeping(&app.state).await.unwrap();
    let r: PushResponse = push(&app, &s.token, "phone-ruta", mutations.clone())
        .await
        .json();
    assert_eq!(originals(&r), [kept.clone(), kept.clone(), kept.clone()]);

    // Past it, the confirmed ones are forgotten: their replay is still a duplicate, applied
    // nothing, and says no more; seq 3 (never pushed past) keeps its outcome.
    app.clock.advance(chrono::Duration::days(2));
    asistents::jobs::housekeeping(&app.state).await.unwrap();
    let r: PushResponse = push(&app, &s.token, "phone-ruta", mutations).await.json();
    let forgotten = ("duplicate".to_owned(), None, false);
    assert_eq!(originals(&r), [forgotten.clone(), forgotten, kept]);
    assert_eq!(r.last_applied_seq, 3);
    assert_eq!(app.get(&app.admin, &entries).await.body["total"], 3);
}

/// The entries' changes a phone pulls from `cursor` on (moving it to the log's end): each as
/// (op, id, version, status).
async fn entry_news(
    app: &TestApp,
    token: &str,
    cursor: &mut String,
) -> Vec<(String, String, Option<i64>, Option<String>)> {
    let (changes, last, _) = pull_from(app, token, std::mem::take(cursor), 50).await;
    *cursor = last;
    changes
        .into_iter()
        .filter(|c| c.kind == "entry")
        .map(|c| {
            (
                c.op,
                c.id,
                c.data["version"].as_i64(),
                c.data["status"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Every way an entry changes — the phone's own push, a coordinator's edit, the review of a
/// late entry, a coordinator's deletion — reaches the assistant's phone once, at the entry's
/// new version: a write path that forgot its change row would leave the phone behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_of_an_entry_reaches_the_phone_once_at_its_new_version() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let mut cursor = String::new();
    entry_news(&app, &s.token, &mut cursor).await;
    let (a, late) = (Uuid::new_v4(), Uuid::new_v4());
    let news = |op: &str, id: Uuid, version: Option<i64>, status: Option<&str>| {
        vec![(
            op.to_owned(),
            id.to_string(),
            version,
            status.map(str::to_owned),
        )]
    };

    push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(1, a, at(s.client, 2, 8, 10), None)],
    )
    .await
    .expect(200);
    assert_eq!(
        entry_news(&app, &s.token, &mut cursor).await,
        news("upsert", a, Some(1), Some("active"))
    );
    edited(&app, a, at(s.client, 2, 8, 11), 1).await;
    assert_eq!(
        entry_news(&app, &s.token, &mut cursor).await,
        news("upsert", a, Some(2), Some("active"))
    );
    push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(2, a, at(s.client, 2, 9, 11), Some(2))],
    )
    .await
    .expect(200);
    assert_eq!(
        entry_news(&app, &s.token, &mut cursor).await,
        news("upsert", a, Some(3), Some("active"))
    );

    // October's deadline has passed: the session waits for review, then is approved.
    let october = session(
        s.client,
        "2026-10-20T08:00:00+03:00",
        "2026-10-20T10:00:00+03:00",
        "work",
    );
    push(
        &app,
        &s.token,
        "phone-ruta",
        vec![save(3, late, october, None)],
    )
    .await
    .expect(200);
    assert_eq!(
        entry_news(&app, &s.token, &mut cursor).await,
        news("upsert", late, Some(1), Some("pending_review"))
    );
    app.post(
        &app.admin,
        &format!("/api/v1/entries/{late}/review"),
        json!({"decision": "approve", "reason": "Pārbaudīts ar klientu"}),
    )
    .await
    .expect(200);
    assert_eq!(
        entry_news(&app, &s.token, &mut cursor).await,
        news("upsert", late, Some(2), Some("active"))
    );

    app.send(
        reqwest::Method::DELETE,
        Some(&app.admin),
        &format!("/api/v1/entries/{a}?base_version=3"),
        None,
        None,
    )
    .await
    .expect(200);
    let gone = entry_news(&app, &s.token, &mut cursor).await;
    assert_eq!(
        gone.iter()
            .map(|(op, id, _, _)| (op.as_str(), id.as_str()))
            .collect::<Vec<_>>(),
        [("delete", a.to_string().as_str())]
    );
    // Nothing more is waiting.
    assert!(entry_news(&app, &s.token, &mut cursor).await.is_empty());
}

/// Changes are numbered while nobody pulls: each process's sequencer numbers what was committed,
/// a batch at a time, so a phone's first pull after a busy day finds little to number. Numbered
/// in batches, the positions still run on without a gap or a repeat, in the order of the ids.
/// (PostgreSQL writes every change unnumbered; SQLite numbers its own as it writes them, so there
/// the unnumbered rows are written here by hand, to run the same numbering on both engines.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_numbered_without_a_pull_in_batches_without_gaps() {
    use asistents::db::entity::changes;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    // Five changes committed unnumbered, numbered here two at a time (or by the sequencer first).
    for n in 0..5 {
        changes::ActiveModel {
            position: Set(None),
            kind: Set("assignment".into()),
            op: Set("upsert".into()),
            entity_id: Set(format!("batch-{n}")),
            client_id: Set(None),
            assistant_id: Set(Some(s.assistant)),
            user_id: Set(None),
            data: Set(json!({ "id": format!("batch-{n}") }).to_string()),
            created_at: Set(app.clock.now()),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
    }
    asistents::db::changes::sequence(&app.state.db, &app.state.reads, 2)
        .await
        .unwrap();
    // A session pushed by the phone, and no pull: the sequencer numbers its change.
    morning_session(&app, &s).await;
    let unnumbered = || async {
        changes::Entity::find()
            .filter(changes::Column::Position.is_null())
            .all(&app.state.db)
            .await
            .unwrap()
            .len()
    };
    let mut waited = 0;
    while unnumbered().await > 0 {
        assert!(waited < 100, "the sequencer left changes unnumbered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let log = changes::Entity::find()
        .order_by_asc(changes::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap();
    let positions: Vec<i64> = log.iter().filter_map(|c| c.position).collect();
    assert_eq!(positions.len(), log.len());
    let expected: Vec<i64> = (1..=log.len() as i64).collect();
    assert_eq!(positions, expected, "numbered in id order, without gaps");
    assert!(log.iter().any(|c| c.kind == "entry"));
}
