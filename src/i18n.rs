//! What people read, in Latvian (the default), Russian and English.
//!
//! Messages may name values from an error's `details` as `{name}`; a name the details lack is
//! left out rather than shown raw.

use mobile_api::{ErrorCode, Locale};
use serde_json::Value;

/// The first of lv, ru, en that `Accept-Language` asks for (by q-value), or lv.
pub fn locale_from_accept_language(header: Option<&str>) -> Locale {
    let Some(header) = header else {
        return Locale::Lv;
    };
    let mut best: Option<(f32, Locale)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if let Some(locale) = Locale::parse(primary)
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, locale));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Locale::Lv)
}

/// The human message for `code` in `locale`, filled from `details`.
pub fn message(code: ErrorCode, locale: Locale, details: &Value) -> String {
    // A fare refused because the client rides free says so, not that transport is not granted;
    // a session refused because the adult client's group does not give the assistant service
    // says that, not that there is no decision.
    let worded = match (code, details.get("reason").and_then(Value::as_str)) {
        (ErrorCode::TransportNotAllowed, Some("free_fare")) => Some("free_fare"),
        (ErrorCode::NoDecision, Some("group_not_eligible")) => Some("group_not_eligible"),
        _ => None,
    };
    if let Some(text) = worded.and_then(|r| reason_text(r, locale)) {
        let mut chars = text.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        return format!("{first}{}.", chars.as_str());
    }
    let [lv, ru, en] = texts(code);
    let template = match locale {
        Locale::Lv => lv,
        Locale::Ru => ru,
        Locale::En => en,
    };
    fill(template, details, locale)
}

fn fill(template: &str, details: &Value, locale: Locale) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &rest[open + 1..open + close];
        match details.get(name) {
            Some(Value::String(s)) if name == "reason" => match reason_text(s, locale) {
                Some(text) => out.push_str(&fill(text, details, locale)),
                None => out.push_str(s),
            },
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            // People read hours and euro, not minutes and cents.
            Some(Value::Number(n)) if name.ends_with("_minutes") && n.is_i64() => {
                out.push_str(&hours(n.as_i64().unwrap_or(0), locale));
            }
            Some(Value::Number(n)) if name.ends_with("_cents") && n.is_i64() => {
                out.push_str(&euro(n.as_i64().unwrap_or(0), locale));
            }
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Minutes as people say them: "2 h 30 min", "45 min", "8 h".
fn hours(minutes: i64, locale: Locale) -> String {
    let (h, m) = match locale {
        Locale::Ru => ("ч", "мин"),
        Locale::Lv | Locale::En => ("h", "min"),
    };
    let sign = if minutes < 0 { "−" } else { "" };
    let (whole, rest) = (minutes.abs() / 60, minutes.abs() % 60);
    match (whole, rest) {
        (0, r) => format!("{sign}{r} {m}"),
        (w, 0) => format!("{sign}{w} {h}"),
        (w, r) => format!("{sign}{w} {h} {r} {m}"),
    }
}

/// Cents as euro: "12,50 EUR" (a decimal point in English).
fn euro(cents: i64, locale: Locale) -> String {
    let sign = if cents < 0 { "−" } else { "" };
    let point = if locale == Locale::En { "." } else { "," };
    format!(
        "{sign}{}{point}{:02} EUR",
        cents.abs() / 100,
        cents.abs() % 100
    )
}

fn texts(code: ErrorCode) -> [&'static str; 3] {
    use ErrorCode::*;
    match code {
        MalformedJson => [
            "Pieprasījuma saturs nav derīgs JSON.",
            "Тело запроса не является корректным JSON.",
            "The request body is not valid JSON.",
        ],
        ValidationFailed => [
            "Lauks \"{field}\" nav pareizs: {reason}.",
            "Поле \"{field}\" заполнено неверно: {reason}.",
            "The field \"{field}\" is not valid: {reason}.",
        ],
        UnsupportedMediaType => [
            "Pieprasījumam jābūt ar Content-Type: application/json.",
            "Запрос должен иметь Content-Type: application/json.",
            "The request must have Content-Type: application/json.",
        ],
        PayloadTooLarge => [
            "Pieprasījums ir pārāk liels.",
            "Запрос слишком велик.",
            "The request is too large.",
        ],
        NotFound => ["Nav atrasts.", "Не найдено.", "Not found."],
        MethodNotAllowed => [
            "Šī darbība šeit nav atļauta.",
            "Это действие здесь не поддерживается.",
            "This method is not allowed here.",
        ],
        Conflict => [
            "Pretrunā ar esošu ierakstu: {reason}.",
            "Конфликт с существующей записью: {reason}.",
            "This conflicts with an existing record: {reason}.",
        ],
        Unauthorized => [
            "Lūdzu, piesakieties vēlreiz.",
            "Пожалуйста, войдите снова.",
            "Please log in again.",
        ],
        TokenExpired => [
            "Pieslēgšanās laiks beidzies. Piesakieties vēlreiz; nenosūtītie ieraksti saglabājas.",
            "Срок входа истёк. Войдите снова; неотправленные записи сохраняются.",
            "Your login has expired. Log in again; nothing unsent is lost.",
        ],
        TokenRevoked => [
            "Šī ierīce ir izrakstīta. Piesakieties vēlreiz.",
            "Это устройство отключено от входа. Войдите снова.",
            "This device was logged out. Log in again.",
        ],
        InvalidCredentials => [
            "Nepareizs lietotājvārds vai parole.",
            "Неверное имя пользователя или пароль.",
            "Wrong login or password.",
        ],
        TooManyAttempts => [
            "Pārāk daudz neveiksmīgu mēģinājumu. Mēģiniet vēlreiz pēc {retry_after_seconds} sekundēm.",
            "Слишком много неудачных попыток. Повторите через {retry_after_seconds} секунд.",
            "Too many failed attempts. Try again in {retry_after_seconds} seconds.",
        ],
        PasswordChangeRequired => [
            "Šo paroli iestatīja darbinieks. Vispirms izvēlieties savu paroli.",
            "Этот пароль задал сотрудник. Сначала выберите свой пароль.",
            "This password was set by staff. Choose your own password first.",
        ],
        Forbidden => [
            "Jums nav tiesību to darīt.",
            "У вас нет прав на это действие.",
            "You are not allowed to do this.",
        ],
        DecisionInvalid => [
            "Lēmums neatbilst noteikumiem: {reason}.",
            "Решение не соответствует правилам: {reason}.",
            "The decision breaks the rules: {reason}.",
        ],
        PolicyInvalid => [
            "Noteikumu vērtība \"{key}\" nav pareiza: {reason}.",
            "Значение правила \"{key}\" неверно: {reason}.",
            "The policy value \"{key}\" is not valid: {reason}.",
        ],
        InvalidInterval => [
            "Sākumam jābūt pirms beigām, un sesija nedrīkst būt garāka par {max_minutes}.",
            "Начало должно быть раньше конца, а сеанс не длиннее {max_minutes}.",
            "The start must be before the end, and a session may last at most {max_minutes}.",
        ],
        InFuture => [
            "Sesija beidzas nākotnē.",
            "Сеанс заканчивается в будущем.",
            "The session ends in the future.",
        ],
        NotAssigned => [
            "Jums nav piešķirts šis klients visai sesijai.",
            "Вы не назначены к этому клиенту на всё время сеанса.",
            "You are not assigned to this client for the whole session.",
        ],
        NoDecision => [
            "Klientam nav spēkā esoša lēmuma par šo pakalpojumu visai sesijai.",
            "У клиента нет действующего решения об этой услуге на всё время сеанса.",
            "The client has no decision for this service covering the whole session.",
        ],
        ServiceSuspended => [
            "Pakalpojums šajā laikā ir apturēts ({reason}).",
            "Услуга в это время приостановлена ({reason}).",
            "The service is suspended at this time ({reason}).",
        ],
        PurposeNotAllowed => [
            "Mērķis \"{purpose}\" šim klientam nav atļauts.",
            "Цель \"{purpose}\" для этого клиента не разрешена.",
            "The purpose \"{purpose}\" is not allowed for this client.",
        ],
        OverAllowance => [
            "Mēneša apjoms pārsniegts: atlikušas {remaining_minutes}, pieprasītas {requested_minutes}.",
            "Превышен месячный объём: осталось {remaining_minutes}, запрошено {requested_minutes}.",
            "Over the monthly allowance: {remaining_minutes} left, {requested_minutes} requested.",
        ],
        OverlapClient => [
            "Šajā laikā klientam jau ir cita sesija.",
            "У клиента в это время уже есть другой сеанс.",
            "The client already has another session at this time.",
        ],
        OverlapAssistant => [
            "Šajā laikā jums jau ir cita sesija.",
            "У вас в это время уже есть другой сеанс.",
            "You already have another session at this time.",
        ],
        TransportNotAllowed => [
            "Lēmums neparedz transporta izdevumu kompensāciju.",
            "Решение не предусматривает компенсацию транспортных расходов.",
            "The decision grants no transport compensation.",
        ],
        TransportCap => [
            "Mēneša transporta limits pārsniegts: atlikuši {remaining_cents}, pieprasīti {requested_cents}.",
            "Превышен месячный лимит на транспорт: осталось {remaining_cents}, запрошено {requested_cents}.",
            "Over the monthly transport cap: {remaining_cents} left, {requested_cents} requested.",
        ],
        MonthLocked => [
            "Mēnesis {month} ir slēgts izmaiņām.",
            "Месяц {month} закрыт для изменений.",
            "The month {month} is locked.",
        ],
        MonthState => [
            "Mēnesim {month} šobrīd ir statuss \"{state}\", tāpēc to nevar izdarīt.",
            "Месяц {month} сейчас в статусе \"{state}\", поэтому это действие невозможно.",
            "The month {month} is \"{state}\" now, so this cannot be done.",
        ],
        RateBelowMinimumWage => [
            "No {from} stundas likme {rate_cents} pēc darba devēja iemaksām dod {gross_hourly_cents} bruto stundā, mazāk par minimālo stundas algu {minimum_hourly_cents} ({minimum_monthly_wage_cents} mēnesī, {normal_month_hours} darba stundas). Administratoram jāievada jaunā likme no normatīvā akta vai jāreģistrē, kāpēc mēnesi slēdz tomēr.",
            "С {from} часовая ставка {rate_cents} после взносов работодателя даёт {gross_hourly_cents} брутто в час, меньше минимальной часовой оплаты {minimum_hourly_cents} ({minimum_monthly_wage_cents} в месяц, {normal_month_hours} рабочих часов). Администратор должен ввести новую ставку из нормативного акта или записать, почему месяц всё же закрывается.",
            "From {from} the hourly rate {rate_cents}, net of employer contributions, pays {gross_hourly_cents} gross an hour, less than the minimum hourly wage {minimum_hourly_cents} ({minimum_monthly_wage_cents} a month, {normal_month_hours} working hours). An admin must enter the new rate from the regulation, or record why the month closes anyway.",
        ],
        EntriesFlagged => [
            "Mēnesī {month} ir atzīmēti ieraksti ({count}), kas vairs neatbilst noteikumiem: vispirms katru paturiet vai anulējiet.",
            "В месяце {month} есть отмеченные записи ({count}), которые больше не соответствуют правилам: сначала оставьте или аннулируйте каждую.",
            "The month {month} has flagged sessions ({count}) that no longer meet the rules: keep or void each one first.",
        ],
        WeeklyLimit => [
            "Nedēļas stundu limits ({limit_minutes}) pārsniegts: šonedēļ jau {week_minutes}.",
            "Превышен недельный лимит ({limit_minutes}): на этой неделе уже {week_minutes}.",
            "Over the weekly limit ({limit_minutes}): already {week_minutes} this week.",
        ],
        StaleVersion => [
            "Ieraksts pa to laiku ir mainīts. Lūdzu, pārskatiet jaunāko versiju.",
            "Запись тем временем изменилась. Пожалуйста, проверьте последнюю версию.",
            "The record has changed meanwhile. Please review the latest version.",
        ],
        SeqConflict => [
            "Šis secības numurs jau izmantots citai izmaiņai.",
            "Этот порядковый номер уже использован для другого изменения.",
            "This sequence number was already used for a different change.",
        ],
        SeqGap => [
            "Trūkst izmaiņu: gaidīts numurs {expected_seq}.",
            "Пропущены изменения: ожидался номер {expected_seq}.",
            "Changes are missing: expected sequence number {expected_seq}.",
        ],
        NotReady => [
            "Pakalpojums īslaicīgi nav pieejams. Mēģiniet vēlreiz.",
            "Сервис временно недоступен. Повторите попытку.",
            "The service is temporarily unavailable. Please try again.",
        ],
        Internal => [
            "Radās kļūda. Mēģiniet vēlreiz vēlāk.",
            "Произошла ошибка. Повторите попытку позже.",
            "Something went wrong. Please try again later.",
        ],
    }
}

/// The message of a warning (`weekly_limit`, `allowance_low`, `late_entry`, `clock_skew`).
pub fn warning_message(code: &str, locale: Locale, details: &Value) -> String {
    let [lv, ru, en] = match code {
        "weekly_limit" => texts(ErrorCode::WeeklyLimit),
        "allowance_low" => [
            "Mēneša apjomā atlikušas tikai {remaining_minutes} no {allowance_minutes}.",
            "В месячном объёме осталось лишь {remaining_minutes} из {allowance_minutes}.",
            "Only {remaining_minutes} of {allowance_minutes} of the monthly allowance remain.",
        ],
        "late_entry" => [
            "Ieraksts iesniegts pēc termiņa; tas tiks ņemts vērā pēc koordinatora apstiprinājuma.",
            "Запись подана после срока; она будет учтена после одобрения координатором.",
            "The entry arrived after the deadline; it counts once a coordinator approves it.",
        ],
        "clock_skew" => [
            "Ierīces pulkstenis atšķiras no servera laika par {skew_minutes}.",
            "Часы устройства расходятся со временем сервера на {skew_minutes}.",
            "The device clock differs from the server's by {skew_minutes}.",
        ],
        _ => return code.to_owned(),
    };
    let template = match locale {
        Locale::Lv => lv,
        Locale::Ru => ru,
        Locale::En => en,
    };
    fill(template, details, locale)
}

/// Words for the machine `reason` codes in `details`; an unknown code is shown as it is.
fn reason_text(reason: &str, locale: Locale) -> Option<&'static str> {
    let [lv, ru, en] = match reason {
        "required" => ["jānorāda", "обязательно", "required"],
        "empty" => [
            "nedrīkst būt tukšs",
            "не может быть пустым",
            "must not be empty",
        ],
        "too_long" => ["pārāk garš", "слишком длинное", "too long"],
        "not_an_email" => [
            "nav e-pasta adrese",
            "не адрес эл. почты",
            "not an e-mail address",
        ],
        "not_a_phone" => [
            "nav tālruņa numurs",
            "не номер телефона",
            "not a phone number",
        ],
        "not_an_iban" => ["nav derīgs IBAN", "неверный IBAN", "not a valid IBAN"],
        "not_a_personal_code" => [
            "nav personas kods formā 000000-00000",
            "не персональный код в форме 000000-00000",
            "not a personal code of the form 000000-00000",
        ],
        "out_of_range" => [
            "ārpus pieļaujamām robežām",
            "вне допустимых пределов",
            "out of range",
        ],
        "in_future" => ["nākotnē", "в будущем", "in the future"],
        "unknown" => ["nav atrasts", "не найден", "not found"],
        "wrong_kind" => [
            "neatbilst lomai",
            "не подходит для роли",
            "does not fit the role",
        ],
        "period_reversed" => [
            "beigu datums ir pirms sākuma datuma",
            "дата окончания раньше даты начала",
            "the end date is before the start date",
        ],
        "password_too_short" => [
            "parolei jābūt vismaz 10 rakstzīmes garai",
            "пароль должен содержать не менее 10 символов",
            "the password must be at least 10 characters long",
        ],
        "login_taken" => [
            "lietotājvārds jau aizņemts",
            "логин уже занят",
            "the login is taken",
        ],
        "already_exists" => ["jau pastāv", "уже существует", "already exists"],
        "too_long_period" => [
            "lēmums var būt spēkā ne ilgāk par {max_years} gadiem",
            "решение может действовать не более {max_years} лет",
            "a decision may run for at most {max_years} years",
        ],
        "over_cap" => [
            "mēneša apjoms pārsniedz atļauto maksimumu",
            "месячный объём превышает допустимый максимум",
            "the monthly volume is above the maximum allowed",
        ],
        "minutes_not_positive" => [
            "mēneša apjomam jābūt lielākam par nulli",
            "месячный объём должен быть больше нуля",
            "the monthly volume must be above zero",
        ],
        "past_adulthood" => [
            "bērna lēmums beidzas ne vēlāk kā dienu pirms 18. dzimšanas dienas",
            "решение для ребёнка заканчивается не позже дня перед 18-летием",
            "a child's decision ends at the latest the day before the 18th birthday",
        ],
        "too_young" => [
            "bērns ir jaunāks par pieļaujamo vecumu",
            "ребёнок младше допустимого возраста",
            "the child is younger than the minimum age",
        ],
        "group_not_eligible" => [
            "pilngadīgai personai asistenta pakalpojumu piešķir tikai ar I vai II invaliditātes grupu",
            "взрослому услугу ассистента назначают только при I или II группе инвалидности",
            "an adult is granted the assistant service only with disability group I or II",
        ],
        "no_open_dispute" => [
            "šai pakalpojuma reizei nav neizlemta klienta iebilduma",
            "по этой записи нет нерешённого возражения клиента",
            "this session has no open dispute of the client's",
        ],
        "free_fare" => [
            "klients ar šo invaliditāti sabiedriskajā transportā brauc bez maksas, tāpēc biļetes cena netiek kompensēta",
            "клиент с такой инвалидностью ездит в общественном транспорте бесплатно, поэтому цена билета не компенсируется",
            "the client rides public transport free with this disability, so no fare is compensated",
        ],
        "companion_for_adult" => [
            "pavadoņa pakalpojums ir tikai bērniem",
            "услуга сопровождающего только для детей",
            "the companion service is for children only",
        ],
        "unknown_purpose" => ["nezināms mērķis", "неизвестная цель", "unknown purpose"],
        "purpose_not_of_service" => [
            "mērķis neatbilst pakalpojuma veidam",
            "цель не относится к этому виду услуги",
            "the purpose does not belong to this service kind",
        ],
        "overlaps_existing" => [
            "pārklājas ar citu šī klienta lēmumu",
            "пересекается с другим решением этого клиента",
            "overlaps another decision of this client",
        ],
        "child_both_services" => [
            "bērns nevar saņemt gan asistenta, gan pavadoņa pakalpojumu",
            "ребёнок не может получать обе услуги сразу",
            "a child cannot receive both services",
        ],
        "transport_cap_invalid" => [
            "transporta limitam jābūt no 0 līdz 1 000 000 centiem",
            "лимит на транспорт должен быть от 0 до 1 000 000 центов",
            "the transport cap must be from 0 to 1,000,000 cents",
        ],
        "outside_validity" => [
            "datums ir ārpus lēmuma darbības laika",
            "дата вне срока действия решения",
            "the date is outside the decision's validity",
        ],
        "not_after_previous" => [
            "grozījumam jāsākas pēc iepriekšējās versijas",
            "изменение должно начинаться после предыдущей версии",
            "an amendment must start after the previous version",
        ],
        "not_latest_version" => [
            "grozīt var tikai jaunāko versiju",
            "изменять можно только последнюю версию",
            "only the latest version can be amended",
        ],
        "immutable" => [
            "to nevar mainīt",
            "это нельзя изменить",
            "cannot be changed",
        ],
        "malformed" => [
            "nav nolasāms laiks",
            "время не читается",
            "not a readable time",
        ],
        "coordinates" => [
            "vietu norāda vārdos, ne koordinātās",
            "место указывается словами, а не координатами",
            "give the place in words, not coordinates",
        ],
        "unknown_key" => [
            "nezināms iestatījums",
            "неизвестный параметр",
            "unknown setting",
        ],
        "wrong_type" => [
            "nepareizs vērtības veids",
            "неверный тип значения",
            "wrong type of value",
        ],
        "duplicate_date" => [
            "šim datumam vērtība jau ir",
            "на эту дату значение уже есть",
            "a value for this date already exists",
        ],
        _ => return None,
    };
    Some(match locale {
        Locale::Lv => lv,
        Locale::Ru => ru,
        Locale::En => en,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_error_code_has_its_own_message_in_three_languages() {
        for code in ErrorCode::ALL {
            let [lv, ru, en] = texts(*code);
            assert!(!lv.is_empty() && !ru.is_empty() && !en.is_empty(), "{code}");
            assert!(lv != en && ru != en && lv != ru, "{code} is not translated");
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(locale_from_accept_language(None), Locale::Lv);
        assert_eq!(
            locale_from_accept_language(Some("de, fr;q=0.9")),
            Locale::Lv
        );
        assert_eq!(
            locale_from_accept_language(Some("en;q=0.4, ru-RU;q=0.8")),
            Locale::Ru
        );
        assert_eq!(locale_from_accept_language(Some("EN-gb")), Locale::En);
        assert_eq!(locale_from_accept_language(Some("ru;q=0, en")), Locale::En);
    }

    #[test]
    fn details_fill_messages_and_reasons_read_as_words() {
        let d = json!({"remaining_minutes": 35, "requested_minutes": 90});
        assert_eq!(
            message(ErrorCode::OverAllowance, Locale::En, &d),
            "Over the monthly allowance: 35 min left, 1 h 30 min requested."
        );
        let d = json!({"remaining_cents": 150, "requested_cents": 1205});
        assert_eq!(
            message(ErrorCode::TransportCap, Locale::Lv, &d),
            "Mēneša transporta limits pārsniegts: atlikuši 1,50 EUR, pieprasīti 12,05 EUR."
        );
        let d = json!({"limit_minutes": 2400, "week_minutes": 2460});
        assert_eq!(
            message(ErrorCode::WeeklyLimit, Locale::Ru, &d),
            "Превышен недельный лимит (40 ч): на этой неделе уже 41 ч."
        );
        let d = json!({"reason": "too_long_period", "max_years": 3});
        assert_eq!(
            message(ErrorCode::DecisionInvalid, Locale::Lv, &d),
            "Lēmums neatbilst noteikumiem: lēmums var būt spēkā ne ilgāk par 3 gadiem."
        );
    }
}
