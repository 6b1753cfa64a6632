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
        "c_corrections_waiting",
        [
            "Slēgtie mēneši, kas laboti pēc slēgšanas: starpību (+ izmaksāt papildus, − ieturēt) ietvers nākamā slēgšana, arī šī mēneša.",
            "Закрытые месяцы, исправленные после закрытия: разницу (+ доплатить, − удержать) включит следующее закрытие, в том числе этого месяца.",
            "Closed months corrected after their close: the next close, this month's too, carries the difference (+ to pay on top, − to withhold).",
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
    ("c_active", ["Aktīvs", "Активен", "Active"]),
    ("c_inactive", ["Neaktīvs", "Неактивен", "Inactive"]),
    ("c_add", ["Pievienot", "Добавить", "Add"]),
    (
        "c_add_version",
        [
            "Jauna vērtības versija",
            "Новая версия значения",
            "A new version of a figure",
        ],
    ),
    (
        "c_add_version_text",
        [
            "Ievadiet vērtību no normatīvā akta, ar datumu, no kura tā ir spēkā, un avotu. Iepriekšējās versijas paliek nemainīgas.",
            "Введите значение из нормативного акта с датой вступления в силу и источником. Прежние версии не меняются.",
            "Enter the figure from the regulation, the day it applies from, and its source. Earlier versions stay as they were.",
        ],
    ),
    ("c_after", ["Pēc", "После", "After"]),
    ("c_before", ["Pirms", "До", "Before"]),
    (
        "c_allowance_by_month",
        [
            "Piešķirtais laiks pa mēnešiem",
            "Выделенное время по месяцам",
            "Allowance month by month",
        ],
    ),
    ("c_amount", ["Summa", "Сумма", "Amount"]),
    (
        "c_approved",
        [
            "Apstiprināja koordinators",
            "Утверждено координатором",
            "Approved by the coordinator",
        ],
    ),
    (
        "c_confirmed",
        [
            "Apstiprināja klients",
            "Подтверждено клиентом",
            "Confirmed by the client",
        ],
    ),
    (
        "c_assistant_from_start",
        [
            "Asistents no lēmuma pirmās dienas",
            "Ассистент с первого дня решения",
            "Assistant from the decision's first day",
        ],
    ),
    ("c_assistants", ["Asistenti", "Ассистенты", "Assistants"]),
    (
        "c_audit",
        ["Auditācijas žurnāls", "Журнал аудита", "Audit log"],
    ),
    (
        "c_audit_of_client",
        [
            "Šī klienta ieraksti auditācijas žurnālā",
            "Записи журнала аудита об этом клиенте",
            "This client's records in the audit log",
        ],
    ),
    (
        "c_audit_text",
        [
            "Katra izmaiņa, pieteikšanās un mēneša solis, jaunākie vispirms. Cik ierakstu ir žurnālā, saka ķēdes pārbaude.",
            "Каждое изменение, вход и шаг месяца, новые сверху. Сколько записей в журнале, скажет проверка цепочки.",
            "Every change, login and month step, newest first. The chain's check tells how many records the log holds.",
        ],
    ),
    (
        "c_audit_client_count",
        [
            "Ieraksti par šo klientu: {n}.",
            "Записей об этом клиенте: {n}.",
            "Records about this client: {n}.",
        ],
    ),
    (
        "c_check_chain",
        [
            "Pārbaudīt žurnāla ķēdi",
            "Проверить цепочку журнала",
            "Check the log's chain",
        ],
    ),
    (
        "c_chain_intact",
        [
            "Ķēde ir vesela: {n} ieraksti pārbaudīti, neviens nav mainīts.",
            "Цепочка цела: проверено записей: {n}, ни одна не изменена.",
            "The chain is intact: {n} records checked, none altered.",
        ],
    ),
    (
        "c_chain_broken",
        [
            "Ķēde ir pārrauta pie ieraksta #{id} (pirms tā {n} ieraksti ir veseli): {why}.",
            "Цепочка нарушена на записи #{id} (до неё целы записей: {n}): {why}.",
            "The chain is broken at record #{id} ({n} records before it are intact): {why}.",
        ],
    ),
    (
        "c_born",
        ["Dzimšanas datums", "Дата рождения", "Date of birth"],
    ),
    ("c_card", ["Kartīte", "Карточка", "Card"]),
    (
        "c_client_says",
        [
            "Klienta iebildums",
            "Возражение клиента",
            "The client's objection",
        ],
    ),
    ("c_corrected", ["Izlabots", "Исправлено", "Corrected"]),
    ("c_rejected", ["Noraidīts", "Отклонено", "Rejected"]),
    ("c_correction", ["labojums", "исправление", "correction"]),
    ("c_original", ["oriģināls", "оригинал", "original"]),
    (
        "c_create_login",
        [
            "Izveidot lietotāju",
            "Создать пользователя",
            "Create the login",
        ],
    ),
    (
        "c_decided_on",
        ["Lēmuma datums", "Дата решения", "Decided on"],
    ),
    ("c_decision", ["Lēmums", "Решение", "Decision"]),
    (
        "c_decision_number",
        ["Lēmuma numurs", "Номер решения", "Decision number"],
    ),
    ("c_decisions", ["Lēmumi", "Решения", "Decisions"]),
    ("c_details", ["Sīkāk", "Подробнее", "Details"]),
    (
        "c_disputes_title",
        [
            "Iebildumi, kas jāizlemj",
            "Возражения, которые нужно решить",
            "Disputes to resolve",
        ],
    ),
    (
        "c_disputes_text",
        [
            "Vecākie vispirms. Norādiet, vai ieraksts ir izlabots vai iebildums noraidīts, un kāpēc.",
            "Сначала самые старые. Укажите, исправлена ли запись или возражение отклонено, и почему.",
            "Oldest first. Say whether the session was corrected or the dispute rejected, and why.",
        ],
    ),
    (
        "c_disputes_none",
        [
            "Nav neizlemtu iebildumu.",
            "Нерешённых возражений нет.",
            "No disputes wait.",
        ],
    ),
    ("c_email", ["E-pasts", "Эл. почта", "E-mail"]),
    (
        "c_enrol",
        [
            "Reģistrēt klientu",
            "Зарегистрировать клиента",
            "Enrol the client",
        ],
    ),
    ("c_expired", ["Beidzies derīgums", "Срок истёк", "Expired"]),
    ("c_fact", ["Fakts", "Факт", "Fact"]),
    ("c_figure", ["Vērtība", "Показатель", "Figure"]),
    ("c_find", ["Meklēt", "Найти", "Find"]),
    (
        "c_for_assistant",
        [
            "Asistentam (tikai lomai “asistents”)",
            "Для ассистента (только для роли «ассистент»)",
            "For the assistant (role “assistant” only)",
        ],
    ),
    ("c_from", ["Spēkā no", "Действует с", "In force from"]),
    (
        "c_from_monday",
        ["No pirmdienas", "С понедельника", "From Monday"],
    ),
    (
        "c_give_password",
        [
            "Piešķirt pagaidu paroli",
            "Выдать временный пароль",
            "Give a temporary password",
        ],
    ),
    ("c_gross", ["Bruto", "Брутто", "Gross"]),
    (
        "c_group",
        [
            "Invaliditātes grupa",
            "Группа инвалидности",
            "Disability group",
        ],
    ),
    (
        "c_history",
        ["Visas versijas", "Все версии", "Every version"],
    ),
    (
        "c_hours_per_week",
        ["Stundas nedēļā", "Часы в неделю", "Hours per week"],
    ),
    ("c_iban", ["Konts (IBAN)", "Счёт (IBAN)", "Account (IBAN)"]),
    ("c_in_force", ["Spēkā", "Действует", "In force"]),
    ("c_in_force_on", ["Spēkā", "Действует на", "In force on"]),
    (
        "c_insurance",
        [
            "Sociālās apdrošināšanas statuss",
            "Статус социального страхования",
            "Social insurance status",
        ],
    ),
    (
        "c_insurance_insured",
        [
            "Apdrošināts darbinieks",
            "Застрахованный работник",
            "Insured employee",
        ],
    ),
    (
        "c_insurance_old_age_pensioner",
        [
            "Vecuma pensionārs",
            "Пенсионер по возрасту",
            "Old-age pensioner",
        ],
    ),
    (
        "c_insurance_long_service_pensioner",
        [
            "Izdienas pensionārs",
            "Пенсионер за выслугу лет",
            "Long-service pensioner",
        ],
    ),
    (
        "c_last_login",
        ["Pēdējā pieteikšanās", "Последний вход", "Last login"],
    ),
    (
        "c_login_for_page",
        [
            "Pieteikšanās klientu lapai",
            "Вход на страницу клиента",
            "Login for the clients' page",
        ],
    ),
    (
        "c_login_hint",
        [
            "Nav obligāti. Parole ir pagaidu: pirmajā pieteikšanās reizē cilvēks izvēlas savu.",
            "Необязательно. Пароль временный: при первом входе человек выбирает свой.",
            "Optional. The password is temporary: at the first login the person chooses their own.",
        ],
    ),
    ("c_login_who", ["Kam", "Для кого", "For whom"]),
    (
        "c_logins",
        [
            "Pieteikšanās un pārstāvji",
            "Входы и представители",
            "Logins and representatives",
        ],
    ),
    ("c_mail", ["E-pasta sūtījumi", "Отправка почты", "Mail"]),
    ("c_month", ["Mēnesis", "Месяц", "Month"]),
    ("c_monthly", ["Mēnesī", "В месяц", "Per month"]),
    (
        "c_monthly_hours",
        ["Stundas mēnesī", "Часов в месяц", "Hours per month"],
    ),
    ("c_name", ["Vārds, uzvārds", "Имя, фамилия", "Name"]),
    (
        "c_new_client",
        ["Jauns klients", "Новый клиент", "New client"],
    ),
    (
        "c_new_client_text",
        [
            "Viena forma: klients, viņa lēmums, asistents un pieteikšanās. Ja kāda daļa nav pareiza, netiek saglabāts nekas un forma atgriežas ar visu ievadīto.",
            "Одна форма: клиент, его решение, ассистент и вход. Если какая-то часть неверна, ничего не сохраняется, и форма возвращается со всем введённым.",
            "One form: the client, their decision, assistant and login. If any part is wrong, nothing is saved and the form comes back with everything typed.",
        ],
    ),
    (
        "c_new_login",
        ["Jauns lietotājs", "Новый пользователь", "New login"],
    ),
    (
        "c_new_login_text",
        [
            "Darbiniekiem un asistentiem. Klientu un pārstāvju pieteikšanos izveido klienta formā.",
            "Для сотрудников и ассистентов. Вход клиентов и представителей создаётся в форме клиента.",
            "For staff and assistants. Clients' and representatives' logins are made in the client's form.",
        ],
    ),
    (
        "c_new_password",
        [
            "Jauna pagaidu parole",
            "Новый временный пароль",
            "New temporary password",
        ],
    ),
    (
        "c_new_pin",
        [
            "Jauns PIN (6–8 cipari)",
            "Новый PIN (6–8 цифр)",
            "New PIN (6–8 digits)",
        ],
    ),
    ("c_next", ["Nākamie", "Следующие", "Next"]),
    ("c_previous", ["Iepriekšējie", "Предыдущие", "Previous"]),
    ("c_pages", ["Lapas", "Страницы", "Pages"]),
    (
        "c_no_assignment",
        ["Nav klientu.", "Клиентов нет.", "No clients."],
    ),
    (
        "c_no_assistant",
        [
            "Nav piešķirta asistenta.",
            "Ассистент не назначен.",
            "No assistant assigned.",
        ],
    ),
    (
        "c_no_decision",
        ["Nav lēmuma.", "Решения нет.", "No decision."],
    ),
    (
        "c_no_login",
        ["Nav pieteikšanās.", "Входа нет.", "No login."],
    ),
    ("c_no_mail", ["Nav sūtījumu.", "Писем нет.", "No mail."]),
    (
        "c_no_pay",
        [
            "Vēl nav darba samaksas pārskatu.",
            "Расчётов зарплаты ещё нет.",
            "No pay statements yet.",
        ],
    ),
    (
        "c_no_phone",
        ["Nav tālruņu.", "Телефонов нет.", "No phones."],
    ),
    (
        "c_no_sessions",
        ["Nav ierakstu.", "Записей нет.", "No sessions."],
    ),
    (
        "c_no_statements",
        [
            "Šim mēnesim vēl nav pārskatu.",
            "За этот месяц отчётов ещё нет.",
            "No statements for this month yet.",
        ],
    ),
    (
        "c_nothing_found",
        ["Nekas nav atrasts.", "Ничего не найдено.", "Nothing found."],
    ),
    (
        "c_older",
        ["Vecāki ieraksti", "Более старые записи", "Older records"],
    ),
    (
        "c_open_sheet",
        [
            "Atvērt mēneša lapu",
            "Открыть лист месяца",
            "Open the month sheet",
        ],
    ),
    (
        "c_over_weekly",
        [
            "virs nedēļas apjoma",
            "сверх недельного объёма",
            "above the weekly figure",
        ],
    ),
    (
        "c_pay_by_month",
        [
            "Darba samaksa pa mēnešiem",
            "Зарплата по месяцам",
            "Pay per month",
        ],
    ),
    (
        "c_personal_code",
        ["Personas kods", "Персональный код", "Personal code"],
    ),
    ("c_phone", ["Tālrunis", "Телефон", "Phone"]),
    ("c_phones", ["Tālruņi", "Телефоны", "Phones"]),
    (
        "c_pin",
        [
            "PIN apstiprināšanai asistenta tālrunī",
            "PIN для подтверждения на телефоне ассистента",
            "PIN to confirm on the assistant's phone",
        ],
    ),
    (
        "c_pin_none",
        ["PIN nav iestatīts.", "PIN не задан.", "No PIN is set."],
    ),
    (
        "c_pin_set",
        ["PIN ir iestatīts.", "PIN задан.", "A PIN is set."],
    ),
    ("c_set_pin", ["Iestatīt PIN", "Задать PIN", "Set the PIN"]),
    (
        "c_policy",
        ["Normatīvās vērtības", "Нормативные значения", "Policy"],
    ),
    (
        "c_purposes",
        ["Atbalsta mērķi", "Цели поддержки", "Purposes"],
    ),
    (
        "c_purposes_hint",
        [
            "Ja nav atzīmēts neviens, atļauti visi pakalpojuma veida mērķi.",
            "Если ничего не отмечено, разрешены все цели вида услуги.",
            "If none is ticked, every purpose of the service kind is allowed.",
        ],
    ),
    ("c_raised", ["Iesniegts", "Подано", "Raised"]),
    ("c_recipient", ["Saņēmējs", "Получатель", "Recipient"]),
    ("c_relative", ["radinieks", "родственник", "relative"]),
    (
        "c_representative_name",
        [
            "Pārstāvja vārds (ja pārstāvis)",
            "Имя представителя (если представитель)",
            "The representative's name (if a representative)",
        ],
    ),
    ("c_resent", ["atkārtots", "повторно", "resent"]),
    ("c_resolved", ["Izlemts", "Решено", "Resolved"]),
    (
        "c_revoke",
        ["Atslēgt tālruni", "Отключить телефон", "Log the phone out"],
    ),
    ("c_revoked", ["Atslēgts", "Отключён", "Logged out"]),
    ("c_role", ["Loma", "Роль", "Role"]),
    ("c_role_admin", ["Administrators", "Администратор", "Admin"]),
    (
        "c_role_coordinator",
        ["Koordinators", "Координатор", "Coordinator"],
    ),
    (
        "c_role_accountant",
        ["Grāmatvedis", "Бухгалтер", "Accountant"],
    ),
    ("c_role_assistant", ["Asistents", "Ассистент", "Assistant"]),
    ("c_role_client", ["Klients", "Клиент", "Client"]),
    (
        "c_role_representative",
        ["Pārstāvis", "Представитель", "Representative"],
    ),
    (
        "c_search",
        ["Meklēt pēc vārda", "Поиск по имени", "Search by name"],
    ),
    (
        "c_search_login",
        [
            "Meklēt pēc lietotājvārda",
            "Поиск по логину",
            "Search by login",
        ],
    ),
    ("c_sent", ["Nosūtīts", "Отправлено", "Sent"]),
    (
        "c_service",
        ["Pakalpojuma veids", "Вид услуги", "Service kind"],
    ),
    (
        "c_service_assistant",
        ["Asistents", "Ассистент", "Assistant"],
    ),
    (
        "c_service_companion",
        ["Pavadonis", "Сопровождающий", "Companion"],
    ),
    (
        "c_sessions",
        ["Pakalpojuma reizes", "Оказания услуги", "Sessions"],
    ),
    ("c_source", ["Avots", "Источник", "Source"]),
    ("c_statements", ["Pārskati", "Отчёты", "Statements"]),
    ("c_suspension", ["Apturēts", "Приостановлено", "Suspended"]),
    (
        "c_switch_off",
        [
            "Atslēgt lietotāju",
            "Отключить пользователя",
            "Switch the login off",
        ],
    ),
    (
        "c_switch_on",
        [
            "Ieslēgt lietotāju",
            "Включить пользователя",
            "Switch the login on",
        ],
    ),
    (
        "c_temporary_password",
        [
            "Pagaidu parole (vismaz 10 rakstzīmes)",
            "Временный пароль (не менее 10 символов)",
            "Temporary password (at least 10 characters)",
        ],
    ),
    ("c_transport", ["Transports", "Транспорт", "Transport"]),
    (
        "c_transport_allowed",
        [
            "Transporta izdevumi tiek kompensēti",
            "Транспортные расходы компенсируются",
            "Transport costs are compensated",
        ],
    ),
    (
        "c_transport_cap",
        [
            "Transporta limits mēnesī, EUR",
            "Лимит транспорта в месяц, EUR",
            "Transport cap per month, EUR",
        ],
    ),
    ("c_users", ["Lietotāji", "Пользователи", "Users"]),
    ("c_valid_from", ["Spēkā no", "Действует с", "Valid from"]),
    ("c_valid_to", ["Spēkā līdz", "Действует до", "Valid to"]),
    ("c_value", ["Vērtība", "Значение", "Value"]),
    ("c_version", ["versija", "версия", "version"]),
    ("c_week", ["Nedēļa", "Неделя", "Week"]),
    (
        "c_weekly_figure",
        ["Nedēļas apjoms", "Недельный объём", "Weekly figure"],
    ),
    (
        "c_weekly_procedures",
        [
            "Bērnam ir regulāras procedūras vai rehabilitācija",
            "У ребёнка регулярные процедуры или реабилитация",
            "The child has regular procedures or rehabilitation",
        ],
    ),
    ("c_what", ["Kas", "Что", "What"]),
    ("c_when", ["Kad", "Когда", "When"]),
    ("c_who", ["Kas veica", "Кто", "Who"]),
    ("c_the_service", ["Sistēma", "Система", "The service"]),
    (
        "c_done_enrolled",
        [
            "Klients reģistrēts.",
            "Клиент зарегистрирован.",
            "The client is enrolled.",
        ],
    ),
    (
        "c_done_pin",
        ["PIN iestatīts.", "PIN задан.", "The PIN is set."],
    ),
    ("c_done_saved", ["Saglabāts.", "Сохранено.", "Saved."]),
    (
        "c_done_resolved",
        [
            "Iebildums izlemts.",
            "Возражение решено.",
            "The dispute is resolved.",
        ],
    ),
    (
        "c_done_insurance",
        [
            "Apdrošināšanas statuss saglabāts ar dienu, no kuras tas ir spēkā.",
            "Статус страхования сохранён с днём, с которого он действует.",
            "The insurance status is saved with the day it applies from.",
        ],
    ),
    (
        "c_insurance_change",
        [
            "Mainīt apdrošināšanas statusu",
            "Изменить статус страхования",
            "Change the insurance status",
        ],
    ),
    ("c_from_day", ["no", "с", "from"]),
    ("c_until_day", ["līdz", "по", "until"]),
    (
        "c_insurance_from",
        ["Spēkā no", "Действует с", "Applies from"],
    ),
    ("c_save", ["Saglabāt", "Сохранить", "Save"]),
    (
        "c_insurance_hint",
        [
            "Statuss nosaka darba devēja iemaksu likmi. Ja tas mainās mēneša vidū, mēneša samaksa tiek sadalīta šajā dienā; dienas pirms tās paliek ar iepriekšējo statusu.",
            "Статус определяет ставку взносов работодателя. Если он меняется в середине месяца, оплата месяца делится в этот день; дни до него остаются с прежним статусом.",
            "The status decides the employer contribution rate. If it changes within a month, the month's pay splits on that day; the days before keep the earlier status.",
        ],
    ),
    (
        "c_done_revoked",
        [
            "Tālrunis atslēgts: tā pieteikšanās vairs nedarbojas.",
            "Телефон отключён: его вход больше не действует.",
            "The phone is logged out: its login no longer works.",
        ],
    ),
    (
        "c_done_user",
        [
            "Lietotājs izveidots. Nododiet pagaidu paroli personīgi.",
            "Пользователь создан. Передайте временный пароль лично.",
            "The login is created. Hand the temporary password over in person.",
        ],
    ),
    (
        "c_all_purposes",
        [
            "Visi pakalpojuma veida mērķi",
            "Все цели вида услуги",
            "Every purpose of the service kind",
        ],
    ),
    ("c_yes", ["Jā", "Да", "Yes"]),
    ("c_no", ["Nē", "Нет", "No"]),
    ("c_entry_active", ["Spēkā", "Действует", "Counted"]),
    (
        "c_entry_pending_review",
        ["Gaida pārbaudi", "Ждёт проверки", "Waiting for review"],
    ),
    ("c_entry_rejected", ["Noraidīts", "Отклонено", "Rejected"]),
    ("c_entry_deleted", ["Dzēsts", "Удалено", "Deleted"]),
    ("c_entry_voided", ["Anulēts", "Аннулировано", "Voided"]),
    (
        "c_flagged_title",
        [
            "Ieraksti, kas vairs neatbilst",
            "Записи, которые больше не соответствуют",
            "Sessions that no longer fit",
        ],
    ),
    (
        "c_flagged_text",
        [
            "Vēlāk ierakstīts fakts (pārtraukums, grozīts lēmums, politikas vērtība ar pagātnes datumu) padara šīs sesijas nederīgas. Tās netiek skaitītas un apmaksātas. Paturiet ar pamatojumu (piemēram, klientu pavadīja uz slimnīcu uzņemšanas dienā) vai anulējiet. Kamēr kāda gaida, mēnesi nevar apstiprināt un slēgt.",
            "Позже внесённый факт (приостановка, изменённое решение, значение политики с прошедшей датой) делает эти сессии недействительными. Они не учитываются и не оплачиваются. Оставьте с обоснованием (например, клиента сопровождали в больницу в день поступления) или аннулируйте. Пока хоть одна ждёт, месяц нельзя утвердить и закрыть.",
            "A fact recorded later (a suspension, an amended decision, a policy figure with a past date) makes these sessions break a rule. They are not counted or paid. Keep each with a reason (e.g. the client was escorted to hospital on the admission day) or void it. While any waits, the month cannot be approved or closed.",
        ],
    ),
    (
        "c_flagged_none",
        [
            "Nav ierakstu, kas gaidītu lēmumu.",
            "Нет записей, ожидающих решения.",
            "No flagged sessions wait.",
        ],
    ),
    ("c_flag_why", ["Kāpēc", "Почему", "Why"]),
    (
        "c_addition",
        [
            "papildinājums (maksā papildus)",
            "дополнение (оплачивается сверх)",
            "addition (paid on top)",
        ],
    ),
    (
        "c_below_title",
        [
            "Likme zem minimālās algas.",
            "Ставка ниже минимальной зарплаты.",
            "The rate is below the minimum wage.",
        ],
    ),
    (
        "c_overridden",
        [
            "Administrators reģistrēja, kāpēc mēnesi slēdz tomēr:",
            "Администратор записал, почему месяц всё же закрывается:",
            "An admin recorded why the month closes anyway:",
        ],
    ),
    (
        "c_override_reason",
        [
            "Kāpēc mēnesi slēdz tomēr",
            "Почему месяц всё же закрывается",
            "Why the month closes anyway",
        ],
    ),
    (
        "c_override_button",
        [
            "Reģistrēt izņēmumu",
            "Записать исключение",
            "Record the exception",
        ],
    ),
    (
        "c_done_overridden",
        [
            "Izņēmums reģistrēts: mēnesi var slēgt.",
            "Исключение записано: месяц можно закрыть.",
            "The exception is recorded: the month can be closed.",
        ],
    ),
    ("c_keep", ["Paturēt", "Оставить", "Keep"]),
    ("c_void", ["Anulēt", "Аннулировать", "Void"]),
    (
        "c_done_flag",
        [
            "Lēmums par atzīmēto ierakstu saglabāts.",
            "Решение по отмеченной записи сохранено.",
            "The flagged session is decided.",
        ],
    ),
    (
        "c_entry_flagged",
        [
            "Atzīmēts: vairs neatbilst, netiek skaitīts",
            "Отмечено: больше не соответствует, не учитывается",
            "Flagged: no longer fits, not counted",
        ],
    ),
    (
        "c_kind_client_timesheet",
        ["Uzskaites lapa", "Лист учёта", "Timesheet"],
    ),
    (
        "c_kind_assistant_pay",
        ["Darba samaksa", "Зарплата", "Pay statement"],
    ),
    (
        "c_kind_municipality_summary",
        [
            "Pašvaldības kopsavilkums",
            "Сводка самоуправления",
            "Municipality summary",
        ],
    ),
    ("c_mail_pending", ["Gaida", "Ожидает", "Waiting"]),
    ("c_mail_sending", ["Sūta", "Отправляется", "Sending"]),
    ("c_mail_sent", ["Nosūtīts", "Отправлено", "Sent"]),
    ("c_mail_failed", ["Neizdevās", "Не удалось", "Failed"]),
    (
        "c_close_running",
        [
            "Mēnesis tiek slēgts fonā; tas var ilgt dažas minūtes. Pārskati un e-pasta vēstules parādīsies, kad tas būs pabeigts.",
            "Месяц закрывается в фоне; это может занять несколько минут. Ведомости и письма появятся, когда закрытие завершится.",
            "The month is being closed in the background; this can take a few minutes. The statements and mails appear when it is done.",
        ],
    ),
    (
        "c_reload",
        ["Atjaunot lapu", "Обновить страницу", "Reload the page"],
    ),
    (
        "c_closed_pending",
        [
            "Vēl nav apstiprināti un netiek slēgti tagad ({n}): {names}. Tos izsniegs nākamā slēgšana.",
            "Ещё не утверждены и сейчас не закрываются ({n}): {names}. Их выпустит следующее закрытие.",
            "Not approved yet and not closed now ({n}): {names}. A later close issues them.",
        ],
    ),
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
