// The assistants' phone app: screens rendered from what the phone has stored (store.js), kept
// in step with the service by sync.js. Plain ES modules, no build step.

import { t, setLang, getLang, LANGS, duration, euro, dayName, shortDate, monthName, clock } from './words.js';
import { get, all, put } from './store.js';
import {
  request, logIn, logOut, choosePassword, saveEntry, deleteEntry, submitMonth, keepTheirs, syncNow, onChange, ApiError,
} from './sync.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const nav = document.getElementById('nav');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
let flash = null;
// The password just typed at login, kept in memory only while the person replaces one staff set.
let passwordTyped = '';

// ---- Riga time: what the assistant types is Riga time, sent with its UTC offset.
const partsFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Riga', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
function riga(ms) {
  const p = Object.fromEntries(partsFmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}
function offsetAt(ms) {
  const { date, time } = riga(ms);
  return Math.round((Date.parse(`${date}T${time}:00Z`) - (ms - (ms % 60000))) / 60000);
}
/** A Riga date and time as an instant and as RFC 3339 with the offset in force then. */
function fromRiga(date, time) {
  const naive = Date.parse(`${date}T${time}:00Z`);
  let ms = naive - offsetAt(naive) * 60000;
  const off = offsetAt(ms);
  ms = naive - off * 60000;
  const sign = off < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0');
  return { ms, iso: `${date}T${time}:00${sign}${hh}:${String(Math.abs(off) % 60).padStart(2, '0')}` };
}
const today = () => riga(Date.now()).date;
const addDays = (date, n) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

// ---- What is stored, for one screen.
async function load() {
  const [entries, queue, months] = await Promise.all([all('entries'), all('queue'), all('months')]);
  const meta = {};
  for (const k of ['session', 'me', 'timer', 'revoked', 'syncing', 'sync_error', 'persisted', 'lang']) meta[k] = await get('meta', k);
  return { ...meta, entries, queue, months };
}
/** The entry as the phone shows it: the local edit while it is unsent, else the server's copy. */
const shown = (e) => e.local ?? e.server ?? {};
const minutesOf = (x) => Math.round((Date.parse(x.ended_at) - Date.parse(x.started_at)) / 60000);
const assignment = (st, id) => st.me?.assignments?.find((a) => a.client_id === id);
const clientName = (st, id) => assignment(st, id)?.client_name ?? '';
function purposeName(st, clientId, code) {
  const p = assignment(st, clientId)?.purposes?.find((x) => x.code === code)
    ?? st.me?.assignments?.flatMap((a) => a.purposes ?? []).find((x) => x.code === code);
  return p ? p[getLang()] : code;
}

// ---- The frame: status line and the main menu.
function renderStatus(st) {
  const unsent = st.queue.length;
  let text = unsent ? t('unsent', { n: unsent }) : t('all_sent');
  if (st.syncing) text = t('syncing');
  else if (!navigator.onLine) text = `${t('offline')} · ${text}`;
  status.textContent = text;
  status.className = unsent ? 'status unsent' : 'status';
  const here = location.hash.split('/')[1] ?? '';
  nav.hidden = !st.session?.token || st.session.expired || st.session.change;
  nav.setAttribute('aria-label', t('main_nav'));
  nav.innerHTML = [['', 'today'], ['list', 'sessions'], ['months', 'months'], ['settings', 'settings']]
    .map(([to, key]) => `<a href="#/${to}"${here.split('?')[0] === to ? ' aria-current="page"' : ''}>${t(key)}</a>`).join('');
  document.getElementById('title').textContent = t('app');
}

function entryItem(st, e) {
  const x = shown(e);
  const start = Date.parse(x.started_at), end = Date.parse(x.ended_at);
  const when = `${shortDate(new Date(start))} ${clock(new Date(start))}–${clock(new Date(end))}`;
  const note = e.state === 'refused' || e.state === 'conflict' ? `<span class="why">${esc(e.error?.message)}</span>`
    : e.state === 'flagged' ? `<span class="why">${esc(e.server?.flag?.message)} ${esc(t('flagged_help'))}</span>` : '';
  const objection = e.dispute ? `<span class="why">${esc(e.dispute.reason)}</span>` : '';
  return `<li class="entry st-${e.state}"><a href="#/edit/${e.id}">
    <span class="when">${when} · ${duration(minutesOf(x))}</span>
    <span>${esc(clientName(st, x.client_id || e.client_id))} · ${esc(purposeName(st, x.client_id || e.client_id, x.purpose))}</span>
    <span class="badge">${t(`st_${e.state}`)}</span>${note}${objection}</a></li>`;
}
const entryList = (st, list) => (list.length
  ? `<ul class="entries">${list.sort((a, b) => Date.parse(shown(a).started_at) - Date.parse(shown(b).started_at)).map((e) => entryItem(st, e)).join('')}</ul>`
  : `<p>${t('nothing')}</p>`);
const inRange = (e, from, to) => { const d = riga(Date.parse(shown(e).started_at)).date; return d >= from && d <= to; };

// ---- Screens.
function loginScreen(st) {
  const why = st.revoked ? t('revoked') : st.session?.expired ? t('login_again') : '';
  return `<h1 tabindex="-1">${t('login_title')}</h1>
  ${why ? `<p class="problem" role="alert">${esc(why)}</p>` : '<p id="login-problem" class="problem" role="alert" hidden></p>'}
  <form id="login-form" class="stack">
    <label for="login">${t('login')}</label>
    <input id="login" name="login" autocomplete="username" autocapitalize="none" required value="${esc(st.session?.login)}">
    <label for="password">${t('password')}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" class="big">${t('log_in')}</button>
  </form>
  <p class="langs">${LANGS.map(([l, name]) => `<button type="button" class="link" data-lang="${l}" lang="${l}">${name}</button>`).join(' ')}</p>`;
}

function passwordScreen() {
  return `<h1 tabindex="-1">${t('choose_title')}</h1><p>${t('choose_intro')}</p>
  <form id="password-form" class="stack">
    <label for="new-password">${t('new_password')}</label>
    <input id="new-password" name="next" type="password" autocomplete="new-password" required minlength="10">
    <label for="repeat-password">${t('repeat_password')}</label>
    <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" required minlength="10">
    <p class="problem" role="alert" hidden></p>
    <button type="submit" class="big">${t('save')}</button>
  </form>`;
}

function todayScreen(st) {
  const d = today();
  const timer = st.timer
    ? `<section class="card timer" aria-labelledby="timer-h"><h2 id="timer-h">${esc(clientName(st, st.timer.client_id))}</h2>
       <p>${t('running', { t: clock(new Date(st.timer.started)) })} · ${duration(Math.max(0, Math.round((Date.now() - st.timer.started) / 60000)))}</p>
       <button type="button" class="big stop" data-action="stop">${t('stop')}</button>
       <button type="button" class="link" data-action="cancel-timer">${t('cancel')}</button></section>`
    : '';
  const cards = (st.me?.assignments ?? []).map((a) => {
    const m = a.months?.[a.months.length - 1];
    const left = m ? (m.allowance_minutes ? t('left_of', { left: duration(m.remaining_minutes), all: duration(m.allowance_minutes) }) : t('no_decision')) : '';
    const low = m && m.allowance_minutes && m.remaining_minutes * 10 < m.allowance_minutes ? `<p class="warn">${t('low')}</p>` : '';
    // Last month stays in view until it is handed in and done with.
    const last = a.months?.length > 1 ? a.months[0] : null;
    const lastLine = last && !['approved', 'closed'].includes(monthState(st, a.client_id, last))
      ? `<p><a href="#/month/${a.client_id}/${last.month}">${esc(monthName(last.month))}: ${duration(last.own_minutes ?? 0)}</a> · ${t(`m_${monthState(st, a.client_id, last)}`)}</p>` : '';
    return `<section class="card" aria-labelledby="c-${a.client_id}"><h2 id="c-${a.client_id}">${esc(a.client_name)}</h2>
      <p>${left}</p>${low}${lastLine}
      <button type="button" class="big" data-action="start" data-client="${a.client_id}"${st.timer ? ' disabled' : ''}>${t('start')}<span class="sr"> — ${esc(a.client_name)}</span></button>
      <a class="after" href="#/edit/new?client=${a.client_id}">${t('add_after')}<span class="sr"> — ${esc(a.client_name)}</span></a></section>`;
  }).join('');
  return `<h1 tabindex="-1">${t('today')}, ${esc(dayName(new Date()))}</h1>${timer}${cards}
    <h2>${t('sessions')}</h2>${entryList(st, st.entries.filter((e) => e.state !== 'deleting' && inRange(e, d, d)))}`;
}

function listScreen(st, q) {
  const range = q.get('range') ?? 'week';
  const at = q.get('d') ?? today();
  let from = at, to = at;
  if (range === 'week') { const wd = (new Date(`${at}T12:00:00Z`).getUTCDay() + 6) % 7; from = addDays(at, -wd); to = addDays(from, 6); }
  if (range === 'month') { from = `${at.slice(0, 7)}-01`; to = addDays(`${ym(addDays(from, 32))}-01`, -1); }
  const step = range === 'day' ? 1 : range === 'week' ? 7 : 0;
  const prev = step ? addDays(at, -step) : addDays(from, -1);
  const next = step ? addDays(at, step) : addDays(to, 1);
  const list = st.entries.filter((e) => e.state !== 'deleting' && inRange(e, from, to));
  const total = list.filter((e) => !['refused', 'rejected', 'flagged'].includes(e.state)).reduce((s, e) => s + minutesOf(shown(e)), 0);
  const tab = (r) => `<a href="#/list?range=${r}&d=${at}"${r === range ? ' aria-current="page"' : ''}>${t(r)}</a>`;
  const label = range === 'month' ? monthName(from.slice(0, 7)) : from === to ? shortDate(new Date(`${from}T12:00:00Z`)) : `${shortDate(new Date(`${from}T12:00:00Z`))} – ${shortDate(new Date(`${to}T12:00:00Z`))}`;
  return `<h1 tabindex="-1">${t('sessions')}</h1><p class="tabs">${['day', 'week', 'month'].map(tab).join('')}</p>
    <p class="pager"><a href="#/list?range=${range}&d=${prev}" aria-label="${t('back')}">‹</a> <strong>${esc(label)}</strong> <a href="#/list?range=${range}&d=${next}" aria-label="→">›</a></p>
    <p>${t('total', { d: duration(total) })}</p>${entryList(st, list)}`;
}

const ym = (date) => date.slice(0, 7);

function monthsScreen(st) {
  const items = (st.me?.assignments ?? []).flatMap((a) => (a.months ?? []).map((m) =>
    `<li><a href="#/month/${a.client_id}/${m.month}">${esc(a.client_name)} — ${esc(monthName(m.month))}</a> <span class="badge">${t(`m_${monthState(st, a.client_id, m)}`)}</span></li>`));
  return `<h1 tabindex="-1">${t('months')}</h1><ul class="plain">${items.join('')}</ul>`;
}
const monthState = (st, client, m) => st.months.find((x) => x.id === `${client}/${m.month}`)?.state ?? m.state;

function monthScreen(st, client, month) {
  const a = assignment(st, client);
  const m = a?.months?.find((x) => x.month === month);
  if (!a || !m) return `<h1 tabindex="-1">${t('months')}</h1><p>${t('nothing')}</p>`;
  const state = monthState(st, client, m);
  const d = today();
  let pace = '';
  if (ym(d) === month && m.used_minutes > 0 && m.allowance_minutes > 0) {
    const day = Number(d.slice(8));
    const daysLeft = m.remaining_minutes / (m.used_minutes / day);
    const end = addDays(d, Math.floor(daysLeft));
    pace = ym(end) === month ? t('pace', { d: dayName(new Date(`${end}T12:00:00Z`)) }) : t('pace_ok');
  }
  const low = m.allowance_minutes && m.remaining_minutes * 10 < m.allowance_minutes ? `<p class="warn">${t('low')}</p>` : '';
  const pay = ['approved', 'closed'].includes(state) ? t('pay_final', { m: euro(m.estimated_gross_cents) }) : t('pay', { m: euro(m.estimated_gross_cents) });
  const own = st.entries.filter((e) => (shown(e).client_id ?? e.client_id) === client && e.state !== 'deleting' && shown(e).started_at && ym(riga(Date.parse(shown(e).started_at)).date) === month);
  return `<h1 tabindex="-1">${esc(a.client_name)} — ${esc(monthName(month))}</h1>
    <p>${t('state')}: <strong>${t(`m_${state}`)}</strong></p>
    <dl class="figures"><dt>${t('granted')}</dt><dd>${duration(m.allowance_minutes)}</dd><dt>${t('used')}</dt><dd>${duration(m.used_minutes)}</dd>
      <dt>${t('left')}</dt><dd>${duration(m.remaining_minutes)}</dd><dt>${t('yours')}</dt><dd>${duration(m.own_minutes ?? 0)}</dd></dl>
    ${low}${pace ? `<p>${pace}</p>` : ''}<p>${pay}</p>
    ${state === 'open' ? `<button type="button" class="big" data-action="hand-in" data-client="${client}" data-month="${month}">${t('hand_in')}</button>` : ''}
    ${state === 'submitted' ? `<a class="button big" href="#/confirm/${client}/${month}">${t('client_confirms')}</a>` : ''}
    <h2>${t('sessions')}</h2>${entryList(st, own)}`;
}

function editScreen(st, id, q) {
  const e = id === 'new' ? null : st.entries.find((x) => x.id === id);
  const x = e ? shown(e) : {};
  const client = x.client_id ?? e?.client_id ?? q.get('client') ?? st.me?.assignments?.[0]?.client_id;
  const now = Date.now();
  const startMs = x.started_at ? Date.parse(x.started_at) : Number(q.get('start')) || now - 3600000;
  const endMs = x.ended_at ? Date.parse(x.ended_at) : Number(q.get('end')) || now;
  const s = riga(startMs), en = riga(endMs);
  const place = x.place ?? 'home';
  const purposes = assignment(st, client)?.purposes ?? [];
  const opt = (v, label, sel) => `<option value="${esc(v)}"${v === sel ? ' selected' : ''}>${esc(label)}</option>`;
  const trips = (x.trips ?? []).map((tr, i) => tripFields(i, tr)).join('');
  const problem = e?.state === 'refused'
    ? `<div class="problem" role="alert"><p>${esc(e.error?.message)}</p><p>${t('refused_help')}</p></div>` : '';
  const conflict = e?.state === 'conflict' && e.theirs ? `<div class="problem" role="alert"><p>${t('conflict_help')}</p>
      <div class="versions"><section><h2>${t('mine')}</h2>${versionText(st, shown(e))}<button type="button" data-action="keep-mine" data-id="${e.id}">${t('keep_mine')}</button></section>
      <section><h2>${t('theirs')}</h2>${versionText(st, e.theirs)}<button type="button" data-action="keep-theirs" data-id="${e.id}">${t('keep_theirs')}</button></section></div></div>` : '';
  return `<h1 tabindex="-1">${e ? t('edit_session') : t('new_session')}</h1>${problem}${conflict}
  <form id="entry-form" class="stack" data-id="${e ? e.id : ''}" novalidate>
    <label for="f-client">${t('client')}</label>
    <select id="f-client" name="client">${(st.me?.assignments ?? []).map((a) => opt(a.client_id, a.client_name, client)).join('')}</select>
    <label for="f-purpose">${t('purpose')}</label>
    <select id="f-purpose" name="purpose" required>${purposes.map((p) => opt(p.code, p[getLang()], x.purpose)).join('')}</select>
    <label for="f-date">${t('date')}</label><input id="f-date" name="date" type="date" required value="${s.date}">
    <div class="pair"><div><label for="f-from">${t('from')}</label><input id="f-from" name="from" type="time" required value="${s.time}"></div>
    <div><label for="f-to">${t('to')}</label><input id="f-to" name="to" type="time" required value="${en.time}"></div></div>
    <fieldset><legend>${t('place')}</legend>
      ${['home', 'community'].map((p) => `<label class="choice"><input type="radio" name="place" value="${p}"${place === p ? ' checked' : ''}> ${t(p)}</label>`).join('')}
      <label class="choice"><input type="radio" name="place" value="other"${!['home', 'community'].includes(place) ? ' checked' : ''}> ${t('other_place')}</label>
      <label for="f-place-other" class="sr">${t('other_place')}</label><input id="f-place-other" name="place_other" value="${['home', 'community'].includes(place) ? '' : esc(place)}">
    </fieldset>
    <label for="f-note">${t('note')}</label><textarea id="f-note" name="note" rows="3">${esc(x.note)}</textarea>
    <fieldset id="trips"><legend>${t('trips')}</legend>${trips}
      <button type="button" class="secondary" data-action="add-trip">${t('add_trip')}</button></fieldset>
    <p id="form-problem" class="problem" role="alert" hidden></p>
    <button type="submit" class="big">${t('save')}</button>
    ${e ? `<button type="button" class="secondary danger" data-action="delete" data-id="${e.id}">${t('delete')}</button>` : ''}
  </form>`;
}
function tripFields(i, tr = {}) {
  const modes = ['public_transport', 'own_car', 'taxi', 'other'];
  return `<div class="trip" data-trip="${i}">
    <label for="t${i}-mode">${t('mode')}</label><select id="t${i}-mode" name="mode">${modes.map((m) => `<option value="${m}"${tr.mode === m ? ' selected' : ''}>${t(m)}</option>`).join('')}</select>
    <label for="t${i}-from">${t('trip_from')}</label><input id="t${i}-from" name="trip_from" value="${esc(tr.from)}">
    <label for="t${i}-to">${t('trip_to')}</label><input id="t${i}-to" name="trip_to" value="${esc(tr.to)}">
    <div class="pair"><div><label for="t${i}-km">${t('km')}</label><input id="t${i}-km" name="km" inputmode="decimal" value="${tr.distance_km ?? ''}"></div>
    <div><label for="t${i}-cost">${t('cost')}</label><input id="t${i}-cost" name="cost" inputmode="decimal" value="${tr.cost_cents !== undefined ? (tr.cost_cents / 100).toFixed(2) : ''}"></div></div>
    <button type="button" class="link" data-action="remove-trip">${t('remove_trip')}</button></div>`;
}
function versionText(st, x) {
  const s = Date.parse(x.started_at), e = Date.parse(x.ended_at);
  return `<p>${shortDate(new Date(s))} ${clock(new Date(s))}–${clock(new Date(e))}<br>${esc(purposeName(st, x.client_id, x.purpose))}<br>${esc(['home', 'community'].includes(x.place) ? t(x.place) : x.place)}${x.note ? `<br>${esc(x.note)}` : ''}</p>`;
}

async function confirmScreen(st, client, month) {
  if (!navigator.onLine) return `<h1 tabindex="-1">${t('confirm_title')}</h1><p class="problem">${t('needs_network')}</p>`;
  const [sheet, who] = await Promise.all([
    request('GET', `/api/v1/clients/${client}/months/${month}`),
    request('GET', `/api/v1/clients/${client}`),
  ]);
  const l = who.locale ?? 'lv';
  const rows = [...sheet.entries.map((e) => ({ ...e, who: st.me?.user?.display_name })), ...sheet.busy.map((b) => ({ ...b, id: b.entry_id, who: t('other_assistant', {}, l) }))]
    .filter((e) => e.status !== 'deleted' && e.status !== 'rejected')
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const total = rows.reduce((s, e) => s + e.minutes, 0);
  const seen = rows.map((e) => `${e.id}:${e.version}`).join(',');
  return `<div lang="${l}" class="client-view"><h1 tabindex="-1">${t('confirm_title', {}, l)}</h1>
    <p>${esc(who.name)} — ${esc(monthName(month, l))}</p><p>${t('confirm_intro', {}, l)}</p>
    <ul class="entries large">${rows.map((e) => `<li><span class="when">${shortDate(new Date(e.started_at), l)} ${clock(new Date(e.started_at))}–${clock(new Date(e.ended_at))}</span>
      <span>${duration(e.minutes, l)}${e.purpose ? ` · ${esc(purposeName(st, client, e.purpose))}` : ''} · ${esc(e.who)}</span></li>`).join('')}</ul>
    <p class="total">${t('total', { d: duration(total, l) }, l)}</p>
    <form id="confirm-form" class="stack" data-client="${client}" data-month="${month}" data-seen="${seen}" data-lang="${l}">
      <label for="pin">${t('pin', {}, l)}</label><input id="pin" name="pin" inputmode="numeric" autocomplete="off" pattern="[0-9]*" required maxlength="8">
      <p id="confirm-problem" class="problem" role="alert" hidden></p>
      <button type="submit" class="big">${t('confirm', {}, l)}</button></form></div>`;
}

function settingsScreen(st) {
  return `<h1 tabindex="-1">${t('settings')}</h1>
    <h2>${t('language')}</h2><p class="langs">${LANGS.map(([l, name]) => `<button type="button" class="secondary" data-lang="${l}" lang="${l}"${l === getLang() ? ' aria-pressed="true"' : ' aria-pressed="false"'}>${name}</button>`).join(' ')}</p>
    <p>${st.persisted === false ? t('storage_no') : st.persisted ? t('storage_ok') : ''}</p>
    ${st.sync_error ? `<p class="problem">${esc(t('sync_problem', { m: st.sync_error }))}</p>` : ''}
    <p><button type="button" class="secondary" data-action="sync">${t('sync_now')}</button></p>
    <p><button type="button" class="secondary danger" data-action="logout">${t('log_out')}</button></p>`;
}

// ---- Rendering and routing.
let current = '';
let latest = 0;
async function render(force = true) {
  // Renders overlap (a sync finishing while the person moves on): only the newest is drawn.
  const ticket = ++latest;
  const st = await load();
  if (ticket !== latest) return;
  setLang(st.lang ?? st.me?.user?.locale ?? st.session?.user?.locale ?? 'lv');
  renderStatus(st);
  const [path, query] = location.hash.slice(1).split('?');
  const parts = (path || '/').split('/').slice(1);
  const q = new URLSearchParams(query ?? '');
  const signedIn = st.session?.token && !st.session.expired;
  const route = signedIn ? location.hash : '#login';
  // A form being filled in is not redrawn under the person's fingers by a background sync.
  const form = signedIn && st.session.change ? '#password' : route;
  if (!force && form === current && (form === '#login' || form === '#password' || /^#\/(edit|confirm)/.test(form))) return;
  let html;
  try {
    if (!signedIn) html = loginScreen(st);
    else if (st.session.change) html = passwordScreen();
    else if (parts[0] === 'list') html = listScreen(st, q);
    else if (parts[0] === 'months') html = monthsScreen(st);
    else if (parts[0] === 'month') html = monthScreen(st, parts[1], parts[2]);
    else if (parts[0] === 'edit') html = editScreen(st, parts[1], q);
    else if (parts[0] === 'confirm') html = await confirmScreen(st, parts[1], parts[2]);
    else if (parts[0] === 'settings') html = settingsScreen(st);
    else html = todayScreen(st);
  } catch (e) {
    html = `<p class="problem" role="alert">${esc(e.message || t('error'))}</p>`;
  }
  if (ticket !== latest) return;
  const moved = form !== current;
  current = form;
  // A notice stays with the screen it was given for, through redraws, until the person moves on.
  if (flash && flash.route !== route) flash = flash.route === null ? { ...flash, route } : null;
  main.innerHTML = (flash ? `<p class="notice" role="status">${esc(flash.text)}</p>` : '') + html;
  if (moved) main.querySelector('h1')?.focus();
}
const go = (hash, message) => {
  flash = message ? { text: message, route: null } : null;
  if (location.hash === hash) render(); else location.hash = hash;
};

// ---- What people do.
main.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  if (f.id === 'login-form') {
    try {
      passwordTyped = f.password.value;
      await logIn(f.login.value.trim(), f.password.value);
      if (navigator.storage?.persist) await put('meta', await navigator.storage.persist(), 'persisted');
      await syncNow();
      go('#/');
    } catch (e) {
      const p = main.querySelector('.problem');
      p.hidden = false;
      p.textContent = e.message || t('error');
    }
  } else if (f.id === 'password-form') {
    const p = f.querySelector('.problem');
    try {
      if (f.next.value !== f.repeat.value) throw new Error(t('passwords_differ'));
      await choosePassword(passwordTyped, f.next.value);
      passwordTyped = '';
      await syncNow();
      go('#/');
    } catch (e) {
      p.hidden = false;
      p.textContent = e.message || t('error');
    }
  } else if (f.id === 'entry-form') {
    await saveForm(f);
  } else if (f.id === 'confirm-form') {
    const entries = f.dataset.seen.split(',').filter(Boolean).map((s) => { const [id, v] = s.split(':'); return { id, version: Number(v) }; });
    try {
      await request('POST', `/api/v1/clients/${f.dataset.client}/months/${f.dataset.month}/confirm`, { entries, pin: f.pin.value }, f.dataset.lang);
      syncNow();
      go(`#/month/${f.dataset.client}/${f.dataset.month}`, t('confirmed', {}, f.dataset.lang));
    } catch (e) {
      const p = f.querySelector('.problem');
      p.hidden = false;
      p.textContent = e.message || t('error');
    }
  }
});

async function saveForm(f) {
  const problem = f.querySelector('#form-problem');
  const fail = (text, field) => { problem.hidden = false; problem.textContent = text; field?.focus(); };
  const st = await load();
  const from = fromRiga(f.date.value, f.from.value);
  let to = fromRiga(f.date.value, f.to.value);
  if (!f.date.value || !f.from.value || !f.to.value) return fail(t('required'), f.date);
  // A session past midnight ends the next day.
  if (to.ms <= from.ms) to = fromRiga(addDays(f.date.value, 1), f.to.value);
  if (to.ms - from.ms > 24 * 3600000) return fail(t('end_before_start'), f.to);
  const placeChoice = f.querySelector('input[name=place]:checked')?.value ?? 'home';
  const place = placeChoice === 'other' ? f.place_other.value.trim() : placeChoice;
  if (!place) return fail(t('required'), f.place_other);
  const trips = [...f.querySelectorAll('.trip')].map((d) => ({
    mode: d.querySelector('[name=mode]').value,
    from: d.querySelector('[name=trip_from]').value.trim(),
    to: d.querySelector('[name=trip_to]').value.trim(),
    distance_km: Number(d.querySelector('[name=km]').value.replace(',', '.')) || 0,
    cost_cents: Math.round((Number(d.querySelector('[name=cost]').value.replace(',', '.')) || 0) * 100),
  }));
  const id = f.dataset.id || crypto.randomUUID();
  await saveEntry({
    id, client_id: f.client.value, purpose: f.purpose.value, started_at: from.iso, ended_at: to.iso,
    place, note: f.note.value.trim() || null, trips, device_time: new Date().toISOString(),
  });
  if (st.timer?.client_id === f.client.value && !f.dataset.id) await put('meta', null, 'timer');
  go('#/', t('saved'));
  syncNow();
}

main.addEventListener('click', async (ev) => {
  const b = ev.target.closest('[data-action],[data-lang]');
  if (!b) return;
  if (b.dataset.lang) {
    await put('meta', b.dataset.lang, 'lang');
    return render();
  }
  const a = b.dataset.action;
  if (a === 'start') {
    await put('meta', { client_id: b.dataset.client, started: Date.now() }, 'timer');
    render();
  } else if (a === 'stop') {
    const timer = await get('meta', 'timer');
    go(`#/edit/new?client=${timer.client_id}&start=${timer.started}&end=${Date.now()}`);
  } else if (a === 'cancel-timer') {
    await put('meta', null, 'timer');
    render();
  } else if (a === 'add-trip') {
    b.insertAdjacentHTML('beforebegin', tripFields(Date.now()));
    b.previousElementSibling.querySelector('select').focus();
  } else if (a === 'remove-trip') {
    b.closest('.trip').remove();
  } else if (a === 'delete') {
    await deleteEntry(b.dataset.id);
    go('#/', t('deleted'));
    syncNow();
  } else if (a === 'keep-theirs') {
    await keepTheirs(b.dataset.id);
    go('#/');
  } else if (a === 'keep-mine') {
    const e = await get('entries', b.dataset.id);
    await put('entries', { ...e, server: e.theirs, next_base: e.theirs.version, theirs: null });
    const { base_version: _, ...fields } = e.local ?? e.server;
    await saveEntry(fields);
    go('#/', t('saved'));
    syncNow();
  } else if (a === 'hand-in') {
    await submitMonth(b.dataset.client, b.dataset.month);
    flash = { text: t('handed_in'), route: null };
    syncNow();
    render();
  } else if (a === 'sync') {
    await syncNow();
  } else if (a === 'logout') {
    const n = (await all('queue')).length;
    if (n && !window.confirm(t('unsent_warning', { n }))) return;
    await logOut();
    go('#login');
  }
});

window.addEventListener('hashchange', () => render());
window.addEventListener('online', () => syncNow());
window.addEventListener('offline', () => render(false));
onChange(() => render(false));
setInterval(() => { syncNow(); }, 3 * 60 * 1000);
setInterval(() => { if (!location.hash.startsWith('#/edit')) render(false); }, 30 * 1000);
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
render().then(() => syncNow());
