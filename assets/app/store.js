// The phone's own copy, in IndexedDB: what the app shows is what is stored here. A change and
// the mutation that sends it are written in one transaction, before the app calls it saved.
//
// Stores: `meta` (key → value: device, session, next_seq, cursor, me, timer, lang, …),
// `entries` (id → {id, client_id, local, server, state, error, theirs, next_base, dispute}),
// `queue` (seq → {seq, name, args}), `months` ("client/YYYY-MM" → the month as pulled).

const NAME = 'asistents';
let opened;

function open() {
  opened ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(NAME, 1);
    r.onupgradeneeded = () => {
      const db = r.result;
      db.createObjectStore('meta');
      db.createObjectStore('entries', { keyPath: 'id' });
      db.createObjectStore('queue', { keyPath: 'seq' });
      db.createObjectStore('months', { keyPath: 'id' });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  return opened;
}

/** A request's result as a promise (usable inside `tx` without ending the transaction). */
export const done = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

/**
 * Runs `work(store)` in one transaction over `names`; resolves with its result once the
 * transaction has committed (so "saved" is never said before it is on the disk), rejects and
 * rolls everything back when `work` throws.
 */
export async function tx(names, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode, { durability: 'strict' });
    let result;
    t.oncomplete = () => resolve(result);
    t.onabort = () => reject(t.error ?? new Error('aborted'));
    Promise.resolve()
      .then(() => work((name) => t.objectStore(name)))
      .then((r) => { result = r; }, (e) => { try { t.abort(); } catch { /* already over */ } reject(e); });
  });
}

export const get = (name, key) => tx([name], 'readonly', (s) => done(s(name).get(key)));
export const all = (name) => tx([name], 'readonly', (s) => done(s(name).getAll()));
export const put = (name, value, key) =>
  tx([name], 'readwrite', (s) => done(key === undefined ? s(name).put(value) : s(name).put(value, key)));

/**
 * Everything gone (a revoked device, a logout), the device id too: the next login is a new
 * installation to the server, with its own sequence from 1, so nothing left unsent here can
 * ever collide with what the server holds.
 */
export const wipe = () => tx(['meta', 'entries', 'queue', 'months'], 'readwrite', async (s) => {
  for (const n of ['meta', 'entries', 'queue', 'months']) await done(s(n).clear());
});
