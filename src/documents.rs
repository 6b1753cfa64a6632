//! Statement files beyond CSV: XLSX workbooks for accountants (numbers as numbers, so they sum
//! and import), and the printable PDF of a client timesheet.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use uuid::Uuid;

use crate::domain::statements::{Pay, SummaryRow};

fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

struct Formats {
    bold: Format,
    money: Format,
    hours: Format,
}

fn formats() -> Formats {
    Formats {
        bold: Format::new().set_bold(),
        money: Format::new().set_num_format("#,##0.00"),
        hours: Format::new().set_num_format("0.00"),
    }
}

/// The municipality summary as a workbook: one row per assistant × client, then totals.
pub fn summary_xlsx(
    month: &str,
    municipality: &str,
    rows: &[SummaryRow],
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Kopsavilkums")?;
    ws.write_string_with_format(0, 0, "Pašvaldība", &f.bold)?;
    ws.write_string(0, 1, municipality)?;
    ws.write_string_with_format(1, 0, "Mēnesis", &f.bold)?;
    ws.write_string(1, 1, month)?;
    for (c, h) in [
        "Asistents",
        "Klients",
        "Minūtes",
        "Stundas",
        "Summa EUR",
        "Transports EUR",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(3, c as u16, *h, &f.bold)?;
    }
    let mut r = 4;
    for row in rows {
        ws.write_string(r, 0, &row.assistant)?;
        ws.write_string(r, 1, &row.client)?;
        ws.write_number(r, 2, row.minutes as f64)?;
        ws.write_number_with_format(r, 3, hours(row.minutes), &f.hours)?;
        ws.write_number_with_format(r, 4, money(row.amount_cents), &f.money)?;
        ws.write_number_with_format(r, 5, money(row.trip_cents), &f.money)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "Kopā", &f.bold)?;
    ws.write_number(r, 2, rows.iter().map(|x| x.minutes).sum::<i64>() as f64)?;
    ws.write_number_with_format(r, 3, hours(rows.iter().map(|x| x.minutes).sum()), &f.hours)?;
    ws.write_number_with_format(
        r,
        4,
        money(rows.iter().map(|x| x.amount_cents).sum()),
        &f.money,
    )?;
    ws.write_number_with_format(
        r,
        5,
        money(rows.iter().map(|x| x.trip_cents).sum()),
        &f.money,
    )?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 28)?;
    ws.set_column_width(4, 14)?;
    ws.set_column_width(5, 16)?;
    wb.save_to_buffer()
}

/// An assistant's pay statement as a workbook.
pub fn pay_xlsx(
    assistant: &str,
    month: &str,
    pay: &Pay,
    client_name: impl Fn(Uuid) -> String,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Darba samaksa")?;
    ws.write_string_with_format(0, 0, "Asistents", &f.bold)?;
    ws.write_string(0, 1, assistant)?;
    ws.write_string_with_format(1, 0, "Mēnesis", &f.bold)?;
    ws.write_string(1, 1, month)?;
    for (c, h) in [
        "Klients",
        "Likme no",
        "Likme EUR/h",
        "Minūtes",
        "Stundas",
        "Summa EUR",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(3, c as u16, *h, &f.bold)?;
    }
    let mut r = 4;
    for l in &pay.lines {
        ws.write_string(r, 0, client_name(l.client_id))?;
        ws.write_string(r, 1, l.rate_from.format("%d.%m.%Y").to_string())?;
        ws.write_number_with_format(r, 2, money(l.rate_cents), &f.money)?;
        ws.write_number(r, 3, l.minutes as f64)?;
        ws.write_number_with_format(r, 4, hours(l.minutes), &f.hours)?;
        ws.write_number_with_format(r, 5, money(l.amount_cents), &f.money)?;
        r += 1;
    }
    r += 1;
    for (label, cents) in [
        ("Kopā EUR", pay.amount_cents),
        ("Bruto alga EUR", pay.gross_cents),
        ("Darba devēja iemaksas EUR", pay.employer_cents),
        ("Braucienu kompensācija EUR", pay.trip_cents),
    ] {
        ws.write_string_with_format(r, 0, label, &f.bold)?;
        ws.write_number_with_format(r, 5, money(cents), &f.money)?;
        r += 1;
    }
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 12)?;
    wb.save_to_buffer()
}

/// The printable client timesheet: A4 pages, DejaVu Sans embedded (every Latvian letter, and
/// text a PDF reader can copy and search).
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
    let (width, height, margin, line) = (595.0_f32, 842.0_f32, 40.0_f32, 14.0_f32);

    // Every line of the document first, then laid out on as many pages as they need.
    let clip = |s: &str, n: usize| -> String {
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n - 1).collect::<String>())
        } else {
            s.to_owned()
        }
    };
    let mut lines: Vec<(f32, Vec<(f32, String)>)> = vec![
        (
            16.0,
            vec![(0.0, "Asistenta pakalpojuma uzskaites lapa".into())],
        ),
        (11.0, vec![(0.0, format!("Klients: {}", t.client))]),
        (11.0, vec![(0.0, format!("Mēnesis: {}", t.month))]),
        (11.0, vec![]),
        (
            9.0,
            vec![
                (0.0, "Datums".into()),
                (65.0, "Laiks".into()),
                (140.0, "Min.".into()),
                (175.0, "Mērķis".into()),
                (330.0, "Asistents".into()),
            ],
        ),
    ];
    for l in &t.lines {
        let (from, to) = (l.start.with_timezone(&TZ), l.end.with_timezone(&TZ));
        lines.push((
            9.0,
            vec![
                (0.0, from.format("%d.%m.%Y").to_string()),
                (
                    65.0,
                    format!("{}–{}", from.format("%H:%M"), to.format("%H:%M")),
                ),
                (140.0, l.minutes.to_string()),
                (175.0, clip(&label(&l.purpose), 30)),
                (330.0, clip(&l.assistant, 34)),
            ],
        ));
        if !l.trips.is_empty() {
            lines.push((
                8.0,
                vec![(
                    175.0,
                    clip(
                        &format!(
                            "Braucieni: {} ({} EUR)",
                            l.trips.join(", "),
                            euros(l.trip_cents)
                        ),
                        70,
                    ),
                )],
            ));
        }
    }
    lines.push((9.0, vec![]));
    let mut by_purpose: Vec<(String, i64)> = Vec::new();
    for l in &t.lines {
        match by_purpose.iter_mut().find(|(p, _)| *p == l.purpose) {
            Some((_, m)) => *m += l.minutes,
            None => by_purpose.push((l.purpose.clone(), l.minutes)),
        }
    }
    by_purpose.sort();
    for (p, m) in by_purpose {
        lines.push((
            10.0,
            vec![
                (0.0, label(&p)),
                (330.0, format!("{m} min ({} h)", hours(m))),
            ],
        ));
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
        lines.push((10.0, vec![(0.0, name.to_owned()), (175.0, value)]));
    }
    lines.push((
        10.0,
        vec![(
            0.0,
            clip(&format!("Apstiprinājums: {}", t.confirmation), 95),
        )],
    ));
    for d in &t.disputes {
        lines.push((9.0, vec![(0.0, clip(&format!("Iebildums: {d}"), 100))]));
    }

    let mut document = Document::new();
    let mut rest = lines.as_slice();
    while !rest.is_empty() {
        let settings = PageSettings::from_wh(width, height).ok_or("page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut y = margin + 10.0;
        let mut used = 0;
        for (size, cells) in rest {
            if y > height - margin {
                break;
            }
            for (x, text) in cells {
                fonts::with_glyphs(text, |glyphs| {
                    surface.draw_glyphs(
                        Point::from_xy(margin + x, y),
                        glyphs,
                        font.clone(),
                        text,
                        *size,
                        false,
                    )
                });
            }
            y += line.max(size + 4.0);
            used += 1;
        }
        surface.finish();
        page.finish();
        rest = &rest[used.max(1)..];
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
    /// Distinct strings a thread keeps before it starts over (a few MiB at most).
    const CACHE_MAX: usize = 20_000;

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
