// The console in a real headless Chromium: a coordinator walks a whole month, and every console
// screen is checked with axe-core at 360 px and 1280 px, with screenshots in target/browser.
//
// The month: the coordinator enrols a client with decision, assistant and login in one form (a
// wrong form first: nothing is saved and everything typed comes back); the assistant's sessions
// arrive by sync (late, so they wait for review); the coordinator approves them; the assistant
// hands the month in; the client, on a phone-sized page, chooses their own password and disputes
// one session; the coordinator rejects the dispute with a reason, approves the month without the
// client's confirmation, bulk-approves the confirmed months and closes the month by keyboard; the
// accountant downloads the municipality summary. Run by ./run after the other browser tests.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOT_DIR ?? '../../target/browser';
const password = 'demo-parole-2026';
mkdirSync(shots, { recursive: true });

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); };

async function api(method, path, token, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}
const login = async (who, pw = password, device = 'console-test') => api('POST', '/auth/login', null, { login: who, password: pw, device: { device_id: device, name: 't', platform: 't', app_version: '1' } });

// Months are Riga's, as the service's (just after midnight in Riga, UTC is still the day before).
// The walk's sessions must arrive late: last month's are late only after its deadline (the 5th),
// so before it the walk takes the month before.
const [rigaYear, rigaMonth, rigaDay] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit' })
  .format(new Date()).split('-').map(Number);
const prev = new Date(Date.UTC(rigaYear, rigaMonth - (rigaDay <= 5 ? 3 : 2), 1));
const month = `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}`;
// The console opens on last month's board (the month that needs closing).
const last = new Date(Date.UTC(rigaYear, rigaMonth - 2, 1));
const boardMonth = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
const day = (n) => `${month}-${String(n).padStart(2, '0')}`;
const decisionFrom = new Date(Date.UTC(prev.getUTCFullYear(), prev.getUTCMonth() - 2, 1)).toISOString().slice(0, 10);
const decisionTo = new Date(Date.UTC(prev.getUTCFullYear() + 1, prev.getUTCMonth(), 0)).toISOString().slice(0, 10);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'lv-LV', bypassCSP: true, acceptDownloads: true });
const page = await context.newPage();

let violations = 0;
async function audit(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  for (const v of result.violations) {
    console.log(`  axe ${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  violations += result.violations.length;
  check(result.violations.length === 0, `axe: 0 violations on ${name} (${result.passes.length} rules passed)`);
}
// A screen at both widths: axe at each, no sideways scrolling of the page itself on a phone, and
// a screenshot of each.
async function screen(name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await audit(`${name} (1280 px)`);
  await page.screenshot({ path: `${shots}/console-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await audit(`${name} (360 px)`);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(sideways <= 1, `${name}: at 360 px the page does not scroll sideways (${sideways} px)`);
  await page.screenshot({ path: `${shots}/console-${name}-360.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}
const main = async () => (await page.textContent('main')) ?? '';

// ---- The coordinator logs in.
await page.goto(base + '/console/login');
await page.fill('#login', 'koordinators');
await page.fill('#password', password);
await page.press('#password', 'Enter');
await page.waitForURL(`**/console/months/${boardMonth}`);

// Keyboard first: the first Tab stop on a console page is "skip to content".
await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement?.classList.contains('skip')), 'the first Tab stop is "skip to content"');

// ---- 1. One form enrols a client; a wrong one saves nothing and keeps what was typed.
const assistant = await login('asistents01');
const assistantMe = await api('GET', '/me', assistant.token);
await page.click('a[href="/console/clients"]');
await page.waitForURL('**/console/clients');
await screen('clients');
await page.click('a[href="/console/clients/new"]');
await screen('client-new');
await page.fill('#name', 'Zane Testa');
await page.fill('#birth_date', '1980-05-05');
await page.selectOption('#disability_group', '1');
await page.fill('#number', 'SD/TEST/1');
await page.fill('#decided_on', decisionFrom);
await page.fill('#valid_from', decisionFrom);
await page.fill("#valid_to", decisionTo);
await page.fill("#monthly_hours", "2000"); // the wrong part: more hours a month than the regulation allows
await page.selectOption('#assistant_id', assistantMe.assistant_id);
await page.fill('#login', 'zane.testa');
await page.fill('#password', 'Pagaidu-parole-1');
await page.click('form.enrol button[type=submit]');
await page.waitForSelector('[role=alert]');
check((await page.inputValue('#name')) === 'Zane Testa' && (await page.inputValue('#number')) === 'SD/TEST/1', 'a refused form comes back with everything typed');
check((await page.inputValue('#assistant_id')) === assistantMe.assistant_id, 'and with the assistant still chosen');
const refusedWhy = await page.textContent('[role=alert]');
check(refusedWhy.length > 10, `and says what is wrong: "${refusedWhy.trim()}"`);
const coordinator = await login('koordinators');
const none = await api('GET', '/clients?q=Zane%20Testa', coordinator.token);
check(none.total === 0, 'a refused form leaves no half-made client behind');
await page.fill('#valid_to', decisionTo);
await page.fill('#monthly_hours', '20');
await page.fill('#password', 'Pagaidu-parole-1');
await page.click('form.enrol button[type=submit]');
await page.waitForURL(/\/console\/clients\/[0-9a-f-]+\?done=enrolled/);
const clientId = page.url().split('/console/clients/')[1].split('?')[0];
check((await page.textContent('h1')) === 'Zane Testa', 'the new client\'s card opens');
const card = await main();
check(card.includes('SD/TEST/1') && card.includes('20 st.'), 'the card shows the decision and its 20 hours a month');
check(card.includes('zane.testa'), 'the card shows the client\'s login');
await screen('client-card');

// ---- 2. The assistant's sessions arrive by sync, late, and wait for review.
const me = await api('GET', '/me', assistant.token);
const assignment = me.assignments.find((a) => a.client_id === clientId);
check(!!assignment, 'the assistant\'s phone sees the new client');
const sessions = [10, 17, 24].map((d, i) => ({
  id: crypto.randomUUID(), client_id: clientId, purpose: assignment.allowed_purposes[0],
  started_at: `${day(d)}T18:00:00Z`, ended_at: `${day(d)}T19:30:00Z`, place: 'community', note: `Vakara nodarbība ${i + 1}`,
}));
const pushed = await api('POST', '/sync/push', assistant.token, { device_id: 'console-test', mutations: sessions.map((s, i) => ({ seq: i + 1, name: 'entry.save', args: s })) });
check(pushed.results?.every((r) => r.status === 'applied'), `three sessions arrive by sync (${JSON.stringify(pushed.results?.map((r) => r.status))})`);
await page.click('a[href="/console/exceptions"]');
await page.waitForURL('**/console/exceptions');
const late = page.locator('.cards li', { hasText: 'Zane Testa' });
check(await late.count() === 3, `the late sessions wait in the exceptions queue (${await late.count()})`);
await screen('exceptions');
// The demo's hospital stay was reported after its sessions: they wait flagged, each with why.
const flaggedCards = page.locator('ul[aria-labelledby=flagged-h] > li');
const flaggedBefore = await flaggedCards.count();
check(flaggedBefore >= 1, `the sessions a later hospital stay touches wait flagged (${flaggedBefore})`);
check((await flaggedCards.first().textContent()).includes('apturēts'), 'a flagged session says which rule it breaks, in words');
await flaggedCards.first().locator('input[name=reason]').fill('Pavadīja klientu uz slimnīcu uzņemšanas dienā');
await flaggedCards.first().locator('button[value=keep]').click();
await page.waitForURL('**/console/exceptions?done=flag');
check(await page.locator('ul[aria-labelledby=flagged-h] > li').count() === flaggedBefore - 1, 'a kept session leaves the flagged list');
for (let i = 0; i < 3; i += 1) {
  const item = page.locator('.cards li', { hasText: 'Zane Testa' }).first();
  await item.locator('input[name=reason]').fill('Asistents iesniedza vēlāk, pārbaudīts');
  await item.locator('button[value=approve]').click();
  await page.waitForURL('**/console/exceptions?done=reviewed');
}
check(await page.locator('.cards li', { hasText: 'Zane Testa' }).count() === 0, 'the coordinator approved the three late sessions');
const handed = await api('POST', `/clients/${clientId}/months/${month}/submit`, assistant.token, {});
check(handed.state === 'submitted', `the assistant hands the month in (${handed.state})`);

// ---- 3. The client, on a phone, chooses a password and disputes one session.
const phone = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'lv-LV', bypassCSP: true });
const client = await phone.newPage();
await client.goto(base + '/web/login');
await client.fill('#login', 'zane.testa');
await client.fill('#password', 'Pagaidu-parole-1');
await client.press('#password', 'Enter');
await client.waitForURL('**/web/password');
await client.fill('#current', 'Pagaidu-parole-1');
await client.fill('#new', 'Zanes-pasas-parole');
await client.fill('#repeat', 'Zanes-pasas-parole');
await client.click('form[action="/web/password"] button[type=submit]');
await client.waitForURL('**/web/login**');
await client.fill('#login', 'zane.testa');
await client.fill('#password', 'Zanes-pasas-parole');
await client.press('#password', 'Enter');
await client.waitForURL('**/web/');
await client.click(`a[href$="/months/${month}"]`);
await client.waitForURL(`**/months/${month}`);
const disputed = client.locator('input[name=entry]').first();
const disputedId = await disputed.getAttribute('value');
await disputed.check();
await client.fill(`#r-${disputedId}`, 'Tajā vakarā nodarbības nebija');
await client.click('form[action$="/dispute"] button[type=submit]');
await client.waitForURL('**?done=dispute');
check((await client.textContent('main')).includes('Tajā vakarā nodarbības nebija'), 'the client disputed one session on the phone-sized page');

// ---- 4. The coordinator resolves the dispute, approves, bulk-approves and closes.
await page.goto(base + '/console/exceptions');
const dispute = page.locator('.cards li', { hasText: 'Tajā vakarā nodarbības nebija' });
check(await dispute.count() === 1, 'the dispute waits in the queue with the client\'s words');
await dispute.locator('input[name=reason]').fill('Asistenta GPS un klienta kalendārs apliecina nodarbību');
await dispute.locator('button[value=rejected]').click();
await page.waitForURL('**/console/exceptions?done=resolved');
check(await page.locator('.cards li', { hasText: 'Tajā vakarā nodarbības nebija' }).count() === 0, 'a resolved dispute leaves the queue');
await page.goto(`${base}/console/clients/${clientId}/months/${month}`);
const sheet = await main();
check(sheet.includes('rejected: Asistenta GPS'), 'the month sheet shows how and why the dispute was resolved');
await screen('sheet');

await page.goto(`${base}/console/months/${month}`);
const row = page.locator('tr', { hasText: 'Zane Testa' });
await row.locator('input[name=reason]').fill('Iebildums izskatīts un noraidīts');
await row.locator('button[type=submit]').click();
await page.waitForURL('**?done=approved');
check((await page.locator('tr', { hasText: 'Zane Testa' }).textContent()).includes('Apstiprināts'), 'the coordinator approved the disputed month with a reason');
const confirmed = page.locator('input[form=bulk][name=client]');
const ticks = await confirmed.count();
for (let i = 0; i < ticks; i += 1) await confirmed.nth(i).check();
if (ticks > 0) {
  await page.fill('#bulk-reason', 'Klienti apstiprinājuši');
  await page.click('button[form=bulk]');
  await page.waitForURL('**?done=approved');
}
check(await page.locator('input[form=bulk][name=client]').count() === 0, `bulk approval took every confirmed month (${ticks})`);
await screen('board');
// The seeded rate (5.11 EUR) pays less than the 2026 minimum wage: the board says so, and a
// close is refused until an admin enters a rate or records why the month closes anyway.
await page.goto(`${base}/console/months/${month}`);
check((await main()).includes('Likme zem minimālās algas'), 'the board says the rate is below the minimum wage');
const admin = await login('admin', process.env.ADMIN_PASSWORD, 'console-test-admin');
const recorded = await fetch(`${base}/api/v1/months/${month}/wage-override`, {
  method: 'PUT',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
  body: JSON.stringify({ reason: 'Starpību līdz minimālajai algai maksā pašvaldība' }),
});
check(recorded.status === 204, `an admin records why the month closes anyway (${recorded.status})`);
// The close, by keyboard alone: Tab until the close button has focus, then Enter.
await page.goto(`${base}/console/months/${month}`);
check((await main()).includes('maksā pašvaldība'), 'the board shows the admin\'s reason');
let reached = false;
for (let i = 0; i < 400 && !reached; i += 1) {
  await page.keyboard.press('Tab');
  reached = await page.evaluate(() => document.activeElement?.closest('form')?.getAttribute('action')?.endsWith('/close') ?? false);
}
check(reached, 'the close button is reachable by keyboard');
await page.keyboard.press('Enter');
await page.waitForSelector('[role=status]');
const closed = await page.textContent('[role=status]');
check(/\d+/.test(closed) && (await page.locator('tr', { hasText: 'Zane Testa' }).textContent()).includes('Slēgts'), `the month closes and says what it issued: "${closed.trim()}"`);

// ---- 5. Every other screen.
await page.goto(`${base}/console/assistants`);
await screen('assistants');
await page.goto(`${base}/console/assistants/${assistantMe.assistant_id}`);
check((await main()).includes('Zane Testa'), 'the assistant\'s card lists the new client');
await screen('assistant-card');
await page.goto(`${base}/console/statements?month=${month}`);
check((await main()).includes('Zane Testa'), 'the statements of the month include the new client\'s timesheet');
await screen('statements');
await page.goto(`${base}/console/policy`);
check((await main()).includes('hourly_rate_cents'), 'the policy page shows the figures in force');
await screen('policy');
await page.goto(`${base}/console/users`);
await screen('users');
await page.goto(`${base}/console/audit?check=1`);
check((await page.textContent('[role=status]')).includes('vesela'), 'the audit log\'s chain checks intact');
check((await main()).includes('dispute_resolved'), 'the audit log records the dispute\'s resolution');
await screen('audit');
await page.goto(`${base}/console/password`);
await screen('password');

// ---- 6. The accountant downloads the summary, and sees nothing personal beyond it.
const books = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'lv-LV', bypassCSP: true, acceptDownloads: true });
const accountant = await books.newPage();
await accountant.goto(base + '/console/login');
await accountant.fill('#login', 'gramatvede');
await accountant.fill('#password', password);
await accountant.press('#password', 'Enter');
await accountant.waitForURL(`**/console/months/${boardMonth}`);
check(!(await accountant.isVisible('a[href="/console/clients"]')), 'the accountant\'s console has no client cards');
await accountant.goto(`${base}/console/clients`);
check((await accountant.textContent('[role=alert]'))?.length > 0, 'and opening them is refused');
await accountant.goto(`${base}/console/statements?month=${month}`);
const summary = accountant.locator('.cards li', { hasText: 'Pašvaldības kopsavilkums' }).last();
const link = summary.locator('a[href$=".csv"]').first();
const [download] = await Promise.all([accountant.waitForEvent('download'), link.click()]);
const csv = readFileSync(await download.path(), 'utf8');
check(download.suggestedFilename().endsWith('.csv') && csv.includes('Zane Testa'), `the accountant downloads the summary (${download.suggestedFilename()}) and it has the new client`);

await browser.close();
console.log(`\naxe violations: ${violations}`);
console.log(`${failures.length === 0 ? 'passed' : 'failed'}: ${failures.length} checks failed`);
process.exit(failures.length === 0 ? 0 : 1);
