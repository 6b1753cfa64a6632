use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints_answer_and_readiness_checks_the_database() {
    let app = TestApp::spawn().await;
    let live = app
        .send(reqwest::Method::GET, None, "/health/live", None, None)
        .await;
    live.expect(200);
    let ready = app
        .send(reqwest::Method::GET, None, "/health/ready", None, None)
        .await;
    ready.expect(200);
    assert_eq!(ready.body["database"], "ok");

    app.state.db.clone().close().await.unwrap();
    let ready = app
        .send(reqwest::Method::GET, None, "/health/ready", None, None)
        .await;
    ready.expect(503);
    assert_eq!(ready.body["database"], "unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let r = app.get(&app.admin, "/api/v1/me").await;
    let id = r
        .headers
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let again = app.get(&app.admin, "/api/v1/me").await;
    assert_ne!(
        again.headers.get("x-request-id").unwrap().to_str().unwrap(),
        id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_template_not_by_raw_path() {
    let app = TestApp::spawn().await;
    let client = app.client("Jānis Bērziņš", "1978-03-14").await;
    app.get(&app.admin, &format!("/api/v1/clients/{}", client.id))
        .await
        .expect(200);
    let r = app
        .send(reqwest::Method::GET, None, "/metrics", None, None)
        .await;
    r.expect(200);
    assert!(
        r.text
            .contains(r#"route="/api/v1/clients/{client_id}",status="200""#),
        "{}",
        r.text
    );
    assert!(r.text.contains("asistents_http_request_duration_seconds"));
    assert!(
        !r.text.contains(&client.id.to_string()),
        "ids never become labels"
    );
}
