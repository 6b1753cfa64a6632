//! Policy as data: figures in force on a day, and new versions without a release.

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn value_of(view: &Value, key: &str) -> Value {
    view["in_force"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == key)
        .map(|v| v["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_regulations_figures_are_seeded_with_dates_and_sources() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator().await;
    for (day, rate) in [
        ("2021-07-01", 450),
        ("2022-12-31", 450),
        ("2023-01-01", 479),
        ("2023-03-31", 479),
        ("2023-04-01", 511),
        ("2026-11-24", 511),
    ] {
        let r = app
            .get(&coordinator, &format!("/api/v1/policy?on={day}"))
            .await;
        r.expect(200);
        assert_eq!(
            value_of(&r.body, "hourly_rate_cents"),
            json!(rate),
            "on {day}"
        );
    }
    let r = app.get(&coordinator, "/api/v1/policy").await;
    assert_eq!(r.body["on"], "2026-11-24");
    for (key, value) in [
        ("submission_deadline_day", json!(5)),
        ("weekly_limit_minutes", json!(2400)),
        ("weekly_limit_mode", json!("warn")),
        ("max_session_minutes", json!(960)),
        ("future_tolerance_minutes", json!(5)),
        ("proration", json!("none")),
        ("cap.adult_assistant", json!(9600)),
        ("cap.child_assistant", json!(4800)),
        ("cap.child_assistant_procedures", json!(6000)),
        ("cap.child_companion", json!(3600)),
        ("employer_contribution_bp.insured", json!(2359)),
        ("employer_contribution_bp.old_age_pensioner", json!(2077)),
        (
            "employer_contribution_bp.long_service_pensioner",
            json!(2194),
        ),
    ] {
        assert_eq!(value_of(&r.body, key), value, "{key}");
    }
    let purposes = value_of(&r.body, "purposes");
    let work = purposes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "work")
        .unwrap();
    assert_eq!(
        (work["group"].as_i64(), work["labels"]["lv"].as_str()),
        (Some(1), Some("Algots darbs"))
    );
    let rates: Vec<&Value> = r.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["key"] == "hourly_rate_cents")
        .collect();
    assert_eq!(rates.len(), 3);
    assert!(
        rates
            .iter()
            .all(|v| v["source"].as_str().unwrap().contains("316"))
    );
    let child_cap = app.get(&coordinator, "/api/v1/policy?on=2022-04-30").await;
    assert_eq!(
        value_of(&child_cap.body, "cap.child_assistant_procedures"),
        json!(4800)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_new_hourly_rate_from_a_date_without_a_release() {
    let app = TestApp::spawn().await;
    let r = app.post(&app.admin, "/api/v1/policy", json!({"key": "hourly_rate_cents", "effective_from": "2027-01-01", "value": 560, "source": "MK noteikumi (grozījumi 2026)"})).await;
    r.expect(201);
    assert_eq!(r.body["value"], 560);
    let before = app.get(&app.admin, "/api/v1/policy?on=2026-12-31").await;
    assert_eq!(value_of(&before.body, "hourly_rate_cents"), json!(511));
    let after = app.get(&app.admin, "/api/v1/policy?on=2027-01-01").await;
    assert_eq!(value_of(&after.body, "hourly_rate_cents"), json!(560));

    let r = app.post(&app.admin, "/api/v1/policy", json!({"key": "hourly_rate_cents", "effective_from": "2027-01-01", "value": 570, "source": "x"})).await;
    r.refused(409, "conflict");
    for (key, value, reason) in [
        ("hourly_rate", json!(1), "unknown_key"),
        ("hourly_rate_cents", json!("5.60"), "wrong_type"),
        ("hourly_rate_cents", json!(-1), "out_of_range"),
        ("weekly_limit_mode", json!("shout"), "wrong_type"),
        ("purposes", json!([]), "out_of_range"),
    ] {
        let r = app
            .post(
                &app.admin,
                "/api/v1/policy",
                json!({"key": key, "effective_from": "2027-02-01", "value": value, "source": "x"}),
            )
            .await;
        r.refused(422, "policy_invalid");
        assert_eq!(r.body["error"]["details"]["reason"], reason, "{key}");
    }
    // The weekly limit becomes a refusal from a date: data, not code.
    app.post(&app.admin, "/api/v1/policy", json!({"key": "weekly_limit_mode", "effective_from": "2027-01-01", "value": "refuse", "source": "Domes lēmums"})).await.expect(201);

    let coordinator = app.coordinator().await;
    app.post(&coordinator, "/api/v1/policy", json!({"key": "hourly_rate_cents", "effective_from": "2027-03-01", "value": 600, "source": "x"})).await.refused(403, "forbidden");
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    app.get(&accountant, "/api/v1/policy").await.expect(200);
    let assistant = app.assistant("Ruta").await;
    let (_, token) = app
        .user("ruta", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    app.get(&token, "/api/v1/policy")
        .await
        .refused(403, "forbidden");
}
