// The app's own files, cached for use without a connection. The cache's name changes with every
// release (the server writes the version in), so a new release replaces the old copy. Nothing
// under /api/ is ever cached: what the service says is always asked fresh.
const CACHE = 'asistents-app-__VERSION__';
const FILES = ['/app/', '/app/app.css', '/app/app.js', '/app/store.js', '/app/sync.js', '/app/words.js',
  '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png', '/app/icon-512.png'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('asistents-app-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith('/app/')) return;
  // The app's files from the cache first (fast on a weak signal), the network otherwise.
  const key = url.pathname === '/app/index.html' ? '/app/' : url.pathname;
  e.respondWith(caches.open(CACHE).then(async (c) => (await c.match(key)) ?? fetch(e.request)));
});
