//! Rules that follow real life (the regulation beyond the month's order): who may be granted the
//! assistant service at all, fares that are never paid twice, and figures a later release adds
//! reaching a database made before it.

use serde_json::json;

use crate::entries::{post, scene, session};
use crate::helpers::TestApp;

fn decision(service: &str) -> serde_json::Value {
    json!({
        "number": "SD/2026/9", "decided_on": "2025-12-15", "service": service,
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "monthly_minutes": 2400,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adult_without_disability_group_one_or_two_is_not_granted_the_assistant_service() {
    let app = TestApp::spawn().await;
    for (group, granted) in [
        (json!(3), false),
        (json!(null), false),
        (json!(2), true),
        (json!(1), true),
    ] {
        let client = app
            .post(
                &app.admin,
                "/api/v1/clients",
                json!({"name": format!("Klients {group}"), "birth_date": "1970-02-02", "disability_group": group}),
            )
            .await;
        client.expect(201);
        let id = client.body["id"].as_str().unwrap().to_owned();
        let r = app
            .post(
                &app.admin,
                &format!("/api/v1/clients/{id}/decisions"),
                decision("assistant"),
            )
            .await;
        if granted {
            r.expect(201);
        } else {
            r.refused(422, "decision_invalid");
            assert_eq!(
                r.body["error"]["details"]["reason"], "group_not_eligible",
                "{}",
                r.text
            );
            assert_eq!(r.body["error"]["details"]["eligible_groups"], json!([1, 2]));
            // Said as people know it, in the caller's language.
            let message = r.body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("I vai II invaliditātes grupu"),
                "{message}"
            );
        }
    }
    // A child's decision rests on the medical commission's opinion, not a group.
    let child = app
        .post(
            &app.admin,
            "/api/v1/clients",
            json!({"name": "Bērns", "birth_date": "2015-06-01"}),
        )
        .await;
    let id = child.body["id"].as_str().unwrap().to_owned();
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{id}/decisions"),
        decision("assistant"),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_transport_fare_for_a_client_who_rides_free_is_refused_and_is_not_counted() {
    let app = TestApp::spawn().await;
    // The scene's client is an adult with group I, and the decision allows transport.
    let s = scene(&app, 4800, "ruta").await;
    let mut fare = session(
        s.client,
        "2026-11-02T09:00:00+02:00",
        "2026-11-02T11:00:00+02:00",
        "work",
    );
    fare["trips"] = json!([{"mode": "public_transport", "from": "Mājas", "to": "Darbs",
                            "distance_km": 4.0, "cost_cents": 150}]);
    let r = post(&app, &s.token, &fare).await;
    r.refused(422, "transport_not_allowed");
    assert_eq!(
        r.body["error"]["details"]["reason"], "free_fare",
        "{}",
        r.text
    );
    assert_eq!(r.body["error"]["details"]["requested_cents"], 150);
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Klients ar šo invaliditāti"),
        "{message}"
    );
    // The same trip without a fare, and a taxi the decision allows, are accepted.
    fare["trips"][0]["cost_cents"] = json!(0);
    post(&app, &s.token, &fare).await.expect(201);
    let mut taxi = session(
        s.client,
        "2026-11-03T09:00:00+02:00",
        "2026-11-03T11:00:00+02:00",
        "work",
    );
    taxi["trips"] = json!([{"mode": "taxi", "from": "Mājas", "to": "Poliklīnika",
                            "distance_km": 4.0, "cost_cents": 900}]);
    post(&app, &s.token, &taxi).await.expect(201);
    let sheet = crate::entries::sheet(&app, s.client, "2026-11").await;
    assert_eq!(sheet.transport_used_cents, 900);

    // The rule is policy data: a municipality's admin who records that group I and II no longer
    // ride free (a changed law) makes the fare compensable from that day.
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "free_fare_groups", "effective_from": "2026-11-10", "value": [],
               "source": "Grozījumi Sabiedriskā transporta pakalpojumu likumā (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    let mut later = session(
        s.client,
        "2026-11-12T09:00:00+02:00",
        "2026-11-12T11:00:00+02:00",
        "work",
    );
    later["trips"] = json!([{"mode": "public_transport", "from": "Mājas", "to": "Darbs",
                             "distance_km": 4.0, "cost_cents": 150}]);
    post(&app, &s.token, &later).await.expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_figure_a_later_release_adds_reaches_a_database_made_before_it_and_an_admins_figures_stand()
 {
    use sea_orm::ConnectionTrait;
    let url = crate::helpers::file_database_url("seed").await;
    let first = TestApp::spawn_on(url.clone(), |_| {}).await;
    // As a database made before these keys existed: without them, and with an admin's own
    // version of another figure.
    first
        .state
        .db
        .execute_unprepared(
            "delete from policy_values where key in ('free_fare_groups', 'free_fare_children')",
        )
        .await
        .unwrap();
    first
        .post(
            &first.admin,
            "/api/v1/policy",
            json!({"key": "adult_assistant_groups", "effective_from": "2026-01-01", "value": [1],
                   "source": "pašvaldības lēmums (pārbaudes dati)"}),
        )
        .await
        .expect(201);
    drop(first);
    let second = TestApp::spawn_on(url, |_| {}).await;
    let policy = second
        .get(&second.admin, "/api/v1/policy?on=2026-11-24")
        .await;
    policy.expect(200);
    let in_force = policy.body["in_force"].as_array().unwrap();
    let value = |key: &str| {
        in_force
            .iter()
            .find(|p| p["key"] == key)
            .map(|p| p["value"].clone())
    };
    assert_eq!(value("free_fare_groups"), Some(json!([1, 2])));
    assert_eq!(value("free_fare_children"), Some(json!("yes")));
    assert_eq!(value("adult_assistant_groups"), Some(json!([1])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disputed_month_moves_on_when_corrected_and_every_dispute_ends_as_what_happened_to_it() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let mut ids = Vec::new();
    for day in ["2026-10-20", "2026-10-21", "2026-10-22"] {
        let e: mobile_api::entries::Entry = post(
            &app,
            &s.token,
            &session(
                s.client,
                &format!("{day}T09:00:00+03:00"),
                &format!("{day}T12:00:00+03:00"),
                "work",
            ),
        )
        .await
        .json();
        ids.push(e.id);
    }
    let month = format!("/api/v1/clients/{}/months/2026-10", s.client);
    app.post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .expect(200);
    let (_, klients) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    app.post(
        &klients,
        &format!("{month}/dispute"),
        json!({"entries": [
            {"id": ids[0], "reason": "Beidzām stundu agrāk"},
            {"id": ids[1], "reason": "Nebija šādas vizītes"},
            {"id": ids[2], "reason": "Nepareizs laiks"},
        ]}),
    )
    .await
    .expect(200);

    // The coordinator rejects the third dispute through the API, with a reason.
    let coordinator = app.coordinator().await;
    let resolve = format!("{month}/disputes/{}/resolve", ids[2]);
    app.post(
        &coordinator,
        &resolve,
        json!({"resolution": "rejected", "reason": ""}),
    )
    .await
    .refused(422, "validation_failed");
    let r = app
        .post(
            &coordinator,
            &resolve,
            json!({"resolution": "rejected", "reason": "Dienas centra žurnālā vizīte ir"}),
        )
        .await;
    r.expect(200);
    // Once resolved, it is not resolved again; the refusal says why.
    let again = app
        .post(
            &coordinator,
            &resolve,
            json!({"resolution": "corrected", "reason": "x"}),
        )
        .await;
    again.refused(422, "validation_failed");
    let message = again.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("nav neizlemta"), "{message}");
    // The assistant corrects the first session and hands the month in again: it moves on.
    let mut shorter = session(
        s.client,
        "2026-10-20T09:00:00+03:00",
        "2026-10-20T11:00:00+03:00",
        "work",
    );
    shorter["base_version"] = json!(1);
    app.send(
        reqwest::Method::PUT,
        Some(&s.token),
        &format!("/api/v1/entries/{}", ids[0]),
        Some(&shorter),
        None,
    )
    .await
    .expect(200);
    let handed: mobile_api::entries::MonthSheet = app
        .post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .json();
    assert_eq!(handed.state.as_str(), "submitted");

    // The client confirms what they now see; each open dispute ends as what happened to it.
    let sheet = crate::entries::sheet(&app, s.client, "2026-10").await;
    let seen: Vec<_> = sheet
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "version": e.version}))
        .collect();
    app.post(
        &klients,
        &format!("{month}/confirm"),
        json!({"entries": seen}),
    )
    .await
    .expect(200);
    let sheet = crate::entries::sheet(&app, s.client, "2026-10").await;
    // In the order of the sessions (all three were raised at one instant).
    let mut how: Vec<(uuid::Uuid, String)> = sheet
        .disputes
        .iter()
        .map(|d| (d.entry_id, d.resolution.clone().unwrap_or_default()))
        .collect();
    how.sort_by_key(|(id, _)| ids.iter().position(|i| i == id));
    assert_eq!(
        how,
        [
            (
                ids[0],
                "corrected: confirmed by the client after the correction".to_owned()
            ),
            (
                ids[1],
                "withdrawn: the client confirmed the session as recorded".to_owned()
            ),
            (
                ids[2],
                "rejected: Dienas centra žurnālā vizīte ir".to_owned()
            ),
        ]
    );
    assert_eq!(sheet.state.as_str(), "confirmed");
    assert_eq!(sheet.used_minutes, 120 + 180 + 180);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_entries_are_reviewed_in_a_confirmed_month_and_a_note_edited_late_is_not_sent_back() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let on_time: mobile_api::entries::Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    let month = format!("/api/v1/clients/{}/months/2026-10", s.client);
    app.post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .expect(200);
    // After the deadline (the 5th): two late sessions wait for review.
    app.clock.set("2026-11-10T10:00:00Z".parse().unwrap());
    let mut late = Vec::new();
    for day in ["2026-10-21", "2026-10-22"] {
        let e: mobile_api::entries::Entry = post(
            &app,
            &s.token,
            &session(
                s.client,
                &format!("{day}T09:00:00+03:00"),
                &format!("{day}T11:00:00+03:00"),
                "work",
            ),
        )
        .await
        .json();
        assert_eq!(e.status.as_str(), "pending_review");
        late.push(e.id);
    }
    // The client confirms the month as they see it, the late sessions in it.
    let (_, klients) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let sheet = crate::entries::sheet(&app, s.client, "2026-10").await;
    let seen: Vec<_> = sheet
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "version": e.version}))
        .collect();
    app.post(
        &klients,
        &format!("{month}/confirm"),
        json!({"entries": seen}),
    )
    .await
    .expect(200);
    // The coordinator reviews both without reopening: one approved (and counted), one rejected.
    let coordinator = app.coordinator().await;
    let approved = app
        .post(
            &coordinator,
            &format!("/api/v1/entries/{}/review", late[0]),
            json!({"decision": "approve", "reason": "Papīra lapa atrasta"}),
        )
        .await;
    approved.expect(200);
    assert_eq!(approved.body["status"], "active");
    app.post(
        &coordinator,
        &format!("/api/v1/entries/{}/review", late[1]),
        json!({"decision": "reject", "reason": "Dubults ieraksts"}),
    )
    .await
    .expect(200);
    let sheet = crate::entries::sheet(&app, s.client, "2026-10").await;
    assert_eq!(sheet.state.as_str(), "confirmed");
    assert_eq!(sheet.used_minutes, 180 + 120);
    // Nothing waits: the month can be approved.
    app.post(&coordinator, &format!("{month}/approve"), json!({}))
        .await
        .expect(200);

    // In November, after its deadline too: an edit of only the note stays counted, a new time
    // goes back to review.
    app.clock.set("2026-11-04T10:00:00Z".parse().unwrap());
    let nov: mobile_api::entries::Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-03T09:00:00+02:00",
            "2026-11-03T11:00:00+02:00",
            "work",
        ),
    )
    .await
    .json();
    assert_eq!(nov.status.as_str(), "active");
    app.clock.set("2026-12-10T10:00:00Z".parse().unwrap());
    let token = app.login("ruta", crate::helpers::PASSWORD).await;
    let mut note = session(
        s.client,
        "2026-11-03T09:00:00+02:00",
        "2026-11-03T11:00:00+02:00",
        "work",
    );
    note["note"] = json!("Poliklīnika, 2. stāvs");
    note["base_version"] = json!(1);
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&token),
            &format!("/api/v1/entries/{}", nov.id),
            Some(&note),
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active", "{}", r.text);
    let mut moved = note.clone();
    moved["ended_at"] = json!("2026-11-03T12:00:00+02:00");
    moved["base_version"] = json!(2);
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&token),
            &format!("/api/v1/entries/{}", nov.id),
            Some(&moved),
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "pending_review", "{}", r.text);
    assert_eq!(on_time.status.as_str(), "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_leaves_the_months_still_coming_in_and_says_which() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let a = scene(&app, 4800, "ruta").await;
    let b = scene(&app, 4800, "igors").await;
    for s in [&a, &b] {
        post(
            &app,
            &s.token,
            &session(
                s.client,
                "2026-10-20T09:00:00+03:00",
                "2026-10-20T12:00:00+03:00",
                "work",
            ),
        )
        .await
        .expect(201);
        app.post(
            &s.token,
            &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
            json!({}),
        )
        .await
        .expect(200);
    }
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/approve", a.client),
        json!({"reason": "Apstiprināts pa tālruni"}),
    )
    .await
    .expect(200);
    let report = app.close_month(&app.admin, "2026-10").await;
    // Igors' client-month is still waiting for the client: not closed, and named.
    assert_eq!(report.pending.len(), 1);
    assert_eq!(report.pending[0].client_id, b.client);
    assert_eq!(report.pending[0].client_name, "Klients igors");
    assert_eq!(report.pending[0].state.as_str(), "submitted");
    assert_eq!(
        crate::entries::sheet(&app, b.client, "2026-10")
            .await
            .state
            .as_str(),
        "submitted"
    );
    let summary = report
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    let csv = app
        .http
        .get(format!("{}{}", app.base, summary.files[0].path))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(
            "Vēl nav apstiprināts, netiek slēgts tagad;Klients igors (gaida klienta apstiprinājumu)\r\n"
        ),
        "{csv}"
    );
    assert!(!csv.contains(";Klients igors;"), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_close_makes_the_state_funding_claim_per_service_kind_with_the_top_up_kept_apart() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    // The municipality pays 0.50 EUR an hour above the state's 5.11 from October.
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "municipal_top_up_cents", "effective_from": "2026-10-01", "value": 50,
               "source": "Domes lēmums Nr. 7 (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    let adult = scene(&app, 4800, "ruta").await;
    // A child with the companion service.
    let child = app.client("Bērns Kalniņš", "2015-04-04").await;
    app.decision(
        child.id,
        json!({"number": "SD/2026/5", "decided_on": "2025-12-15", "service": "companion",
               "valid_from": "2026-01-01", "valid_to": "2026-12-31", "monthly_minutes": 3600}),
    )
    .await;
    let companion = app.assistant("Pavadone Ilze").await;
    app.post(
        &app.admin,
        "/api/v1/assignments",
        json!({"assistant_id": companion.id, "client_id": child.id, "service": "companion",
               "valid_from": "2026-01-01"}),
    )
    .await
    .expect(201);
    let (_, ilze) = app
        .user("ilze", "assistant", json!({"assistant_id": companion.id}))
        .await;
    let mut taxi = session(
        adult.client,
        "2026-10-20T09:00:00+03:00",
        "2026-10-20T12:00:00+03:00",
        "work",
    );
    taxi["trips"] = json!([{"mode": "taxi", "from": "Mājas", "to": "Darbs",
                            "distance_km": 5.0, "cost_cents": 800}]);
    post(&app, &adult.token, &taxi).await.expect(201);
    post(
        &app,
        &ilze,
        &session(
            child.id,
            "2026-10-21T14:00:00+03:00",
            "2026-10-21T16:00:00+03:00",
            "companion_trip",
        ),
    )
    .await
    .expect(201);
    for c in [adult.client, child.id] {
        app.post(
            &app.admin,
            &format!("/api/v1/clients/{c}/months/2026-10/approve"),
            json!({"reason": "Pārbaudīts"}),
        )
        .await
        .expect(200);
    }
    let report = app.close_month(&app.admin, "2026-10").await;
    let summary = report
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    let file = summary
        .files
        .iter()
        .find(|f| f.name.starts_with("valsts-pieprasijums-2026-10"))
        .expect("the claim file");
    let claim = app
        .http
        .get(format!("{}{}", app.base, file.path))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Adult: 3 h × 5.11 = 15.33 state; paid at 5.61 = 16.83, so 1.50 is the municipality's;
    // administration min(5 % of 15.33 = 0.77, 3 h × 0.26 = 0.78) = 0.77; taxi 8.00.
    assert!(
        claim.contains(
            "Asistenta pakalpojums;01.10.2026;5,11;180;3,00;15,33;8,00;0,77;24,10;1,50\r\n"
        ),
        "{claim}"
    );
    // Child, companion: 2 h × 5.11 = 10.22; 1.00 top-up; admin min(0.51, 0.52) = 0.51.
    assert!(
        claim.contains(
            "Pavadoņa pakalpojums;01.10.2026;5,11;120;2,00;10,22;0,00;0,51;10,73;1,00\r\n"
        ),
        "{claim}"
    );
    assert!(
        claim.contains("Kopā;;;300;5,00;25,55;8,00;1,28;34,83;2,50\r\n"),
        "{claim}"
    );
    // The pay includes the top-up: 3 h × 5.61.
    let pay = report
        .statements
        .iter()
        .find(|s| s.assistant_id == Some(adult.assistant))
        .unwrap();
    assert_eq!(pay.summary["amount_cents"], 1683);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_split_between_two_decision_versions_is_capped_by_each_for_its_own_days() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-20T10:00:00Z".parse().unwrap());
    // 40 hours a month, raised to 80 from 16 November: the increase does not apply backwards.
    let s = scene(&app, 2400, "ruta").await;
    let coordinator = app.coordinator().await;
    app.post(
        &coordinator,
        &format!(
            "/api/v1/clients/{}/decisions/{}/amendments",
            s.client, s.decision
        ),
        json!({"effective_from": "2026-11-16", "monthly_minutes": 4800}),
    )
    .await
    .expect(201);
    let long = |day: &str, from: &str, to: &str| {
        session(
            s.client,
            &format!("{day}T{from}:00+02:00"),
            &format!("{day}T{to}:00+02:00"),
            "work",
        )
    };
    for day in ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"] {
        post(&app, &s.token, &long(day, "08:00", "18:00"))
            .await
            .expect(201);
    }
    // The first half has used its 40 hours: one more hour there is refused, with that part's
    // figures, even though the month as a whole may use 80.
    let r = post(&app, &s.token, &long("2026-11-06", "09:00", "10:00")).await;
    r.refused(422, "over_allowance");
    let d = &r.body["error"]["details"];
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str()),
        (Some("2026-11-01"), Some("2026-11-15")),
        "{}",
        r.text
    );
    assert_eq!(
        (d["allowance_minutes"].as_i64(), d["used_minutes"].as_i64()),
        (Some(2400), Some(2400))
    );
    // The days under the new version have its 80 hours, within the month's 80.
    post(&app, &s.token, &long("2026-11-17", "08:00", "18:00"))
        .await
        .expect(201);
    let nov = crate::entries::sheet(&app, s.client, "2026-11").await;
    assert_eq!((nov.allowance_minutes, nov.used_minutes), (4800, 3000));
    // A session over midnight into the new version's first day counts in each part for its
    // own minutes: the 15th's hour is refused, so the whole session is.
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-15T23:00:00+02:00",
            "2026-11-16T02:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "over_allowance");
    assert_eq!(r.body["error"]["details"]["requested_minutes"], 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_below_the_minimum_wage_is_said_loudly_and_stops_the_close_until_a_rate_or_a_reason()
{
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .expect(201);
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

    // The seeded 5.11 EUR pays an insured assistant 4.13 EUR gross an hour; the 2026 minimum is
    // 780 EUR over 168 hours, 4.65 EUR an hour. The policy says so, in the caller's language.
    let r = app
        .send(
            reqwest::Method::GET,
            Some(&app.admin),
            "/api/v1/policy?on=2026-10-15",
            None,
            Some("en"),
        )
        .await;
    r.expect(200);
    let warning = &r.body["warnings"][0];
    assert_eq!(warning["code"], "rate_below_minimum_wage", "{}", r.text);
    let message = warning["message"].as_str().unwrap();
    for figure in ["5.11 EUR", "4.13 EUR", "4.65 EUR", "780.00 EUR", "168"] {
        assert!(message.contains(figure), "{figure} in {message}");
    }
    // Before 2024 the policy has no minimum wage: nothing to say.
    let r = app.get(&app.admin, "/api/v1/policy?on=2023-10-15").await;
    assert_eq!(r.body["warnings"], json!([]), "{}", r.text);

    // The close is refused, in words, and nothing is closed.
    let close = "/api/v1/months/2026-10/close";
    let r = app.post(&app.admin, close, json!({})).await;
    r.refused(422, "rate_below_minimum_wage");
    assert!(r.message().contains("5,11 EUR"), "{}", r.text);
    assert_eq!(
        crate::entries::sheet(&app, s.client, "2026-10")
            .await
            .state
            .as_str(),
        "approved"
    );
    // Only an admin overrides it, and only with a reason.
    let coordinator = app.coordinator().await;
    let override_url = "/api/v1/months/2026-10/wage-override";
    let put = |token: String, reason: &'static str| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::PUT,
                Some(&token),
                override_url,
                Some(&json!({ "reason": reason })),
                None,
            )
            .await
        }
    };
    put(coordinator, "Tā gribu").await.refused(403, "forbidden");
    put(app.admin.clone(), " ")
        .await
        .refused(422, "validation_failed");
    put(
        app.admin.clone(),
        "Starpību līdz minimālajai algai maksā pašvaldība no sava budžeta",
    )
    .await
    .expect(204);
    let report = app.close_month(&app.admin, "2026-10").await;
    let summary = report
        .statements
        .iter()
        .find(|st| st.kind == "municipality_summary")
        .expect("the summary");
    assert!(
        summary.summary.to_string().contains("maksā pašvaldība"),
        "the summary says why: {}",
        summary.summary
    );

    // Once the admin enters the new rate from the regulation, November is fine again.
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "hourly_rate_cents", "effective_from": "2026-11-01", "value": 620,
               "source": "MK noteikumi Nr. 316 ar grozījumiem (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    let r = app.get(&app.admin, "/api/v1/policy?on=2026-11-15").await;
    assert_eq!(r.body["warnings"], json!([]), "{}", r.text);
    app.close_month(&app.admin, "2026-11").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_month_closed_later_is_an_addition_paid_on_top_not_a_restatement() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    // Ruta works for two clients; the second client's month is approved after the first close.
    let a = scene(&app, 4800, "ruta").await;
    let b = scene(&app, 4800, "igors").await;
    app.assign(a.assistant, b.client, "2026-01-01").await;
    for (client, day) in [(a.client, "2026-10-20"), (b.client, "2026-10-21")] {
        post(
            &app,
            &a.token,
            &session(
                client,
                &format!("{day}T09:00:00+03:00"),
                &format!("{day}T12:00:00+03:00"),
                "work",
            ),
        )
        .await
        .expect(201);
        let month = format!("/api/v1/clients/{client}/months/2026-10");
        app.post(&a.token, &format!("{month}/submit"), json!({}))
            .await
            .expect(200);
    }
    let approve = |client: uuid::Uuid| {
        let app = &app;
        async move {
            app.post(
                &app.admin,
                &format!("/api/v1/clients/{client}/months/2026-10/approve"),
                json!({"reason": "Pa tālruni"}),
            )
            .await
            .expect(200);
        }
    };
    approve(a.client).await;
    let close = || app.close_month(&app.admin, "2026-10");
    let first = close().await;
    let of = |r: &crate::helpers::Closed, kind: &str| {
        r.statements
            .iter()
            .find(|s| {
                s.kind == kind && (kind != "assistant_pay" || s.assistant_id == Some(a.assistant))
            })
            .cloned()
            .unwrap_or_else(|| panic!("{kind} in {r:?}"))
    };
    let download = |path: String| {
        let app = &app;
        async move {
            app.http
                .get(format!("{}{path}", app.base))
                .bearer_auth(&app.admin)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let pay_v1 = of(&first, "assistant_pay");
    assert_eq!(pay_v1.summary["amount_cents"], 1533, "3 h × 5.11 EUR");

    // The second client-month, approved later, closes as an addition: only its own rows, named
    // so, paid on top of what was sent.
    approve(b.client).await;
    let second = close().await;
    let summary = of(&second, "municipality_summary");
    assert_eq!((summary.version, summary.is_correction), (2, false));
    let csv_file = summary
        .files
        .iter()
        .find(|f| f.name.starts_with("kopsavilkums-") && f.name.ends_with(".csv"))
        .unwrap();
    assert_eq!(csv_file.name, "kopsavilkums-2026-10-papildinajums-v2.csv");
    let csv = download(csv_file.path.clone()).await;
    assert!(csv.contains(";Klients igors;"), "{csv}");
    assert!(
        !csv.contains(";Klients ruta;"),
        "the first client is not paid twice: {csv}"
    );
    assert!(csv.contains("papildinājums"), "{csv}");
    let pay_v2 = of(&second, "assistant_pay");
    assert_eq!((pay_v2.version, pay_v2.is_correction), (2, false));
    assert_eq!(
        pay_v2.summary["amount_cents"], 1533,
        "only the second client's 3 hours, not 6"
    );
    assert!(
        pay_v2
            .files
            .iter()
            .all(|f| f.name.contains("-papildinajums-v2.")),
        "{:?}",
        pay_v2.files
    );
}
