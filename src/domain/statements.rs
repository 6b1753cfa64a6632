//! The monthly statements as figures and as CSV files: the client timesheet, the assistant pay
//! statement and the municipality summary. CSV is what Excel opens in a Latvian locale: UTF-8
//! with BOM, `;` between fields, decimal comma.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::pay::{PayLine, Session, pay_lines, split_gross};
use super::time::TZ;

/// One session as a statement shows it.
#[derive(Debug, Clone)]
pub struct Line {
    pub entry_id: Uuid,
    pub assistant_id: Uuid,
    pub assistant: String,
    pub client_id: Uuid,
    pub client: String,
    /// The client's personal code, for payroll to match on.
    pub client_code: Option<String>,
    pub purpose: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The minutes of this session that fall in the statement's month.
    pub minutes: i64,
    pub trips: Vec<String>,
    /// Trip costs compensated (for sessions starting in the month).
    pub trip_cents: i64,
}

/// What a session's pay is made of: whose work it was, for whom, when, and what its trips cost.
/// A [`Line`] without its texts: a country's close keeps one for every session of the month
/// until the pay statements are made, so it holds no strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worked {
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Trip costs compensated (for sessions starting in the month).
    pub trip_cents: i64,
}

impl From<&Line> for Worked {
    fn from(l: &Line) -> Self {
        Worked {
            assistant_id: l.assistant_id,
            client_id: l.client_id,
            start: l.start,
            end: l.end,
            trip_cents: l.trip_cents,
        }
    }
}

/// A client's month, approved, as the timesheet shows it.
#[derive(Debug, Clone)]
pub struct Timesheet {
    /// The social service that issues it.
    pub municipality: String,
    pub client: String,
    pub month: String,
    /// The decision the month was served under: `Nr. SD/2026/12, 20.09.2026`.
    pub decision: String,
    /// `Asistenta pakalpojums` or `Pavadoņa pakalpojums`.
    pub service: String,
    /// Who handed the month in and when.
    pub submitted: String,
    /// The day the timesheet was issued: `30.11.2026`.
    pub issued: String,
    pub allowance_minutes: i64,
    pub used_minutes: i64,
    pub transport_cap_cents: i64,
    pub transport_used_cents: i64,
    /// Who confirmed and how (`client`, `representative`, …) and when; or the coordinator's
    /// reason for approving without confirmation.
    pub confirmation: String,
    pub disputes: Vec<String>,
    pub lines: Vec<Line>,
}

/// A fingerprint of what a timesheet shows (its sessions, totals, disputes and confirmation):
/// a closed month is issued to its client again only when it changes.
pub fn timesheet_digest(t: &Timesheet) -> String {
    let mut h = Sha256::new();
    for l in &t.lines {
        h.update(format!(
            "{}|{}|{}|{}|{}|{}|{}|{}\n",
            l.entry_id,
            l.assistant_id,
            l.purpose,
            l.start.timestamp(),
            l.end.timestamp(),
            l.minutes,
            l.trip_cents,
            l.trips.join("/")
        ));
    }
    h.update(format!(
        "{}|{}|{}|{}|{}",
        t.used_minutes,
        t.transport_used_cents,
        t.allowance_minutes,
        t.confirmation,
        t.disputes.join("/")
    ));
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let hundredths = (minutes.abs() * 100 + 30) / 60;
    format!("{sign}{},{:02}", hundredths / 100, hundredths % 100)
}

pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// Whether a cell is a plain number as the statements write them (`12`, `-5,00`, `3,5`).
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

/// A cell a spreadsheet will not run: text that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be read as a formula by Excel and LibreOffice (OWASP's "CSV
/// injection"), so it gets a leading apostrophe and stays text; numbers stay numbers.
pub fn inert(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

fn field(value: &str) -> String {
    let value = inert(value);
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// A CSV file: BOM, `;`-separated, CRLF line ends.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for row in rows {
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out
}

fn local(t: DateTime<Utc>, fmt: &str) -> String {
    t.with_timezone(&TZ).format(fmt).to_string()
}

/// The client timesheet ("uzskaites lapa").
pub fn timesheet_csv(t: &Timesheet, label: impl Fn(&str) -> String) -> String {
    let s = |v: &str| v.to_owned();
    let mut rows = vec![
        vec![s("Klients"), t.client.clone()],
        vec![s("Mēnesis"), t.month.clone()],
        vec![],
        [
            "Datums",
            "No",
            "Līdz",
            "Minūtes",
            "Stundas",
            "Mērķis",
            "Asistents",
            "Braucieni",
            "Brauciena izmaksas EUR",
        ]
        .map(s)
        .to_vec(),
    ];
    let mut by_purpose: Vec<(String, i64)> = Vec::new();
    for l in &t.lines {
        rows.push(vec![
            local(l.start, "%d.%m.%Y"),
            local(l.start, "%H:%M"),
            local(l.end, "%H:%M"),
            l.minutes.to_string(),
            hours(l.minutes),
            label(&l.purpose),
            l.assistant.clone(),
            l.trips.join(", "),
            euros(l.trip_cents),
        ]);
        match by_purpose.iter_mut().find(|(p, _)| *p == l.purpose) {
            Some((_, m)) => *m += l.minutes,
            None => by_purpose.push((l.purpose.clone(), l.minutes)),
        }
    }
    rows.push(vec![]);
    rows.push(["Mērķis", "Minūtes", "Stundas"].map(s).to_vec());
    by_purpose.sort();
    for (p, m) in by_purpose {
        rows.push(vec![label(&p), m.to_string(), hours(m)]);
    }
    rows.push(vec![]);
    rows.push(vec![
        s("Piešķirts, min"),
        t.allowance_minutes.to_string(),
        hours(t.allowance_minutes),
    ]);
    rows.push(vec![
        s("Izmantots, min"),
        t.used_minutes.to_string(),
        hours(t.used_minutes),
    ]);
    rows.push(vec![
        s("Atlicis, min"),
        (t.allowance_minutes - t.used_minutes).max(0).to_string(),
        hours((t.allowance_minutes - t.used_minutes).max(0)),
    ]);
    rows.push(vec![
        s("Transports, EUR"),
        euros(t.transport_used_cents),
        euros(t.transport_cap_cents),
    ]);
    rows.push(vec![s("Apstiprinājums"), t.confirmation.clone()]);
    for d in &t.disputes {
        rows.push(vec![s("Iebildums"), d.clone()]);
    }
    csv(&rows)
}

/// An assistant's pay for the month: lines per client and rate, with the gross / employer split.
#[derive(Debug, Clone)]
pub struct Pay {
    pub lines: Vec<PayLine>,
    /// Each line's gross and employer part, in the order of `lines`; they add up to the totals.
    pub split: Vec<(i64, i64)>,
    pub amount_cents: i64,
    pub gross_cents: i64,
    pub employer_cents: i64,
    pub trip_cents: i64,
}

pub fn pay(lines: &[Line], rates: &[(NaiveDate, i64)], contribution_bp: i64) -> Pay {
    let worked: Vec<Worked> = lines.iter().map(Worked::from).collect();
    pay_by_periods(&worked, rates, &[(NaiveDate::MIN, contribution_bp)])
}

/// The pay rates of `rates`, split also at each day the employer contribution rate changes
/// (`contributions`: first day, basis points), so that no pay line spans two contribution
/// rates. A line's `rate_from` is then the first day of its period.
pub fn rates_with_contributions(
    rates: &[(NaiveDate, i64)],
    contributions: &[(NaiveDate, i64)],
) -> Vec<(NaiveDate, i64)> {
    let mut out = rates.to_vec();
    for (day, _) in contributions {
        let in_force = rates.iter().rfind(|(from, _)| from <= day).map(|(_, r)| *r);
        if let Some(rate) = in_force
            && !out.iter().any(|(d, _)| d == day)
        {
            out.push((*day, rate));
        }
    }
    out.sort_unstable();
    out
}

/// An assistant's pay when the employer contribution rate may change within the month (their
/// insurance status changed): `contributions` are (first day, basis points) in date order. The
/// lines split at each change, as at a rate change, and each line's gross and employer part
/// follow the rate of its period.
pub fn pay_by_periods(
    lines: &[Worked],
    rates: &[(NaiveDate, i64)],
    contributions: &[(NaiveDate, i64)],
) -> Pay {
    let rates = rates_with_contributions(rates, contributions);
    let bp_on = |day: NaiveDate| {
        contributions
            .iter()
            .rfind(|(from, _)| *from <= day)
            .or(contributions.first())
            .map_or(0, |(_, bp)| *bp)
    };
    let sessions: Vec<Session> = lines
        .iter()
        .map(|l| Session {
            assistant_id: l.assistant_id,
            client_id: l.client_id,
            start: l.start,
            end: l.end,
        })
        .collect();
    let lines_out = pay_lines(&sessions, &rates);
    let amount: i64 = lines_out.iter().map(|l| l.amount_cents).sum();
    // Each contribution rate's lines are split as a whole, as one statement's total would be.
    let mut split = vec![(0, 0); lines_out.len()];
    let mut bps: Vec<i64> = lines_out.iter().map(|l| bp_on(l.rate_from)).collect();
    bps.sort_unstable();
    bps.dedup();
    for bp in bps {
        let at: Vec<usize> = (0..lines_out.len())
            .filter(|i| bp_on(lines_out[*i].rate_from) == bp)
            .collect();
        let group: Vec<PayLine> = at.iter().map(|i| lines_out[*i].clone()).collect();
        let total: i64 = group.iter().map(|l| l.amount_cents).sum();
        let (gross, _) = split_gross(total, bp);
        for (i, parts) in at.iter().zip(split_lines(&group, gross, bp)) {
            split[*i] = parts;
        }
    }
    let gross: i64 = split.iter().map(|(g, _)| g).sum();
    Pay {
        split,
        lines: lines_out,
        amount_cents: amount,
        gross_cents: gross,
        employer_cents: amount - gross,
        trip_cents: lines.iter().map(|l| l.trip_cents).sum(),
    }
}

/// Each line's gross pay and employer contribution, each split rounded to the cent, with the
/// cents the rounding of the lines loses or gains against the total's split put on the largest
/// line, so the lines add up to exactly what the statement's total says.
pub fn split_lines(lines: &[PayLine], total_gross: i64, contribution_bp: i64) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = lines
        .iter()
        .map(|l| split_gross(l.amount_cents, contribution_bp))
        .collect();
    let off = total_gross - out.iter().map(|(g, _)| g).sum::<i64>();
    if let Some(i) = (0..lines.len()).max_by_key(|i| lines[*i].amount_cents) {
        out[i].0 += off;
        out[i].1 -= off;
    }
    out
}

/// Who is paid, as payroll identifies them.
#[derive(Debug, Clone, Default)]
pub struct Payee {
    pub name: String,
    pub personal_code: Option<String>,
    pub iban: Option<String>,
    /// The social insurance status in words (it decides the employer contribution rate).
    pub insurance: String,
    /// The employer contribution rate in basis points (2359 = 23,59 %).
    pub contribution_bp: i64,
    /// Changes of the insurance status within the month: the day, the status in words, the
    /// contribution rate from that day (`insurance` and `contribution_bp` hold before the first).
    pub changes: Vec<(NaiveDate, String, i64)>,
}

impl Payee {
    /// The status in words on `day`.
    pub fn insurance_on(&self, day: NaiveDate) -> String {
        self.changes
            .iter()
            .rfind(|(from, _, _)| *from <= day)
            .map_or_else(|| self.insurance.clone(), |(_, words, _)| words.clone())
    }

    /// The contribution rate on `day`.
    pub fn contribution_on(&self, day: NaiveDate) -> i64 {
        self.changes
            .iter()
            .rfind(|(from, _, _)| *from <= day)
            .map_or(self.contribution_bp, |(_, _, bp)| *bp)
    }

    /// (first day, basis points) of each contribution rate of the month, for `pay_by_periods`.
    pub fn contributions(&self) -> Vec<(NaiveDate, i64)> {
        let mut out = vec![(NaiveDate::MIN, self.contribution_bp)];
        out.extend(self.changes.iter().map(|(d, _, bp)| (*d, *bp)));
        out
    }

    /// The status as a statement says it: `apdrošināts darbinieks; no 15.06.2026: vecuma
    /// pensionārs` when it changed within the month.
    pub fn insurance_text(&self) -> String {
        let mut text = self.insurance.clone();
        for (day, words, _) in &self.changes {
            text.push_str(&format!("; no {}: {words}", day.format("%d.%m.%Y")));
        }
        text
    }

    /// The contribution rate as a statement says it, with its changes within the month.
    pub fn contribution_text(&self) -> String {
        let mut text = percent(self.contribution_bp);
        for (day, _, bp) in &self.changes {
            text.push_str(&format!(
                "; no {}: {}",
                day.format("%d.%m.%Y"),
                percent(*bp)
            ));
        }
        text
    }
}

/// A rate of basis points in words: `23,59 %`.
pub fn percent(bp: i64) -> String {
    format!("{},{:02} %", bp / 100, bp % 100)
}

/// How the amounts follow from the hours, in words, for the accountant reading the file.
pub fn derivation(bps: &[i64]) -> String {
    let mut bps = bps.to_vec();
    bps.sort_unstable();
    bps.dedup();
    let rates: Vec<String> = bps.iter().map(|b| percent(*b)).collect();
    format!(
        "Summa = stundas × stundas likme, katrai rindai noapaļota līdz centam. Likme ietver darba \
         devēja valsts sociālās apdrošināšanas obligātās iemaksas: bruto alga = summa / (1 + \
         iemaksu likme), noapaļota līdz centam; iemaksas = summa − bruto alga. Iemaksu likme pēc \
         asistenta sociālās apdrošināšanas statusa: {}. Rindu noapaļošanas centi pieskaitīti \
         lielākajai rindai, lai rindu summa sakristu ar kopsummu.",
        rates.join(", ")
    )
}

/// What a pay statement pays in all: the month's pay and the corrections it carries.
pub fn payable(p: &Pay, corrections: &[SummaryRow]) -> Totals {
    let (mut all, _) = totals(corrections);
    all.add_all(&Totals {
        minutes: p.lines.iter().map(|l| l.minutes).sum(),
        amount_cents: p.amount_cents,
        gross_cents: p.gross_cents,
        employer_cents: p.employer_cents,
        trip_cents: p.trip_cents,
    });
    all
}

/// The columns of a correction line in a pay statement: the pay lines' columns (so that they
/// line up), then transport and the month it is about.
pub fn pay_correction_header() -> Vec<&'static str> {
    let mut header = PAY_HEADER.to_vec();
    header.extend(["Transports EUR", MONTH_OF]);
    header
}

/// The labels of what a pay statement with corrections pays in all, in order: amount, gross,
/// employer contributions, trips.
pub const PAYABLE_LABELS: [&str; 4] = [
    "Izmaksāt kopā EUR",
    "Bruto alga izmaksai EUR",
    "Darba devēja iemaksas izmaksai EUR",
    "Braucienu kompensācija izmaksai EUR",
];

/// An assistant's pay statement: who is paid, the month's lines per client and rate with their
/// gross and employer part, the totals, then the corrections it carries (the differences against
/// statements sent before) and what it pays in all.
pub fn pay_csv(
    payee: &Payee,
    month: &str,
    (p, corrections): (&Pay, &[SummaryRow]),
    clients: &[(Uuid, String, Option<String>)],
) -> String {
    let s = |v: &str| v.to_owned();
    let client = |id: Uuid| {
        clients
            .iter()
            .find(|(c, _, _)| *c == id)
            .map(|(_, n, code)| (n.clone(), code.clone().unwrap_or_default()))
            .unwrap_or_default()
    };
    let mut rows = vec![
        vec![s("Asistents"), payee.name.clone()],
        vec![
            s("Personas kods"),
            payee.personal_code.clone().unwrap_or_default(),
        ],
        vec![s("IBAN"), payee.iban.clone().unwrap_or_default()],
        vec![s("Sociālās apdrošināšanas statuss"), payee.insurance_text()],
        vec![s("Darba devēja iemaksu likme"), payee.contribution_text()],
        vec![s("Mēnesis"), month.to_owned()],
        vec![],
        PAY_HEADER.map(s).to_vec(),
    ];
    for (l, (gross, employer)) in p.lines.iter().zip(&p.split) {
        let (name, code) = client(l.client_id);
        rows.push(vec![
            name,
            code,
            l.rate_from.format("%d.%m.%Y").to_string(),
            euros(l.rate_cents),
            l.minutes.to_string(),
            hours(l.minutes),
            euros(l.amount_cents),
            euros(*gross),
            euros(*employer),
        ]);
    }
    rows.push(vec![]);
    rows.push(vec![s("Kopā EUR"), euros(p.amount_cents)]);
    rows.push(vec![s("Bruto alga EUR"), euros(p.gross_cents)]);
    rows.push(vec![
        s("Darba devēja iemaksas EUR"),
        euros(p.employer_cents),
    ]);
    rows.push(vec![s("Braucienu kompensācija EUR"), euros(p.trip_cents)]);
    if !corrections.is_empty() {
        rows.push(vec![]);
        rows.push(vec![s(CORRECTIONS_TITLE)]);
        rows.push(pay_correction_header().into_iter().map(s).collect());
        for c in corrections {
            rows.push(vec![
                c.client.clone(),
                c.client_code.clone(),
                c.rate_from.format("%d.%m.%Y").to_string(),
                euros(c.rate_cents),
                c.minutes.to_string(),
                hours(c.minutes),
                euros(c.amount_cents),
                euros(c.gross_cents),
                euros(c.employer_cents),
                euros(c.trip_cents),
                c.month.clone(),
            ]);
        }
        let (fixes, _) = totals(corrections);
        rows.push(vec![s("Labojumi kopā EUR"), euros(fixes.amount_cents)]);
        rows.push(vec![]);
        let all = payable(p, corrections);
        for (label, cents) in PAYABLE_LABELS.iter().zip([
            all.amount_cents,
            all.gross_cents,
            all.employer_cents,
            all.trip_cents,
        ]) {
            rows.push(vec![s(label), euros(cents)]);
        }
    }
    rows.push(vec![]);
    let bps: Vec<i64> = payee.contributions().iter().map(|(_, bp)| *bp).collect();
    rows.push(vec![s("Kā aprēķināts"), derivation(&bps)]);
    csv(&rows)
}

/// The columns of a pay statement's lines.
pub const PAY_HEADER: [&str; 9] = [
    "Klients",
    "Klienta personas kods",
    "Likme no",
    "Likme EUR/h",
    "Minūtes",
    "Stundas",
    "Summa EUR",
    "Bruto alga EUR",
    "Darba devēja iemaksas EUR",
];

/// One row of the municipality summary: an assistant × client × rate period, with who they are
/// as payroll knows them (never merged by name: two people of one name stay two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The month the work was done (`2026-10`): the closed month, or an earlier one that a
    /// correction row is about.
    pub month: String,
    pub assistant_id: Uuid,
    pub assistant: String,
    pub assistant_code: String,
    pub iban: String,
    pub insurance: String,
    pub client_id: Uuid,
    pub client: String,
    pub client_code: String,
    pub rate_from: NaiveDate,
    pub rate_cents: i64,
    pub minutes: i64,
    pub amount_cents: i64,
    pub gross_cents: i64,
    pub employer_cents: i64,
    pub trip_cents: i64,
}

/// What the statements reported for one line (work month × assistant × client × rate period):
/// the figures a correction is the difference of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub month: String,
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    pub rate_from: NaiveDate,
    pub rate_cents: i64,
    pub minutes: i64,
    pub amount_cents: i64,
    pub trip_cents: i64,
}

impl SummaryRow {
    /// The row's figures, as they are recorded once sent.
    pub fn reported(&self) -> Reported {
        Reported {
            month: self.month.clone(),
            assistant_id: self.assistant_id,
            client_id: self.client_id,
            rate_from: self.rate_from,
            rate_cents: self.rate_cents,
            minutes: self.minutes,
            amount_cents: self.amount_cents,
            trip_cents: self.trip_cents,
        }
    }
}

/// One assistant's rows of the summary for `month`: a row per client × rate period of `pay`
/// (computed from `lines`), with each session's trips on the row of the rate in force on the
/// day it began, or on the client's first row when its minutes fell under another rate.
/// `client` names a client as payroll knows them: name and personal code.
pub fn summary_rows(
    month: &str,
    assistant_id: Uuid,
    payee: &Payee,
    pay: &Pay,
    lines: &[Worked],
    rates: &[(NaiveDate, i64)],
    client: impl Fn(Uuid) -> (String, String),
) -> Vec<SummaryRow> {
    let rate_on = |day: NaiveDate| {
        rates
            .iter()
            .filter(|(from, _)| *from <= day)
            .map(|(from, _)| *from)
            .max()
    };
    let mut trips: std::collections::HashMap<(Uuid, Option<NaiveDate>), i64> = Default::default();
    for l in lines {
        let day = l.start.with_timezone(&TZ).date_naive();
        *trips.entry((l.client_id, rate_on(day))).or_default() += l.trip_cents;
    }
    let mut rows: Vec<SummaryRow> = pay
        .lines
        .iter()
        .zip(&pay.split)
        .map(|(p, (gross, employer))| {
            let (name, code) = client(p.client_id);
            SummaryRow {
                month: month.to_owned(),
                assistant_id,
                assistant: payee.name.clone(),
                assistant_code: payee.personal_code.clone().unwrap_or_default(),
                iban: payee.iban.clone().unwrap_or_default(),
                insurance: payee.insurance_on(p.rate_from),
                client_id: p.client_id,
                client: name,
                client_code: code,
                rate_from: p.rate_from,
                rate_cents: p.rate_cents,
                minutes: p.minutes,
                amount_cents: p.amount_cents,
                gross_cents: *gross,
                employer_cents: *employer,
                trip_cents: trips
                    .remove(&(p.client_id, Some(p.rate_from)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut left: Vec<((Uuid, Option<NaiveDate>), i64)> = trips.into_iter().collect();
    left.sort();
    for ((client, _), cents) in left {
        if let Some(row) = rows.iter_mut().find(|r| r.client_id == client) {
            row.trip_cents += cents;
        }
    }
    rows
}

/// What changed since the statements were sent: the lines as they stand now minus what was
/// reported for them, per work month × assistant × client × rate period, leaving out the lines
/// that did not change. A rate period that no longer applies comes out as a negative line, its
/// successor as a positive one.
pub fn difference(now: &[Reported], sent: &[Reported]) -> Vec<Reported> {
    type Key = (String, Uuid, Uuid, NaiveDate);
    let mut lines: std::collections::BTreeMap<Key, Reported> = Default::default();
    let key = |r: &Reported| (r.month.clone(), r.assistant_id, r.client_id, r.rate_from);
    for (r, sign) in now
        .iter()
        .map(|r| (r, 1))
        .chain(sent.iter().map(|r| (r, -1)))
    {
        let line = lines.entry(key(r)).or_insert_with(|| Reported {
            minutes: 0,
            amount_cents: 0,
            trip_cents: 0,
            ..r.clone()
        });
        line.minutes += sign * r.minutes;
        line.amount_cents += sign * r.amount_cents;
        line.trip_cents += sign * r.trip_cents;
    }
    lines
        .into_values()
        .filter(|l| l.minutes != 0 || l.amount_cents != 0 || l.trip_cents != 0)
        .collect()
}

/// One assistant's correction lines as the statements show them: with who they are, and each
/// line's gross and employer part split as a pay statement splits its total (signed: a line
/// taken back has a negative gross and a negative contribution).
pub fn correction_rows(
    deltas: &[Reported],
    payee: &Payee,
    client: impl Fn(Uuid) -> (String, String),
) -> Vec<SummaryRow> {
    let total: i64 = deltas.iter().map(|d| d.amount_cents).sum();
    let (gross, _) = split_signed(total, payee.contribution_bp);
    let mut split: Vec<(i64, i64)> = deltas
        .iter()
        .map(|d| split_signed(d.amount_cents, payee.contribution_bp))
        .collect();
    let off = gross - split.iter().map(|(g, _)| g).sum::<i64>();
    if let Some(i) = (0..deltas.len()).max_by_key(|i| deltas[*i].amount_cents.abs()) {
        split[i].0 += off;
        split[i].1 -= off;
    }
    deltas
        .iter()
        .zip(split)
        .map(|(d, (gross, employer))| {
            let (name, code) = client(d.client_id);
            SummaryRow {
                month: d.month.clone(),
                assistant_id: d.assistant_id,
                assistant: payee.name.clone(),
                assistant_code: payee.personal_code.clone().unwrap_or_default(),
                iban: payee.iban.clone().unwrap_or_default(),
                insurance: payee.insurance.clone(),
                client_id: d.client_id,
                client: name,
                client_code: code,
                rate_from: d.rate_from,
                rate_cents: d.rate_cents,
                minutes: d.minutes,
                amount_cents: d.amount_cents,
                gross_cents: gross,
                employer_cents: employer,
                trip_cents: d.trip_cents,
            }
        })
        .collect()
}

/// `split_gross` for an amount that may be negative (a correction taking pay back): the same
/// split as the positive amount, with both parts negative.
fn split_signed(amount_cents: i64, contribution_bp: i64) -> (i64, i64) {
    let (gross, employer) = split_gross(amount_cents.abs(), contribution_bp);
    if amount_cents < 0 {
        (-gross, -employer)
    } else {
        (gross, employer)
    }
}

/// The columns of a correction line: the summary's columns (so that they line up with this
/// month's rows), then the month it is about.
pub fn correction_header() -> Vec<&'static str> {
    let mut header = SUMMARY_HEADER.to_vec();
    header.push(MONTH_OF);
    header
}

/// The last column of a correction line: the month it is about.
const MONTH_OF: &str = "Par mēnesi";

/// The heading of the corrections' section, saying which way the signs go.
pub const CORRECTIONS_TITLE: &str = "Labojumi par iepriekš nosūtīto: starpība pret nosūtīto \
     (+ izmaksāt papildus, − ieturēt)";

/// The columns of the summary's rows.
pub const SUMMARY_HEADER: [&str; 14] = [
    "Asistents",
    "Asistenta personas kods",
    "IBAN",
    "Sociālās apdrošināšanas statuss",
    "Klients",
    "Klienta personas kods",
    "Likme no",
    "Likme EUR/h",
    "Minūtes",
    "Stundas",
    "Summa EUR",
    "Bruto alga EUR",
    "Darba devēja iemaksas EUR",
    "Transports EUR",
];

/// The summary's totals: all rows, and per rate period (the day a rate took effect, and the rate).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub minutes: i64,
    pub amount_cents: i64,
    pub gross_cents: i64,
    pub employer_cents: i64,
    pub trip_cents: i64,
}

impl Totals {
    /// Adds other totals (a correction's, to what this month pays).
    pub fn add_all(&mut self, t: &Totals) {
        self.minutes += t.minutes;
        self.amount_cents += t.amount_cents;
        self.gross_cents += t.gross_cents;
        self.employer_cents += t.employer_cents;
        self.trip_cents += t.trip_cents;
    }

    fn add(&mut self, r: &SummaryRow) {
        self.minutes += r.minutes;
        self.amount_cents += r.amount_cents;
        self.gross_cents += r.gross_cents;
        self.employer_cents += r.employer_cents;
        self.trip_cents += r.trip_cents;
    }
}

/// A rate period: the day the rate took effect, and the rate in cents per hour.
pub type RatePeriod = (NaiveDate, i64);

pub fn totals(rows: &[SummaryRow]) -> (Totals, Vec<(RatePeriod, Totals)>) {
    let mut all = Totals::default();
    let mut by_rate: std::collections::BTreeMap<RatePeriod, Totals> = Default::default();
    for r in rows {
        all.add(r);
        by_rate
            .entry((r.rate_from, r.rate_cents))
            .or_default()
            .add(r);
    }
    (all, by_rate.into_iter().collect())
}

/// How many different people the rows are about: (clients, assistants), by who they are.
pub fn head_count(rows: &[SummaryRow]) -> (usize, usize) {
    let clients: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.client_id).collect();
    let assistants: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.assistant_id).collect();
    (clients.len(), assistants.len())
}

/// A summary row's cells, in the order of `SUMMARY_HEADER`.
fn summary_cells(r: &SummaryRow) -> Vec<String> {
    vec![
        r.assistant.clone(),
        r.assistant_code.clone(),
        r.iban.clone(),
        r.insurance.clone(),
        r.client.clone(),
        r.client_code.clone(),
        r.rate_from.format("%d.%m.%Y").to_string(),
        euros(r.rate_cents),
        r.minutes.to_string(),
        hours(r.minutes),
        euros(r.amount_cents),
        euros(r.gross_cents),
        euros(r.employer_cents),
        euros(r.trip_cents),
    ]
}

/// A totals row: its label, `blank` empty cells, then the figures.
fn total_cells(label: String, blank: usize, t: &Totals) -> Vec<String> {
    let mut row = vec![label];
    row.extend(std::iter::repeat_n(String::new(), blank));
    row.extend([
        t.minutes.to_string(),
        hours(t.minutes),
        euros(t.amount_cents),
        euros(t.gross_cents),
        euros(t.employer_cents),
        euros(t.trip_cents),
    ]);
    row
}

/// The municipality summary: this month's rows and their totals, then the corrections carried
/// from statements sent before (`carried`, the differences) and what to pay in all, then the
/// head counts, how the amounts are derived, the notes and the client-months still pending.
pub fn summary_csv(
    month: &str,
    municipality: &str,
    (rows, carried): (&[SummaryRow], &[SummaryRow]),
    bps: &[i64],
    (notes, pending): (&[String], &[String]),
) -> String {
    let s = |v: &str| v.to_owned();
    let mut out = vec![
        vec![s("Pašvaldība"), municipality.to_owned()],
        vec![s("Mēnesis"), month.to_owned()],
        vec![],
        SUMMARY_HEADER.map(s).to_vec(),
    ];
    out.extend(rows.iter().map(summary_cells));
    let (all, by_rate) = totals(rows);
    out.push(total_cells(s("Kopā"), 7, &all));
    out.push(vec![]);
    for ((from, rate), t) in &by_rate {
        out.push(total_cells(
            format!(
                "Kopā pēc likmes {} EUR/h no {}",
                euros(*rate),
                from.format("%d.%m.%Y")
            ),
            7,
            t,
        ));
    }
    if !carried.is_empty() {
        out.push(vec![]);
        out.push(vec![s(CORRECTIONS_TITLE)]);
        out.push(correction_header().into_iter().map(s).collect());
        for r in carried {
            let mut cells = summary_cells(r);
            cells.push(r.month.clone());
            out.push(cells);
        }
        let (fixes, _) = totals(carried);
        out.push(total_cells(s("Labojumi kopā"), 7, &fixes));
        let mut to_pay = all.clone();
        to_pay.add_all(&fixes);
        out.push(total_cells(
            s("Izmaksāt kopā: šis mēnesis un labojumi"),
            7,
            &to_pay,
        ));
    }
    let (clients, assistants) = head_count(rows);
    out.push(vec![]);
    out.push(vec![s("Klientu skaits"), clients.to_string()]);
    out.push(vec![s("Asistentu skaits"), assistants.to_string()]);
    out.push(vec![s("Kā aprēķināts"), derivation(bps)]);
    for c in notes {
        out.push(vec![s("Korekcija"), c.clone()]);
    }
    // Client-months still coming in: not in this summary; a later close issues them.
    for p in pending {
        out.push(vec![
            s("Vēl nav apstiprināts, netiek slēgts tagad"),
            p.clone(),
        ]);
    }
    csv(&out)
}

/// One line of the state funding claim: a service kind × rate period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimLine {
    pub minutes: i64,
    /// Hours × the state rate, rounded half up per summary row.
    pub state_cents: i64,
    /// What the municipality paid on top of the state rate, from its own budget.
    pub top_up_cents: i64,
    pub trip_cents: i64,
}

/// The monthly claim to the ministry: per service kind and rate period, the state's part of
/// the pay (hours × state rate), transport and the administration overhead (at most
/// `admin_percent` of the state's part and at most `admin_cents_per_hour` per hour), with the
/// municipal top-up beside it, kept apart from state money. `rows` are the summary's rows with
/// each client's service kind; `state_rate` is the state rate of a pay period (by its first day).
pub fn claim_csv(
    month: &str,
    municipality: &str,
    rows: &[(mobile_api::Service, SummaryRow)],
    state_rate: impl Fn(NaiveDate) -> i64,
    (admin_percent, admin_cents_per_hour): (i64, i64),
) -> String {
    use super::pay::round_half_up;
    let s = |v: &str| v.to_owned();
    let mut lines: std::collections::BTreeMap<(&'static str, NaiveDate), (i64, ClaimLine)> =
        Default::default();
    for (service, r) in rows {
        let kind = match service {
            mobile_api::Service::Assistant => "Asistenta pakalpojums",
            mobile_api::Service::Companion => "Pavadoņa pakalpojums",
        };
        let rate = state_rate(r.rate_from);
        // A correction's row may take money back: the same rounding, with its sign.
        let state = (round_half_up(i128::from(r.minutes.abs()) * i128::from(rate), 60)
            .min(r.amount_cents.abs().into()) as i64)
            * r.amount_cents.signum();
        let slot = lines
            .entry((kind, r.rate_from))
            .or_insert((rate, ClaimLine::default()));
        slot.1.minutes += r.minutes;
        slot.1.state_cents += state;
        slot.1.top_up_cents += r.amount_cents - state;
        slot.1.trip_cents += r.trip_cents;
    }
    let mut out = vec![
        vec![s("Pašvaldība"), municipality.to_owned()],
        vec![s("Mēnesis"), month.to_owned()],
        vec![
            s("Dokuments"),
            s("Valsts budžeta finansējuma pieprasījums asistenta un pavadoņa pakalpojumam"),
        ],
        vec![],
        [
            "Pakalpojuma veids",
            "Likme no",
            "Valsts likme EUR/h",
            "Minūtes",
            "Stundas",
            "Valsts daļa EUR",
            "Transports EUR",
            "Administrēšana EUR",
            "Pieprasīts no valsts EUR",
            "Pašvaldības piemaksa EUR (nav valsts finansējums)",
        ]
        .map(s)
        .to_vec(),
    ];
    let mut total = (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
    for ((kind, from), (rate, l)) in &lines {
        let by_share = round_half_up(
            i128::from(l.state_cents.abs()) * i128::from(admin_percent),
            100,
        );
        let by_hours = round_half_up(
            i128::from(l.minutes.abs()) * i128::from(admin_cents_per_hour),
            60,
        );
        let admin = (by_share.min(by_hours) as i64) * l.state_cents.signum();
        let claimed = l.state_cents + l.trip_cents + admin;
        out.push(vec![
            (*kind).to_owned(),
            from.format("%d.%m.%Y").to_string(),
            euros(*rate),
            l.minutes.to_string(),
            hours(l.minutes),
            euros(l.state_cents),
            euros(l.trip_cents),
            euros(admin),
            euros(claimed),
            euros(l.top_up_cents),
        ]);
        total.0 += l.minutes;
        total.1 += l.state_cents;
        total.2 += l.trip_cents;
        total.3 += admin;
        total.4 += claimed;
        total.5 += l.top_up_cents;
    }
    out.push(vec![
        s("Kopā"),
        String::new(),
        String::new(),
        total.0.to_string(),
        hours(total.0),
        euros(total.1),
        euros(total.2),
        euros(total.3),
        euros(total.4),
        euros(total.5),
    ]);
    out.push(vec![]);
    out.push(vec![
        s("Kā aprēķināts"),
        format!(
            "Valsts daļa = stundas × valsts stundas likme (ar darba devēja iemaksām), katrai \
             kopsavilkuma rindai noapaļota līdz centam. Administrēšana = mazākais no {admin_percent} % \
             no valsts daļas un {} EUR stundā. Pašvaldības piemaksa (samaksa virs valsts likmes) \
             netiek pieprasīta no valsts.",
            euros(admin_cents_per_hour)
        ),
    ]);
    csv(&out)
}

/// The Message-ID of a statement's mail to one recipient (the same on every retry; a deliberate
/// resend has its own).
pub fn message_id(statement: Uuid, recipient: &str, resend: Option<Uuid>) -> String {
    let h: String = Sha256::digest(recipient.to_lowercase().as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    match resend {
        None => format!("<{statement}.{h}@asistents>"),
        Some(r) => format!("<{statement}.{h}.{r}@asistents>"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_that_would_run_as_formulas_stay_text() {
        let row = vec![
            "=HYPERLINK(\"http://x.lv\",\"klikšķini\")".to_owned(),
            "@SUM(1+1)*cmd|' /C calc'!A0".to_owned(),
            "+1".to_owned(),
            "-2+3".to_owned(),
            "\tx".to_owned(),
            "-5,00".to_owned(),
            "12".to_owned(),
            "Ņina".to_owned(),
        ];
        let text = csv(&[row]);
        let cells: Vec<&str> = text
            .trim_start_matches('\u{feff}')
            .trim_end()
            .split(';')
            .collect();
        assert_eq!(
            cells,
            [
                "\"'=HYPERLINK(\"\"http://x.lv\"\",\"\"klikšķini\"\")\"",
                "'@SUM(1+1)*cmd|' /C calc'!A0",
                "'+1",
                "'-2+3",
                "'\tx",
                "-5,00",
                "12",
                "Ņina"
            ]
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn line(key: (u8, u8, u8), minutes: i64, amount_cents: i64, trip_cents: i64) -> Reported {
        let (assistant, client, period) = key;
        Reported {
            month: "2026-10".into(),
            assistant_id: Uuid::from_u128(assistant.into()),
            client_id: Uuid::from_u128(100 + u128::from(client)),
            rate_from: NaiveDate::from_ymd_opt(2026, 10, 1 + u32::from(period)).unwrap(),
            rate_cents: 511,
            minutes,
            amount_cents,
            trip_cents,
        }
    }

    proptest! {
        /// However a month changes between closes, what the closes reported (the first close's
        /// lines, then each correction's differences) adds up, line by line, to the month as it
        /// stands: nothing paid twice, nothing lost. And a correction's gross and employer parts
        /// add up to its amount, line by line and in total.
        #[test]
        fn corrections_add_up_to_the_month_as_it_stands(
            rounds in proptest::collection::vec(
                proptest::collection::vec(((0u8..3, 0u8..2, 0u8..2), 0i64..600, 0i64..400), 0..8),
                1..5,
            )
        ) {
            let mut sent: Vec<Reported> = Vec::new();
            for round in rounds {
                let mut now: Vec<Reported> = Vec::new();
                for (key, minutes, trips) in round {
                    // One line per key, as a month's pay has it.
                    let new = line(key, minutes, minutes * 511 / 60, trips);
                    let same = |l: &Reported| {
                        (l.assistant_id, l.client_id, l.rate_from)
                            == (new.assistant_id, new.client_id, new.rate_from)
                    };
                    if !now.iter().any(same) {
                        now.push(new);
                    }
                }
                let deltas = difference(&now, &sent);
                for group in deltas.chunk_by(|a, b| a.assistant_id == b.assistant_id) {
                    let payee = Payee { contribution_bp: 2359, ..Payee::default() };
                    let rows = correction_rows(group, &payee, |_| (String::new(), String::new()));
                    for r in &rows {
                        prop_assert_eq!(r.gross_cents + r.employer_cents, r.amount_cents);
                    }
                    let total: i64 = rows.iter().map(|r| r.amount_cents).sum();
                    let gross: i64 = rows.iter().map(|r| r.gross_cents).sum();
                    prop_assert_eq!(gross, split_signed(total, 2359).0);
                }
                sent.extend(deltas);
                prop_assert!(difference(&now, &sent).is_empty(), "{:?}", difference(&now, &sent));
            }
        }
    }

    #[test]
    fn a_voided_session_is_taken_back_and_a_new_rate_moves_minutes_between_periods() {
        let sent = [line((1, 1, 0), 420, 3577, 150)];
        let now = [line((1, 1, 0), 210, 1789, 0), line((1, 1, 1), 60, 600, 0)];
        let d = difference(&now, &sent);
        assert_eq!(
            d.iter()
                .map(|l| (
                    chrono::Datelike::day0(&l.rate_from),
                    l.minutes,
                    l.amount_cents,
                    l.trip_cents
                ))
                .collect::<Vec<_>>(),
            [(0, -210, -1788, -150), (1, 60, 600, 0)]
        );
        assert!(
            difference(&sent, &sent).is_empty(),
            "nothing changed, nothing carried"
        );
        // Taken back: both parts negative, the same split as the positive amount.
        assert_eq!(split_signed(-1788, 2359), (-1447, -341));
        assert_eq!(split_gross(1788, 2359), (1447, 341));
    }

    #[test]
    fn a_contribution_rate_changed_mid_month_splits_the_lines_at_the_day() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let at = |d: u32, h: u32| {
            chrono::TimeZone::from_local_datetime(&TZ, &day(d).and_hms_opt(h, 0, 0).unwrap())
                .unwrap()
                .with_timezone(&Utc)
        };
        let session = |d: u32| Line {
            entry_id: Uuid::from_u128(d.into()),
            assistant_id: Uuid::from_u128(1),
            assistant: "Ruta".into(),
            client_id: Uuid::from_u128(2),
            client: "Anna".into(),
            client_code: None,
            purpose: "work".into(),
            start: at(d, 9),
            end: at(d, 12) + chrono::Duration::minutes(30),
            minutes: 210,
            trips: Vec::new(),
            trip_cents: 0,
        };
        let lines = [session(20), session(21)];
        let rates = [(NaiveDate::from_ymd_opt(2023, 4, 1).unwrap(), 511)];
        // One rate all month: the same as a statement without changes.
        let whole = pay(&lines, &rates, 2359);
        let same = pay_by_periods(
            &lines.iter().map(Worked::from).collect::<Vec<_>>(),
            &rates,
            &[(NaiveDate::MIN, 2359)],
        );
        assert_eq!((whole.amount_cents, whole.gross_cents), (3577, 2894));
        assert_eq!(
            (same.amount_cents, same.gross_cents, same.split.clone()),
            (whole.amount_cents, whole.gross_cents, whole.split.clone())
        );
        // From the 21st 20.77 %: two lines, each rounded, each split at its own rate.
        let worked: Vec<Worked> = lines.iter().map(Worked::from).collect();
        let split = pay_by_periods(&worked, &rates, &[(NaiveDate::MIN, 2359), (day(21), 2077)]);
        assert_eq!(
            split
                .lines
                .iter()
                .map(|l| (l.rate_from, l.minutes, l.amount_cents))
                .collect::<Vec<_>>(),
            [(rates[0].0, 210, 1789), (day(21), 210, 1789)]
        );
        assert_eq!(split.split, [(1448, 341), (1481, 308)]);
        assert_eq!(split.gross_cents + split.employer_cents, split.amount_cents);
    }

    #[test]
    fn numbers_are_written_the_latvian_way() {
        assert_eq!(hours(90), "1,50");
        assert_eq!(hours(1065), "17,75");
        assert_eq!(hours(1), "0,02");
        assert_eq!(euros(8502), "85,02");
        assert_eq!(euros(5), "0,05");
        assert_eq!(euros(-120), "-1,20");
        assert_eq!(hours(-90), "-1,50");
        assert_eq!(hours(-1), "-0,02");
        assert_eq!(
            csv(&[vec!["a;b".into(), "Bērziņš".into()]]),
            "\u{feff}\"a;b\";Bērziņš\r\n"
        );
    }
}
