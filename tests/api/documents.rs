//! The statement files as their readers get them: the workbooks opened by LibreOffice (as an
//! accountant's Excel would), printed to PDF with the totals on the first page; the timesheet PDF
//! read back as text and rendered to pictures. The files and pictures stay in
//! `target/documents/` to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use asistents::domain::statements::{self as docs, Line, SummaryRow, Timesheet};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::helpers::{Skip, skipped};

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

/// The first page's text of a PDF.
fn first_page(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn all_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Forty sessions of one assistant for one client in March 2023, across the rate change of
/// 1 April (the last one ends after midnight), each with a long purpose name.
fn lines() -> Vec<Line> {
    let start: DateTime<Utc> = "2023-03-01T07:00:00Z".parse().unwrap();
    (0..40)
        .map(|i| {
            let s = start + Duration::hours(18 * i);
            Line {
                entry_id: Uuid::from_u128(1000 + i as u128),
                assistant_id: Uuid::from_u128(1),
                assistant: "Ruta Bērziņa-Ozoliņa".into(),
                client_id: Uuid::from_u128(9),
                client: "Anna Liepa".into(),
                client_code: Some("010190-10006".into()),
                purpose: if i % 2 == 0 { "day_centre" } else { "work" }.into(),
                start: s,
                end: s + Duration::minutes(150),
                minutes: 150,
                trips: if i % 3 == 0 {
                    vec!["Mājas, Rīgas iela 12 → Dienas centrs “Saulstari”, Vienības iela 5 (7,4 km)".into()]
                } else {
                    vec![]
                },
                trip_cents: if i % 3 == 0 { 260 } else { 0 },
            }
        })
        .collect()
}

fn label(code: &str) -> String {
    match code {
        "day_centre" => {
            "Dienas aprūpes centra, darbnīcas vai sociālās rehabilitācijas pakalpojumu apmeklēšana"
                .into()
        }
        _ => "Algots darbs".into(),
    }
}

#[test]
fn the_workbooks_open_in_libreoffice_and_print_their_totals_on_the_first_page() {
    let dir = out_dir();
    let rates = [
        ("2023-01-01".parse().unwrap(), 479),
        ("2023-04-01".parse().unwrap(), 511),
    ];
    let pay = docs::pay(&lines(), &rates, 2359);
    let payee = docs::Payee {
        name: "Ruta Bērziņa-Ozoliņa".into(),
        personal_code: Some("120377-12002".into()),
        iban: Some("LV80BANK0000435195001".into()),
        insurance: "apdrošināts darbinieks".into(),
        contribution_bp: 2359,
        changes: Vec::new(),
    };
    let clients = [(
        Uuid::from_u128(9),
        "Anna Liepa".to_owned(),
        Some("010190-10006".to_owned()),
    )];
    // A correction of February carried in March: a session taken back.
    let fixes = docs::correction_rows(
        &[docs::Reported {
            month: "2023-02".into(),
            assistant_id: Uuid::from_u128(1),
            client_id: Uuid::from_u128(9),
            rate_from: "2023-01-01".parse().unwrap(),
            rate_cents: 479,
            minutes: -90,
            amount_cents: -719,
            trip_cents: -350,
        }],
        &payee,
        |_| ("Anna Liepa".into(), "010190-10006".into()),
    );
    let pay_xlsx =
        asistents::documents::pay_xlsx(&payee, "2023-03", (&pay, &fixes), &clients).unwrap();
    // Thirty assistant × client rows: more than one printed page is tall.
    let rows: Vec<SummaryRow> = (0..30)
        .map(|i| {
            let amount = 4000 + i * 37;
            let (gross, employer) = asistents::domain::pay::split_gross(amount, 2359);
            SummaryRow {
                month: "2023-03".into(),
                assistant_id: Uuid::from_u128(i as u128),
                assistant: format!("Asistents Nr. {i}"),
                assistant_code: format!("1203{:02}-12002", i % 100),
                iban: "LV80BANK0000435195001".into(),
                insurance: "apdrošināts darbinieks".into(),
                client_id: Uuid::from_u128(500 + i as u128),
                client: format!("Klients Nr. {i}"),
                client_code: "010190-10006".into(),
                rate_from: "2023-01-01".parse().unwrap(),
                rate_cents: 479,
                minutes: 500 + i,
                amount_cents: amount,
                gross_cents: gross,
                employer_cents: employer,
                trip_cents: 0,
            }
        })
        .collect();
    let summary_xlsx = asistents::documents::summary_xlsx(
        "2023-03",
        "Daugavpils pilsētas Sociālais dienests",
        (&rows, &fixes),
        &[2359],
    )
    .unwrap();
    let (pay_path, summary_path) = (dir.join("pay.xlsx"), dir.join("summary.xlsx"));
    std::fs::write(&pay_path, &pay_xlsx).unwrap();
    std::fs::write(&summary_path, &summary_xlsx).unwrap();
    if !tool("soffice") || !tool("pdftotext") {
        skipped(
            "the_workbooks_open_in_libreoffice…",
            Skip::Missing,
            "LibreOffice or pdftotext is not installed (apt-get install libreoffice-calc-nogui poppler-utils)",
        );
        return;
    }
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&pay_path)
        .arg(&summary_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The totals print on the first page, beside their labels, with every column on it.
    let pay_page = first_page(&dir.join("pay.pdf"));
    for word in [
        "120377-12002",
        "LV80BANK0000435195001",
        "Bruto alga EUR",
        "Darba devēja iemaksas EUR",
        "Kopā",
        "2023-02",
        "Izmaksāt kopā EUR",
    ] {
        assert!(pay_page.contains(word), "{word} on page 1:\n{pay_page}");
    }
    // The correction prints with its sign, and what to pay in all is the month less it.
    let payable = pay.amount_cents - 719;
    for figure in [
        "-7.19".to_owned(),
        format!("{}.{:02}", payable / 100, payable % 100),
    ] {
        assert!(
            pay_page.contains(&figure) || pay_page.contains(&figure.replace('.', ",")),
            "{figure} on page 1:\n{pay_page}"
        );
    }
    let total = pay.amount_cents;
    // Under 1,000 euro: no thousands separator, whichever the converting locale uses.
    assert!(total < 100_000);
    let euros = format!("{}.{:02}", total / 100, total % 100);
    assert!(
        pay_page.contains(&euros) || pay_page.contains(&euros.replace('.', ",")),
        "{euros} on page 1:\n{pay_page}"
    );
    let summary_page = first_page(&dir.join("summary.pdf"));
    for word in ["Asistents Nr. 0", "Kopā", "Darba devēja", "Transports"] {
        assert!(
            summary_page.contains(word),
            "{word} on page 1:\n{summary_page}"
        );
    }
    // A summary longer than a page repeats its header row on every printed page.
    let long: Vec<SummaryRow> = (0..4).flat_map(|_| rows.clone()).collect();
    let long_path = dir.join("summary-long.xlsx");
    std::fs::write(
        &long_path,
        asistents::documents::summary_xlsx("2023-03", "Daugavpils", (&long, &[]), &[2359]).unwrap(),
    )
    .unwrap();
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&long_path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let whole = all_text(&dir.join("summary-long.pdf"));
    let pages = whole.matches('\u{c}').count();
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(whole.matches("Asistenta").count(), pages, "{whole}");
}

#[test]
fn the_timesheet_pdf_is_the_paper_form_with_nothing_cut_off() {
    let dir = out_dir();
    let reason = "Klients atrodas slimnīcā no 28. marta, viņa pārstāve ir ārzemēs līdz aprīļa \
                  vidum; sociālais darbinieks pārbaudīja asistenta ierakstus ar dienas centra \
                  apmeklējuma žurnālu un klienta ģimenes ārsta izrakstu, un visi sakrīt.";
    let t = Timesheet {
        municipality: "Daugavpils pilsētas Sociālais dienests".into(),
        client: "Anna Liepa".into(),
        month: "2023-03".into(),
        decision: "Nr. SD/2022/114, 15.12.2022".into(),
        service: "Asistenta pakalpojums".into(),
        submitted: "Ruta Bērziņa-Ozoliņa, 01.04.2023 18:02".into(),
        issued: "05.04.2023".into(),
        allowance_minutes: 9600,
        used_minutes: 6000,
        transport_cap_cents: 5000,
        transport_used_cents: 3640,
        confirmation: format!(
            "apstiprināja sociālais dienests bez klienta apstiprinājuma: {reason}"
        ),
        disputes: vec![],
        lines: lines(),
    };
    let pdf = asistents::documents::timesheet_pdf(&t, label).unwrap();
    let path = dir.join("timesheet.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if !tool("pdftotext") || !tool("pdftoppm") {
        skipped(
            "the_timesheet_pdf_is_the_paper_form…",
            Skip::Missing,
            "pdftotext or pdftoppm is not installed (apt-get install poppler-utils)",
        );
        return;
    }
    let text = all_text(&path);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "Daugavpils pilsētas Sociālais dienests",
        "Asistenta pakalpojuma uzskaites lapa",
        "Nr. SD/2022/114, 15.12.2022",
        "Asistenta pakalpojums",
        "Ruta Bērziņa-Ozoliņa, 01.04.2023 18:02",
        "Izsniegts: 05.04.2023",
        "Klients vai pārstāvis:",
        "Lapa 1 no 3",
        "Lapa 3 no 3",
        "(7,4 km)",
        // The long purpose and the approval's reason, whole, wrapped over lines.
        "Dienas aprūpes centra, darbnīcas vai sociālās rehabilitācijas pakalpojumu apmeklēšana",
        "un klienta ģimenes ārsta izrakstu, un visi sakrīt.",
    ] {
        assert!(flat.contains(words), "{words} in the PDF:\n{text}");
    }
    assert!(!flat.contains('…'), "nothing is cut off:\n{text}");
    // The table's header row starts each page the sessions run on to.
    assert_eq!(flat.matches("Atbalsta mērķis").count(), 3, "{text}");
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&path)
        .arg(dir.join("timesheet"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.join("timesheet-1.png").exists());
}
