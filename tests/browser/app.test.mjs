// The assistants' phone app (/app/) in a real headless Chromium on a 360 × 740 phone: a demo
// assistant sees their clients and last month at once; a fresh assistant records sessions with
// no network, closes the app, opens it again and sends them exactly once; lost answers, a rule's
// refusal in Russian, an expired and a revoked token, two phones of one assistant and a
// conflict, and the client's PIN confirmation on the phone. axe-core checks every screen in all
// three languages; screenshots go to SCREENSHOT_DIR. Run by ./run against `serve --demo`.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOT_DIR ?? '../../target/browser';
const adminPassword = process.env.ADMIN_PASSWORD ?? 'browser-test-admin';
mkdirSync(shots, { recursive: true });

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); };

// ---- The service's API, as staff set up the people the test needs.
async function api(method, path, token, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}
const loginApi = async (login, password, device = 'browser-test') =>
  (await api('POST', '/auth/login', null, { login, password, device: { device_id: device, name: 't', platform: 't', app_version: '1' } })).token;
const admin = await loginApi('admin', adminPassword);
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const riga = (ms) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
};
const month = riga(Date.now()).date.slice(0, 7);

async function newClient(name, minutes) {
  const c = await api('POST', '/clients', admin, { name, birth_date: '1970-05-05', disability_group: 1, locale: 'lv' });
  await api('POST', `/clients/${c.id}/decisions`, admin, {
    number: `T/${name}`, decided_on: day(-300), service: 'assistant', valid_from: day(-300), valid_to: day(300),
    monthly_minutes: minutes, transport: { allowed: true, monthly_cap_cents: 5000 },
  });
  return c;
}
const anna = await newClient('Anna Testa', 6000);
const boriss = await newClient('Boriss Mazais', 60);
const assistant = await api('POST', '/assistants', admin, { name: 'Tālrunis Testa' });
for (const c of [anna, boriss]) {
  await api('POST', '/assignments', admin, { assistant_id: assistant.id, client_id: c.id, service: 'assistant', valid_from: day(-300) });
}
const password = 'mana-parole-2026';
const user = await api('POST', '/users', admin, { login: 'talrunis', password: 'pagaidu-parole-1', role: 'assistant', assistant_id: assistant.id });
await api('POST', '/me/password', await loginApi('talrunis', 'pagaidu-parole-1', 'setup'), { current_password: 'pagaidu-parole-1', new_password: password });
await fetch(`${base}/api/v1/clients/${anna.id}/pin`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ pin: '482105' }) });
async function onServer(id, test) {
  for (let i = 0; i < 60; i++) {
    const e = (await serverEntries()).find((x) => x.id === id);
    if (e && test(e)) return e;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`entry ${id} never reached the server as expected`);
}
const serverEntries = async () => (await api('GET', `/entries?assistant_id=${assistant.id}&limit=500`, admin)).items;

// ---- The browser.
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const phone = { viewport: { width: 360, height: 740 }, locale: 'lv-LV', timezoneId: 'Europe/Riga', executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args };
const profile = mkdtempSync(join(tmpdir(), 'asistents-app-'));
let ctx = await chromium.launchPersistentContext(profile, phone);
let page = ctx.pages()[0] ?? await ctx.newPage();
const errors = [];
const watch = (p) => p.on('pageerror', (e) => errors.push(e.message));
watch(page);

let violations = 0;
async function audit(p, name) {
  await p.evaluate(axeSource);
  const result = await p.evaluate(() => globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  for (const v of result.violations) console.log(`  axe ${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  violations += result.violations.length;
  check(result.violations.length === 0, `axe: 0 violations on ${name}`);
}
const shot = (p, name) => p.screenshot({ path: `${shots}/app-${name}.png`, fullPage: true });
const open = async (p, hash) => { await p.evaluate((h) => { location.hash = h; }, hash); await p.waitForTimeout(300); };
const text = (p, sel) => p.textContent(sel).then((x) => x ?? '');
async function appLogin(p, login, pass) {
  await p.fill('#login', login);
  await p.fill('#password', pass);
  await p.click('#login-form button[type=submit]');
  await p.waitForSelector('.card', { timeout: 15000 }).catch(async (e) => {
    console.log('login failed:', await text(p, 'main'));
    throw e;
  });
}
/** Saves the session form and waits until the app says it is saved on the phone. */
async function submit(p) {
  await p.click('#entry-form button[type=submit]');
  await p.waitForSelector('.notice', { timeout: 10000 });
}
/** Waits until the phone's stored copy of entry `id` has `value` at `path` (e.g. "server.note"). */
async function stored(p, id, path, value) {
  for (let i = 0; i < 60; i++) {
    const now = await p.evaluate(([id, path]) => new Promise((resolve) => {
      const r = indexedDB.open('asistents');
      r.onsuccess = () => {
        const q = r.result.transaction('entries').objectStore('entries').get(id);
        q.onsuccess = () => resolve(path.split('.').reduce((x, k) => x?.[k], q.result) ?? null);
      };
    }), [id, path]);
    if (now === value) return;
    await p.waitForTimeout(250);
  }
  throw new Error(`entry ${id}: ${path} never became ${value}`);
}
const synced = (p) => p.waitForFunction(() => /Viss nosūtīts|Всё отправлено|All sent/.test(document.getElementById('status').textContent), null, { timeout: 15000 });

// ---- 1. A demo assistant: clients, allowance and last month at once.
await page.goto(base + '/app/');
await page.waitForSelector('#login');
check((await page.getAttribute('html', 'lang')) === 'lv', 'the app is Latvian before anyone logs in');
await audit(page, 'login (lv)');
await shot(page, 'login');
await appLogin(page, 'asistents01', 'demo-parole-2026');
const cards = await page.$$eval('.card h2', (hs) => hs.map((h) => h.textContent));
check(cards.length >= 1, `the demo assistant sees their clients (${cards.join(', ')})`);
check(/Atlikušas .* no /.test(await text(page, 'main')), "each client's allowance left is shown");
const prev = new Date(Date.parse(`${month}-15T12:00:00Z`) - 30 * 86400000).toISOString().slice(0, 10);
await open(page, `#/list?range=month&d=${prev}`);
const lastMonth = await page.$$('.entries li');
check(lastMonth.length > 5, `last month's sessions are on the phone after the first sync (${lastMonth.length})`);
await page.click('#nav a[href="#/settings"]');
await page.click('[data-action=logout]');
await page.waitForSelector('#login');

// A login a coordinator just made: the first password is the staff's, so the app asks for one
// of the assistant's own before anything else.
const newcomer = await api('POST', '/assistants', admin, { name: 'Jaunā Asistente' });
await api('POST', '/users', admin, { login: 'jauna', password: 'pagaidu-parole-2', role: 'assistant', assistant_id: newcomer.id });
await page.fill('#login', 'jauna');
await page.fill('#password', 'pagaidu-parole-2');
await page.click('#login-form button[type=submit]');
await page.waitForSelector('#password-form');
await audit(page, 'choose a password (lv)');
await shot(page, 'choose-password');
await page.fill('#new-password', 'jaunas-pasas-parole');
await page.fill('#repeat-password', 'jaunas-pasas-parole');
await page.click('#password-form button[type=submit]');
await page.waitForSelector('h1:has-text("Šodien")').catch(() => null);
check((await text(page, 'h1')).startsWith('Šodien'), "a login made by staff asks for the assistant's own password first, then works");
const relogin = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'jauna', password: 'jaunas-pasas-parole', device: { device_id: 'check', name: 't', platform: 't', app_version: '1' } }) });
check(relogin.status === 200 && !(await relogin.json()).password_change_required, 'the new password is the one that works now');
await page.click('#nav a[href="#/settings"]');
await page.click('[data-action=logout]');
await page.waitForSelector('#login');

// ---- 2. Every screen in three languages, for the fresh assistant.
await appLogin(page, 'talrunis', password);
const screens = [['today', '#/'], ['sessions', '#/list?range=week'], ['months', '#/months'], ['month', `#/month/${anna.id}/${month}`], ['new session', '#/edit/new'], ['settings', '#/settings']];
for (const lang of ['lv', 'ru', 'en']) {
  await open(page, '#/settings');
  await page.click(`button[data-lang=${lang}]`);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  for (const [name, hash] of screens) {
    await open(page, hash);
    await audit(page, `${name} (${lang})`);
    if (lang === 'lv') await shot(page, name.replace(' ', '-'));
  }
}
await open(page, '#/settings');
await page.click('button[data-lang=lv]');
// The running timer survives closing the app; Stop fills in the times.
await open(page, '#/');
await page.click(`[data-action=start][data-client="${anna.id}"]`);
await page.waitForSelector('.timer');
await page.reload();
await page.waitForSelector('.timer');
check((await text(page, '.timer')).includes('Anna Testa'), 'a running session survives closing the app');
await audit(page, 'today with a running session (lv)');
await page.click('[data-action=stop]');
await page.waitForSelector('#entry-form');
check((await page.inputValue('#f-client')) === anna.id && (await page.inputValue('#f-from')).length === 5, 'Stop opens the session with its client and times filled in');
await open(page, '#/');
await page.click('[data-action=cancel-timer]');
await page.waitForSelector('.timer', { state: 'detached' });
// One thumb at 200 % zoom: nothing needs scrolling sideways.
for (const hash of ['#/', `#/edit/new?client=${anna.id}`, `#/month/${anna.id}/${month}`]) {
  await open(page, hash);
  await page.evaluate(() => { document.documentElement.style.zoom = '2'; });
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.evaluate(() => { document.documentElement.style.zoom = ''; });
  check(sideways <= 1, `at 200 % zoom on a 360 px phone ${hash} needs no sideways scrolling (${sideways} px)`);
}

// ---- 3. No network: 20 sessions recorded, the app closed 100 ms after the last save.
await ctx.setOffline(true);
const now = Date.now() - (Date.now() % 60000);
const sessionAt = (i) => ({ start: now - (21 - i) * 40 * 60000, end: now - (21 - i) * 40 * 60000 + 30 * 60000 });
for (let i = 0; i < 20; i++) {
  const { start, end } = sessionAt(i);
  await open(page, `#/edit/new?client=${anna.id}`);
  await page.fill('#f-date', riga(start).date);
  await page.fill('#f-from', riga(start).time);
  await page.fill('#f-to', riga(end).time);
  await page.fill('#f-note', `Bezsaistē ${i + 1}`);
  if (i === 0) {
    await page.click('[data-action=add-trip]');
    // A taxi: a public transport fare is never paid for these clients (they ride free).
    await page.selectOption('.trip [name=mode]', 'taxi');
    await page.fill('.trip [name=trip_from]', 'Mājas');
    await page.fill('.trip [name=trip_to]', 'Poliklīnika');
    await page.fill('.trip [name=km]', '4,5');
    await page.fill('.trip [name=cost]', '1,50');
    await audit(page, 'session form with a trip (lv)');
    await shot(page, 'session-form');
  }
  await page.click('#entry-form button[type=submit]');
  await page.waitForSelector('.notice', { timeout: 5000 }).catch(async (e) => {
    console.log(await text(page, 'main'), errors);
    throw e;
  });
}
check((await text(page, '#status')).includes('Nenosūtīti: 20'), 'offline, all 20 wait on the phone, and the header says so');
await page.waitForTimeout(100);
await ctx.close();
check((await serverEntries()).length === 0, 'nothing reached the server while offline');

ctx = await chromium.launchPersistentContext(profile, phone);
await ctx.setOffline(true);
page = ctx.pages()[0] ?? await ctx.newPage();
watch(page);
await page.goto(base + '/app/');
await page.waitForSelector('#status');
// Polled, not awaited once: the page may still be settling (its service worker taking over),
// and a wait cut short by that must not read the status too early.
let reopened = '';
for (const until = Date.now() + 30000; Date.now() < until;) {
  reopened = await text(page, '#status').catch(() => '');
  if (reopened.includes('Nenosūtīti: 20')) break;
  await page.waitForTimeout(250);
}
check(reopened.includes('Nenosūtīti: 20'), `reopened without a network, the app comes from its cache with the 20 unsent sessions (${reopened})`);
await shot(page, 'offline');
await ctx.setOffline(false);
await page.evaluate(() => window.dispatchEvent(new Event('online')));
await synced(page);
let held = await serverEntries();
const notes = held.map((e) => e.note).sort();
check(held.length === 20 && new Set(notes).size === 20, `after reconnecting the server holds exactly those 20, once each (${held.length})`);
check(held.some((e) => e.trips.length === 1 && e.trips[0].cost_cents === 150 && e.trips[0].distance_km === 4.5), 'the trip arrived with 1.50 EUR and 4.5 km');
// Each of the 20 as the month list shows it (just after a month's midnight they span two months).
const badges = [];
for (const d of [...new Set(held.map((e) => riga(Date.parse(e.started_at)).date))]) {
  await open(page, `#/list?range=month&d=${d}`);
  for (const e of held) {
    const badge = await page.$(`.entries a[href="#/edit/${e.id}"] .badge`);
    if (badge && !badges.some((b) => b.id === e.id)) badges.push({ id: e.id, text: await badge.textContent() });
  }
}
check(badges.length === 20 && badges.every((b) => b.text === 'Pieņemts'), `the app shows them accepted (${badges.length}: ${[...new Set(badges.map((b) => b.text))].join(', ')})`);

// ---- 4. A lost answer: the server applies the push, the answer never arrives.
let dropped = 0;
await page.route('**/api/v1/sync/push', async (route) => {
  await route.fetch();
  dropped += 1;
  await route.abort('connectionreset');
});
const lost = sessionAt(20);
await open(page, `#/edit/new?client=${anna.id}`);
await page.fill('#f-date', riga(lost.start + 25 * 60000).date);
await page.fill('#f-from', riga(lost.start + 25 * 60000).time);
await page.fill('#f-to', riga(lost.start + 35 * 60000).time);
await submit(page);
await page.waitForFunction(() => document.getElementById('status').textContent.includes('1'));
await page.waitForTimeout(500);
await page.unroute('**/api/v1/sync/push');
check(dropped >= 1, 'the answer to the push was lost on the way');
await open(page, '#/settings');
await page.click('[data-action=sync]');
await synced(page);
held = await serverEntries();
check(held.length === 21, `retried unchanged: no duplicate (${held.length} on the server)`);
check(!(await text(page, 'main')).includes('apturēta'), 'and no gap: the sequence goes on without a sync problem');
const mine = (await api('GET', `/users/${user.id}/devices`, admin)).find((d) => !d.revoked_at && d.device_id !== 'setup');

// ---- 5. A rule's refusal, in Russian.
await open(page, '#/settings');
await page.click('button[data-lang=ru]');
const over = now - 26 * 3600000;
await open(page, `#/edit/new?client=${boriss.id}`);
await page.selectOption('#f-client', boriss.id);
await page.fill('#f-date', riga(over).date);
await page.fill('#f-from', riga(over).time);
await page.fill('#f-to', riga(over + 2 * 3600000).time);
await submit(page);
await synced(page);
await open(page, `#/list?range=month&d=${riga(over).date}`);
const refused = page.locator('.st-refused');
if (await refused.count() !== 1) console.log(await text(page, 'main'), JSON.stringify(await page.evaluate(() => new Promise((res) => { const r = indexedDB.open('asistents'); r.onsuccess = () => { const q = r.result.transaction('entries').objectStore('entries').getAll(); q.onsuccess = () => res(q.result.filter((e) => e.client_id && e.state !== 'accepted')); }; }))));
check(await refused.count() === 1, 'the session over the allowance stays visible as refused');
const why = await refused.textContent();
check(/Отклонено/.test(why) && /[а-я]{4}/.test(why.split('Отклонено')[1] ?? ''), `the server's message is in Russian: ${why.trim().replace(/\s+/g, ' ')}`);
await refused.locator('a').click();
await page.waitForSelector('#entry-form');
check((await text(page, '.problem')).includes('Исправьте сессию'), 'the refused session says what to do');
await audit(page, 'refused session (ru)');
await shot(page, 'refused-ru');
await page.click('[data-action=delete]');
await page.waitForSelector('.notice');
await synced(page);
await open(page, '#/settings');
await page.click('button[data-lang=lv]');
// An accepted session edited into a refusal (over another session), then put right: the fix is
// based on the server's copy again and is accepted.
const five = held.find((e) => e.note === 'Bezsaistē 5');
const six = held.find((e) => e.note === 'Bezsaistē 6');
await open(page, `#/edit/${five.id}`);
await page.fill('#f-from', riga(Date.parse(six.started_at)).time);
await page.fill('#f-to', riga(Date.parse(six.ended_at)).time);
await submit(page);
await stored(page, five.id, 'state', 'refused');
await open(page, `#/edit/${five.id}`);
await page.fill('#f-from', riga(Date.parse(five.started_at)).time);
await page.fill('#f-to', riga(Date.parse(five.ended_at)).time);
await page.fill('#f-note', 'Bezsaistē 5, izlabots');
await submit(page);
await stored(page, five.id, 'state', 'accepted');
check((await onServer(five.id, (e) => e.version === 2)).note === 'Bezsaistē 5, izlabots', 'a refused edit, put right, is accepted on top of the server\'s copy');

// ---- 6. Two phones of one assistant, and a conflict.
const ctxB = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'asistents-app-b-')), phone);
const pageB = ctxB.pages()[0] ?? await ctxB.newPage();
watch(pageB);
await pageB.goto(base + '/app/');
await pageB.waitForSelector('#login');
await appLogin(pageB, 'talrunis', password);
await synced(pageB);
const target = held.find((e) => e.note === 'Bezsaistē 20');
await open(page, `#/edit/${target.id}`);
await page.fill('#f-note', 'Labots telefonā A');
await submit(page);
await onServer(target.id, (e) => e.note === 'Labots telefonā A');
await open(pageB, '#/settings');
await pageB.click('[data-action=sync]');
await stored(pageB, target.id, 'server.note', 'Labots telefonā A');
await open(pageB, `#/edit/${target.id}`);
check((await pageB.inputValue('#f-note')) === 'Labots telefonā A', 'an edit on one phone appears on the other after its next pull');
// Phone B edits offline what phone A changes meanwhile.
await ctxB.setOffline(true);
await pageB.fill('#f-note', 'Labots telefonā B');
await submit(pageB);
await open(page, `#/edit/${target.id}`);
await page.fill('#f-note', 'Vēlreiz labots telefonā A');
await submit(page);
await onServer(target.id, (e) => e.note === 'Vēlreiz labots telefonā A');
await ctxB.setOffline(false);
await pageB.evaluate(() => window.dispatchEvent(new Event('online')));
await stored(pageB, target.id, 'state', 'conflict');
await open(pageB, `#/edit/${target.id}`);
const conflict = await text(pageB, 'main');
check(conflict.includes('Labots telefonā B') && conflict.includes('Vēlreiz labots telefonā A'), 'a stale edit shows both versions');
await audit(pageB, 'conflict (lv)');
await shot(pageB, 'conflict');
await pageB.click('[data-action=keep-mine]');
const kept = await onServer(target.id, (e) => e.version >= 4).catch(() => ({}));
check(kept.note === 'Labots telefonā B' && kept.version === 4, `keeping one's own version sends it on top of the other (version ${kept.version})`);

// ---- 7. An expired token keeps the queue; a revoked one clears the phone.
let expiredOnce = false;
await page.route('**/api/v1/sync/push', async (route) => {
  if (expiredOnce) return route.continue();
  expiredOnce = true;
  await route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'token_expired', message: 'x', details: {} } }) });
});
const late = now - 30 * 3600000;
await open(page, `#/edit/new?client=${anna.id}`);
await page.fill('#f-date', riga(late).date);
await page.fill('#f-from', riga(late).time);
await page.fill('#f-to', riga(late + 20 * 60000).time);
await page.fill('#f-note', 'Pēc derīguma beigām');
await page.click('#entry-form button[type=submit]');
await page.waitForSelector('#login');
check((await text(page, 'main')).includes('nenosūtītie ieraksti ir saglabāti'), 'an expired token asks for the password and says nothing is lost');
check((await text(page, '#status')).includes('Nenosūtīti: 1'), 'the unsent session is still queued');
await shot(page, 'expired');
await page.fill('#password', password);
await page.click('#login-form button[type=submit]');
await page.waitForSelector('.card');
await synced(page);
check((await serverEntries()).some((e) => e.note === 'Pēc derīguma beigām'), 'after logging in again the queued session is sent');
await page.unroute('**/api/v1/sync/push');

const phoneB = (await api('GET', `/users/${user.id}/devices`, admin)).filter((d) => !d.revoked_at && d.device_id !== 'setup');
for (const d of phoneB) if (d.device_id !== mine.device_id) await api('POST', `/devices/${d.id}/revoke`, admin, {});
await open(pageB, '#/settings');
await pageB.click('[data-action=sync]');
await pageB.waitForSelector('#login');
check((await text(pageB, 'main')).includes('izrakstīta'), 'a revoked phone says so');
const left = await pageB.evaluate(() => new Promise((resolve) => {
  const r = indexedDB.open('asistents');
  r.onsuccess = () => { const q = r.result.transaction('entries').objectStore('entries').count(); q.onsuccess = () => resolve(q.result); };
}));
check(left === 0, `and keeps nothing personal (${left} sessions left on it)`);
await shot(pageB, 'revoked');
await ctxB.close();

// ---- 8. The client confirms the month with their PIN on the phone.
await open(page, `#/month/${anna.id}/${month}`);
await audit(page, 'month (lv)');
await page.click('[data-action=hand-in]');
await page.waitForSelector('.notice');
for (let i = 0; i < 60 && (await api('GET', `/clients/${anna.id}/months/${month}`, admin)).state !== 'submitted'; i++) await page.waitForTimeout(250);
await open(page, '#/settings');
await page.click('[data-action=sync]');
await open(page, `#/month/${anna.id}/${month}`);
await page.waitForSelector('a[href^="#/confirm/"]', { timeout: 15000 });
check((await text(page, 'main')).includes('Nodots, gaida klientu'), 'the handed-in month shows as waiting for the client');
await page.click('a[href^="#/confirm/"]');
await page.waitForSelector('#confirm-form');
const live = (await api('GET', `/clients/${anna.id}/months/${month}`, admin)).entries.filter((e) => ['active', 'pending_review'].includes(e.status));
check((await page.$$('.entries.large li')).length === live.length, `the client sees every session they confirm (${live.length})`);
await audit(page, 'client confirmation (lv)');
await shot(page, 'client-confirms');
await page.fill('#pin', '482105');
await page.click('#confirm-form button[type=submit]');
await page.waitForSelector('.notice');
const sheet = await api('GET', `/clients/${anna.id}/months/${month}`, admin);
check(sheet.state === 'confirmed' && sheet.confirmed_as === 'client_pin', `the month is confirmed on the server (${sheet.state}, ${sheet.confirmed_as})`);

check(errors.length === 0, `no script errors (${errors.join('; ')})`);
const js = ['app.js', 'store.js', 'sync.js', 'words.js', 'sw.js'].map((f) => readFileSync(new URL(`../../assets/app/${f}`, import.meta.url)).length).reduce((a, b) => a + b, 0);
check(js < 60 * 1024, `the app's JavaScript is under 60 KiB (${(js / 1024).toFixed(1)} KiB)`);
await ctx.close();
rmSync(profile, { recursive: true, force: true });
console.log(`\naxe violations: ${violations}`);
console.log(`${failures.length === 0 ? 'passed' : 'failed'}: ${failures.length} checks failed`);
process.exit(failures.length === 0 ? 0 : 1);
