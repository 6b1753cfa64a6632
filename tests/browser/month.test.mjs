// A client logs in, disputes one session, then confirms the month, in a real headless Chromium.
// axe-core checks every page (WCAG 2.x A and AA); a screenshot of the month page (Latvian) is
// saved. Run by ./run, which starts the service with the demo municipality.
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

// The month to confirm: the previous one, handed in by a coordinator so the test does not depend
// on today's date relative to the deadline.
async function api(path, token, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}
const login = async (who) => (await api('/auth/login', null, { login: who, password, device: { device_id: 'browser-test', name: 't', platform: 't', app_version: '1' } })).token;
const client = (await api('/me', await login('klients01'))).client_ids[0];
// Months are Riga's, as the service's (just after midnight in Riga, UTC is still the day before).
const [rigaYear, rigaMonth] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit' })
  .format(new Date()).split('-').map(Number);
const prev = new Date(Date.UTC(rigaYear, rigaMonth - 2, 1));
const month = `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}`;
const submitted = await api(`/clients/${client}/months/${month}/submit`, await login('koordinators'), {});
check(['submitted', 'disputed'].includes(submitted.state), `the demo month ${month} is handed in (${submitted.state})`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// A small phone; axe is injected past the page's strict CSP.
const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'lv-LV', bypassCSP: true });
const page = await context.newPage();

let violations = 0;
async function audit(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  for (const v of result.violations) {
    console.log(`  axe ${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  violations += result.violations.length;
  check(result.violations.length === 0, `axe: 0 violations on the ${name} page (${result.passes.length} rules passed)`);
}

await page.goto(base + '/web/');
check(page.url().endsWith('/web/login'), 'an unknown visitor is sent to the login page');
check((await page.getAttribute('html', 'lang')) === 'lv', 'the page is Latvian by default');
await audit('login');
// Keyboard only: the first Tab reaches the skip link.
await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement?.classList.contains('skip')), 'the first Tab stop is "skip to content"');
await page.fill('#login', 'klients01');
await page.fill('#password', 'wrong-password');
await page.press('#password', 'Enter');
check((await page.textContent('[role=alert]'))?.includes('Nepareizs'), 'a wrong password is explained in Latvian');
await page.fill('#password', password);
await page.press('#password', 'Enter');
await page.waitForURL('**/web/');
await audit('months');

await page.click(`a[href$="/months/${month}"]`);
await page.waitForURL(`**/months/${month}`);
check((await page.textContent('h1'))?.includes(':'), 'the month page names the client and the month');
// On a phone every session is a card with all its fields; the wide table is not shown.
check(await page.isVisible('.cards li') && !(await page.isVisible('.table-wrap')), 'at 360 px the sessions are cards, not a table');
const card = await page.textContent('.cards li');
check(['Mērķis', 'Asistents'].every((w) => card.includes(w)), 'a card shows the purpose and the assistant');
await audit('month');
await page.screenshot({ path: `${shots}/month-lv.png`, fullPage: true });

// Dispute the first session, with a reason.
const first = page.locator('input[name=entry]').first();
const id = await first.getAttribute('value');
await first.check();
await page.fill(`#r-${id}`, 'Tajā dienā asistents atnāca vēlāk');
await page.click('form[action$="/dispute"] button[type=submit]');
await page.waitForURL('**?done=dispute');
check((await page.textContent('[role=status]'))?.includes('Iebildumi nosūtīti'), 'the dispute is acknowledged');
check((await page.textContent('tbody'))?.includes('Tajā dienā asistents atnāca vēlāk'), 'the disputed session shows the reason');
await audit('disputed month');

check(!(await page.isVisible('form[action$="/confirm"]')), 'a disputed month offers no confirmation');

// The coordinator corrects the month and hands it in again; then the client confirms it, after
// a step that says what they confirm.
const coordinator = await login('koordinators');
await fetch(`${base}/api/v1/clients/${client}/months/${month}/reopen`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${coordinator}` }, body: JSON.stringify({ reason: 'Pārbaudīts ar asistentu' }) });
const again = await api(`/clients/${client}/months/${month}/submit`, coordinator, {});
check(again.state === 'submitted', `handed in again (${again.state})`);
await page.goto(page.url().split('?')[0]);
await page.click('form[action$="/confirm"] button[type=submit]');
await page.waitForURL(/\/confirm\??$/);
check((await page.textContent('main'))?.includes('Jūs apstiprināt'), 'the last step says how many sessions and hours are confirmed');
await audit('confirm step');
await page.screenshot({ path: `${shots}/confirm-step-lv.png`, fullPage: true });
await page.click('form[method=post][action$="/confirm"] button[type=submit]');
await page.waitForURL('**?done=confirm');
check((await page.textContent('[role=status]'))?.includes('apstiprināts'), 'the confirmation is acknowledged');
check((await page.textContent('.summary'))?.includes('Apstiprināts'), 'the month shows as confirmed');
await audit('confirmed month');

// Russian on request, and 200 % zoom on a phone without horizontal scrolling of the page.
await page.goto(page.url().split('?')[0] + '?lang=ru');
check((await page.getAttribute('html', 'lang')) === 'ru' && (await page.textContent('h1'))?.length > 0, 'the page switches to Russian');
await audit('month (ru)');
// WCAG reflow: at 320 CSS px wide nothing but the table scrolls sideways; and a desktop browser at
// 200 % zoom (1280 px wide) keeps everything readable without sideways scrolling.
const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
await page.setViewportSize({ width: 320, height: 780 });
check((await sideways()) <= 1, 'at 320 px wide the page reflows without sideways scrolling');
await page.setViewportSize({ width: 1280, height: 800 });
await page.evaluate(() => { document.documentElement.style.zoom = '2'; });
check((await sideways()) <= 1, 'at 200 % zoom the page needs no sideways scrolling');
await page.screenshot({ path: `${shots}/month-ru-200.png`, fullPage: true });

// The page where a client chooses a new password, on the phone again.
await page.evaluate(() => { document.documentElement.style.zoom = '1'; });
await page.setViewportSize({ width: 360, height: 780 });
await page.goto(base + '/web/password?lang=lv');
check((await page.textContent('h1'))?.includes('Parole'), 'the password page opens from the months');
await audit('password');
await page.screenshot({ path: `${shots}/password-lv.png`, fullPage: true });

// The console's month board, for a coordinator, on a desktop and on a phone.
await page.goto(base + '/console/');
check(page.url().endsWith('/console/login'), 'the console asks staff to log in');
await audit('console login');
await page.fill('#login', 'koordinators');
await page.fill('#password', password);
await page.press('#password', 'Enter');
await page.waitForURL(`**/console/months/${month}`);
check((await page.textContent('h1'))?.includes('Mēneša pārskats'), "the console opens on last month's board");
await audit('console board (360 px)');
await page.setViewportSize({ width: 1280, height: 900 });
await audit('console board (1280 px)');
await page.screenshot({ path: `${shots}/console-board.png` });
await page.click('a[href="/console/exceptions"]');
await page.waitForURL('**/console/exceptions');
await audit('console exceptions (1280 px)');
await page.setViewportSize({ width: 360, height: 780 });
await audit('console exceptions (360 px)');
await page.goto(base + '/console/password');
await audit('console password (360 px)');

await browser.close();
console.log(`\naxe violations: ${violations}`);
console.log(`${failures.length === 0 ? 'passed' : 'failed'}: ${failures.length} checks failed`);
process.exit(failures.length === 0 ? 0 : 1);
