//! Month close and statement mail, delivered through a real SMTP server over TCP.

use mobile_api::JobState;
use mobile_api::statements::{CloseJob, OutboxRow, Statement};
use serde_json::json;

use crate::entries::{Scene, post, scene, session, sheet};
use crate::helpers::smtp::SmtpSink;
use crate::helpers::{Closed, Skip, TestApp, skipped};

const RECIPIENTS: [&str; 2] = ["socd@example.lv", "gramatvediba@example.lv"];

/// Two clients' October, approved: one confirmed by the client, one approved with a reason.
async fn approved_october(app: &TestApp) -> (Scene, Scene) {
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let a = scene(app, 4800, "ruta").await;
    let b = scene(app, 2400, "igors").await;
    app.patch(
        &app.admin,
        &format!("/api/v1/clients/{}", a.client),
        json!({"email": "janis@example.lv", "name": "Ņina Žūriņa-Ķēniņa Ģirta Čaļa"}),
    )
    .await
    .expect(200);
    for (s, days) in [(&a, [20, 21]), (&b, [22, 23])] {
        for d in days {
            post(
                app,
                &s.token,
                &session(
                    s.client,
                    &format!("2026-10-{d}T09:00:00+03:00"),
                    &format!("2026-10-{d}T12:30:00+03:00"),
                    "work",
                ),
            )
            .await
            .expect(201);
        }
        app.post(
            &s.token,
            &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
            json!({}),
        )
        .await
        .expect(200);
    }
    let (_, client) = app
        .user("klients", "client", json!({"client_id": a.client}))
        .await;
    let m = sheet(app, a.client, "2026-10").await;
    let seen: Vec<_> = m
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "version": e.version}))
        .collect();
    app.post(
        &client,
        &format!("/api/v1/clients/{}/months/2026-10/confirm", a.client),
        json!({"entries": seen}),
    )
    .await
    .expect(200);
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/approve", a.client),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/approve", b.client),
        json!({"reason": "Klients slimnīcā, pārstāvja nav"}),
    )
    .await
    .expect(200);
    (a, b)
}

/// The service mailing over SMTP to a sink, with `recipients` as the social service's addresses
/// (and `more` of its configuration), October's rate closed by an admin's reason.
async fn mailing_app(
    recipients: &[&str],
    more: impl FnOnce(&mut asistents::Config),
) -> (SmtpSink, TestApp) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(SmtpSink::url(sink.port));
        c.statement_recipients = recipients.iter().map(|r| r.to_string()).collect();
        more(c);
    })
    .await;
    app.wage_override("2026-10").await;
    (sink, app)
}

/// Closes `month` as an admin; what was generated.
async fn close(app: &TestApp, month: &str) -> Closed {
    app.close_month(&app.admin, month).await
}

/// The CSV of the municipality's summary a close made.
async fn summary_csv(app: &TestApp, closed: &Closed) -> String {
    let summary = closed
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .expect("the close made a summary");
    file(app, summary).await
}

/// The corrections each pay statement of a close carries, in cents, in the order issued.
fn correction_cents(r: &Closed) -> Vec<i64> {
    r.statements
        .iter()
        .filter(|s| s.kind == "assistant_pay")
        .map(|s| s.summary["correction_cents"].as_i64().unwrap())
        .collect()
}

/// What each statement of a close is: kind, month, version, whether a correction.
fn kinds_of(r: &Closed) -> Vec<(&str, &str, i32, bool)> {
    r.statements
        .iter()
        .map(|s| {
            (
                s.kind.as_str(),
                s.month.as_str(),
                s.version,
                s.is_correction,
            )
        })
        .collect()
}

/// The one mail to the social service that delivering the outbox sends now, as received,
/// decoded.
async fn accountants_mail(app: &TestApp, sink: &SmtpSink) -> String {
    let before = sink.messages().len();
    asistents::jobs::deliver_outbox(&app.state).await.unwrap();
    let new: Vec<_> = sink
        .messages()
        .into_iter()
        .skip(before)
        .filter(|m| m.to == ["socd@example.lv"])
        .collect();
    assert_eq!(new.len(), 1, "one mail to the social service per close");
    quoted_printable(&new[0].data)
}

/// A mail's text with its quoted-printable escapes (`=C4=81`, soft line breaks) decoded.
fn quoted_printable(data: &str) -> String {
    let bytes = data.replace("=\r\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn file(app: &TestApp, s: &Statement) -> String {
    let f = &s.files[0];
    let r = app
        .http
        .get(format!("{}{}", app.base, f.path))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_month_mails_each_recipient_once_with_the_files_and_each_client_their_timesheet()
{
    let (sink, app) = mailing_app(&RECIPIENTS, |_| {}).await;
    let (a, b) = approved_october(&app).await;
    let report = close(&app, "2026-10").await;
    let kinds: Vec<&str> = report.statements.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "client_timesheet",
            "client_timesheet",
            "assistant_pay",
            "assistant_pay",
            "municipality_summary"
        ]
    );
    // One mail for the whole close to each of the two recipients, and the first client's own
    // copy of their timesheet.
    assert_eq!(report.mails_queued, 3);
    assert_eq!(
        sheet(&app, a.client, "2026-10").await.state.as_str(),
        "closed"
    );

    // The CSV figures are the month sheets' figures.
    let timesheet = report
        .statements
        .iter()
        .find(|s| s.client_id == Some(a.client))
        .unwrap();
    let csv = file(&app, timesheet).await;
    assert!(csv.starts_with('\u{feff}'), "Excel needs the BOM");
    assert!(csv.contains("Izmantots, min;420;7,00\r\n"), "{csv}");
    assert!(
        csv.contains("20.10.2026;09:00;12:30;210;3,50;Algots darbs;Asistents ruta"),
        "{csv}"
    );
    assert!(csv.contains("Apstiprinājums;apstiprināja klients"), "{csv}");
    // The printable timesheet: its text has every Latvian letter and the totals.
    let pdf = timesheet
        .files
        .iter()
        .find(|f| f.name.ends_with(".pdf"))
        .expect("a PDF file");
    assert_eq!(pdf.mime, "application/pdf");
    let bytes = app
        .http
        .get(format!("{}{}", app.base, pdf.path))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    match pdf_text(&bytes) {
        Some(text) => {
            for word in [
                "Ņina Žūriņa-Ķēniņa Ģirta Čaļa",
                "Piešķirts mēnesī",
                "Izmantots",
                "420 min (7,00 h)",
                "Apstiprinājums",
                "20.10.2026",
                "Daugavpils pilsētas Sociālais dienests",
                "Lēmums:",
                "Pakalpojuma veids:",
                "Iesniedza:",
                "Izsniegts:",
                "Lapa 1 no 1",
            ] {
                assert!(text.contains(word), "{word} in the PDF text:\n{text}");
            }
        }
        None => skipped(
            "closing_a_month: the PDF's text",
            Skip::Missing,
            "pdftotext is not installed, so the PDF's text was not checked (apt-get install poppler-utils)",
        ),
    }
    let other = report
        .statements
        .iter()
        .find(|s| s.client_id == Some(b.client))
        .unwrap();
    assert!(
        file(&app, other)
            .await
            .contains("bez klienta apstiprinājuma: Klients slimnīcā, pārstāvja nav")
    );
    let summary = report
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    let csv = file(&app, summary).await;
    // 420 + 420 minutes; 7 h × 5.11 EUR = 35.77 EUR for each assistant, of which 28.94 EUR gross
    // (35.77 / 1.2359) and 6.83 EUR employer contributions.
    assert!(
        csv.contains("Kopā;;;;;;;;840;14,00;71,54;57,88;13,66;0,00\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(
            "Kopā pēc likmes 5,11 EUR/h no 01.04.2023;;;;;;;;840;14,00;71,54;57,88;13,66;0,00\r\n"
        ) && csv.contains(";140378-11234;01.04.2023;5,11;420;7,00;35,77;28,94;6,83;0,00\r\n")
            && csv.contains("Kā aprēķināts;"),
        "{csv}"
    );
    assert!(
        csv.contains("Klientu skaits;2\r\n") && csv.contains("Asistentu skaits;2\r\n"),
        "{csv}"
    );
    let pay = report
        .statements
        .iter()
        .find(|s| s.assistant_id == Some(a.assistant))
        .unwrap();
    assert_eq!(pay.summary["amount_cents"], 3577);
    assert_eq!(
        pay.summary["gross_cents"].as_i64().unwrap()
            + pay.summary["employer_cents"].as_i64().unwrap(),
        3577
    );

    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        3
    );
    let mails = sink.messages();
    assert_eq!(mails.len(), 3);
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| {
            m.data
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each mail has its own Message-ID");
    let to_service: Vec<_> = mails
        .iter()
        .filter(|m| m.to == ["socd@example.lv"])
        .collect();
    assert_eq!(to_service.len(), 1, "one mail per recipient per close");
    // It carries every statement's files: two timesheets, two pay statements, the summary.
    let attached = to_service[0]
        .data
        .matches("Content-Disposition: attachment")
        .count();
    let files: usize = report.statements.iter().map(|s| s.files.len()).sum();
    assert_eq!(attached, files, "{}", to_service[0].data);
    assert!(to_service[0].data.contains("uzskaites lapas"));
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to == ["janis@example.lv"])
            .count(),
        1
    );
    let to_client = mails.iter().find(|m| m.to == ["janis@example.lv"]).unwrap();
    assert!(
        to_client.data.contains("Content-Disposition: attachment")
            && to_client.data.contains(".csv"),
        "{}",
        to_client.data
    );
    assert!(to_client.data.contains("text/html") && to_client.data.contains("text/plain"));

    // Nothing is sent twice, and closing again generates nothing.
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    let again = close(&app, "2026-10").await;
    assert!(again.statements.is_empty());
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    assert_eq!(sink.messages().len(), 3);
    let outbox: Vec<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=sent")
        .await
        .json::<mobile_api::Page<OutboxRow>>()
        .items;
    assert_eq!(outbox.len(), 3);
    let page: mobile_api::Page<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=sent&offset=1&limit=1")
        .await
        .json();
    assert_eq!(
        (page.items.len(), page.total, page.items[0].id),
        (1, 3, outbox[1].id),
        "the outbox comes a page at a time"
    );
    app.get(&app.admin, "/api/v1/outbox?state=lost")
        .await
        .refused(422, "validation_failed");

    // A coordinator resends one on purpose: the same statement, once more.
    let row = outbox
        .iter()
        .find(|r| r.recipient == "janis@example.lv")
        .unwrap();
    let r = app
        .post(
            &app.admin,
            &format!("/api/v1/outbox/{}/resend", row.id),
            json!({}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        1
    );
    assert_eq!(sink.messages().len(), 4);
    let listed: mobile_api::Page<Statement> = app
        .get(&app.admin, "/api/v1/statements?month=2026-10")
        .await
        .json();
    assert_eq!((listed.items.len(), listed.total), (5, 5));
    // Paged: a page of two, the next page, and limits out of range refused.
    let first: mobile_api::Page<Statement> = app
        .get(&app.admin, "/api/v1/statements?month=2026-10&limit=2")
        .await
        .json();
    let last: mobile_api::Page<Statement> = app
        .get(
            &app.admin,
            "/api/v1/statements?month=2026-10&offset=4&limit=2",
        )
        .await
        .json();
    assert_eq!(
        (first.items.len(), first.total, first.offset, first.limit),
        (2, 5, 0, 2)
    );
    assert_eq!((last.items.len(), last.total), (1, 5));
    assert_eq!(first.items[0].id, listed.items[0].id);
    assert_eq!(last.items[0].id, listed.items[4].id);
    for bad in ["limit=0", "limit=501"] {
        app.get(&app.admin, &format!("/api/v1/statements?{bad}"))
            .await
            .refused(422, "validation_failed");
    }
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    app.get(&accountant, "/api/v1/statements?month=2026-10")
        .await
        .expect(200);
    app.get(&accountant, "/api/v1/outbox")
        .await
        .refused(403, "forbidden");
    app.post(&a.token, "/api/v1/months/2026-10/close", json!({}))
        .await
        .refused(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_mail_server_down_the_mail_waits_and_is_sent_once_when_it_is_back() {
    let port = SmtpSink::free_port();
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(SmtpSink::url(port));
        c.statement_recipients = vec!["socd@example.lv".into()];
    })
    .await;
    app.wage_override("2026-10").await;
    approved_october(&app).await;
    let report = close(&app, "2026-10").await;
    let queued = report.mails_queued as usize;
    assert_eq!(queued, 2, "one to the social service, one to the client");
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    let waiting: Vec<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=pending")
        .await
        .json::<mobile_api::Page<OutboxRow>>()
        .items;
    assert_eq!(waiting.len(), queued);
    assert!(
        waiting
            .iter()
            .all(|r| r.attempts == 1 && r.last_error.is_some())
    );
    // Not due yet: nothing is tried before the backoff.
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    let sink = SmtpSink::start_on(port);
    app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        queued
    );
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    assert_eq!(sink.messages().len(), queued, "each sent exactly once");
    println!(
        "faults: smtp outage: queued {queued}, delivered {}, duplicates 0, lost 0",
        sink.messages().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_mail_is_written_as_eml_files() {
    let dir =
        std::env::temp_dir().join(format!("asistents-mail-{}", uuid::Uuid::new_v4().simple()));
    let app = TestApp::spawn_with(|c| {
        c.mail_dir = dir.clone();
        c.statement_recipients = vec!["socd@example.lv".into()];
    })
    .await;
    app.wage_override("2026-10").await;
    approved_october(&app).await;
    app.close_month(&app.admin, "2026-10").await;
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        2
    );
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 2);
    for f in &files {
        let text = std::fs::read_to_string(f.path()).unwrap();
        assert!(
            text.contains("Subject: ")
                && text.contains("Message-ID: <")
                && text.contains("Content-Disposition: attachment"),
            "{text}"
        );
        assert!(
            text.contains("To: socd@example.lv") || text.contains("To: janis@example.lv"),
            "{text}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_service_processes_on_one_postgresql_send_each_mail_once() {
    let sink = SmtpSink::start();
    let configure = |c: &mut asistents::Config| {
        c.smtp_url = Some(SmtpSink::url(sink.port));
        c.statement_recipients = RECIPIENTS.map(str::to_owned).to_vec();
    };
    let first = TestApp::spawn_with(configure).await;
    first.wage_override("2026-10").await;
    if !asistents::db::is_postgres(&first.state.db) {
        skipped(
            "two_service_processes_on_one_postgresql_send_each_mail_once",
            Skip::OtherEngine,
            "an SQLite test database belongs to one process; the PostgreSQL pass runs it",
        );
        return;
    }
    let second = TestApp::spawn_on(first.database_url.clone(), configure).await;
    approved_october(&first).await;
    second.clock.set(first.clock.now());
    let report = first.close_month(&first.admin, "2026-10").await;
    let queued = report.mails_queued as usize;
    let mut sent = 0;
    // Three workers in each process at once, a few rounds.
    for _ in 0..3 {
        let (a, b, c, d, e, f) = tokio::join!(
            asistents::jobs::deliver_outbox(&first.state),
            asistents::jobs::deliver_outbox(&second.state),
            asistents::jobs::deliver_outbox(&first.state),
            asistents::jobs::deliver_outbox(&second.state),
            asistents::jobs::deliver_outbox(&first.state),
            asistents::jobs::deliver_outbox(&second.state),
        );
        sent += a.unwrap() + b.unwrap() + c.unwrap() + d.unwrap() + e.unwrap() + f.unwrap();
    }
    assert_eq!(sent, queued);
    assert_eq!(sink.messages().len(), queued, "no mail twice");
}

/// The PDF's text as `pdftotext` reads it, where the tool is installed; CI requires it.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("asistents-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("timesheet.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output();
    std::fs::remove_dir_all(&dir).ok();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) if std::env::var_os("CI").is_some() => panic!("pdftotext is required in CI"),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_month_is_closed_on_the_configured_day() {
    let app = TestApp::spawn_with(|c| {
        c.close_day = 10;
        c.statement_recipients = vec!["socd@example.lv".into()];
        c.mail_dir =
            std::env::temp_dir().join(format!("asistents-close-{}", uuid::Uuid::new_v4().simple()));
    })
    .await;
    app.wage_override("2026-10").await;
    let (a, _) = approved_october(&app).await;
    app.clock.set("2026-11-09T21:00:00Z".parse().unwrap());
    assert_eq!(
        asistents::jobs::close_due(&app.state).await.unwrap(),
        0,
        "9 November: not yet"
    );
    app.clock.set("2026-11-09T22:00:00Z".parse().unwrap());
    assert_eq!(
        asistents::jobs::close_due(&app.state).await.unwrap(),
        5,
        "midnight of the 10th in Riga"
    );
    assert_eq!(
        sheet(&app, a.client, "2026-10").await.state.as_str(),
        "closed"
    );
    assert_eq!(
        asistents::jobs::close_due(&app.state).await.unwrap(),
        0,
        "once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_after_close_are_amendments_reported_as_new_statement_versions() {
    let app = TestApp::spawn_with(|c| {
        c.statement_recipients = vec!["socd@example.lv".into()];
        c.mail_dir =
            std::env::temp_dir().join(format!("asistents-amend-{}", uuid::Uuid::new_v4().simple()));
    })
    .await;
    app.wage_override("2026-10").await;
    let (a, b) = approved_october(&app).await;
    let first = close(&app, "2026-10").await;
    let v1 = first
        .statements
        .iter()
        .find(|s| s.client_id == Some(a.client))
        .unwrap()
        .clone();
    let url = |c: uuid::Uuid| format!("/api/v1/clients/{c}/months/2026-10/amendments");

    // Only coordinators correct a closed month, and only a closed one.
    let mut add = session(
        a.client,
        "2026-10-26T09:00:00+02:00",
        "2026-10-26T11:00:00+02:00",
        "work",
    );
    add["assistant_id"] = json!(a.assistant);
    app.post(&a.token, &url(a.client), json!({"add": add}))
        .await
        .refused(403, "forbidden");
    let mut november = session(
        a.client,
        "2026-11-01T09:00:00+02:00",
        "2026-11-01T10:00:00+02:00",
        "work",
    );
    november["assistant_id"] = json!(a.assistant);
    let nov_url = format!("/api/v1/clients/{}/months/2026-11/amendments", a.client);
    app.post(&app.admin, &nov_url, json!({"add": november}))
        .await
        .refused(409, "month_state");
    // Ordinary writes stay locked.
    post(
        &app,
        &a.token,
        &session(
            a.client,
            "2026-10-27T09:00:00+02:00",
            "2026-10-27T10:00:00+02:00",
            "work",
        ),
    )
    .await
    .refused(409, "month_locked");

    let r = app
        .post(&app.admin, &url(a.client), json!({"add": add}))
        .await;
    r.expect(201);
    assert_eq!(
        (
            r.body["amendment"].as_str(),
            r.body["status"].as_str(),
            r.body["minutes"].as_i64()
        ),
        (Some("addition"), Some("active"), Some(120))
    );
    let victim = sheet(&app, b.client, "2026-10").await.entries[0].id;
    let r = app
        .post(
            &app.admin,
            &url(b.client),
            json!({"void": {"entry_id": victim, "reason": "Klients tajā dienā bija slimnīcā"}}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        (r.body["status"].as_str(), r.body["amendment"].as_str()),
        (Some("voided"), Some("void"))
    );
    assert_eq!(sheet(&app, a.client, "2026-10").await.used_minutes, 540);
    assert_eq!(sheet(&app, b.client, "2026-10").await.used_minutes, 210);

    // The next close reissues both clients' timesheets, and pay statements and a summary that
    // carry the differences, as corrections; the sent ones stay.
    let second = close(&app, "2026-10").await;
    let kinds: Vec<(&str, i32, bool)> = second
        .statements
        .iter()
        .map(|s| (s.kind.as_str(), s.version, s.is_correction))
        .collect();
    assert_eq!(
        kinds,
        [
            ("client_timesheet", 2, true),
            ("client_timesheet", 2, true),
            ("assistant_pay", 2, true),
            ("assistant_pay", 2, true),
            ("municipality_summary", 2, true)
        ]
    );
    // The pay statements carry only the differences against what was sent: +2 h for one
    // assistant, the voided 3.5 h taken back from the other.
    let mut paid: Vec<i64> = second
        .statements
        .iter()
        .filter(|s| s.kind == "assistant_pay")
        .map(|s| s.summary["amount_cents"].as_i64().unwrap())
        .collect();
    paid.sort();
    assert_eq!(paid, [-1788, 1022]);
    let v2 = second
        .statements
        .iter()
        .find(|s| s.client_id == Some(a.client))
        .unwrap();
    assert_eq!(v2.supersedes, Some(v1.id));
    // A correction never has the name of what it corrects, and each name says what it is.
    let (old, new) = (&v1.files[0].name, &v2.files[0].name);
    assert!(old.ends_with("-originals-v1.csv"), "{old}");
    assert_eq!(
        new.as_str(),
        old.replacen("-originals-v1.", "-labojums-v2.", 1).as_str(),
        "{old} → {new}"
    );
    assert!(file(&app, v2).await.contains("Izmantots, min;540;9,00"));
    assert!(
        file(&app, &v1).await.contains("Izmantots, min;420;7,00"),
        "the statement sent first is unchanged"
    );
    let summary = second
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    assert!(
        file(&app, summary)
            .await
            .contains("Korekcija;labojumi pēc slēgšanas"),
        "the summary says what was corrected"
    );
    assert_eq!(
        second.mails_queued, 2,
        "one to the social service, and the client's own copy of the corrected timesheet"
    );
    let third = close(&app, "2026-10").await;
    assert!(third.statements.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_close_carries_corrections_of_earlier_months_as_differences_against_what_was_sent()
{
    let (sink, app) = mailing_app(&["socd@example.lv"], |_| {}).await;
    app.wage_override("2026-11").await;
    let (a, b) = approved_october(&app).await;
    let first = close(&app, "2026-10").await;
    assert_eq!(first.statements.len(), 5);
    let pay_of = |r: &Closed, name: &str| {
        r.statements
            .iter()
            .find(|s| s.kind == "assistant_pay" && s.files[0].name.contains(name))
            .unwrap_or_else(|| panic!("no pay statement of {name}"))
            .clone()
    };
    // Each assistant was paid 420 minutes at 5.11 EUR: 35.77 EUR.
    assert_eq!(pay_of(&first, "ruta").summary["amount_cents"], 3577);
    // October's mail goes out; the corrections come later (a day later, on the clock).
    asistents::jobs::deliver_outbox(&app.state).await.unwrap();
    app.clock.advance(chrono::Duration::days(1));

    // October is corrected after it was sent: Ruta's client gets a session of 2 hours more,
    // one of Igors' sessions of 3.5 hours is voided.
    let url = |c: uuid::Uuid| format!("/api/v1/clients/{c}/months/2026-10/amendments");
    let mut add = session(
        a.client,
        "2026-10-26T09:00:00+02:00",
        "2026-10-26T11:00:00+02:00",
        "work",
    );
    add["assistant_id"] = json!(a.assistant);
    app.post(&app.admin, &url(a.client), json!({"add": add}))
        .await
        .expect(201);
    let victim = sheet(&app, b.client, "2026-10").await.entries[0].id;
    app.post(
        &app.admin,
        &url(b.client),
        json!({"void": {"entry_id": victim, "reason": "Klients tajā dienā bija slimnīcā"}}),
    )
    .await
    .expect(201);

    // November's close carries them: October's timesheets anew, November's pay statements and
    // summary with the differences only. Nothing sent before is touched.
    let november = close(&app, "2026-11").await;
    let kinds = kinds_of(&november);
    assert_eq!(
        kinds,
        [
            ("client_timesheet", "2026-10", 2, true),
            ("client_timesheet", "2026-10", 2, true),
            ("assistant_pay", "2026-11", 1, false),
            ("assistant_pay", "2026-11", 1, false),
            ("municipality_summary", "2026-11", 1, false)
        ]
    );
    // +120 minutes at 5.11 EUR = +10.22 EUR; the 210 minutes voided: 17.89 EUR paid for 210
    // minutes standing less 35.77 EUR sent = −17.88 EUR.
    let ruta = pay_of(&november, "ruta");
    assert_eq!(
        (
            &ruta.summary["amount_cents"],
            &ruta.summary["correction_cents"]
        ),
        (&json!(1022), &json!(1022))
    );
    let csv = file(&app, &ruta).await;
    assert!(
        csv.contains(";120;2,00;10,22;"),
        "Ruta's correction line:\n{csv}"
    );
    assert!(csv.contains("Izmaksāt kopā EUR;10,22"), "{csv}");
    let igors = pay_of(&november, "igors");
    assert_eq!(igors.summary["amount_cents"], -1788);
    let csv = file(&app, &igors).await;
    assert!(csv.contains(";-210;-3,50;-17,88;"), "{csv}");
    assert!(csv.contains("Izmaksāt kopā EUR;-17,88"), "{csv}");
    let summary = november
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    let csv = file(&app, summary).await;
    assert!(
        csv.lines()
            .any(|l| l.starts_with("Asistents ruta;") && l.ends_with(";2026-10")),
        "the correction's row names the month and the people:\n{csv}"
    );
    assert!(
        csv.contains("Labojumi kopā;;;;;;;;-90;-1,50;-7,66;"),
        "{csv}"
    );
    assert!(
        csv.contains("labojumi pēc slēgšanas: Ņina Žūriņa-Ķēniņa Ģirta Čaļa, 2026-10"),
        "named, not by id:\n{csv}"
    );
    // The accountants' mail as received says it carries corrections.
    let text = accountants_mail(&app, &sink).await;
    assert!(
        text.contains("Tajā ir arī labojumi par iepriekš nosūtīto"),
        "{text}"
    );
    // Carried once: October's close has nothing left to issue.
    let again = close(&app, "2026-10").await;
    assert!(again.statements.is_empty());

    // A rate recorded later for October's days (6.00 EUR from 15 October): only the pay
    // changed, so the clients get no timesheet again; the next close carries the difference
    // per rate period: each line sent at 5.11 EUR taken back, the same minutes at 6.00 EUR paid.
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "hourly_rate_cents", "effective_from": "2026-10-15", "value": 600,
               "source": "MK noteikumu grozījumi (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    let rate = close(&app, "2026-11").await;
    let kinds = kinds_of(&rate);
    assert_eq!(
        kinds,
        [
            ("assistant_pay", "2026-11", 2, true),
            ("assistant_pay", "2026-11", 2, true),
            ("municipality_summary", "2026-11", 2, true)
        ]
    );
    let csv = file(&app, &pay_of(&rate, "ruta")).await;
    // 540 minutes: 45.99 EUR sent at 5.11 EUR, 54.00 EUR at 6.00 EUR.
    assert!(csv.contains(";5,11;-540;-9,00;-45,99;"), "{csv}");
    assert!(csv.contains(";6,00;540;9,00;54,00;"), "{csv}");
    assert!(csv.contains("Izmaksāt kopā EUR;8,01"), "{csv}");
    let name = &pay_of(&rate, "ruta").files[0].name;
    assert!(name.ends_with("-2026-11-labojums-v2.csv"), "{name}");
    let csv = file(&app, &pay_of(&rate, "igors")).await;
    // 210 minutes: 17.89 EUR at 5.11 EUR, 21.00 EUR at 6.00 EUR.
    assert!(csv.contains("Izmaksāt kopā EUR;3,11"), "{csv}");
    let text = accountants_mail(&app, &sink).await;
    assert!(
        text.contains("Šī ir 2. versija, labojums: tajā ir tikai starpība pret iepriekš nosūtīto"),
        "{text}"
    );
    // A rate from 28 October, after every session of the month: nothing to pay differently, so
    // the next close issues nothing (no empty summary in the accountants' mail).
    app.post(
        &app.admin,
        "/api/v1/policy",
        json!({"key": "hourly_rate_cents", "effective_from": "2026-10-28", "value": 610,
               "source": "MK noteikumu grozījumi (pārbaudes dati)"}),
    )
    .await
    .expect(201);
    let nothing = close(&app, "2026-11").await;
    assert!(nothing.statements.is_empty(), "{:?}", kinds_of(&nothing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hospital_stay_reported_after_the_close_flags_the_closed_session_and_its_voiding_is_carried()
 {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.wage_override("2026-11").await;
    let (a, _) = approved_october(&app).await;
    app.close_month(&app.admin, "2026-10").await;
    // After the close the family reports a hospital stay on 21 October.
    app.post(
        &app.admin,
        &format!(
            "/api/v1/clients/{}/decisions/{}/suspensions",
            a.client, a.decision
        ),
        json!({"from": "2026-10-21", "to": "2026-10-21", "reason": "Stacionārs (paziņots pēc slēgšanas)"}),
    )
    .await
    .expect(201);
    let flagged: serde_json::Value = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?status=flagged&client_id={}", a.client),
        )
        .await
        .expect(200)
        .json();
    let flagged = flagged["items"].as_array().unwrap().clone();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0]["flag"]["code"], "service_suspended");
    assert_eq!(sheet(&app, a.client, "2026-10").await.used_minutes, 210);
    // Nothing is carried while the coordinator has not decided.
    let waiting = close(&app, "2026-11").await;
    assert!(waiting.statements.is_empty(), "{:?}", waiting.statements);
    // The coordinator voids it: the next close takes its 3.5 hours back (35.77 EUR were paid
    // for 420 minutes; the 210 left are worth 17.89 EUR).
    let id = flagged[0]["id"].as_str().unwrap();
    app.post(
        &app.admin,
        &format!("/api/v1/entries/{id}/flag"),
        json!({"resolution": "void", "reason": "Klients bija slimnīcā"}),
    )
    .await
    .expect(200);
    let carried = close(&app, "2026-11").await;
    let pay = correction_cents(&carried);
    assert_eq!(pay, [-1788]);
    assert!(
        carried
            .statements
            .iter()
            .any(|s| s.kind == "client_timesheet" && s.month == "2026-10" && s.is_correction),
        "the client's October timesheet anew"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insurance_status_changed_mid_month_splits_the_pay_at_the_day() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    let (a, _) = approved_october(&app).await;
    let url = format!("/api/v1/assistants/{}", a.assistant);
    // A day without a status is refused, in words.
    app.send(
        reqwest::Method::PATCH,
        Some(&app.admin),
        &url,
        Some(&json!({"insurance_from": "2026-10-21"})),
        None,
    )
    .await
    .refused(422, "validation_failed");
    // Ruta became an old-age pensioner on 21 October, between her two sessions.
    let r = app
        .send(
            reqwest::Method::PATCH,
            Some(&app.admin),
            &url,
            Some(&json!({"insurance_status": "old_age_pensioner", "insurance_from": "2026-10-21"})),
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["insurance_status"], "old_age_pensioner");
    let report = close(&app, "2026-10").await;
    let pay = report
        .statements
        .iter()
        .find(|s| s.kind == "assistant_pay" && s.files[0].name.contains("ruta"))
        .unwrap();
    let csv = file(&app, pay).await;
    assert!(
        csv.contains("apdrošināts darbinieks; no 21.10.2026: vecuma pensionārs")
            && csv.contains("23,59 %; no 21.10.2026: 20,77 %"),
        "{csv}"
    );
    // 210 minutes at 5.11 EUR each side of the day (17.89 EUR, each line rounded): 23.59 % on
    // the first, 20.77 % on the second.
    assert!(
        csv.contains(";01.04.2023;5,11;210;3,50;17,89;14,48;3,41"),
        "{csv}"
    );
    assert!(
        csv.contains(";21.10.2026;5,11;210;3,50;17,89;14,81;3,08"),
        "{csv}"
    );
    assert_eq!(pay.summary["amount_cents"], 3578);
    assert_eq!(pay.summary["gross_cents"], 1448 + 1481);
    let csv = summary_csv(&app, &report).await;
    assert!(
        csv.contains(";apdrošināts darbinieks;Ņina Žūriņa-Ķēniņa Ģirta Čaļa;")
            && csv.contains(";vecuma pensionārs;Ņina Žūriņa-Ķēniņa Ģirta Čaļa;"),
        "each row says the status of its days:\n{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_delivery_round_sends_all_the_mail_that_is_due_a_few_at_a_time() {
    let (sink, app) = mailing_app(&["socd@example.lv"], |_| {}).await;
    approved_october(&app).await;
    app.close_month(&app.admin, "2026-10").await;
    let first = asistents::jobs::deliver_outbox(&app.state).await.unwrap();
    assert_eq!(first, sink.messages().len());
    let sent = app
        .get(&app.admin, "/api/v1/outbox?state=sent")
        .await
        .json::<mobile_api::Page<OutboxRow>>()
        .items;
    // More than one claim's worth (50) due at once: one round sends them all, each once.
    for _ in 0..120 {
        app.post(
            &app.admin,
            &format!("/api/v1/outbox/{}/resend", sent[0].id),
            json!({}),
        )
        .await
        .expect(201);
    }
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        120
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), first + 120);
    let mut ids: Vec<String> = messages
        .iter()
        .filter_map(|m| {
            m.data
                .lines()
                .find(|l| l.starts_with("Message-ID:"))
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), first + 120, "each resend its own message, once");
    // A few at a time over connections kept open, each carrying many messages: four at a time,
    // and a connection handed back to the pool a moment late (or the service's own round,
    // running beside this one) may add a few, but never one a message.
    let (connections, received) = sink.counts();
    assert_eq!(received, first + 120);
    assert!(
        (1..=8).contains(&connections) && received >= 10 * connections,
        "{connections} connections for {received} messages"
    );
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_closed_before_lines_were_recorded_is_never_paid_twice() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.wage_override("2026-11").await;
    let (_, b) = approved_october(&app).await;
    app.close_month(&app.admin, "2026-10").await;
    // As a database closed by an earlier version has it: no line-by-line record.
    for sql in [
        "delete from reported_lines",
        "update month_sheets set lines_reported = false",
    ] {
        app.state.db.execute_unprepared(sql).await.unwrap();
    }
    let url = format!("/api/v1/clients/{}/months/2026-10/amendments", b.client);
    let victim = sheet(&app, b.client, "2026-10").await.entries[0].id;
    app.post(
        &app.admin,
        &url,
        json!({"void": {"entry_id": victim, "reason": "Slimnīcā"}}),
    )
    .await
    .expect(201);
    // No difference is carried (what was sent is not known line by line): the summary names the
    // month with its figures as they stand, and the timesheet is issued anew.
    let report = close(&app, "2026-11").await;
    assert_eq!(
        kinds_of(&report),
        [
            ("client_timesheet", "2026-10", 2, true),
            ("municipality_summary", "2026-11", 1, false)
        ]
    );
    let csv = summary_csv(&app, &report).await;
    assert!(
        csv.contains("Klients igors, 2026-10 — mēnesis slēgts, pirms sistēma uzskaitīja")
            && csv.contains("mēnesis tagad: 3,50 h, 17,89 EUR"),
        "{csv}"
    );
    assert!(!csv.contains("Labojumi kopā"), "{csv}");
    // From now on the month's lines are recorded: the next correction is an exact difference.
    let mut add = session(
        b.client,
        "2026-10-27T09:00:00+02:00",
        "2026-10-27T10:00:00+02:00",
        "work",
    );
    add["assistant_id"] = json!(b.assistant);
    app.post(&app.admin, &url, json!({"add": add}))
        .await
        .expect(201);
    let next = close(&app, "2026-11").await;
    let pay = correction_cents(&next);
    // 210 + 60 minutes at 5.11 EUR = 23.00 EUR against the 17.89 EUR recorded: +5.11 EUR.
    assert_eq!(pay, [511]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_undeliverable_past_the_configured_age_shows_as_failed() {
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(SmtpSink::url(SmtpSink::free_port()));
        c.statement_recipients = vec!["socd@example.lv".into()];
        c.mail_retry_hours = 1;
    })
    .await;
    app.wage_override("2026-10").await;
    approved_october(&app).await;
    app.close_month(&app.admin, "2026-10").await;
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0
    );
    let failed: Vec<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=failed")
        .await
        .json::<mobile_api::Page<OutboxRow>>()
        .items;
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .all(|r| r.attempts == 2 && r.last_error.is_some())
    );
    // A coordinator can queue one again on purpose (e.g. once the mail server is repaired).
    let r = app
        .post(
            &app.admin,
            &format!("/api/v1/outbox/{}/resend", failed[0].id),
            json!({}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["state"], "pending");
}

/// The bytes of a statement's file by name.
async fn file_bytes(app: &TestApp, s: &Statement, suffix: &str) -> Vec<u8> {
    let f = s
        .files
        .iter()
        .find(|f| f.name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} file in {:?}", s.files));
    let r = app
        .http
        .get(format!("{}{}", app.base, f.path))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert_eq!(
        f.size,
        bytes.len() as i64,
        "the listed size is the file's: {}",
        f.name
    );
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_trips_typed_as_formulas_reach_the_accountant_as_text() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let client_name = "=HYPERLINK(\"http://x.lv\",\"klikšķini\")";
    let assistant_name = "-2+3+cmd|' /C calc'!A0";
    let trip_from = "@SUM(1+1)*cmd|' /C calc'!A0";
    app.patch(
        &app.admin,
        &format!("/api/v1/clients/{}", s.client),
        json!({ "name": client_name }),
    )
    .await
    .expect(200);
    app.patch(
        &app.admin,
        &format!("/api/v1/assistants/{}", s.assistant),
        json!({ "name": assistant_name }),
    )
    .await
    .expect(200);
    let mut body = session(
        s.client,
        "2026-10-20T09:00:00+03:00",
        "2026-10-20T12:00:00+03:00",
        "work",
    );
    body["trips"] = json!([{"mode": "taxi", "from": trip_from, "to": "Darbs", "distance_km": 3.0, "cost_cents": 120}]);
    post(&app, &s.token, &body).await.expect(201);
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/approve", s.client),
        json!({"reason": "pārbaude"}),
    )
    .await
    .expect(200);
    let report = close(&app, "2026-10").await;
    let of = |kind: &str| {
        report
            .statements
            .iter()
            .find(|s| s.kind == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
            .clone()
    };
    let timesheet =
        String::from_utf8(file_bytes(&app, &of("client_timesheet"), ".csv").await).unwrap();
    let cells: Vec<&str> = timesheet.lines().flat_map(|l| l.split(';')).collect();
    // Every cell that held a formula now starts with an apostrophe (inside the quotes a `;` or a
    // quote needs), and none starts with a formula's first character.
    for cell in &cells {
        let text = cell.trim_start_matches('\u{feff}').trim_start_matches('"');
        assert!(
            !text.starts_with(['=', '+', '@']),
            "a live formula in the timesheet: {cell}"
        );
    }
    assert!(timesheet.contains("\"'=HYPERLINK(\"\"http://x.lv\"\",\"\"klikšķini\"\")\""));
    assert!(timesheet.contains(&format!("'{assistant_name}")));
    assert!(timesheet.contains(&format!("'{trip_from} → Darbs")));
    let pay = String::from_utf8(file_bytes(&app, &of("assistant_pay"), ".csv").await).unwrap();
    assert!(pay.contains(&format!("'{assistant_name}")), "{pay}");
    assert!(!pay.contains(&format!(";{assistant_name}")), "{pay}");
    let summary =
        String::from_utf8(file_bytes(&app, &of("municipality_summary"), ".csv").await).unwrap();
    assert!(summary.contains(&format!("'{assistant_name}")), "{summary}");

    // In the workbooks the names are text cells, never formulas.
    use calamine::Reader;
    for (statement, suffix) in [
        (of("assistant_pay"), ".xlsx"),
        (of("municipality_summary"), ".xlsx"),
    ] {
        let bytes = file_bytes(&app, &statement, suffix).await;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        for sheet in book.sheet_names() {
            let formulas = book.worksheet_formula(&sheet).unwrap();
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "a formula in {sheet}"
            );
            let values = book.worksheet_range(&sheet).unwrap();
            let texts: Vec<String> = values
                .used_cells()
                .filter_map(|(_, _, v)| match v {
                    calamine::Data::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            assert!(
                texts.iter().any(|t| t == assistant_name),
                "the assistant's name as text in {sheet}: {texts:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_with_line_breaks_or_reordering_are_refused_and_stored_ones_still_download() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    let (a, _) = approved_october(&app).await;
    // Single-line fields refuse line breaks and characters that reorder text, naming the field.
    for bad in ["Jānis\nBērziņš", "Jānis\u{202e}vsc.exe", "Jānis\tBērziņš"] {
        let r = app
            .patch(
                &app.admin,
                &format!("/api/v1/clients/{}", a.client),
                json!({ "name": bad }),
            )
            .await;
        r.refused(422, "validation_failed");
        assert_eq!(r.body["error"]["details"]["field"], "name", "{bad:?}");
    }
    let mut body = session(
        a.client,
        "2026-11-01T09:00:00+02:00",
        "2026-11-01T10:00:00+02:00",
        "work",
    );
    body["place"] = json!("Rīga\u{2066}x");
    let r = post(&app, &a.token, &body).await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "place");
    // A note may still have several lines.
    body["place"] = json!("Rīga");
    body["note"] = json!("Pirmā rinda\notrā rinda");
    post(&app, &a.token, &body).await.expect(201);

    // A file stored under a name from before these checks still downloads, with a header that
    // names it exactly and safely, and is not cached.
    let report = close(&app, "2026-10").await;
    let statement = report
        .statements
        .iter()
        .find(|s| s.kind == "client_timesheet")
        .unwrap();
    let old = &statement.files[0].name;
    let stored = "uzskaites\"lapa\n\u{202e}vsc.csv";
    {
        use asistents::db::entity::statement_files;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        statement_files::Entity::update_many()
            .col_expr(statement_files::Column::Name, Expr::value(stored))
            .filter(statement_files::Column::StatementId.eq(statement.id))
            .filter(statement_files::Column::Name.eq(old.as_str()))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let url = reqwest::Url::parse(&format!(
        "{}/api/v1/statements/{}/files/",
        app.base, statement.id
    ))
    .unwrap()
    .join(&stored.replace('"', "%22").replace('\n', "%0A"))
    .unwrap();
    let r = app
        .http
        .get(url)
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"uzskaites_lapa__vsc.csv\"; \
         filename*=UTF-8''uzskaites%22lapa%0A%E2%80%AEvsc.csv"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.text().await.unwrap().contains("Klients"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_claimed_by_a_process_that_died_is_sent_two_minutes_later_with_the_same_message_id() {
    let (sink, app) = mailing_app(&["socd@example.lv"], |_| {}).await;
    approved_october(&app).await;
    let report = close(&app, "2026-10").await;
    let queued = report.mails_queued as usize;
    // Another process claims every row and dies before sending (as under kill -9).
    let now = app.clock.now();
    let claimed = asistents::db::statements::claim_due(
        &app.state.db,
        now,
        chrono::Duration::minutes(2),
        500,
        "another-host/0.0.0.0:8080",
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), queued);
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        0,
        "claimed rows wait for their claim to run out"
    );
    app.clock.advance(chrono::Duration::seconds(121));
    assert_eq!(
        asistents::jobs::deliver_outbox(&app.state).await.unwrap(),
        queued
    );
    let rows: Vec<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=sent")
        .await
        .json::<mobile_api::Page<OutboxRow>>()
        .items;
    assert_eq!(rows.len(), queued);
    for r in &rows {
        let claimed = claimed.iter().find(|c| c.id == r.id).unwrap();
        assert_eq!(
            r.message_id, claimed.message_id,
            "the same Message-ID on the retry"
        );
    }
    assert_eq!(sink.messages().len(), queued);
}

/// A process killed while sending gives back its own claims as it starts again: that mail goes
/// out at once, not when the lease runs out. Another process's claim is left to run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_process_sends_the_mail_it_had_claimed_at_once() {
    let sink = SmtpSink::start();
    let url = crate::helpers::file_database_url("claims").await;
    let configure = |c: &mut asistents::config::Config| {
        c.smtp_url = Some(SmtpSink::url(sink.port));
        c.statement_recipients = vec!["socd@example.lv".into()];
        c.instance = Some("app-1".into());
    };
    let app = TestApp::spawn_on(url.clone(), configure).await;
    app.wage_override("2026-10").await;
    approved_october(&app).await;
    let report = close(&app, "2026-10").await;
    let queued = report.mails_queued as usize;
    assert!(queued >= 2, "{queued}");
    // The processes below run at the time a restarted one starts with.
    app.clock.set(crate::helpers::test_now());
    let (db, now) = (&app.state.db, app.clock.now());
    let lease = chrono::Duration::minutes(2);
    // Another process holds one row; this one ("app-1") claims the rest and is killed.
    let theirs = asistents::db::statements::claim_due(db, now, lease, 1, "app-2")
        .await
        .unwrap();
    let ours = asistents::db::statements::claim_due(db, now, lease, 500, "app-1")
        .await
        .unwrap();
    assert_eq!((theirs.len(), ours.len()), (1, queued - 1));
    drop(app);

    let again = TestApp::spawn_on(url, configure).await;
    assert_eq!(
        asistents::jobs::deliver_outbox(&again.state).await.unwrap(),
        queued - 1,
        "its own claims are due at once"
    );
    again.clock.advance(chrono::Duration::seconds(121));
    assert_eq!(
        asistents::jobs::deliver_outbox(&again.state).await.unwrap(),
        1,
        "the other process's claim, once it ran out"
    );
    assert_eq!(sink.messages().len(), queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_answers_at_once_with_a_job_that_ends_with_what_it_made() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    let (a, _) = approved_october(&app).await;
    let r = app
        .post(&app.admin, "/api/v1/months/2026-10/close", json!({}))
        .await;
    r.expect(202);
    let job: CloseJob = r.json();
    assert_eq!(job.month, "2026-10");
    assert!(job.error.is_none(), "{}", r.text);
    // Staff and accountants follow it; a phone's user does not; an unknown one is not found.
    let accountant = app.user("gramatvede", "accountant", json!({})).await.1;
    let done = app.wait_for(&accountant, job.id).await;
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert!(done.started_at.is_some() && done.finished_at >= done.started_at);
    assert_eq!(
        done.statements, 5,
        "2 timesheets, 2 pay statements, 1 summary"
    );
    let outbox: mobile_api::Page<OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox")
        .await
        .expect(200)
        .json();
    assert_eq!(done.mails_queued as u64, outbox.total);
    app.get(&a.token, &format!("/api/v1/close-jobs/{}", job.id))
        .await
        .refused(403, "forbidden");
    app.get(
        &app.admin,
        &format!("/api/v1/close-jobs/{}", uuid::Uuid::new_v4()),
    )
    .await
    .refused(404, "not_found");
    // What it made is listed by the job, and it is what the month has.
    let made: mobile_api::Page<Statement> = app
        .get(&accountant, &format!("/api/v1/statements?close={}", job.id))
        .await
        .expect(200)
        .json();
    let month: mobile_api::Page<Statement> = app
        .get(&accountant, "/api/v1/statements?month=2026-10")
        .await
        .expect(200)
        .json();
    assert_eq!(made.total, 5);
    assert_eq!(made.items, month.items);
    app.get(
        &accountant,
        &format!("/api/v1/statements?close={}", uuid::Uuid::new_v4()),
    )
    .await
    .refused(404, "not_found");
    // Run again: a new job, which makes nothing and lists nothing.
    app.clock.advance(chrono::Duration::minutes(1));
    let again = app.close_month(&app.admin, "2026-10").await;
    assert_ne!(again.job.id, job.id);
    assert_eq!((again.job.statements, again.statements.len()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_left_by_a_process_that_died_is_taken_over_once_its_lease_runs_out() {
    use asistents::service::close_jobs;
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    approved_october(&app).await;
    // A process recorded the job and took it, then died before it finished (its close's
    // transaction rolled back with it).
    let job = close_jobs::enqueue(
        &app.state,
        asistents::domain::time::Month::parse("2026-10").unwrap(),
        None,
    )
    .await
    .unwrap();
    let lease = chrono::Duration::minutes(15);
    let stale =
        asistents::db::jobs::claim(&app.state.db, job.id, app.clock.now(), lease, "gone:8080")
            .await
            .unwrap()
            .expect("the dead process had it");
    // A second request meanwhile gets that job, not a second close.
    let r = app
        .post(&app.admin, "/api/v1/months/2026-10/close", json!({}))
        .await;
    r.expect(202);
    assert_eq!(r.json::<CloseJob>().id, job.id);
    // While its lease runs, no other worker takes it.
    assert_eq!(close_jobs::run_due(&app.state).await.unwrap(), 0);
    let seen = app.job_in_state(&job.id, JobState::Running).await;
    assert_eq!(seen.statements, 0);
    // Once it has run out, the next round of any process closes the month, once.
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(close_jobs::run_due(&app.state).await.unwrap(), 1);
    assert_eq!(close_jobs::run_due(&app.state).await.unwrap(), 0);
    let done = app.wait_for(&app.admin, job.id).await;
    assert_eq!((done.state, done.statements), (JobState::Done, 5));
    let month: mobile_api::Page<Statement> = app
        .get(&app.admin, "/api/v1/statements?month=2026-10")
        .await
        .expect(200)
        .json();
    assert_eq!(month.total, 5, "made once");
    // Had the first process only been slow, its late word does not overwrite the outcome.
    let after = asistents::db::jobs::finish(
        &app.state.db,
        stale,
        asistents::db::jobs::Outcome::Failed {
            code: "internal".into(),
            details: "{}".into(),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!((*after.state, after.statements), (JobState::Done, 5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_that_fails_in_the_background_says_why_in_the_callers_language_and_writes_nothing()
{
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    let (a, _) = approved_october(&app).await;
    // Queued while an admin's reason stood; the reason is gone by the time a worker runs it.
    let job = asistents::service::close_jobs::enqueue(
        &app.state,
        asistents::domain::time::Month::parse("2026-10").unwrap(),
        None,
    )
    .await
    .unwrap();
    app.state
        .db
        .execute_unprepared("delete from wage_overrides")
        .await
        .unwrap();
    let ended = asistents::service::close_jobs::run(&app.state, job.id)
        .await
        .unwrap()
        .expect("it ran");
    assert_eq!(ended.state, JobState::Failed);
    let r = app
        .send(
            reqwest::Method::GET,
            Some(&app.admin),
            &format!("/api/v1/close-jobs/{}", job.id),
            None,
            Some("en"),
        )
        .await;
    let seen: CloseJob = r.json();
    let error = seen.error.expect("why");
    assert_eq!(error.code.as_str(), "rate_below_minimum_wage");
    assert!(
        error.message.contains("5.11 EUR") || error.message.contains("5,11 EUR"),
        "{}",
        error.message
    );
    assert!(
        error.message.to_lowercase().contains("minimum"),
        "{}",
        error.message
    );
    // Nothing of it was written: the month is still approved, with no statements.
    assert_eq!(
        sheet(&app, a.client, "2026-10").await.state.as_str(),
        "approved"
    );
    let month: mobile_api::Page<Statement> = app
        .get(&app.admin, "/api/v1/statements?month=2026-10")
        .await
        .expect(200)
        .json();
    assert_eq!(month.total, 0);
    // A job that failed is not retried by itself; the coordinator's next request is a new job.
    assert_eq!(
        asistents::service::close_jobs::run_due(&app.state)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_too_large_for_one_mail_sends_the_accountants_its_summary_and_says_where_the_rest_are()
 {
    // As a whole country's close is for the usual 15 MB: every file does not fit.
    let (sink, app) = mailing_app(&RECIPIENTS, |c| c.mail_digest_max_mb = 0).await;
    approved_october(&app).await;
    let report = close(&app, "2026-10").await;
    let summary = report
        .statements
        .iter()
        .find(|s| s.kind == "municipality_summary")
        .unwrap();
    let mail = accountants_mail(&app, &sink).await;
    let attached: Vec<&str> = mail
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("filename*0=\""))
        .map(|n| n.trim_end_matches(['"', ';']))
        .collect();
    let mut expected: Vec<&str> = summary.files.iter().map(|f| f.name.as_str()).collect();
    expected.sort_unstable();
    let mut got = attached.clone();
    got.sort_unstable();
    assert_eq!(got, expected, "only the summary's files: {mail}");
    assert!(
        mail.contains("vienai e-pasta vēstulei ir par lielu")
            && mail.contains("sadaļā “Pārskati”, mēnesim 2026-10"),
        "{mail}"
    );
    // Every statement is still there to download.
    assert_eq!(report.statements.len(), 5);
}
