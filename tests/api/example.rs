//! The worked month of `docs/month-example.md`, built through the API.

use serde_json::json;

use crate::entries::{post, session, sheet};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_month_sheet_agrees_with_the_worked_example_in_docs() {
    let app = TestApp::spawn().await;
    app.clock.set("2023-04-03T09:00:00Z".parse().unwrap());
    let client = app.client("Anna Liepa", "1985-04-02").await;
    app.decision(
        client.id,
        json!({
            "number": "SD/2023/15", "decided_on": "2022-12-15", "service": "assistant",
            "valid_from": "2023-01-01", "valid_to": "2023-12-31", "monthly_minutes": 2400,
            "transport": {"allowed": true, "monthly_cap_cents": 2000}
        }),
    )
    .await;
    let ruta = app.assistant("Ruta").await;
    let ludmila = app
        .post(
            &app.admin,
            "/api/v1/assistants",
            json!({"name": "Ludmila", "insurance_status": "old_age_pensioner"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.assign(ruta.id, client.id, "2023-01-01").await;
    app.assign(ludmila, client.id, "2023-01-01").await;
    let (_, r) = app
        .user("ruta", "assistant", json!({"assistant_id": ruta.id}))
        .await;
    let (_, l) = app
        .user("ludmila", "assistant", json!({"assistant_id": ludmila}))
        .await;

    let c = client.id;
    let mut two = session(
        c,
        "2023-03-07T14:00:00+02:00",
        "2023-03-07T17:00:00+02:00",
        "day_centre",
    );
    two["trips"] = json!([{"mode": "own_car", "from": "Mājas", "to": "Dienas centrs", "distance_km": 12.4, "cost_cents": 350}]);
    let mut four = session(
        c,
        "2023-03-21T10:00:00+02:00",
        "2023-03-21T13:15:00+02:00",
        "other",
    );
    four["trips"] = json!([{"mode": "public_transport", "from": "Mājas", "to": "Poliklīnika", "distance_km": 4.0, "cost_cents": 0}]);
    let sessions = [
        (
            &r,
            session(
                c,
                "2023-03-02T09:00:00+02:00",
                "2023-03-02T12:30:00+02:00",
                "work",
            ),
            210,
        ),
        (&l, two, 180),
        (
            &r,
            session(
                c,
                "2023-03-14T08:30:00+02:00",
                "2023-03-14T16:30:00+02:00",
                "work",
            ),
            480,
        ),
        (&r, four, 195),
        (
            &l,
            session(
                c,
                "2023-03-26T01:00:00+02:00",
                "2023-03-26T05:00:00+03:00",
                "other",
            ),
            180,
        ),
        (
            &r,
            session(
                c,
                "2023-03-31T21:00:00+03:00",
                "2023-04-01T01:00:00+03:00",
                "other",
            ),
            240,
        ),
    ];
    for (token, body, minutes) in sessions {
        let resp = post(&app, token, &body).await;
        resp.expect(201);
        assert_eq!(resp.body["minutes"], minutes, "{body}");
        assert_eq!(resp.body["status"], "active");
    }

    let march = sheet(&app, c, "2023-03").await;
    assert_eq!(
        (
            march.allowance_minutes,
            march.used_minutes,
            march.remaining_minutes
        ),
        (2400, 1425, 975)
    );
    let by_purpose: Vec<(&str, i64)> = march
        .by_purpose
        .iter()
        .map(|p| (p.purpose.as_str(), p.minutes))
        .collect();
    assert_eq!(
        by_purpose,
        [("day_centre", 180), ("other", 555), ("work", 690)]
    );
    assert_eq!(
        (march.transport_used_cents, march.transport_cap_cents),
        (350, 2000)
    );
    assert_eq!(march.entries.len(), 6);
    assert_eq!(
        march.projected_minutes, 1425,
        "a past month projects what it used"
    );
    let april = sheet(&app, c, "2023-04").await;
    assert_eq!(april.used_minutes, 60);
}
