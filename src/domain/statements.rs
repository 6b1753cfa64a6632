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

pub fn hours(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    format!("{},{:02}", hundredths / 100, hundredths % 100)
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
    let sessions: Vec<Session> = lines
        .iter()
        .map(|l| Session {
            assistant_id: l.assistant_id,
            client_id: l.client_id,
            start: l.start,
            end: l.end,
        })
        .collect();
    let lines_out = pay_lines(&sessions, rates);
    let amount: i64 = lines_out.iter().map(|l| l.amount_cents).sum();
    let (gross, employer) = split_gross(amount, contribution_bp);
    let split = split_lines(&lines_out, gross, contribution_bp);
    Pay {
        split,
        lines: lines_out,
        amount_cents: amount,
        gross_cents: gross,
        employer_cents: employer,
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
#[derive(Debug, Clone)]
pub struct Payee {
    pub name: String,
    pub personal_code: Option<String>,
    pub iban: Option<String>,
    /// The social insurance status in words (it decides the employer contribution rate).
    pub insurance: String,
    /// The employer contribution rate in basis points (2359 = 23,59 %).
    pub contribution_bp: i64,
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

pub fn pay_csv(
    payee: &Payee,
    month: &str,
    p: &Pay,
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
        vec![
            s("Sociālās apdrošināšanas statuss"),
            payee.insurance.clone(),
        ],
        vec![
            s("Darba devēja iemaksu likme"),
            percent(payee.contribution_bp),
        ],
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
    rows.push(vec![]);
    rows.push(vec![
        s("Kā aprēķināts"),
        derivation(&[payee.contribution_bp]),
    ]);
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

pub fn summary_csv(
    month: &str,
    municipality: &str,
    rows: &[SummaryRow],
    bps: &[i64],
    (corrections, pending): (&[String], &[String]),
) -> String {
    let s = |v: &str| v.to_owned();
    let mut out = vec![
        vec![s("Pašvaldība"), municipality.to_owned()],
        vec![s("Mēnesis"), month.to_owned()],
        vec![],
        SUMMARY_HEADER.map(s).to_vec(),
    ];
    for r in rows {
        out.push(vec![
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
        ]);
    }
    let (all, by_rate) = totals(rows);
    let total_row = |label: String, t: &Totals| {
        let mut row = vec![label];
        row.extend(std::iter::repeat_n(String::new(), 7));
        row.extend([
            t.minutes.to_string(),
            hours(t.minutes),
            euros(t.amount_cents),
            euros(t.gross_cents),
            euros(t.employer_cents),
            euros(t.trip_cents),
        ]);
        row
    };
    out.push(total_row(s("Kopā"), &all));
    out.push(vec![]);
    for ((from, rate), t) in &by_rate {
        out.push(total_row(
            format!(
                "Kopā pēc likmes {} EUR/h no {}",
                euros(*rate),
                from.format("%d.%m.%Y")
            ),
            t,
        ));
    }
    let (clients, assistants) = head_count(rows);
    out.push(vec![]);
    out.push(vec![s("Klientu skaits"), clients.to_string()]);
    out.push(vec![s("Asistentu skaits"), assistants.to_string()]);
    out.push(vec![s("Kā aprēķināts"), derivation(bps)]);
    for c in corrections {
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
        let state = round_half_up(i128::from(r.minutes) * i128::from(rate), 60)
            .min(r.amount_cents.into()) as i64;
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
        let by_share = round_half_up(i128::from(l.state_cents) * i128::from(admin_percent), 100);
        let by_hours = round_half_up(i128::from(l.minutes) * i128::from(admin_cents_per_hour), 60);
        let admin = by_share.min(by_hours) as i64;
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

    #[test]
    fn numbers_are_written_the_latvian_way() {
        assert_eq!(hours(90), "1,50");
        assert_eq!(hours(1065), "17,75");
        assert_eq!(hours(1), "0,02");
        assert_eq!(euros(8502), "85,02");
        assert_eq!(euros(5), "0,05");
        assert_eq!(euros(-120), "-1,20");
        assert_eq!(
            csv(&[vec!["a;b".into(), "Bērziņš".into()]]),
            "\u{feff}\"a;b\";Bērziņš\r\n"
        );
    }
}
