//! Facts recorded after the fact: a hospital stay reported afterwards, a volume cut, a policy
//! row with a past date. The sessions they make break a rule are flagged with it and leave the
//! month's count; the coordinator keeps or voids each, and the month is not approved or closed
//! before that. The assistant's phone hears of it through the pull.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::entries::{post, scene, session, sheet};
use crate::helpers::TestApp;

/// Logs a session of the scene's assistant on `day` (Riga winter time) from 09:00 for `hours`.
async fn logged(app: &TestApp, token: &str, client: Uuid, day: &str, hours: u32) -> Uuid {
    let body = session(
        client,
        &format!("{day}T09:00:00+02:00"),
        &format!("{day}T{:02}:00:00+02:00", 9 + hours),
        "work",
    );
    let r = post(app, token, &body).await;
    r.expect(201);
    assert_eq!(r.body["status"], "active", "{}", r.text);
    r.body["id"].as_str().unwrap().parse().unwrap()
}

async fn entry(app: &TestApp, id: Uuid) -> Value {
    let r = app.get(&app.admin, &format!("/api/v1/entries/{id}")).await;
    r.expect(200);
    r.body.clone()
}

async fn flagged(app: &TestApp, client: Uuid) -> Vec<Value> {
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?status=flagged&client_id={client}"),
        )
        .await;
    r.expect(200);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hospital_stay_reported_afterwards_flags_its_sessions_until_the_coordinator_decides() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let admission = logged(&app, &s.token, s.client, "2026-11-10", 3).await;
    let in_hospital = logged(&app, &s.token, s.client, "2026-11-12", 2).await;
    let after = logged(&app, &s.token, s.client, "2026-11-16", 4).await;
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 540);
    let cursor = caught_up(&app, &s.token).await;

    // The client's family reports the stay of 10–12 November a week later.
    let coordinator = app.coordinator().await;
    let url = format!(
        "/api/v1/clients/{}/decisions/{}/suspensions",
        s.client, s.decision
    );
    let r = app
        .post(
            &coordinator,
            &url,
            json!({"from": "2026-11-10", "to": "2026-11-12", "reason": "Stacionārs"}),
        )
        .await;
    r.expect(201);
    let suspension = r.body["id"].as_str().unwrap().to_owned();

    // The two sessions in the stay are flagged with the rule they break, and stop counting.
    let list = flagged(&app, s.client).await;
    let ids: Vec<&str> = list.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [admission.to_string(), in_hospital.to_string()],
        "{list:?}"
    );
    for e in &list {
        assert_eq!(e["flag"]["code"], "service_suspended");
        assert_eq!(e["flag"]["details"]["reason"], "Stacionārs");
    }
    assert_eq!(entry(&app, after).await["status"], "active");
    let nov = sheet(&app, s.client, "2026-11").await;
    assert_eq!(
        nov.used_minutes, 240,
        "only the session after the stay counts"
    );

    // The assistant's phone gets them through the pull, flagged, in its own language.
    let r = app
        .send(
            reqwest::Method::GET,
            Some(&s.token),
            &format!("/api/v1/sync/pull?cursor={cursor}&limit=500"),
            None,
            Some("en"),
        )
        .await;
    r.expect(200);
    let pulled: Vec<&Value> = r.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "entry" && c["data"]["status"] == "flagged")
        .collect();
    assert_eq!(pulled.len(), 2, "{}", r.text);
    let message = pulled[0]["data"]["flag"]["message"].as_str().unwrap();
    assert!(message.contains("suspended"), "{message}");

    // The stay is first corrected to end on the 11th: the session of the 12th counts again by
    // itself; then the family finds the discharge paper of the 12th, and it is flagged again.
    let stay = format!("/api/v1/clients/{}/suspensions/{suspension}", s.client);
    for (to, flags, used) in [("2026-11-11", 1, 360), ("2026-11-12", 2, 240)] {
        app.send(
            reqwest::Method::PATCH,
            Some(&coordinator),
            &stay,
            Some(&json!({"to": to})),
            None,
        )
        .await
        .expect(200);
        assert_eq!(flagged(&app, s.client).await.len(), flags, "stay to {to}");
        assert_eq!(
            sheet(&app, s.client, "2026-11").await.used_minutes,
            used,
            "stay to {to}"
        );
    }

    // The month cannot be approved while they wait, and says why in words.
    let month = format!("/api/v1/clients/{}/months/2026-11", s.client);
    app.post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .expect(200);
    let r = app
        .post(
            &coordinator,
            &format!("{month}/approve"),
            json!({"reason": "Klients apstiprina pa tālruni"}),
        )
        .await;
    r.refused(409, "entries_flagged");
    assert_eq!(r.body["error"]["details"]["count"], 2);
    assert!(
        r.body["error"]["message"].as_str().unwrap().contains("(2)"),
        "{}",
        r.text
    );

    // Keeping needs a reason and a known verdict; an assistant cannot decide.
    let verdict = |id: Uuid| format!("/api/v1/entries/{id}/flag");
    app.post(
        &coordinator,
        &verdict(admission),
        json!({"resolution": "keep", "reason": " "}),
    )
    .await
    .refused(422, "validation_failed");
    app.post(
        &coordinator,
        &verdict(admission),
        json!({"resolution": "maybe", "reason": "x"}),
    )
    .await
    .refused(422, "validation_failed");
    app.post(
        &s.token,
        &verdict(admission),
        json!({"resolution": "keep", "reason": "x"}),
    )
    .await
    .refused(403, "forbidden");

    // The admission day's session escorted the client to the hospital: kept, and counted.
    let r = app
        .post(
            &coordinator,
            &verdict(admission),
            json!({"resolution": "keep", "reason": "Pavadīja klientu uz slimnīcu uzņemšanas dienā"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active");
    // The one in the hospital is voided, and stays out.
    let r = app
        .post(
            &coordinator,
            &verdict(in_hospital),
            json!({"resolution": "void", "reason": "Klients bija slimnīcā"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "rejected");
    app.post(
        &coordinator,
        &verdict(in_hospital),
        json!({"resolution": "void", "reason": "Vēlreiz"}),
    )
    .await
    .refused(404, "not_found");
    assert!(flagged(&app, s.client).await.is_empty());
    assert_eq!(
        sheet(&app, s.client, "2026-11").await.used_minutes,
        180 + 240
    );

    // Now the month is approved.
    app.post(
        &coordinator,
        &format!("{month}/approve"),
        json!({"reason": "Klients apstiprina pa tālruni"}),
    )
    .await
    .expect(200);

    // The stay turns out to have begun a day earlier: the kept session stays kept (its rule is
    // excused for it), and nothing is flagged again.
    app.send(
        reqwest::Method::PATCH,
        Some(&coordinator),
        &stay,
        Some(&json!({"from": "2026-11-09"})),
        None,
    )
    .await
    .expect(200);
    assert_eq!(entry(&app, admission).await["status"], "active");
    assert!(flagged(&app, s.client).await.is_empty());
    assert_eq!(
        sheet(&app, s.client, "2026-11").await.used_minutes,
        180 + 240
    );
}

/// The caller's pull cursor once every change so far is read.
async fn caught_up(app: &TestApp, token: &str) -> String {
    let mut cursor = String::new();
    loop {
        let r = app
            .get(
                token,
                &format!("/api/v1/sync/pull?cursor={cursor}&limit=500"),
            )
            .await;
        r.expect(200);
        cursor = r.body["cursor"].as_str().unwrap().to_owned();
        if r.body["has_more"] == false {
            return cursor;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_smaller_volume_flags_the_latest_sessions_that_no_longer_fit_and_they_cannot_be_kept() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let first = logged(&app, &s.token, s.client, "2026-11-02", 4).await;
    let second = logged(&app, &s.token, s.client, "2026-11-03", 4).await;
    let third = logged(&app, &s.token, s.client, "2026-11-04", 4).await;
    // The social service cuts the volume to 10 hours a month from 1 November.
    let coordinator = app.coordinator().await;
    app.post(
        &coordinator,
        &format!(
            "/api/v1/clients/{}/decisions/{}/amendments",
            s.client, s.decision
        ),
        json!({"effective_from": "2026-11-01", "monthly_minutes": 600}),
    )
    .await
    .expect(201);
    // The first 8 hours fit in the 10; the third session does not, and is flagged.
    assert_eq!(entry(&app, first).await["status"], "active");
    assert_eq!(entry(&app, second).await["status"], "active");
    let third_now = entry(&app, third).await;
    assert_eq!(third_now["status"], "flagged");
    assert_eq!(third_now["flag"]["code"], "over_allowance");
    assert_eq!(third_now["flag"]["details"]["remaining_minutes"], 120);
    let nov = sheet(&app, s.client, "2026-11").await;
    assert_eq!((nov.allowance_minutes, nov.used_minutes), (600, 480));

    // Money above the decision is never paid: keeping it is refused, voiding it is not.
    let url = format!("/api/v1/entries/{third}/flag");
    app.post(
        &coordinator,
        &url,
        json!({"resolution": "keep", "reason": "Darbs bija padarīts"}),
    )
    .await
    .refused(422, "over_allowance");
    // The assistant may still shorten it to what fits: then it counts again by itself.
    let mut shorter = session(
        s.client,
        "2026-11-04T09:00:00+02:00",
        "2026-11-04T11:00:00+02:00",
        "work",
    );
    shorter["base_version"] = third_now["version"].clone();
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&s.token),
            &format!("/api/v1/entries/{third}"),
            Some(&shorter),
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active", "{}", r.text);
    assert!(r.body.get("flag").is_none(), "{}", r.text);
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_row_with_a_past_date_flags_what_it_forbids_and_a_month_waiting_is_not_closed() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    // The scene's client (group I) rides free; a law change made fares compensable from the 1st.
    let s = scene(&app, 4800, "ruta").await;
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "free_fare_groups", "effective_from": "2026-10-01", "value": [],
               "source": "Grozījumi (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    for day in ["2026-10-12", "2026-10-13"] {
        let mut fare = session(
            s.client,
            &format!("{day}T09:00:00+03:00"),
            &format!("{day}T11:00:00+03:00"),
            "work",
        );
        fare["trips"] = json!([{"mode": "public_transport", "from": "Mājas", "to": "Darbs",
                                "distance_km": 4.0, "cost_cents": 150}]);
        app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
        post(&app, &s.token, &fare).await.expect(201);
    }
    let month = format!("/api/v1/clients/{}/months/2026-10", s.client);
    app.post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .expect(200);
    app.post(
        &app.admin,
        &format!("{month}/approve"),
        json!({"reason": "Pa tālruni"}),
    )
    .await
    .expect(200);
    // The admin learns the change never passed: from 13 October group I rides free again.
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "free_fare_groups", "effective_from": "2026-10-13", "value": [1, 2],
               "source": "Sabiedriskā transporta pakalpojumu likums, 14. pants"}),
    )
    .await
    .expect(201);
    let list = flagged(&app, s.client).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["flag"]["code"], "transport_not_allowed");
    assert_eq!(list[0]["flag"]["details"]["reason"], "free_fare");
    let oct = sheet(&app, s.client, "2026-10").await;
    assert_eq!((oct.used_minutes, oct.transport_used_cents), (120, 150));

    // The approved month waits in the close, and is named with why.
    let report = app.close_month(&app.admin, "2026-10").await;
    assert!(
        report
            .statements
            .iter()
            .all(|st| st.client_id != Some(s.client))
    );
    assert_eq!(report.pending.len(), 1);
    assert!(report.pending[0].flagged);
    assert_eq!(report.pending[0].state.as_str(), "approved");
    // Voided, it closes with the next close.
    let id = list[0]["id"].as_str().unwrap();
    app.post(
        &app.admin,
        &format!("/api/v1/entries/{id}/flag"),
        json!({"resolution": "void", "reason": "Brauc bez maksas"}),
    )
    .await
    .expect(200);
    let report = app.close_month(&app.admin, "2026-10").await;
    assert!(report.pending.is_empty());
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_removed_at_a_review_flags_the_adults_assistant_sessions_and_restored_counts_them()
{
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    // The scene's client is an adult with group I.
    let s = scene(&app, 4800, "ruta").await;
    let first = logged(&app, &s.token, s.client, "2026-11-10", 3).await;
    let second = logged(&app, &s.token, s.client, "2026-11-12", 2).await;
    // A review of the disability sets group III: an adult with it is not given the assistant
    // service, so the sessions already logged are flagged, in words.
    let client = format!("/api/v1/clients/{}", s.client);
    app.send(
        reqwest::Method::PATCH,
        Some(&app.admin),
        &client,
        Some(&json!({"disability_group": 3})),
        None,
    )
    .await
    .expect(200);
    for id in [first, second] {
        let e = entry(&app, id).await;
        assert_eq!(e["status"], "flagged", "{e}");
        assert_eq!(e["flag"]["code"], "no_decision");
        assert_eq!(e["flag"]["details"]["reason"], "group_not_eligible");
        assert!(
            e["flag"]["message"].as_str().unwrap().contains("I vai II"),
            "{e}"
        );
    }
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 0);
    // A new session is refused for the same reason.
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-16T09:00:00+02:00",
            "2026-11-16T10:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "no_decision");
    assert_eq!(r.body["error"]["details"]["reason"], "group_not_eligible");
    // The group was entered wrongly: set back to I, both sessions count again by themselves.
    app.send(
        reqwest::Method::PATCH,
        Some(&app.admin),
        &client,
        Some(&json!({"disability_group": 1})),
        None,
    )
    .await
    .expect(200);
    assert!(flagged(&app, s.client).await.is_empty());
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_ended_early_flags_the_later_sessions_and_the_new_decision_counts_them_again() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let before = logged(&app, &s.token, s.client, "2026-11-09", 2).await;
    let after = logged(&app, &s.token, s.client, "2026-11-16", 2).await;
    // The client moved away: the decision ends on the 10th, recorded on the 20th.
    let coordinator = app.coordinator().await;
    app.post(
        &coordinator,
        &format!(
            "/api/v1/clients/{}/decisions/{}/amendments",
            s.client, s.decision
        ),
        json!({"effective_from": "2026-11-02", "valid_to": "2026-11-10"}),
    )
    .await
    .expect(201);
    assert_eq!(entry(&app, before).await["status"], "active");
    let e = entry(&app, after).await;
    assert_eq!(e["status"], "flagged", "{e}");
    assert_eq!(e["flag"]["code"], "no_decision");
    // The client came back and a new decision covers the rest of the year: it counts again.
    let r = app
        .post(
            &coordinator,
            &format!("/api/v1/clients/{}/decisions", s.client),
            json!({"number": "SD/2026/77", "decided_on": "2026-11-19", "service": "assistant",
                   "valid_from": "2026-11-11", "valid_to": "2026-12-31", "monthly_minutes": 4800}),
        )
        .await;
    r.expect(201);
    assert_eq!(entry(&app, after).await["status"], "active");
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 240);
}
