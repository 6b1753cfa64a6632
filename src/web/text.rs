//! The words of the clients' web page, in Latvian, Russian and English.

use std::collections::BTreeMap;

use mobile_api::Locale;

const WORDS: &[(&str, [&str; 3])] = &[
    (
        "skip",
        [
            "Pāriet uz saturu",
            "Перейти к содержанию",
            "Skip to content",
        ],
    ),
    (
        "service",
        [
            "Asistenta pakalpojums",
            "Услуга ассистента",
            "Assistant service",
        ],
    ),
    ("language", ["Valoda", "Язык", "Language"]),
    ("login_title", ["Pieteikšanās", "Вход", "Log in"]),
    (
        "login_intro",
        [
            "Šeit varat pārskatīt un apstiprināt asistenta sniegtos pakalpojumus.",
            "Здесь можно просмотреть и подтвердить услуги ассистента.",
            "Here you can review and confirm the assistant's services.",
        ],
    ),
    ("login", ["Lietotājvārds", "Логин", "Login"]),
    ("password", ["Parole", "Пароль", "Password"]),
    ("log_in", ["Pieteikties", "Войти", "Log in"]),
    ("log_out", ["Iziet", "Выйти", "Log out"]),
    (
        "wrong_login",
        [
            "Nepareizs lietotājvārds vai parole.",
            "Неверный логин или пароль.",
            "Wrong login or password.",
        ],
    ),
    (
        "too_many",
        [
            "Pārāk daudz neveiksmīgu mēģinājumu. Lūdzu, mēģiniet vēlāk.",
            "Слишком много неудачных попыток. Попробуйте позже.",
            "Too many failed attempts. Please try again later.",
        ],
    ),
    ("months_title", ["Mēneši", "Месяцы", "Months"]),
    ("open_month", ["Atvērt", "Открыть", "Open"]),
    ("state", ["Statuss", "Статус", "Status"]),
    (
        "state_open",
        [
            "Aizpilda asistents",
            "Заполняет ассистент",
            "Being filled in by the assistant",
        ],
    ),
    (
        "state_submitted",
        [
            "Gaida jūsu apstiprinājumu",
            "Ожидает вашего подтверждения",
            "Waiting for your confirmation",
        ],
    ),
    (
        "state_disputed",
        [
            "Apstrīdēts, gaida labojumus",
            "Оспорено, ожидает исправлений",
            "Disputed, waiting for corrections",
        ],
    ),
    (
        "state_confirmed",
        ["Apstiprināts", "Подтверждено", "Confirmed"],
    ),
    (
        "state_approved",
        [
            "Apstiprinājis sociālais dienests",
            "Утверждено социальной службой",
            "Approved by the social service",
        ],
    ),
    ("state_closed", ["Noslēgts", "Закрыто", "Closed"]),
    (
        "allowance",
        [
            "Piešķirts mēnesī",
            "Выделено на месяц",
            "Granted for the month",
        ],
    ),
    ("used", ["Izmantots", "Использовано", "Used"]),
    ("left", ["Atlicis", "Осталось", "Left"]),
    (
        "sessions",
        ["Pakalpojuma reizes", "Сеансы услуги", "Service sessions"],
    ),
    ("date", ["Datums", "Дата", "Date"]),
    ("time", ["Laiks", "Время", "Time"]),
    ("duration", ["Ilgums", "Длительность", "Duration"]),
    ("purpose", ["Mērķis", "Цель", "Purpose"]),
    ("assistant", ["Asistents", "Ассистент", "Assistant"]),
    ("trips", ["Braucieni", "Поездки", "Trips"]),
    (
        "no_sessions",
        [
            "Šajā mēnesī pakalpojums nav reģistrēts.",
            "В этом месяце услуга не зарегистрирована.",
            "No service was recorded this month.",
        ],
    ),
    (
        "waiting_review",
        [
            "gaida sociālā dienesta pārbaudi",
            "ожидает проверки социальной службой",
            "waiting for the social service's review",
        ],
    ),
    ("confirm_title", ["Apstiprināt", "Подтвердить", "Confirm"]),
    (
        "c_console",
        [
            "Sociālā dienesta konsole",
            "Консоль социальной службы",
            "Social service console",
        ],
    ),
    (
        "c_board",
        ["Mēneša pārskats", "Обзор месяца", "Month board"],
    ),
    ("c_months", ["Mēneši", "Месяцы", "Months"]),
    (
        "c_filter",
        [
            "Atlasīt pēc stāvokļa",
            "Отбор по состоянию",
            "Filter by state",
        ],
    ),
    ("c_all", ["Visi", "Все", "All"]),
    ("c_clients", ["Klienti", "Клиенты", "Clients"]),
    ("c_client", ["Klients", "Клиент", "Client"]),
    ("c_pick", ["Atzīmēt", "Отметить", "Select"]),
    ("c_disputes", ["Iebildumi", "Возражения", "Disputes"]),
    (
        "c_late",
        ["Novēloti ieraksti", "Поздние записи", "Late entries"],
    ),
    (
        "c_without",
        [
            "Apstiprināt bez klienta",
            "Утвердить без клиента",
            "Approve without the client",
        ],
    ),
    ("c_reason", ["Iemesls", "Причина", "Reason"]),
    ("c_approve", ["Apstiprināt", "Утвердить", "Approve"]),
    (
        "c_none",
        [
            "Šajā mēnesī nav klientu ar piešķirtu pakalpojumu.",
            "В этом месяце нет клиентов с назначенной услугой.",
            "No client has the service this month.",
        ],
    ),
    (
        "c_bulk",
        [
            "Apstiprināt klientu apstiprinātos mēnešus",
            "Утвердить месяцы, подтверждённые клиентами",
            "Approve the months clients confirmed",
        ],
    ),
    (
        "c_bulk_text",
        [
            "Atzīmējiet tabulā klientus, kuru mēnesi klients ir apstiprinājis, un apstipriniet tos visus reizē.",
            "Отметьте в таблице клиентов, подтвердивших месяц, и утвердите их все сразу.",
            "Tick the clients whose month the client confirmed in the table, and approve them all at once.",
        ],
    ),
    (
        "c_bulk_reason",
        [
            "Piezīme (nav obligāta)",
            "Примечание (необязательно)",
            "Note (optional)",
        ],
    ),
    (
        "c_bulk_button",
        [
            "Apstiprināt atzīmētos",
            "Утвердить отмеченные",
            "Approve the ticked",
        ],
    ),
    (
        "c_close",
        ["Slēgt mēnesi", "Закрыть месяц", "Close the month"],
    ),
    (
        "c_close_text",
        [
            "Slēdzot tiek sagatavoti pārskati par apstiprinātajiem mēnešiem ({n}) un nosūtīti e-pastā. Pārējie paliek atvērti.",
            "При закрытии готовятся ведомости по утверждённым месяцам ({n}) и отправляются по почте. Остальные остаются открытыми.",
            "Closing makes the statements of the approved months ({n}) and mails them. The rest stay open.",
        ],
    ),
    (
        "c_close_button",
        [
            "Slēgt apstiprinātos",
            "Закрыть утверждённые",
            "Close the approved",
        ],
    ),
    (
        "c_closed",
        [
            "Mēnesis slēgts: {s} pārskati, {m} e-pasta vēstules rindā.",
            "Месяц закрыт: ведомостей {s}, писем в очереди {m}.",
            "Month closed: {s} statements, {m} mails queued.",
        ],
    ),
    (
        "c_stopping",
        [
            "Vēl nav apstiprināti: {n}.",
            "Ещё не утверждено: {n}.",
            "Not approved yet: {n}.",
        ],
    ),
    (
        "c_done_approved",
        ["Apstiprināts.", "Утверждено.", "Approved."],
    ),
    ("c_done_closed", ["Slēgts.", "Закрыто.", "Closed."]),
    (
        "c_password_temporary",
        [
            "Šo paroli jums iestatīja administrators. Lai turpinātu, izvēlieties savu paroli, ko zināt tikai jūs.",
            "Этот пароль вам задал администратор. Чтобы продолжить, выберите свой пароль, который знаете только вы.",
            "An administrator set this password for you. To go on, choose your own that only you know.",
        ],
    ),
    (
        "c_password_given",
        [
            "Parole, ko iedeva administrators",
            "Пароль, выданный администратором",
            "The password you were given",
        ],
    ),
    (
        "c_exceptions",
        ["Gaida izlemšanu", "Ждёт решения", "Waiting for a decision"],
    ),
    (
        "c_late_title",
        [
            "Novēloti ieraksti pārbaudei",
            "Поздние записи на проверку",
            "Late entries to review",
        ],
    ),
    (
        "c_late_text",
        [
            "Ieraksti, kas iesniegti pēc mēneša termiņa. Apstiprinot tos pārbauda vēlreiz pret piešķirtajām stundām.",
            "Записи, поданные после срока месяца. При утверждении они снова проверяются по выделенным часам.",
            "Entries made after the month's deadline. Approving checks them again against the hours granted.",
        ],
    ),
    (
        "c_late_none",
        [
            "Nav novēlotu ierakstu.",
            "Поздних записей нет.",
            "No late entries.",
        ],
    ),
    ("c_note", ["Piezīme", "Заметка", "Note"]),
    ("c_reject", ["Noraidīt", "Отклонить", "Reject"]),
    (
        "c_mail_title",
        [
            "Nenosūtītas vēstules",
            "Неотправленные письма",
            "Mail not delivered",
        ],
    ),
    (
        "c_mail_none",
        [
            "Visas vēstules ir nosūtītas vai vēl tiek sūtītas.",
            "Все письма отправлены или ещё отправляются.",
            "All mail is sent or still being sent.",
        ],
    ),
    ("c_written", ["Sagatavota", "Подготовлено", "Written"]),
    ("c_attempts", ["Mēģinājumi", "Попытки", "Attempts"]),
    ("c_error", ["Kļūda", "Ошибка", "Error"]),
    (
        "c_resend",
        ["Sūtīt vēlreiz", "Отправить снова", "Send again"],
    ),
    ("c_done_reviewed", ["Izlemts.", "Решено.", "Decided."]),
    (
        "c_done_resent",
        [
            "Vēstule ielikta rindā vēlreiz.",
            "Письмо снова поставлено в очередь.",
            "The mail is queued again.",
        ],
    ),
    (
        "cs_open",
        [
            "Aizpilda asistents",
            "Заполняет ассистент",
            "Being filled in",
        ],
    ),
    (
        "cs_submitted",
        [
            "Nodots, gaida klientu",
            "Сдан, ждёт клиента",
            "Handed in, waiting for the client",
        ],
    ),
    (
        "cs_disputed",
        [
            "Klients iebilst",
            "Клиент возражает",
            "Disputed by the client",
        ],
    ),
    (
        "cs_confirmed",
        [
            "Klients apstiprinājis",
            "Клиент подтвердил",
            "Confirmed by the client",
        ],
    ),
    ("cs_approved", ["Apstiprināts", "Утверждён", "Approved"]),
    ("cs_closed", ["Slēgts", "Закрыт", "Closed"]),
    (
        "confirm_next",
        [
            "Pārskatīt un apstiprināt",
            "Проверить и подтвердить",
            "Review and confirm",
        ],
    ),
    (
        "confirm_summary",
        [
            "Jūs apstiprināt {n} pakalpojuma reizes, kopā {d}.",
            "Вы подтверждаете оказание услуги {n} раз(а), всего {d}.",
            "You confirm {n} sessions, {d} in all.",
        ],
    ),
    (
        "confirm_final",
        [
            "Pēc apstiprināšanas šo mēnesi vairs nevar mainīt.",
            "После подтверждения этот месяц больше нельзя изменить.",
            "Once confirmed, this month can no longer be changed.",
        ],
    ),
    (
        "not_yet",
        [
            "Vēl ne: atpakaļ uz mēnesi",
            "Пока нет: назад к месяцу",
            "Not yet: back to the month",
        ],
    ),
    (
        "no_services",
        [
            "Šajā mēnesī nav pakalpojumu, ko apstiprināt.",
            "В этом месяце нет услуг для подтверждения.",
            "There are no services to confirm this month.",
        ],
    ),
    ("total", ["Kopā: {d}", "Всего: {d}", "In all: {d}"]),
    (
        "reason_needed",
        [
            "Uzrakstiet iemeslu katrai atzīmētajai reizei (trūkst: {what}). Nekas vēl nav nosūtīts.",
            "Укажите причину для каждого отмеченного сеанса (не хватает: {what}). Ничего ещё не отправлено.",
            "Write a reason for each ticked session ({what} missing). Nothing has been sent yet.",
        ],
    ),
    (
        "reason_missing",
        [
            "Uzrakstiet, kāpēc iebilstat pret šo reizi.",
            "Напишите, почему вы возражаете против этого сеанса.",
            "Write why you object to this session.",
        ],
    ),
    (
        "contact_phone",
        [
            "Jautājumi? Zvaniet {name}: {phone}.",
            "Вопросы? Позвоните: {name}, {phone}.",
            "Questions? Call {name}: {phone}.",
        ],
    ),
    (
        "contact_address",
        [
            "Jautājumi? Sazinieties ar {name}, {address}.",
            "Вопросы? Обратитесь: {name}, {address}.",
            "Questions? Contact {name}, {address}.",
        ],
    ),
    (
        "confirm_text",
        [
            "Apstiprinu, ka visi augstāk minētie pakalpojumi ir sniegti.",
            "Подтверждаю, что все перечисленные выше услуги были оказаны.",
            "I confirm that all the services listed above were provided.",
        ],
    ),
    (
        "confirm_button",
        [
            "Apstiprināt mēnesi",
            "Подтвердить месяц",
            "Confirm the month",
        ],
    ),
    (
        "dispute_title",
        [
            "Iebilst pret atsevišķām reizēm",
            "Оспорить отдельные сеансы",
            "Dispute single sessions",
        ],
    ),
    (
        "dispute_text",
        [
            "Atzīmējiet reizes, kas nav pareizas, un uzrakstiet, kas nav kārtībā.",
            "Отметьте неверные сеансы и напишите, что не так.",
            "Tick the sessions that are not right and write what is wrong.",
        ],
    ),
    (
        "dispute_this",
        [
            "Apstrīdēt šo reizi",
            "Оспорить этот сеанс",
            "Dispute this session",
        ],
    ),
    (
        "reason",
        ["Kas nav pareizi", "Что неверно", "What is wrong"],
    ),
    (
        "comment",
        [
            "Komentārs (nav obligāts)",
            "Комментарий (необязательно)",
            "Comment (optional)",
        ],
    ),
    (
        "dispute_button",
        [
            "Nosūtīt iebildumus",
            "Отправить возражения",
            "Send the objections",
        ],
    ),
    (
        "confirmed_on",
        ["Apstiprināts", "Подтверждено", "Confirmed on"],
    ),
    (
        "stale",
        [
            "Mēnesis pa to laiku ir mainīts. Lūdzu, pārskatiet to vēlreiz.",
            "Месяц тем временем изменился. Пожалуйста, просмотрите его снова.",
            "The month has changed meanwhile. Please review it again.",
        ],
    ),
    (
        "pick_one",
        [
            "Atzīmējiet vismaz vienu reizi un uzrakstiet iemeslu.",
            "Отметьте хотя бы один сеанс и укажите причину.",
            "Tick at least one session and write the reason.",
        ],
    ),
    ("password_title", ["Parole", "Пароль", "Password"]),
    (
        "password_intro_temporary",
        [
            "Šo paroli jums iedeva sociālais dienests. Lai turpinātu, izvēlieties savu paroli, ko zināt tikai jūs.",
            "Этот пароль вам выдала социальная служба. Чтобы продолжить, выберите свой пароль, который знаете только вы.",
            "The social service gave you this password. To go on, choose your own password that only you know.",
        ],
    ),
    (
        "password_intro",
        [
            "Nomainot paroli, jūs tiksiet izrakstīts no visām citām ierīcēm.",
            "После смены пароля вы выйдете на всех других устройствах.",
            "Changing the password logs you out on every other device.",
        ],
    ),
    (
        "temporary_password",
        [
            "Parole, ko iedeva dienests",
            "Пароль, выданный службой",
            "The password the service gave you",
        ],
    ),
    (
        "current_password",
        ["Pašreizējā parole", "Текущий пароль", "Current password"],
    ),
    (
        "new_password",
        ["Jaunā parole", "Новый пароль", "New password"],
    ),
    (
        "new_password_hint",
        [
            "Vismaz 10 rakstzīmes.",
            "Не менее 10 символов.",
            "At least 10 characters.",
        ],
    ),
    (
        "new_password_hint_temporary",
        [
            "Vismaz 10 rakstzīmes. Tai jāatšķiras no dienesta dotās.",
            "Не менее 10 символов. Он должен отличаться от выданного службой.",
            "At least 10 characters, different from the one the service gave you.",
        ],
    ),
    (
        "repeat_password",
        [
            "Jaunā parole vēlreiz",
            "Новый пароль ещё раз",
            "New password again",
        ],
    ),
    (
        "change_password",
        ["Mainīt paroli", "Сменить пароль", "Change password"],
    ),
    (
        "passwords_differ",
        [
            "Abas jaunās paroles nesakrīt. Ierakstiet tās vēlreiz.",
            "Новые пароли не совпадают. Введите их ещё раз.",
            "The two new passwords differ. Type them again.",
        ],
    ),
    (
        "wrong_current",
        [
            "Pašreizējā parole nav pareiza.",
            "Текущий пароль неверен.",
            "The current password is wrong.",
        ],
    ),
    (
        "done_password",
        [
            "Parole nomainīta.",
            "Пароль изменён.",
            "The password is changed.",
        ],
    ),
    (
        "login_with_new",
        [
            "Parole nomainīta. Piesakieties ar savu jauno paroli.",
            "Пароль изменён. Войдите со своим новым паролем.",
            "The password is changed. Log in with your new password.",
        ],
    ),
    (
        "back_to_months",
        [
            "Atpakaļ uz mēnešiem",
            "Назад к месяцам",
            "Back to the months",
        ],
    ),
    (
        "done_confirm",
        [
            "Paldies! Mēnesis ir apstiprināts.",
            "Спасибо! Месяц подтверждён.",
            "Thank you! The month is confirmed.",
        ],
    ),
    (
        "done_dispute",
        [
            "Paldies! Iebildumi nosūtīti asistentam.",
            "Спасибо! Возражения отправлены ассистенту.",
            "Thank you! Your objections were sent to the assistant.",
        ],
    ),
    (
        "disputed_reason",
        ["Jūsu iebildums", "Ваше возражение", "Your objection"],
    ),
    (
        "back",
        [
            "Atpakaļ uz mēnešiem",
            "Назад к месяцам",
            "Back to the months",
        ],
    ),
    ("hours", ["st.", "ч", "h"]),
    ("minutes", ["min", "мин", "min"]),
    ("error", ["Kļūda", "Ошибка", "Error"]),
];

const MONTHS: [[&str; 12]; 3] = [
    [
        "janvāris",
        "februāris",
        "marts",
        "aprīlis",
        "maijs",
        "jūnijs",
        "jūlijs",
        "augusts",
        "septembris",
        "oktobris",
        "novembris",
        "decembris",
    ],
    [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
];

fn index(locale: Locale) -> usize {
    match locale {
        Locale::Lv => 0,
        Locale::Ru => 1,
        Locale::En => 2,
    }
}

/// Every word of the page in `locale`, for templates (`t.key`).
pub fn words(locale: Locale) -> BTreeMap<&'static str, &'static str> {
    WORDS.iter().map(|(k, v)| (*k, v[index(locale)])).collect()
}

pub fn word(key: &str, locale: Locale) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v[index(locale)])
        .unwrap_or("")
}

/// "oktobris 2026" / "октябрь 2026" / "October 2026".
pub fn month_name(month: u32, year: i32, locale: Locale) -> String {
    let name = MONTHS[index(locale)]
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("");
    format!("{name} {year}")
}
