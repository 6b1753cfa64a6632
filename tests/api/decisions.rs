//! Decisions: policy checks (`decision_invalid`), versions, suspensions, allowance in `/me`.

use mobile_api::people::Decision;
use serde_json::{Value, json};

use crate::helpers::{TestApp, date};

fn body(service: &str, from: &str, to: &str, minutes: i64) -> Value {
    json!({"number": "SD/1", "decided_on": "2025-12-01", "service": service,
           "valid_from": from, "valid_to": to, "monthly_minutes": minutes})
}

async fn refused(app: &TestApp, client: uuid::Uuid, body: Value) -> Value {
    let r = app
        .post(
            &app.admin,
            &format!("/api/v1/clients/{client}/decisions"),
            &body,
        )
        .await;
    r.refused(422, "decision_invalid");
    r.body["error"]["details"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adult_decision_defaults_to_every_purpose_of_its_kind() {
    let app = TestApp::spawn().await;
    let c = app.client("Jānis Bērziņš", "1978-03-14").await;
    let d = app.adult_decision(c.id, 9600).await;
    assert_eq!(d.version, 1);
    assert_eq!(d.series_id, d.id);
    assert!(!d.purposes_limited);
    assert!(d.purposes.contains(&"work".to_owned()) && d.purposes.contains(&"other".to_owned()));
    assert!(!d.purposes.contains(&"companion_trip".to_owned()));
    assert_eq!(d.effective_to, date("2026-12-31"));
    assert!(d.transport.allowed);
    assert_eq!(d.transport.monthly_cap_cents, 5000);
    let list: Vec<Decision> = app
        .get(&app.admin, &format!("/api/v1/clients/{}/decisions", c.id))
        .await
        .json();
    assert_eq!(list, vec![d.clone()]);
    let one: Decision = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{}/decisions/{}", c.id, d.id),
        )
        .await
        .json();
    assert_eq!(one, d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_that_break_the_regulation_are_refused_with_the_figures() {
    let app = TestApp::spawn().await;
    let adult = app.client("Jānis Bērziņš", "1978-03-14").await;
    let d = refused(
        &app,
        adult.id,
        body("assistant", "2026-01-01", "2026-12-31", 9601),
    )
    .await;
    assert_eq!(d["reason"], "over_cap");
    assert_eq!(d["cap_minutes"], 9600);
    let d = refused(
        &app,
        adult.id,
        body("assistant", "2026-01-01", "2029-01-01", 600),
    )
    .await;
    assert_eq!(d["reason"], "too_long_period");
    assert_eq!(d["latest_valid_to"], "2028-12-31");
    let d = refused(
        &app,
        adult.id,
        body("assistant", "2026-05-01", "2026-04-30", 600),
    )
    .await;
    assert_eq!(d["reason"], "period_reversed");
    let d = refused(
        &app,
        adult.id,
        body("assistant", "2026-01-01", "2026-12-31", 0),
    )
    .await;
    assert_eq!(d["reason"], "minutes_not_positive");
    let d = refused(
        &app,
        adult.id,
        body("companion", "2026-01-01", "2026-12-31", 600),
    )
    .await;
    assert_eq!(d["reason"], "companion_for_adult");
    let mut b = body("assistant", "2026-01-01", "2026-12-31", 600);
    b["purposes"] = json!(["work", "companion_trip"]);
    let d = refused(&app, adult.id, b.clone()).await;
    assert_eq!(
        (d["reason"].as_str(), d["purpose"].as_str()),
        (Some("purpose_not_of_service"), Some("companion_trip"))
    );
    b["purposes"] = json!(["flying"]);
    assert_eq!(
        refused(&app, adult.id, b.clone()).await["reason"],
        "unknown_purpose"
    );
    b["purposes"] = json!([]);
    assert_eq!(refused(&app, adult.id, b.clone()).await["reason"], "empty");
    b["purposes"] = json!(null);
    b["transport"] = json!({"allowed": false, "monthly_cap_cents": 100});
    assert_eq!(
        refused(&app, adult.id, b.clone()).await["reason"],
        "transport_cap_invalid"
    );

    // Valid at the edges: exactly the cap, exactly three years.
    app.decision(
        adult.id,
        body("assistant", "2026-01-01", "2028-12-31", 9600),
    )
    .await;
    let d = refused(
        &app,
        adult.id,
        body("assistant", "2027-06-01", "2027-12-31", 600),
    )
    .await;
    assert_eq!(d["reason"], "overlaps_existing");

    let r = app
        .send(
            reqwest::Method::POST,
            Some(&app.admin),
            &format!("/api/v1/clients/{}/decisions", adult.id),
            Some(&body("companion", "2026-01-01", "2026-12-31", 600)),
            Some("en"),
        )
        .await;
    assert_eq!(
        r.message(),
        "The decision breaks the rules: the companion service is for children only."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_childs_decision_follows_the_child_caps_and_ends_before_the_18th_birthday() {
    let app = TestApp::spawn().await;
    let child = app.client("Emīls Kalns", "2014-05-12").await;
    let d = refused(
        &app,
        child.id,
        body("assistant", "2026-01-01", "2026-12-31", 6000),
    )
    .await;
    assert_eq!(
        (d["reason"].as_str(), d["cap_minutes"].as_i64()),
        (Some("over_cap"), Some(4800))
    );
    let mut with_procedures = body("assistant", "2026-01-01", "2026-12-31", 6000);
    with_procedures["weekly_procedures"] = json!(true);
    app.decision(child.id, with_procedures).await;

    let teen = app.client("Darja Volkova", "2010-11-30").await;
    let d = refused(
        &app,
        teen.id,
        body("companion", "2026-01-01", "2028-11-30", 3600),
    )
    .await;
    assert_eq!(
        (d["reason"].as_str(), d["latest_valid_to"].as_str()),
        (Some("past_adulthood"), Some("2028-11-29"))
    );
    assert_eq!(
        refused(
            &app,
            teen.id,
            body("companion", "2026-01-01", "2026-12-31", 3601)
        )
        .await["cap_minutes"],
        3600
    );
    app.decision(teen.id, body("companion", "2026-01-01", "2028-11-29", 3600))
        .await;
    let d = refused(
        &app,
        teen.id,
        body("assistant", "2027-01-01", "2027-12-31", 600),
    )
    .await;
    assert_eq!(d["reason"], "child_both_services");

    let toddler = app.client("Mazais Jānītis", "2023-01-01").await;
    assert_eq!(
        refused(
            &app,
            toddler.id,
            body("assistant", "2026-01-01", "2026-12-31", 600)
        )
        .await["reason"],
        "too_young"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_is_a_new_version_from_its_date_and_history_stays() {
    let app = TestApp::spawn().await;
    let c = app.client("Olga Ivanova", "1965-11-02").await;
    let v1 = app.adult_decision(c.id, 4800).await;
    let url = format!("/api/v1/clients/{}/decisions/{}/amendments", c.id, v1.id);
    let r = app.post(&app.admin, &url, json!({"effective_from": "2026-11-15", "monthly_minutes": 6000, "purposes": ["work", "other"]})).await;
    r.expect(201);
    let v2: Decision = r.json();
    assert_eq!(
        (v2.version, v2.series_id, v2.effective_from),
        (2, v1.id, date("2026-11-15"))
    );
    assert_eq!(v2.monthly_minutes, 6000);
    assert!(v2.purposes_limited);
    assert_eq!(
        v2.transport, v1.transport,
        "what is not amended carries over"
    );
    let list: Vec<Decision> = app
        .get(&app.admin, &format!("/api/v1/clients/{}/decisions", c.id))
        .await
        .json();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].monthly_minutes, 4800);
    assert_eq!(list[0].effective_to, date("2026-11-14"));
    assert_eq!(list[1].effective_to, date("2026-12-31"));

    // Only the latest version can be amended, and only from a later day.
    app.post(&app.admin, &url, json!({"effective_from": "2026-12-01"}))
        .await
        .refused(422, "decision_invalid");
    let url2 = format!("/api/v1/clients/{}/decisions/{}/amendments", c.id, v2.id);
    let r = app
        .post(&app.admin, &url2, json!({"effective_from": "2026-11-15"}))
        .await;
    r.refused(422, "decision_invalid");
    assert_eq!(r.body["error"]["details"]["reason"], "not_after_previous");
    let r = app
        .post(
            &app.admin,
            &url2,
            json!({"effective_from": "2026-12-01", "monthly_minutes": 9700}),
        )
        .await;
    assert_eq!(r.body["error"]["details"]["reason"], "over_cap");

    // The assistant's phone sees the amended allowance for November, the old one for October.
    let assistant = app.assistant("Ruta Bērziņa").await;
    app.assign(assistant.id, c.id, "2026-01-01").await;
    let (_, token) = app
        .user("ruta", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    let me = app.get(&token, "/api/v1/me").await;
    me.expect(200);
    let a = &me.body["assignments"][0];
    assert_eq!(a["client_name"], "Olga Ivanova");
    assert_eq!(a["allowed_purposes"], json!(["work", "other"]));
    assert_eq!(a["months"][0]["month"], "2026-10");
    assert_eq!(a["months"][0]["allowance_minutes"], 4800);
    assert_eq!(a["months"][1]["month"], "2026-11");
    assert_eq!(a["months"][1]["allowance_minutes"], 6000);
    assert_eq!(a["months"][1]["remaining_minutes"], 6000);
    assert_eq!(a["months"][1]["state"], "open");
    // Purposes by their names, for people.
    assert_eq!(a["purposes"][0]["code"], "work");
    assert_eq!(a["purposes"][0]["lv"], "Algots darbs");
    assert_eq!(a["purposes"].as_array().unwrap().len(), 2);
    // What the month will pay so far: 3 h in November at 5.11 EUR an hour is 15.33 EUR with
    // the employer's 23.59 % contributions, 12.40 EUR gross.
    let r = crate::entries::post(
        &app,
        &token,
        &crate::entries::session(
            c.id,
            "2026-11-20T09:00:00+02:00",
            "2026-11-20T12:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.expect(201);
    let me = app.get(&token, "/api/v1/me").await;
    let november = &me.body["assignments"][0]["months"][1];
    assert_eq!(
        (&november["own_minutes"], &november["estimated_gross_cents"]),
        (&json!(180), &json!(1240)),
        "{november}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspensions_lie_within_the_decision_and_can_be_corrected() {
    let app = TestApp::spawn().await;
    let c = app.client("Nikolajs Kuzņecovs", "1959-07-28").await;
    let d = app.adult_decision(c.id, 4800).await;
    let url = format!("/api/v1/clients/{}/decisions/{}/suspensions", c.id, d.id);
    let r = app
        .post(
            &app.admin,
            &url,
            json!({"from": "2026-03-10", "to": "2026-03-24", "reason": "Stacionārs"}),
        )
        .await;
    r.expect(201);
    let sid = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["from"], "2026-03-10");
    let r = app
        .post(
            &app.admin,
            &url,
            json!({"from": "2025-12-20", "to": "2026-01-05", "reason": "x"}),
        )
        .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["reason"], "outside_validity");
    app.post(
        &app.admin,
        &url,
        json!({"from": "2026-03-10", "to": "2026-03-01", "reason": "x"}),
    )
    .await
    .refused(422, "validation_failed");
    app.post(
        &app.admin,
        &url,
        json!({"from": "2026-03-10", "to": "2026-03-11", "reason": " "}),
    )
    .await
    .refused(422, "validation_failed");

    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/clients/{}/suspensions/{sid}", c.id),
            json!({"to": "2026-03-17"}),
        )
        .await;
    r.expect(200);
    let read: Decision = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{}/decisions/{}", c.id, d.id),
        )
        .await
        .json();
    assert_eq!(read.suspensions.len(), 1);
    assert_eq!(
        (read.suspensions[0].from, read.suspensions[0].to),
        (date("2026-03-10"), date("2026-03-17"))
    );
    app.patch(
        &app.admin,
        &format!(
            "/api/v1/clients/{}/suspensions/{}",
            c.id,
            uuid::Uuid::new_v4()
        ),
        json!({"to": "2026-03-17"}),
    )
    .await
    .refused(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_read_by_people_related_to_the_client_and_written_by_staff_only() {
    let app = TestApp::spawn().await;
    let c = app.client("Līga Liepiņa", "1988-12-05").await;
    let d = app.adult_decision(c.id, 4800).await;
    let assistant = app.assistant("Dace Liepiņa").await;
    app.assign(assistant.id, c.id, "2026-01-01").await;
    let (_, mine) = app
        .user("dace", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    let other_assistant = app.assistant("Igors Popovs").await;
    let (_, stranger) = app
        .user(
            "igors",
            "assistant",
            json!({"assistant_id": other_assistant.id}),
        )
        .await;
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    let path = format!("/api/v1/clients/{}/decisions", c.id);
    app.get(&mine, &path).await.expect(200);
    app.get(&stranger, &path).await.refused(404, "not_found");
    app.get(&accountant, &path).await.refused(403, "forbidden");
    app.post(
        &mine,
        &path,
        body("assistant", "2027-01-01", "2027-12-31", 600),
    )
    .await
    .refused(403, "forbidden");
    let amend = format!("{path}/{}/amendments", d.id);
    app.post(&mine, &amend, json!({"effective_from": "2026-06-01"}))
        .await
        .refused(403, "forbidden");
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/decisions", uuid::Uuid::new_v4()),
        body("assistant", "2027-01-01", "2027-12-31", 600),
    )
    .await
    .refused(404, "not_found");
}
