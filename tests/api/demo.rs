//! The demo municipality is written through the same paths as real work, so a new phone of any
//! demo assistant pulls everything that assistant has.

use std::collections::{HashMap, HashSet};

use mobile_api::sync::PullResponse;
use serde_json::Value;

use crate::helpers::TestApp;

/// Pulls from the beginning until `has_more` is false.
async fn pull_all(app: &TestApp, token: &str) -> Vec<mobile_api::sync::Change> {
    let (mut cursor, mut all) = (String::new(), Vec::new());
    loop {
        let page: PullResponse = app
            .get(
                token,
                &format!("/api/v1/sync/pull?cursor={cursor}&limit=500"),
            )
            .await
            .expect(200)
            .json();
        all.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            return all;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_phone_of_every_demo_assistant_pulls_all_that_assistant_has() {
    let app = TestApp::spawn().await;
    let settings = asistents::service::close::CloseSettings {
        recipients: &["gramatvediba@example.lv".to_owned()],
        municipality: "Daugavpils pilsētas Sociālais dienests",
        wage_override: None,
    };
    let logins = asistents::demo::seed(&app.state.db, app.clock.now(), &settings)
        .await
        .expect("the demo seeds");
    let coordinator = app
        .login("koordinators", asistents::demo::DEMO_PASSWORD)
        .await;
    let assistants: Vec<_> = logins
        .iter()
        .filter(|l| l.role == mobile_api::Role::Assistant)
        .collect();
    assert_eq!(assistants.len(), 16);
    let mut entries_seen = 0;
    for login in assistants {
        let token = app
            .login(&login.login, asistents::demo::DEMO_PASSWORD)
            .await;
        let me: Value = app.get(&token, "/api/v1/me").await.expect(200).json();
        let assistant_id = me["assistant_id"].as_str().unwrap().to_owned();
        let changes = pull_all(&app, &token).await;
        let by_kind = |kind: &str| -> Vec<&mobile_api::sync::Change> {
            changes.iter().filter(|c| c.kind == kind).collect()
        };

        // Every assignment, with the client's name.
        let assigned: Vec<Value> = me["assignments"].as_array().unwrap().clone();
        let pulled_assignments = by_kind("assignment");
        assert_eq!(
            pulled_assignments.len(),
            assigned.len(),
            "{}: assignments pulled {pulled_assignments:?}",
            login.login
        );
        let clients: HashSet<String> = assigned
            .iter()
            .map(|a| a["client_id"].as_str().unwrap().to_owned())
            .collect();
        for a in &pulled_assignments {
            assert!(clients.contains(a.data["client_id"].as_str().unwrap()));
            assert!(
                a.data["client_name"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty())
            );
        }

        // Every client's decision, its purposes a list (or null: every purpose of the kind).
        let decisions = by_kind("decision");
        let decided: HashSet<String> = decisions
            .iter()
            .filter(|d| d.op == "upsert")
            .map(|d| {
                let purposes = &d.data["purposes"];
                assert!(
                    purposes.is_array() || purposes.is_null(),
                    "purposes as a list: {}",
                    d.data
                );
                d.data["series_id"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            decided.len(),
            clients.len(),
            "{}: one decision per client",
            login.login
        );

        // Every client's month.
        let months: HashSet<String> = by_kind("month").iter().map(|m| m.id.clone()).collect();
        for client in &clients {
            assert!(
                months.iter().any(|m| m.starts_with(client.as_str())),
                "{}: the months of {client}: {months:?}",
                login.login
            );
        }

        // Every live entry of the assistant, in its latest version, once.
        let mut latest: HashMap<String, Value> = HashMap::new();
        for e in by_kind("entry") {
            latest.insert(e.id.clone(), e.data.clone());
        }
        let listed: Value = app
            .get(
                &coordinator,
                &format!("/api/v1/entries?assistant_id={assistant_id}&limit=500"),
            )
            .await
            .expect(200)
            .json();
        let items = listed["items"].as_array().unwrap();
        assert!(
            !items.is_empty(),
            "{}: the demo gives every assistant work",
            login.login
        );
        assert_eq!(latest.len(), items.len(), "{}: entries pulled", login.login);
        for item in items {
            let id = item["id"].as_str().unwrap();
            let pulled = latest
                .get(id)
                .unwrap_or_else(|| panic!("entry {id} pulled"));
            assert_eq!(pulled["version"], item["version"]);
            // A voided session reaches the phone as its tombstone (id and version).
            if item["status"] != "voided" {
                assert_eq!(pulled["minutes"], item["minutes"]);
            }
        }
        entries_seen += items.len();
    }
    assert!(entries_seen > 300, "a month of sessions: {entries_seen}");

    // A hospital stay reported after its sessions were logged: they wait for the coordinator,
    // flagged with the suspension, and each assistant's phone pulled them so.
    let flagged: Value = app
        .get(&coordinator, "/api/v1/entries?status=flagged&limit=500")
        .await
        .expect(200)
        .json();
    let flagged = flagged["items"].as_array().unwrap();
    assert!(!flagged.is_empty(), "the demo has flagged sessions");
    for e in flagged {
        assert_eq!(e["flag"]["code"], "service_suspended", "{e}");
    }
    // A session sent long after its deadline waits for review.
    let late: Value = app
        .get(
            &coordinator,
            "/api/v1/entries?status=pending_review&limit=500",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(late["items"].as_array().unwrap().len(), 1, "{late}");

    // Two months before, a month was closed and corrected afterwards (a session added from a late paper
    // sheet, one of a hospital day voided): the next close carries the differences.
    use asistents::domain::time::{Month, riga_date};
    let demo_month = Month::of(riga_date(app.clock.now())).prev();
    let closed = demo_month.prev().prev();
    let sent: mobile_api::Page<mobile_api::statements::Statement> = app
        .get(&coordinator, &format!("/api/v1/statements?month={closed}"))
        .await
        .expect(200)
        .json();
    assert_eq!(sent.total, 5, "2 timesheets, 2 pay statements, 1 summary");
    app.wage_override(&demo_month.to_string()).await;
    let report = app.close_month(&app.admin, &demo_month.to_string()).await;
    let mut carried: Vec<i64> = report
        .statements
        .iter()
        .filter(|s| s.kind == "assistant_pay")
        .map(|s| s.summary["correction_cents"].as_i64().unwrap())
        .collect();
    carried.sort();
    // 3 h voided and 2 h added, at 5.11 EUR an hour.
    assert_eq!(carried, [-1533, 1022]);
    let timesheets = report
        .statements
        .iter()
        .filter(|s| s.kind == "client_timesheet" && s.month == closed.to_string())
        .count();
    assert_eq!(timesheets, 2, "the corrected month's timesheets, anew");
}
