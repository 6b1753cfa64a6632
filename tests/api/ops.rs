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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_with_made_up_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn().await;
    let size = async || {
        let r = app
            .send(reqwest::Method::GET, None, "/metrics", None, None)
            .await;
        r.expect(200);
        r.text.len()
    };
    // The first made-up method on a route and on a path that is none make their series once.
    for (i, path) in ["/api/v1/me", "/nowhere/0"].into_iter().enumerate() {
        let method = reqwest::Method::from_bytes(format!("X{i}").as_bytes()).unwrap();
        app.send(method, None, path, None, None).await;
    }
    // Reading the metrics is a request too: its own series exist after the first read.
    size().await;
    let before = size().await;
    for i in 2..300 {
        let method = reqwest::Method::from_bytes(format!("X{i}").as_bytes()).unwrap();
        app.send(method, None, &format!("/nowhere/{i}"), None, None)
            .await;
    }
    let after = size().await;
    assert!(
        after < before + 200,
        "300 made-up methods grew /metrics from {before} to {after} bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_metrics_token_only_its_bearer_reads_the_metrics() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("metrics-token-123".into())).await;
    app.send(reqwest::Method::GET, None, "/metrics", None, None)
        .await
        .refused(404, "not_found");
    app.send(reqwest::Method::GET, Some("cits"), "/metrics", None, None)
        .await
        .refused(404, "not_found");
    let r = app
        .send(
            reqwest::Method::GET,
            Some("metrics-token-123"),
            "/metrics",
            None,
            None,
        )
        .await;
    r.expect(200);
    assert!(r.text.contains("asistents_http_requests"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_with_odd_characters_is_replaced() {
    let app = TestApp::spawn().await;
    let echoed = async |id: &str| {
        let r = app
            .http
            .get(format!("{}/health/live", app.base))
            .header("x-request-id", id)
            .send()
            .await
            .unwrap();
        r.headers()["x-request-id"].to_str().unwrap().to_owned()
    };
    assert_eq!(echoed("abc-123_X.9").await, "abc-123_X.9");
    for odd in ["a b", "<script>alert(1)</script>", &"y".repeat(200)] {
        let got = echoed(odd).await;
        assert_eq!(got.len(), 36, "a fresh UUID instead of {odd:?}: {got}");
    }
}

/// Whether the server closes `stream` within `within` (reads until end of file or error).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_trickling_connections_are_closed() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(|c| c.connection_idle_seconds = 2).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A connection that never says a word.
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // One that sends a header line now and then and never finishes its request.
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = std::time::Instant::now();
    let trickling = async {
        trickle
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        for i in 0..10 {
            tokio::time::sleep(std::time::Duration::from_millis(900)).await;
            if trickle
                .write_all(format!("X-Slow-{i}: a\r\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
        closed_within(&mut trickle, std::time::Duration::from_secs(10)).await
    };
    let (silent_closed, trickle_closed) = tokio::join!(
        closed_within(&mut silent, std::time::Duration::from_secs(10)),
        trickling
    );
    assert!(silent_closed, "a silent connection is closed");
    assert!(trickle_closed, "a trickling connection is closed");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(12),
        "within the idle time and a little: {:?}",
        started.elapsed()
    );
    // A connection that asks and is answered stays usable meanwhile.
    app.send(reqwest::Method::GET, None, "/health/live", None, None)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_limit_new_connections_are_closed_and_the_open_ones_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(|c| c.max_connections = 50).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A connection opened before the flood.
    let mut kept = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // The ones past the limit were closed at once.
    let mut closed = 0;
    for s in &mut idle {
        if closed_within(s, std::time::Duration::from_millis(50)).await {
            closed += 1;
        }
    }
    assert!(closed >= 150, "at most 50 kept: {closed} of 200 closed");
    // The connection opened before is still served while the others are held open.
    kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    kept.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
