//! What an assistant may read of a client: only the days of their own assignment, and of the
//! other assistants' sessions only the time. A former assistant reads no more of the client.

use mobile_api::entries::{Entry, MonthSheet};
use mobile_api::sync::PullResponse;
use serde_json::{Value, json};

use crate::entries::{post, scene, session};
use crate::helpers::TestApp;

/// The private details Ruta writes: none may reach another assistant.
const NOTE: &str = "Ārsta vizīte, diabēta kontrole";
const PLACE: &str = "Poliklīnika Nr. 3";
const TRIP_TO: &str = "Rīgas 1. slimnīca";

fn private_session(client: uuid::Uuid, day: &str) -> Value {
    let mut b = session(
        client,
        &format!("{day}T08:00:00+02:00"),
        &format!("{day}T10:00:00+02:00"),
        "medical_procedures",
    );
    b["note"] = json!(NOTE);
    b["place"] = json!(PLACE);
    b["trips"] = json!([{"mode": "public_transport", "from": "Mājas", "to": TRIP_TO,
                         "distance_km": 4.5, "cost_cents": 0}]);
    b
}

fn leaks(text: &str) -> Vec<&'static str> {
    [NOTE, PLACE, TRIP_TO]
        .into_iter()
        .filter(|s| text.contains(s))
        .collect()
}

async fn pulled(app: &TestApp, token: &str) -> (Vec<mobile_api::sync::Change>, String) {
    let r = app.get(token, "/api/v1/sync/pull?limit=500").await;
    r.expect(200);
    let page: PullResponse = r.json();
    assert!(!page.has_more);
    (page.changes, r.text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assistants_see_a_client_only_for_their_days_and_each_other_only_as_busy_time() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    // Līga works beside Ruta from 10 November; Brigita worked February to October.
    let liga = app.assistant("Līga Līdzās").await;
    app.assign(liga.id, s.client, "2026-11-10").await;
    let (_, liga_token) = app
        .user("liga", "assistant", json!({"assistant_id": liga.id}))
        .await;
    let brigita = app.assistant("Brigita Bijusī").await;
    app.post(
        &app.admin,
        "/api/v1/assignments",
        json!({ "assistant_id": brigita.id, "client_id": s.client, "service": "assistant",
                "valid_from": "2026-02-01", "valid_to": "2026-10-31" }),
    )
    .await
    .expect(201);
    let (_, brigita_token) = app
        .user("brigita", "assistant", json!({"assistant_id": brigita.id}))
        .await;

    // Ruta's sessions: one before Līga's first day, one after; one in October.
    let early: Entry = post(&app, &s.token, &private_session(s.client, "2026-11-03"))
        .await
        .json();
    let shared: Entry = post(&app, &s.token, &private_session(s.client, "2026-11-12"))
        .await
        .json();
    let october: Entry = post(&app, &s.token, &private_session(s.client, "2026-10-06"))
        .await
        .json();
    let brigitas: Entry = post(
        &app,
        &brigita_token,
        &session(
            s.client,
            "2026-10-07T08:00:00+03:00",
            "2026-10-07T09:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    // The client disputes Ruta's shared-day session.
    let (_, client_token) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let url = |m: &str, step: &str| format!("/api/v1/clients/{}/months/{m}/{step}", s.client);
    app.post(&s.token, &url("2026-11", "submit"), json!({}))
        .await
        .expect(200);
    app.post(
        &client_token,
        &url("2026-11", "dispute"),
        json!({"entries": [{"id": shared.id, "reason": "Tajā dienā biju mājās"}]}),
    )
    .await
    .expect(200);
    let sheet_url = |m: &str| format!("/api/v1/clients/{}/months/{m}", s.client);

    // Ruta sees her own sessions and the dispute of one of them.
    let r = app.get(&s.token, &sheet_url("2026-11")).await;
    r.expect(200);
    let ruta: MonthSheet = r.json();
    assert_eq!(ruta.entries.len(), 2);
    assert!(ruta.busy.is_empty());
    assert_eq!(ruta.disputes.len(), 1);

    // Līga sees Ruta's session on a day they share as busy time, nothing of the one before her
    // first day, and no dispute, note, place or trip.
    let r = app.get(&liga_token, &sheet_url("2026-11")).await;
    r.expect(200);
    let liga_sheet: MonthSheet = r.json();
    assert!(liga_sheet.entries.is_empty(), "{:?}", liga_sheet.entries);
    let busy: Vec<_> = liga_sheet
        .busy
        .iter()
        .map(|b| (b.entry_id, b.minutes))
        .collect();
    assert_eq!(busy, vec![(shared.id, 120)]);
    assert!(liga_sheet.disputes.is_empty());
    assert_eq!(leaks(&r.text), Vec::<&str>::new(), "{}", r.text);
    assert!(!r.text.contains(&early.id.to_string()));
    // The month's totals are hers to plan by.
    assert_eq!(liga_sheet.used_minutes, ruta.used_minutes);
    // Her phone's pull carries the client's decision and this month, no session of Ruta's.
    let (changes, text) = pulled(&app, &liga_token).await;
    assert!(changes.iter().any(|c| c.kind == "decision"));
    assert!(
        changes
            .iter()
            .filter(|c| c.kind == "month")
            .all(|c| c.id.as_str() >= format!("{}/2026-11", s.client).as_str()),
        "{text}"
    );
    assert_eq!(leaks(&text), Vec::<&str>::new());

    // Brigita no longer sees the client: not in her list, not the record, the decisions, or a
    // month after her assignment.
    let r = app.get(&brigita_token, "/api/v1/clients").await;
    r.expect(200);
    assert_eq!(r.body["total"], 0, "{}", r.text);
    for path in [
        format!("/api/v1/clients/{}", s.client),
        format!("/api/v1/clients/{}/decisions", s.client),
        sheet_url("2026-11"),
    ] {
        let r = app.get(&brigita_token, &path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    // The months she worked stay hers: her own session, Ruta's as busy time.
    let r = app.get(&brigita_token, &sheet_url("2026-10")).await;
    r.expect(200);
    let october_sheet: MonthSheet = r.json();
    let own: Vec<_> = october_sheet.entries.iter().map(|e| e.id).collect();
    assert_eq!(own, vec![brigitas.id]);
    let busy: Vec<_> = october_sheet.busy.iter().map(|b| b.entry_id).collect();
    assert_eq!(busy, vec![october.id]);
    assert_eq!(leaks(&r.text), Vec::<&str>::new());
    // Her phone's pull: no decision of the client any more, no month after October.
    let (changes, text) = pulled(&app, &brigita_token).await;
    assert!(!changes.iter().any(|c| c.kind == "decision"), "{text}");
    let months: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == "month")
        .map(|c| c.id.clone())
        .collect();
    assert!(
        months
            .iter()
            .all(|id| id.as_str() <= format!("{}/2026-10", s.client).as_str()),
        "{months:?}"
    );
    assert!(months.contains(&format!("{}/2026-10", s.client)));
    assert_eq!(leaks(&text), Vec::<&str>::new());
    // Nor does the client's later news reach her: a decision amendment after she left.
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{}/decisions", s.client),
        )
        .await;
    let decision = r.body[0]["id"].as_str().unwrap().to_owned();
    app.post(
        &app.admin,
        &format!(
            "/api/v1/clients/{}/decisions/{decision}/amendments",
            s.client
        ),
        json!({"effective_from": "2026-12-01", "monthly_minutes": 3000, "note": "Pēc operācijas"}),
    )
    .await
    .expect(201);
    let (_, text) = pulled(&app, &brigita_token).await;
    assert!(!text.contains("\"monthly_minutes\":3000"), "{text}");
    let (_, text) = pulled(&app, &liga_token).await;
    assert!(text.contains("\"monthly_minutes\":3000"), "{text}");
}

/// Creating a session with the id of another assistant's session: a write the rules refuse gets
/// the refusal a fresh id gets, so probing ids tells nothing (on REST and in a push).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_assistants_entry_id_is_answered_like_a_fresh_one() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let o = scene(&app, 4800, "igors").await;
    let hers: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .json();
    // Igors is not assigned to Ruta's client: with her entry's id, or with a new one.
    let probe = |id: uuid::Uuid| {
        let mut b = session(
            s.client,
            "2026-11-05T08:00:00+02:00",
            "2026-11-05T09:00:00+02:00",
            "work",
        );
        b["id"] = json!(id);
        b
    };
    let taken = post(&app, &o.token, &probe(hers.id)).await;
    let fresh = post(&app, &o.token, &probe(uuid::Uuid::new_v4())).await;
    assert_eq!(
        (taken.status, taken.body.clone()),
        (fresh.status, fresh.body.clone()),
        "taken: {} / fresh: {}",
        taken.text,
        fresh.text
    );
    taken.refused(422, "not_assigned");
    // The same through a push.
    let push = |seq: i64, id: uuid::Uuid| {
        json!({"device_id": "phone-igors", "mutations": [
            {"seq": seq, "name": "entry.save", "args": probe(id)}
        ]})
    };
    let a = app
        .post(&o.token, "/api/v1/sync/push", push(1, hers.id))
        .await;
    let b = app
        .post(&o.token, "/api/v1/sync/push", push(2, uuid::Uuid::new_v4()))
        .await;
    assert_eq!(
        a.body["results"][0]["error"]["code"],
        b.body["results"][0]["error"]["code"]
    );
    assert_eq!(a.body["results"][0]["error"]["code"], "not_assigned");
    // Her entry is untouched.
    let r = app
        .get(&s.token, &format!("/api/v1/entries/{}", hers.id))
        .await;
    assert_eq!(r.json::<Entry>(), hers);
}
