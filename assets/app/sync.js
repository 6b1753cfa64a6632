// Talking to the service: the public sync API only (mobile-api/README.md). Changes are queued
// in seq order with the entry they change; a sync pushes the queue and pulls until has_more is
// false. An answer that never arrives is harmless: the same seqs are pushed again and come back
// as `duplicate`.

import { tx, done, get, all, put, wipe } from './store.js';
import { getLang } from './words.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}

const listeners = new Set();
/** `fn` runs after anything stored changed (a save, a sync). */
export const onChange = (fn) => listeners.add(fn);
const changed = () => listeners.forEach((fn) => fn());

/** A call of the API as the logged-in person; messages come in `lang` (the app's language). */
export async function request(method, path, body, lang = getLang()) {
  const session = await get('meta', 'session');
  const headers = { 'Accept-Language': lang };
  if (session?.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'offline', '');
  }
  if (r.status === 204) return null;
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = data.error ?? {};
    if (r.status === 401 && e.code === 'token_revoked') await wipe().then(() => put('meta', true, 'revoked'));
    if (r.status === 401 && e.code === 'token_expired') await put('meta', { ...session, expired: true }, 'session');
    if (r.status === 401) changed();
    throw new ApiError(r.status, e.code ?? 'error', e.message ?? '', e.details ?? {});
  }
  return data;
}

/** Logs this phone in (its device id stays the same for ever); keeps whatever is queued. */
export async function logIn(login, password) {
  let device = await get('meta', 'device');
  if (!device) {
    device = { device_id: crypto.randomUUID() };
    await put('meta', device, 'device');
  }
  const r = await request('POST', '/api/v1/auth/login', {
    login, password,
    device: { device_id: device.device_id, name: 'Phone app', platform: 'web', app_version: '1' },
  });
  // A password staff set: this token may only change it (the app asks for a new one).
  await put('meta', { token: r.token, expires_at: r.expires_at, user: r.user, login, change: r.password_change_required }, 'session');
  await put('meta', false, 'revoked');
  changed();
  return r;
}

/** The entry's version once every queued change of it is applied (the base of the next). */
const nextBase = (e) => (e ? e.next_base ?? e.server?.version ?? null : null);

/** Queues a mutation and writes what it does to `entries`, in one transaction. */
function enqueue(name, args, apply) {
  return tx(['meta', 'queue', 'entries'], 'readwrite', async (s) => {
    const seq = (await done(s('meta').get('next_seq'))) ?? 1;
    await done(s('queue').put({ seq, name, args }));
    await done(s('meta').put(seq + 1, 'next_seq'));
    if (apply) await apply(s);
  }).then(changed);
}

/** Saves a session (new or edited) on the phone and queues it. */
export async function saveEntry(fields) {
  const before = await get('entries', fields.id);
  const base = before?.state === 'refused' && !before.server ? null : nextBase(before);
  const args = { ...fields, base_version: base };
  await enqueue('entry.save', args, async (s) => {
    await done(s('entries').put({
      ...(before ?? {}), id: fields.id, client_id: fields.client_id, local: args,
      state: 'queued', error: null, theirs: null, next_base: base === null ? 1 : base + 1,
    }));
  });
}

export async function deleteEntry(id) {
  const before = await get('entries', id);
  const base = nextBase(before);
  if (!before?.server) {
    // The server never accepted it (unsent, or refused): nothing to send.
    await tx(['entries', 'queue'], 'readwrite', async (s) => {
      for (const q of await done(s('queue').getAll())) if (q.args.id === id) await done(s('queue').delete(q.seq));
      await done(s('entries').delete(id));
    });
    return changed();
  }
  await enqueue('entry.delete', { id, base_version: base }, async (s) => {
    await done(s('entries').put({ ...before, state: 'deleting', next_base: base + 1 }));
  });
}

export const submitMonth = (clientId, month) => enqueue('month.submit', { client_id: clientId, month });

/** Takes the server's version after a conflict: the local edit is dropped. */
export async function keepTheirs(id) {
  const e = await get('entries', id);
  await put('entries', { ...e, server: e.theirs, local: null, theirs: null, state: stateOf(e.theirs), next_base: e.theirs.version, error: null });
  changed();
}

export function stateOf(entry) {
  if (!entry) return 'queued';
  return { active: entry.warnings?.length ? 'warned' : 'accepted', pending_review: 'review', rejected: 'rejected', flagged: 'flagged' }[entry.status] ?? 'accepted';
}

let running = null;
/** One sync at a time; a call while one runs waits for it. */
export function syncNow() {
  running ??= syncOnce().finally(() => { running = null; changed(); });
  return running;
}

async function syncOnce() {
  const session = await get('meta', 'session');
  if (!session?.token || session.expired || session.change || !navigator.onLine) return;
  await put('meta', true, 'syncing');
  changed();
  try {
    await push();
    await pull();
    const me = await request('GET', '/api/v1/me');
    await put('meta', me, 'me');
    await put('meta', null, 'sync_error');
  } catch (e) {
    if (e.code !== 'offline') await put('meta', e.message || e.code, 'sync_error');
  } finally {
    await put('meta', false, 'syncing');
  }
}

async function push() {
  const device = await get('meta', 'device');
  for (;;) {
    const queue = (await all('queue')).sort((a, b) => a.seq - b.seq).slice(0, 100);
    if (!queue.length) return;
    const r = await request('POST', '/api/v1/sync/push', {
      device_id: device.device_id, device_time: new Date().toISOString(),
      mutations: queue.map(({ seq, name, args }) => ({ seq, name, args })),
    });
    await settle(queue, r.results);
    if (r.results.some((x) => ['seq_gap', 'seq_conflict'].includes(x.error?.code))) {
      throw new ApiError(409, 'sync_stopped', r.results.find((x) => x.error)?.error.message);
    }
  }
}

/** What the server answered for each pushed mutation, written in one transaction. */
function settle(queue, results) {
  return tx(['queue', 'entries'], 'readwrite', async (s) => {
    const pending = await done(s('queue').getAll());
    for (const res of results) {
      const q = queue.find((x) => x.seq === res.seq);
      if (!q || ['seq_gap', 'seq_conflict'].includes(res.error?.code)) continue;
      await done(s('queue').delete(q.seq));
      const id = q.args.id;
      if (!id) continue;
      const e = await done(s('entries').get(id));
      if (!e) continue;
      const later = pending.some((x) => x.seq > q.seq && x.args.id === id);
      const status = res.original_status ?? res.status;
      // Applied long ago, its first answer since forgotten by the server: the pull brings the
      // entry as the server holds it.
      if (status === 'duplicate') continue;
      if (status === 'applied') {
        if (q.name === 'entry.delete') { if (!later) await done(s('entries').delete(id)); continue; }
        const next = { ...e, server: res.entry ?? e.server };
        if (!later) Object.assign(next, { state: stateOf(res.entry), local: null, error: null, next_base: res.entry?.version });
        await done(s('entries').put(next));
      } else if (res.error?.code === 'stale_version') {
        await done(s('entries').put({ ...e, state: 'conflict', theirs: res.error.details.current, error: res.error }));
      } else {
        // Refused: the server's copy did not move, so the next save is based on it again.
        await done(s('entries').put({ ...e, state: 'refused', error: res.error, next_base: e.server?.version ?? null }));
      }
    }
  });
}

async function pull() {
  for (;;) {
    const cursor = (await get('meta', 'cursor')) ?? '';
    const r = await request('GET', `/api/v1/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=200`);
    // The page and the cursor after it are stored together.
    await tx(['meta', 'entries', 'months', 'queue'], 'readwrite', async (s) => {
      const queued = new Set((await done(s('queue').getAll())).map((q) => q.args.id));
      for (const c of r.changes) {
        if (c.kind === 'entry') {
          const e = await done(s('entries').get(c.id));
          if (queued.has(c.id) || (e?.local && ['conflict', 'refused'].includes(e.state))) {
            // An unsent edit, or one waiting for the person's choice, stays as it is; only the
            // server's copy (and, in a conflict, the version to choose against) moves on.
            if (e && c.op === 'upsert') {
              await done(s('entries').put({ ...e, server: c.data, theirs: e.state === 'conflict' ? c.data : e.theirs }));
            }
          } else if (c.op === 'delete' || c.data.status === 'deleted') {
            await done(s('entries').delete(c.id));
          } else {
            await done(s('entries').put({
              ...(e ?? {}), id: c.id, client_id: c.data.client_id, server: c.data, local: null,
              state: e?.dispute ? 'disputed' : stateOf(c.data), error: null, next_base: c.data.version,
            }));
          }
        } else if (c.kind === 'month') {
          await done(s('months').put({ ...c.data, id: c.id }));
        } else if (c.kind === 'dispute') {
          const e = await done(s('entries').get(c.data.entry_id));
          if (e) await done(s('entries').put({ ...e, state: 'disputed', dispute: c.data }));
        }
      }
      await done(s('meta').put(r.cursor, 'cursor'));
    });
    if (!r.has_more) return;
  }
}

/** Replaces the password staff set with the person's own, then logs in with it. */
export async function choosePassword(current, next) {
  const session = await get('meta', 'session');
  await request('POST', '/api/v1/me/password', { current_password: current, new_password: next });
  return logIn(session.login, next);
}

/** Logs out: the token is ended on the server when it can be, and the phone keeps nothing. */
export async function logOut() {
  await request('POST', '/api/v1/auth/logout').catch(() => {});
  await wipe();
  changed();
}
