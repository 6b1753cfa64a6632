// Everything the app says, in Latvian, Russian and English, and how it writes numbers.

const W = {
  lv: {
    app: 'Asistents', login_title: 'Pieteikšanās', login: 'Lietotājvārds', password: 'Parole', log_in: 'Pieteikties',
    login_again: 'Pieslēgšanās laiks beidzies. Ievadiet paroli vēlreiz; nenosūtītie ieraksti ir saglabāti telefonā.',
    revoked: 'Šī ierīce ir izrakstīta (piemēram, pazaudēta telefona dēļ). Dati no telefona ir izdzēsti. Piesakieties vēlreiz.',
    today: 'Šodien', sessions: 'Sesijas', months: 'Mēneši', settings: 'Iestatījumi', main_nav: 'Galvenā izvēlne',
    start: 'Sākt', stop: 'Beigt', running: 'Notiek kopš {t}', add_after: 'Ievadīt vēlāk',
    left_of: 'Atlikušas {left} no {all}', no_decision: 'Nav spēkā esoša lēmuma',
    low: 'Uzmanību: palikuši mazāk nekā 10 % šī mēneša stundu.',
    pace: 'Ar šādu tempu stundas beigsies {d}.', pace_ok: 'Ar šādu tempu stundu pietiks līdz mēneša beigām.',
    pay: 'Paredzamā samaksa par mēnesi līdz šim: {m} bruto (aptuveni, līdz mēnesis ir apstiprināts).',
    pay_final: 'Samaksa par mēnesi: {m} bruto.',
    client: 'Klients', purpose: 'Mērķis', date: 'Datums', from: 'No', to: 'Līdz', place: 'Vieta',
    home: 'Mājās', community: 'Ārpus mājām', other_place: 'Cita vieta', note: 'Piezīme (nav obligāta)',
    trips: 'Braucieni', add_trip: 'Pievienot braucienu', remove_trip: 'Noņemt braucienu', mode: 'Transports',
    public_transport: 'Sabiedriskais transports', own_car: 'Savs auto', taxi: 'Taksometrs', other: 'Cits',
    trip_from: 'No kurienes', trip_to: 'Uz kurieni', km: 'Kilometri', cost: 'Izmaksas, EUR',
    save: 'Saglabāt', delete: 'Dzēst', cancel: 'Atcelt', back: 'Atpakaļ', edit: 'Labot',
    new_session: 'Jauna sesija', edit_session: 'Sesijas labošana',
    end_before_start: 'Beigu laikam jābūt pēc sākuma laika.', required: 'Aizpildiet šo lauku.',
    saved: 'Saglabāts telefonā.', deleted: 'Dzēšana saglabāta telefonā.',
    st_queued: 'Saglabāts telefonā, vēl nav nosūtīts', st_accepted: 'Pieņemts', st_warned: 'Pieņemts ar brīdinājumu',
    st_review: 'Gaida koordinatora pārbaudi', st_refused: 'Noraidīts', st_conflict: 'Mainīts citur',
    st_disputed: 'Klients iebilst', st_rejected: 'Koordinators noraidīja', st_flagged: 'Vairs neatbilst lēmumam, gaida koordinatoru',
    flagged_help: 'Netiek skaitīta, kamēr koordinators to patur vai anulē.', st_deleting: 'Dzēšana vēl nav nosūtīta',
    refused_help: 'Izlabojiet sesiju un saglabājiet vēlreiz, vai dzēsiet to.',
    conflict_help: 'Šo sesiju kāds mainīja citā ierīcē. Izvēlieties, kuru versiju paturēt.',
    mine: 'Mana versija', theirs: 'Versija serverī', keep_mine: 'Paturēt manu', keep_theirs: 'Paturēt servera',
    unsent: 'Nenosūtīti: {n}', all_sent: 'Viss nosūtīts', offline: 'Nav savienojuma', syncing: 'Sūta…',
    sync_problem: 'Sinhronizācija apturēta: {m}. Sazinieties ar koordinatoru.',
    day: 'Diena', week: 'Nedēļa', month: 'Mēnesis', nothing: 'Šajā laikā nav sesiju.', total: 'Kopā: {d}',
    granted: 'Piešķirts', used: 'Izmantots', left: 'Atlicis', yours: 'Jūsu stundas',
    hand_in: 'Nodot mēnesi', handed_in: 'Mēneša nodošana saglabāta.',
    client_confirms: 'Klients apstiprina ar PIN', confirm_title: 'Apstiprinu sniegtos pakalpojumus',
    confirm_intro: 'Pārbaudiet sesijas. Ja viss ir pareizi, ievadiet savu PIN kodu.',
    other_assistant: 'cits asistents', pin: 'PIN kods', confirm: 'Apstiprināt', confirmed: 'Paldies! Mēnesis ir apstiprināts.',
    needs_network: 'Tam vajag savienojumu ar internetu.', state: 'Stāvoklis',
    m_open: 'Atvērts', m_submitted: 'Nodots, gaida klientu', m_confirmed: 'Klients apstiprinājis', m_disputed: 'Klients iebilst',
    m_approved: 'Apstiprināts', m_closed: 'Slēgts',
    language: 'Valoda', storage_ok: 'Pārlūks glabās datus pastāvīgi.', storage_no: 'Pārlūks var izdzēst datus, ja telefonā pietrūks vietas. Nosūtiet ierakstus, kad ir savienojums.',
    log_out: 'Iziet', unsent_warning: 'Telefonā ir {n} nenosūtīti ieraksti. Izejot tie tiks izdzēsti. Vai tiešām iziet?',
    choose_title: 'Izvēlieties savu paroli', choose_intro: 'Šo paroli jums iedeva sociālais dienests. Izvēlieties savu, ko zināt tikai jūs (vismaz 10 rakstzīmes).',
    new_password: 'Jaunā parole', repeat_password: 'Jaunā parole vēlreiz', passwords_differ: 'Abas paroles nesakrīt.',
    sync_now: 'Sūtīt tagad', error: 'Neizdevās. Mēģiniet vēlreiz.', h: '{h} st.', min: '{m} min',
  },
  ru: {
    app: 'Ассистент', login_title: 'Вход', login: 'Логин', password: 'Пароль', log_in: 'Войти',
    login_again: 'Срок входа истёк. Введите пароль ещё раз; неотправленные записи сохранены в телефоне.',
    revoked: 'Это устройство отключено (например, из-за потерянного телефона). Данные с телефона удалены. Войдите снова.',
    today: 'Сегодня', sessions: 'Сессии', months: 'Месяцы', settings: 'Настройки', main_nav: 'Главное меню',
    start: 'Начать', stop: 'Закончить', running: 'Идёт с {t}', add_after: 'Ввести позже',
    left_of: 'Осталось {left} из {all}', no_decision: 'Нет действующего решения',
    low: 'Внимание: осталось меньше 10 % часов этого месяца.',
    pace: 'При таком темпе часы закончатся {d}.', pace_ok: 'При таком темпе часов хватит до конца месяца.',
    pay: 'Ожидаемая оплата за месяц на сегодня: {m} брутто (примерно, пока месяц не утверждён).',
    pay_final: 'Оплата за месяц: {m} брутто.',
    client: 'Клиент', purpose: 'Цель', date: 'Дата', from: 'С', to: 'До', place: 'Место',
    home: 'Дома', community: 'Вне дома', other_place: 'Другое место', note: 'Заметка (необязательно)',
    trips: 'Поездки', add_trip: 'Добавить поездку', remove_trip: 'Убрать поездку', mode: 'Транспорт',
    public_transport: 'Общественный транспорт', own_car: 'Своя машина', taxi: 'Такси', other: 'Другое',
    trip_from: 'Откуда', trip_to: 'Куда', km: 'Километры', cost: 'Стоимость, EUR',
    save: 'Сохранить', delete: 'Удалить', cancel: 'Отмена', back: 'Назад', edit: 'Изменить',
    new_session: 'Новая сессия', edit_session: 'Изменение сессии',
    end_before_start: 'Время окончания должно быть позже начала.', required: 'Заполните это поле.',
    saved: 'Сохранено в телефоне.', deleted: 'Удаление сохранено в телефоне.',
    st_queued: 'Сохранено в телефоне, ещё не отправлено', st_accepted: 'Принято', st_warned: 'Принято с предупреждением',
    st_review: 'Ждёт проверки координатора', st_refused: 'Отклонено', st_conflict: 'Изменено в другом месте',
    st_disputed: 'Клиент возражает', st_rejected: 'Координатор отклонил', st_flagged: 'Больше не соответствует решению, ждёт координатора',
    flagged_help: 'Не учитывается, пока координатор не оставит или не аннулирует её.', st_deleting: 'Удаление ещё не отправлено',
    refused_help: 'Исправьте сессию и сохраните снова или удалите её.',
    conflict_help: 'Эту сессию изменили на другом устройстве. Выберите, какую версию оставить.',
    mine: 'Моя версия', theirs: 'Версия на сервере', keep_mine: 'Оставить мою', keep_theirs: 'Оставить с сервера',
    unsent: 'Не отправлено: {n}', all_sent: 'Всё отправлено', offline: 'Нет связи', syncing: 'Отправка…',
    sync_problem: 'Синхронизация остановлена: {m}. Свяжитесь с координатором.',
    day: 'День', week: 'Неделя', month: 'Месяц', nothing: 'В это время сессий нет.', total: 'Всего: {d}',
    granted: 'Выделено', used: 'Использовано', left: 'Осталось', yours: 'Ваши часы',
    hand_in: 'Сдать месяц', handed_in: 'Сдача месяца сохранена.',
    client_confirms: 'Клиент подтверждает PIN-кодом', confirm_title: 'Подтверждаю оказанные услуги',
    confirm_intro: 'Проверьте сессии. Если всё верно, введите свой PIN-код.',
    other_assistant: 'другой ассистент', pin: 'PIN-код', confirm: 'Подтвердить', confirmed: 'Спасибо! Месяц подтверждён.',
    needs_network: 'Для этого нужно подключение к интернету.', state: 'Состояние',
    m_open: 'Открыт', m_submitted: 'Сдан, ждёт клиента', m_confirmed: 'Клиент подтвердил', m_disputed: 'Клиент возражает',
    m_approved: 'Утверждён', m_closed: 'Закрыт',
    language: 'Язык', storage_ok: 'Браузер будет хранить данные постоянно.', storage_no: 'Браузер может удалить данные, если в телефоне не хватит места. Отправляйте записи, когда есть связь.',
    log_out: 'Выйти', unsent_warning: 'В телефоне {n} неотправленных записей. При выходе они будут удалены. Всё равно выйти?',
    choose_title: 'Выберите свой пароль', choose_intro: 'Этот пароль вам выдала социальная служба. Выберите свой, который знаете только вы (не менее 10 символов).',
    new_password: 'Новый пароль', repeat_password: 'Новый пароль ещё раз', passwords_differ: 'Пароли не совпадают.',
    sync_now: 'Отправить сейчас', error: 'Не удалось. Попробуйте ещё раз.', h: '{h} ч', min: '{m} мин',
  },
  en: {
    app: 'Assistant', login_title: 'Log in', login: 'Login', password: 'Password', log_in: 'Log in',
    login_again: 'Your login has expired. Enter your password again; your unsent entries are kept on the phone.',
    revoked: 'This device was logged out (for example, for a lost phone). The data on this phone has been erased. Log in again.',
    today: 'Today', sessions: 'Sessions', months: 'Months', settings: 'Settings', main_nav: 'Main menu',
    start: 'Start', stop: 'Stop', running: 'Running since {t}', add_after: 'Enter afterwards',
    left_of: '{left} left of {all}', no_decision: 'No decision in force',
    low: 'Note: less than 10 % of this month\'s hours are left.',
    pace: 'At this pace the hours end on {d}.', pace_ok: 'At this pace the hours last to the end of the month.',
    pay: 'Estimated pay for the month so far: {m} gross (an estimate until the month is approved).',
    pay_final: 'Pay for the month: {m} gross.',
    client: 'Client', purpose: 'Purpose', date: 'Date', from: 'From', to: 'To', place: 'Place',
    home: 'At home', community: 'Outside the home', other_place: 'Other place', note: 'Note (optional)',
    trips: 'Trips', add_trip: 'Add a trip', remove_trip: 'Remove trip', mode: 'Transport',
    public_transport: 'Public transport', own_car: 'Own car', taxi: 'Taxi', other: 'Other',
    trip_from: 'From where', trip_to: 'To where', km: 'Kilometres', cost: 'Cost, EUR',
    save: 'Save', delete: 'Delete', cancel: 'Cancel', back: 'Back', edit: 'Edit',
    new_session: 'New session', edit_session: 'Edit session',
    end_before_start: 'The end must be after the start.', required: 'Fill in this field.',
    saved: 'Saved on the phone.', deleted: 'Deletion saved on the phone.',
    st_queued: 'Saved on the phone, not sent yet', st_accepted: 'Accepted', st_warned: 'Accepted with a warning',
    st_review: 'Waiting for the coordinator\'s review', st_refused: 'Refused', st_conflict: 'Changed elsewhere',
    st_disputed: 'The client objects', st_rejected: 'Rejected by the coordinator', st_flagged: 'No longer fits the decision, waits for the coordinator',
    flagged_help: 'Not counted until the coordinator keeps or voids it.', st_deleting: 'Deletion not sent yet',
    refused_help: 'Correct the session and save it again, or delete it.',
    conflict_help: 'Someone changed this session on another device. Choose which version to keep.',
    mine: 'My version', theirs: 'The server\'s version', keep_mine: 'Keep mine', keep_theirs: 'Keep the server\'s',
    unsent: 'Unsent: {n}', all_sent: 'All sent', offline: 'No connection', syncing: 'Sending…',
    sync_problem: 'Syncing stopped: {m}. Contact your coordinator.',
    day: 'Day', week: 'Week', month: 'Month', nothing: 'No sessions in this period.', total: 'Total: {d}',
    granted: 'Granted', used: 'Used', left: 'Left', yours: 'Your hours',
    hand_in: 'Hand in the month', handed_in: 'Handing in the month is saved.',
    client_confirms: 'The client confirms with their PIN', confirm_title: 'I confirm the services received',
    confirm_intro: 'Check the sessions. If everything is right, enter your PIN.',
    other_assistant: 'another assistant', pin: 'PIN', confirm: 'Confirm', confirmed: 'Thank you! The month is confirmed.',
    needs_network: 'This needs an internet connection.', state: 'State',
    m_open: 'Open', m_submitted: 'Handed in, waiting for the client', m_confirmed: 'Confirmed by the client', m_disputed: 'The client objects',
    m_approved: 'Approved', m_closed: 'Closed',
    language: 'Language', storage_ok: 'The browser will keep the data permanently.', storage_no: 'The browser may erase the data when the phone runs out of space. Send your entries when you have a connection.',
    log_out: 'Log out', unsent_warning: 'There are {n} unsent entries on this phone. Logging out erases them. Log out anyway?',
    choose_title: 'Choose your own password', choose_intro: 'The social service gave you this password. Choose your own that only you know (at least 10 characters).',
    new_password: 'New password', repeat_password: 'New password again', passwords_differ: 'The two passwords differ.',
    sync_now: 'Send now', error: 'That did not work. Try again.', h: '{h} h', min: '{m} min',
  },
};

export const LANGS = [['lv', 'Latviešu'], ['ru', 'Русский'], ['en', 'English']];
let lang = 'lv';
export const setLang = (l) => { lang = W[l] ? l : 'lv'; document.documentElement.lang = lang; };
export const getLang = () => lang;

/** The text `key` in the current language, with `{name}` filled in from `vars`. */
export function t(key, vars = {}, l = lang) {
  const s = W[l][key] ?? W.lv[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

const locales = { lv: 'lv-LV', ru: 'ru-RU', en: 'en-GB' };
/** "2 h 30 min" in the language's words. */
export function duration(minutes, l = lang) {
  const h = Math.floor(minutes / 60), m = minutes % 60;
  return [h ? t('h', { h }, l) : '', m || !h ? t('min', { m }, l) : ''].filter(Boolean).join(' ');
}
/** Euro from cents, with the language's decimal mark. */
export const euro = (cents, l = lang) =>
  new Intl.NumberFormat(locales[l], { style: 'currency', currency: 'EUR' }).format(cents / 100);
export const dayName = (d, l = lang) =>
  new Intl.DateTimeFormat(locales[l], { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/Riga' }).format(d);
export const shortDate = (d, l = lang) =>
  new Intl.DateTimeFormat(locales[l], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Riga' }).format(d);
export const monthName = (ym, l = lang) =>
  new Intl.DateTimeFormat(locales[l], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(ym + '-01T00:00:00Z'));
export const clock = (d) =>
  new Intl.DateTimeFormat('lv-LV', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Europe/Riga' }).format(d);
