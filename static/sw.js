// The service worker that opens the playground again without a network, once it has been
// opened once: a lecture hall's Wi-Fi may fail. scripts/offline writes the site's files and a
// version made from their contents into this template at build time (trunk's post_build hook).
//
// - Installing keeps every file of this version in a cache named by the version.
// - A page load asks the network first, so a new deployment shows at once, and falls back to
//   the kept copy when there is no network.
// - Every other file (its name carries a hash of its contents) comes from the kept copy.
// - Activating a new version deletes the caches of older ones.
// Paths are relative to this file, so the site works under any sub-path.

const VERSION = 'PLAYGROUND_VERSION';
const FILES = PLAYGROUND_FILES;
const CACHE = `replication-playground-${VERSION}`;
const PAGE = new URL('index.html', self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('replication-playground-') && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope)) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match(PAGE))),
    );
    return;
  }
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(request))
      .then((kept) => kept ?? fetch(request)),
  );
});
