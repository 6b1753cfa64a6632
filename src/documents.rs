//! Statement files beyond CSV: XLSX workbooks for accountants (numbers as numbers, so they sum
//! and import), and the printable PDF of a client timesheet.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use uuid::Uuid;

use crate::domain::statements::{
    CORRECTIONS_TITLE, PAY_HEADER, PAYABLE_LABELS, Pay, Payee, SUMMARY_HEADER, SummaryRow, Totals,
    correction_header, derivation, head_count, pay_correction_header, payable, totals,
};

fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

struct Formats {
    bold: Format,
    head: Format,
    money: Format,
    money_bold: Format,
    hours: Format,
    number_bold: Format,
    note: Format,
}

fn formats() -> Formats {
    // Euro as accountants write it in Latvia: `1 234,56 €` (the separators follow the reader's
    // locale; the number stays a number).
    let euro = "#,##0.00\\ \"€\"";
    Formats {
        bold: Format::new().set_bold(),
        head: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_border_bottom(FormatBorder::Medium),
        money: Format::new().set_num_format(euro),
        money_bold: Format::new().set_num_format(euro).set_bold(),
        hours: Format::new().set_num_format("0.00"),
        number_bold: Format::new().set_bold(),
        note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// Print set-up: A4 landscape, every column on one page's width, the header row repeated on
/// each page, the title at the top and "page N of M" at the bottom.
fn print_setup(ws: &mut Worksheet, title: &str, header_row: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.set_header(format!("&L{}", title.replace('&', "&&")));
    ws.set_footer("&CLapa &P no &N");
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    Ok(())
}

/// A long note across `columns` columns, tall enough for its words.
fn note(
    ws: &mut Worksheet,
    row: u32,
    columns: u16,
    text: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.merge_range(row, 0, row, columns - 1, text, &f.note)?;
    ws.set_row_height(row, 15.0 * (text.chars().count() / 150 + 1) as f64)?;
    Ok(())
}

/// The corrections' title at row `r` and their header row under it; the row after them.
fn corrections_heading(
    ws: &mut Worksheet,
    r: u32,
    header: &[&str],
    f: &Formats,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(r, 0, CORRECTIONS_TITLE, &f.bold)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(r + 1, c as u16, *h, &f.head)?;
    }
    ws.set_row_height(r + 1, 45)?;
    Ok(r + 2)
}

/// The municipality summary as a workbook: one row per assistant × client × rate period with who
/// they are as payroll knows them, then the totals, the totals per rate period, the head counts
/// and how the amounts are derived.
pub fn summary_xlsx(
    month: &str,
    municipality: &str,
    (rows, carried): (&[SummaryRow], &[SummaryRow]),
    bps: &[i64],
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Kopsavilkums")?;
    print_setup(ws, &format!("{municipality}: kopsavilkums {month}"), 3)?;
    ws.write_string_with_format(0, 0, "Pašvaldība", &f.bold)?;
    ws.write_string(0, 1, municipality)?;
    ws.write_string_with_format(1, 0, "Mēnesis", &f.bold)?;
    ws.write_string(1, 1, month)?;
    for (c, h) in SUMMARY_HEADER.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &f.head)?;
    }
    let write_row = |ws: &mut Worksheet, r: u32, row: &SummaryRow| {
        ws.write_string(r, 0, &row.assistant)?;
        ws.write_string(r, 1, &row.assistant_code)?;
        ws.write_string(r, 2, &row.iban)?;
        ws.write_string(r, 3, &row.insurance)?;
        ws.write_string(r, 4, &row.client)?;
        ws.write_string(r, 5, &row.client_code)?;
        ws.write_string(r, 6, row.rate_from.format("%d.%m.%Y").to_string())?;
        ws.write_number_with_format(r, 7, money(row.rate_cents), &f.money)?;
        ws.write_number(r, 8, row.minutes as f64)?;
        ws.write_number_with_format(r, 9, hours(row.minutes), &f.hours)?;
        ws.write_number_with_format(r, 10, money(row.amount_cents), &f.money)?;
        ws.write_number_with_format(r, 11, money(row.gross_cents), &f.money)?;
        ws.write_number_with_format(r, 12, money(row.employer_cents), &f.money)?;
        ws.write_number_with_format(r, 13, money(row.trip_cents), &f.money)?;
        Ok::<(), XlsxError>(())
    };
    let mut r = 4;
    for row in rows {
        write_row(ws, r, row)?;
        r += 1;
    }
    let (all, by_rate) = totals(rows);
    let total = |ws: &mut Worksheet, r: u32, label: &str, t: &Totals| {
        ws.write_string_with_format(r, 0, label, &f.bold)?;
        ws.write_number_with_format(r, 8, t.minutes as f64, &f.number_bold)?;
        ws.write_number_with_format(r, 9, hours(t.minutes), &f.hours)?;
        ws.write_number_with_format(r, 10, money(t.amount_cents), &f.money_bold)?;
        ws.write_number_with_format(r, 11, money(t.gross_cents), &f.money_bold)?;
        ws.write_number_with_format(r, 12, money(t.employer_cents), &f.money_bold)?;
        ws.write_number_with_format(r, 13, money(t.trip_cents), &f.money_bold)?;
        Ok::<(), XlsxError>(())
    };
    total(ws, r, "Kopā", &all)?;
    r += 2;
    for ((from, rate), t) in &by_rate {
        let label = format!(
            "Kopā pēc likmes {} EUR/h no {}",
            crate::domain::statements::euros(*rate),
            from.format("%d.%m.%Y")
        );
        total(ws, r, &label, t)?;
        r += 1;
    }
    if !carried.is_empty() {
        r = corrections_heading(ws, r + 1, &correction_header(), &f)?;
        for row in carried {
            write_row(ws, r, row)?;
            ws.write_string(r, 14, &row.month)?;
            r += 1;
        }
        let (fixes, _) = totals(carried);
        total(ws, r, "Labojumi kopā", &fixes)?;
        let mut to_pay = all.clone();
        to_pay.add_all(&fixes);
        total(ws, r + 1, "Izmaksāt kopā: šis mēnesis un labojumi", &to_pay)?;
        r += 2;
    }
    let (clients, assistants) = head_count(rows);
    r += 1;
    ws.write_string_with_format(r, 0, "Klientu skaits", &f.bold)?;
    ws.write_number(r, 1, clients as f64)?;
    ws.write_string_with_format(r + 1, 0, "Asistentu skaits", &f.bold)?;
    ws.write_number(r + 1, 1, assistants as f64)?;
    note(ws, r + 3, 14, &derivation(bps), &f)?;
    for (c, w) in [22, 14, 24, 22, 22, 14, 11, 9, 9, 9, 12, 12, 12, 12, 12]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_row_height(3, 45)?;
    wb.save_to_buffer()
}

/// An assistant's pay statement as a workbook: who is paid, a line per client and rate with its
/// gross and employer part, the totals, and how they are derived.
pub fn pay_xlsx(
    payee: &Payee,
    month: &str,
    (pay, corrections): (&Pay, &[SummaryRow]),
    clients: &[(Uuid, String, Option<String>)],
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Darba samaksa")?;
    print_setup(ws, &format!("Darba samaksa {month}: {}", payee.name), 7)?;
    for (r, (label, value)) in [
        ("Asistents", payee.name.clone()),
        (
            "Personas kods",
            payee.personal_code.clone().unwrap_or_default(),
        ),
        ("IBAN", payee.iban.clone().unwrap_or_default()),
        ("Sociālās apdrošināšanas statuss", payee.insurance_text()),
        ("Darba devēja iemaksu likme", payee.contribution_text()),
        ("Mēnesis", month.to_owned()),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r as u32, 0, *label, &f.bold)?;
        ws.write_string(r as u32, 1, value)?;
    }
    for (c, h) in PAY_HEADER.iter().enumerate() {
        ws.write_string_with_format(7, c as u16, *h, &f.head)?;
    }
    let mut r = 8;
    for (l, (gross, employer)) in pay.lines.iter().zip(&pay.split) {
        let (name, code) = clients
            .iter()
            .find(|(c, _, _)| *c == l.client_id)
            .map(|(_, n, code)| (n.clone(), code.clone().unwrap_or_default()))
            .unwrap_or_default();
        ws.write_string(r, 0, name)?;
        ws.write_string(r, 1, code)?;
        ws.write_string(r, 2, l.rate_from.format("%d.%m.%Y").to_string())?;
        ws.write_number_with_format(r, 3, money(l.rate_cents), &f.money)?;
        ws.write_number(r, 4, l.minutes as f64)?;
        ws.write_number_with_format(r, 5, hours(l.minutes), &f.hours)?;
        ws.write_number_with_format(r, 6, money(l.amount_cents), &f.money)?;
        ws.write_number_with_format(r, 7, money(*gross), &f.money)?;
        ws.write_number_with_format(r, 8, money(*employer), &f.money)?;
        r += 1;
    }
    let minutes: i64 = pay.lines.iter().map(|l| l.minutes).sum();
    ws.write_string_with_format(r, 0, "Kopā", &f.bold)?;
    ws.write_number_with_format(r, 4, minutes as f64, &f.number_bold)?;
    ws.write_number_with_format(r, 5, hours(minutes), &f.hours)?;
    ws.write_number_with_format(r, 6, money(pay.amount_cents), &f.money_bold)?;
    ws.write_number_with_format(r, 7, money(pay.gross_cents), &f.money_bold)?;
    ws.write_number_with_format(r, 8, money(pay.employer_cents), &f.money_bold)?;
    r += 2;
    for (label, cents) in [
        ("Kopā EUR", pay.amount_cents),
        ("Bruto alga EUR", pay.gross_cents),
        ("Darba devēja iemaksas EUR", pay.employer_cents),
        ("Braucienu kompensācija EUR", pay.trip_cents),
    ] {
        ws.write_string_with_format(r, 0, label, &f.bold)?;
        ws.write_number_with_format(r, 6, money(cents), &f.money_bold)?;
        r += 1;
    }
    if !corrections.is_empty() {
        r = corrections_heading(ws, r + 1, &pay_correction_header(), &f)?;
        for c in corrections {
            ws.write_string(r, 0, &c.client)?;
            ws.write_string(r, 1, &c.client_code)?;
            ws.write_string(r, 2, c.rate_from.format("%d.%m.%Y").to_string())?;
            ws.write_number_with_format(r, 3, money(c.rate_cents), &f.money)?;
            ws.write_number(r, 4, c.minutes as f64)?;
            ws.write_number_with_format(r, 5, hours(c.minutes), &f.hours)?;
            ws.write_number_with_format(r, 6, money(c.amount_cents), &f.money)?;
            ws.write_number_with_format(r, 7, money(c.gross_cents), &f.money)?;
            ws.write_number_with_format(r, 8, money(c.employer_cents), &f.money)?;
            ws.write_number_with_format(r, 9, money(c.trip_cents), &f.money)?;
            ws.write_string(r, 10, &c.month)?;
            r += 1;
        }
        r += 1;
        let all = payable(pay, corrections);
        for (label, cents) in PAYABLE_LABELS.iter().zip([
            all.amount_cents,
            all.gross_cents,
            all.employer_cents,
            all.trip_cents,
        ]) {
            ws.write_string_with_format(r, 0, *label, &f.bold)?;
            ws.write_number_with_format(r, 6, money(cents), &f.money_bold)?;
            r += 1;
        }
    }
    let bps: Vec<i64> = payee.contributions().iter().map(|(_, bp)| *bp).collect();
    note(ws, r + 1, 9, &derivation(&bps), &f)?;
    for (c, w) in [26, 14, 11, 10, 9, 9, 12, 12, 12, 12, 12]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_column_width(0, 30)?;
    ws.set_row_height(7, 45)?;
    wb.save_to_buffer()
}

/// One line of the timesheet: its text size and its cells (x from the left margin, text).
type Row = (f32, Vec<(f32, String)>);

/// The printable client timesheet, as the paper form it replaces: the social service's header,
/// the client, the decision and service kind, every session with its purpose and assistant, who
/// handed the month in, who confirmed it (or the coordinator's approval and reason), the totals,
/// the issue date, signature lines and "page N of M". Long text wraps; nothing is cut off. A4,
/// DejaVu Sans embedded (every Latvian letter, and text a PDF reader can copy and search).
pub fn timesheet_pdf(
    t: &crate::domain::statements::Timesheet,
    label: impl Fn(&str) -> String,
) -> Result<Vec<u8>, String> {
    use krilla::Document;
    use krilla::geom::Point;
    use krilla::page::PageSettings;

    use crate::domain::statements::{euros, hours};
    use crate::domain::time::TZ;

    let font = fonts::dejavu().ok_or("the embedded font does not load")?;
    let (width, height, margin) = (595.0_f32, 842.0_f32, 40.0_f32);
    let usable = width - 2.0 * margin;
    // Rows that stay together on a page (a session with its wrapped purpose and trips).
    let mut groups: Vec<Vec<Row>> = Vec::new();
    // `text` wrapped to `room` points at `size`, one row per line at `x`.
    let para = |size: f32, x: f32, room: f32, text: &str| -> Vec<Row> {
        fonts::wrap(text, size, room)
            .into_iter()
            .map(|l| (size, vec![(x, l)]))
            .collect()
    };
    let full = |size: f32, text: &str| para(size, 0.0, usable, text);

    let mut head = full(10.0, &t.municipality);
    head.extend(full(15.0, "Asistenta pakalpojuma uzskaites lapa"));
    head.push((6.0, vec![]));
    for (name, value) in [
        ("Klients", t.client.as_str()),
        ("Mēnesis", t.month.as_str()),
        ("Lēmums", t.decision.as_str()),
        ("Pakalpojuma veids", t.service.as_str()),
        ("Iesniedza", t.submitted.as_str()),
    ] {
        if value.is_empty() {
            continue;
        }
        let mut rows = para(10.0, 110.0, usable - 110.0, value);
        if let Some(first) = rows.first_mut() {
            first.1.insert(0, (0.0, format!("{name}:")));
        }
        head.extend(rows);
    }
    head.push((6.0, vec![]));
    groups.push(head);

    // The table: date, time, minutes, purpose, assistant.
    let cols = [0.0_f32, 62.0, 128.0, 160.0, 340.0];
    let (purpose_room, assistant_room) = (cols[4] - cols[3] - 8.0, usable - cols[4]);
    // The table's header row, repeated at the top of each page the sessions continue on.
    let table_header: Row = (
        9.0,
        vec![
            (cols[0], "Datums".into()),
            (cols[1], "Laiks".into()),
            (cols[2], "Min.".into()),
            (cols[3], "Atbalsta mērķis".into()),
            (cols[4], "Asistents".into()),
        ],
    );
    groups.push(vec![table_header.clone()]);
    let table = groups.len()..groups.len() + t.lines.len();
    for l in &t.lines {
        let (from, to) = (l.start.with_timezone(&TZ), l.end.with_timezone(&TZ));
        let purpose = fonts::wrap(&label(&l.purpose), 9.0, purpose_room);
        let assistant = fonts::wrap(&l.assistant, 9.0, assistant_room);
        let mut rows: Vec<Row> = Vec::new();
        for k in 0..purpose.len().max(assistant.len()) {
            let mut cells = Vec::new();
            if k == 0 {
                cells.push((cols[0], from.format("%d.%m.%Y").to_string()));
                cells.push((
                    cols[1],
                    format!("{}–{}", from.format("%H:%M"), to.format("%H:%M")),
                ));
                cells.push((cols[2], l.minutes.to_string()));
            }
            if let Some(p) = purpose.get(k) {
                cells.push((cols[3], p.clone()));
            }
            if let Some(a) = assistant.get(k) {
                cells.push((cols[4], a.clone()));
            }
            rows.push((9.0, cells));
        }
        if !l.trips.is_empty() {
            let trips = format!(
                "Braucieni: {} ({} EUR)",
                l.trips.join("; "),
                euros(l.trip_cents)
            );
            rows.extend(para(8.0, cols[3], usable - cols[3], &trips));
        }
        groups.push(rows);
    }

    let mut totals: Vec<Row> = vec![(8.0, vec![])];
    let mut by_purpose: Vec<(String, i64)> = Vec::new();
    for l in &t.lines {
        match by_purpose.iter_mut().find(|(p, _)| *p == l.purpose) {
            Some((_, m)) => *m += l.minutes,
            None => by_purpose.push((l.purpose.clone(), l.minutes)),
        }
    }
    by_purpose.sort();
    for (p, m) in by_purpose {
        let mut rows = para(10.0, 0.0, 320.0, &label(&p));
        if let Some(first) = rows.first_mut() {
            first.1.push((340.0, format!("{m} min ({} h)", hours(m))));
        }
        totals.extend(rows);
    }
    let left = (t.allowance_minutes - t.used_minutes).max(0);
    for (name, value) in [
        (
            "Piešķirts mēnesī",
            format!(
                "{} min ({} h)",
                t.allowance_minutes,
                hours(t.allowance_minutes)
            ),
        ),
        (
            "Izmantots",
            format!("{} min ({} h)", t.used_minutes, hours(t.used_minutes)),
        ),
        ("Atlicis", format!("{left} min ({} h)", hours(left))),
        (
            "Transports",
            format!(
                "{} EUR no {} EUR",
                euros(t.transport_used_cents),
                euros(t.transport_cap_cents)
            ),
        ),
    ] {
        totals.push((10.0, vec![(0.0, name.to_owned()), (160.0, value)]));
    }
    groups.push(totals);
    let mut closing: Vec<Row> = vec![(8.0, vec![])];
    closing.extend(full(10.0, &format!("Apstiprinājums: {}", t.confirmation)));
    for d in &t.disputes {
        closing.extend(full(9.0, &format!("Iebildums: {d}")));
    }
    groups.push(closing);
    groups.push(vec![
        (10.0, vec![]),
        (10.0, vec![(0.0, format!("Izsniegts: {}", t.issued))]),
        (14.0, vec![]),
        (
            10.0,
            vec![
                (0.0, "Klients vai pārstāvis: ______________________".into()),
                (
                    270.0,
                    "Sociālā dienesta darbinieks: ________________".into(),
                ),
            ],
        ),
    ]);

    // Pages: whole groups while they fit, a group taller than a page on a page of its own.
    let line = |size: f32| (size + 4.0).max(12.0);
    let room = height - 2.0 * margin - 20.0;
    let mut pages: Vec<Vec<Row>> = vec![Vec::new()];
    let mut used = 0.0;
    for (i, g) in groups.into_iter().enumerate() {
        let tall: f32 = g.iter().map(|(s, _)| line(*s)).sum();
        if used + tall > room && used > 0.0 {
            pages.push(Vec::new());
            used = 0.0;
            if table.contains(&i) {
                used += line(table_header.0);
                if let Some(page) = pages.last_mut() {
                    page.push(table_header.clone());
                }
            }
        }
        for row in g {
            if used + line(row.0) > room {
                pages.push(Vec::new());
                used = 0.0;
            }
            used += line(row.0);
            if let Some(page) = pages.last_mut() {
                page.push(row);
            }
        }
    }
    let count = pages.len();
    let mut document = Document::new();
    for (n, rows) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(width, height).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut draw = |x: f32, y: f32, size: f32, text: &str| {
            fonts::with_glyphs(text, |glyphs| {
                surface.draw_glyphs(
                    Point::from_xy(margin + x, y),
                    glyphs,
                    font.clone(),
                    text,
                    size,
                    false,
                )
            })
        };
        let mut y = margin + 10.0;
        for (size, cells) in &rows {
            for (x, text) in cells {
                draw(*x, y, *size, text);
            }
            y += line(*size);
        }
        let footer = format!("{} · {} · Lapa {} no {count}", t.client, t.month, n + 1);
        draw(0.0, height - margin + 10.0, 8.0, &footer);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

/// The embedded font, parsed once per process, and text shaped once per string and thread.
///
/// A month's close renders a timesheet per client; parsing the font's layout tables for every
/// text run was most of its time. Timesheets repeat a small set of strings (dates, times,
/// purposes, names), so each thread keeps the glyphs of the strings it has shaped.
mod fonts {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use std::sync::OnceLock;

    use krilla::text::{Font, GlyphId, KrillaGlyph};

    static DEJAVU: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
    /// Distinct strings a thread keeps before it starts over: about 1.2 KB each with their
    /// glyphs, so about 2.4 MB a rendering thread. (At 20,000 a close of 5,000 clients held
    /// 46 MB in two threads' caches, most of it `wrap`'s one-off trial prefixes.)
    const CACHE_MAX: usize = 2_000;

    fn face() -> Option<&'static rustybuzz::Face<'static>> {
        static FACE: OnceLock<Option<rustybuzz::Face<'static>>> = OnceLock::new();
        FACE.get_or_init(|| rustybuzz::Face::from_slice(DEJAVU, 0))
            .as_ref()
    }

    pub fn dejavu() -> Option<Font> {
        static FONT: OnceLock<Option<Font>> = OnceLock::new();
        FONT.get_or_init(|| Font::new(DEJAVU.into(), 0)).clone()
    }

    /// Left-to-right shaping with the font's own substitutions, kerning and marks. Each glyph's
    /// text range is its cluster: from its cluster's start to the next cluster's start.
    fn shape(face: &rustybuzz::Face<'static>, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units = face.units_per_em() as f32;
        let infos = shaped.glyph_infos();
        infos
            .iter()
            .zip(shaped.glyph_positions())
            .enumerate()
            .map(|(i, (info, pos))| {
                let start = info.cluster as usize;
                let end = infos[i + 1..]
                    .iter()
                    .map(|next| next.cluster as usize)
                    .find(|c| *c != start)
                    .unwrap_or(text.len());
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / units,
                    pos.x_offset as f32 / units,
                    pos.y_offset as f32 / units,
                    pos.y_advance as f32 / units,
                    start..end,
                    None,
                )
            })
            .collect()
    }

    thread_local! {
        static SHAPED: RefCell<HashMap<String, Rc<[KrillaGlyph]>>> = RefCell::new(HashMap::new());
    }

    /// Calls `draw` with the glyphs of `text` (none when the font does not load).
    /// How wide `text` is at `size` points.
    pub fn width(text: &str, size: f32) -> f32 {
        with_glyphs(text, |g| g.iter().map(|g| g.x_advance).sum::<f32>()) * size
    }

    /// `text` broken into lines at most `room` points wide at `size`: at spaces, and inside a
    /// word only when the word alone is wider than the line.
    pub fn wrap(text: &str, size: f32, room: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let tried = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if width(&tried, size) <= room {
                current = tried;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // A word wider than the line: as many characters as fit, then the rest.
            let mut rest = word.to_owned();
            while width(&rest, size) > room && rest.chars().count() > 1 {
                let mut cut = rest.chars().count() - 1;
                while cut > 1 && width(&rest.chars().take(cut).collect::<String>(), size) > room {
                    cut -= 1;
                }
                lines.push(rest.chars().take(cut).collect());
                rest = rest.chars().skip(cut).collect();
            }
            current = rest;
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        lines
    }

    pub fn with_glyphs<R>(text: &str, draw: impl FnOnce(&[KrillaGlyph]) -> R) -> R {
        let glyphs = SHAPED.with_borrow_mut(|cache| {
            if let Some(g) = cache.get(text) {
                return Rc::clone(g);
            }
            let glyphs: Rc<[KrillaGlyph]> =
                face().map(|f| shape(f, text)).unwrap_or_default().into();
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(text.to_owned(), Rc::clone(&glyphs));
            glyphs
        });
        draw(&glyphs)
    }
}
