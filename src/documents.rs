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
