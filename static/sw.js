// The service worker that opens the playground again without a network, once it has been
// opened once: a lecture hall's Wi-Fi may fail. scripts/offline writes the site's files and a
// version made from their contents into this template at build time (trunk's post_build hook).
//
// - Installing keeps every file of this version in a cache named by the version, revalidated
//   with the server (not an older copy from the browser's HTTP cache).
// - Every request asks the network first, so a new deployment shows at once (not every file's
//   name changes with its contents: wasm-bindgen's snippets keep theirs), and falls back to the
//   kept copy when the network fails, answers with a server error, or takes over 3 s.
// - Activating a new version deletes the caches of older ones.
// Paths are relative to this file, so the site works under any sub-path.

const VERSION = 'PLAYGROUND_VERSION';
const FILES = PLAYGROUND_FILES;
const CACHE = `replication-playground-${VERSION}`;
const PAGE = new URL('index.html', self.registration.scope).href;
const PATIENCE_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: 'no-cache' }))))
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

/** The network's answer, or the kept copy of `key` when the network fails or is too slow. */
async function networkOrKept(request, key) {
  const kept = () => caches.open(CACHE).then((cache) => cache.match(key));
  const network = fetch(request);
  network.catch(() => {}); // Its failure is answered below, whoever waits for it.
  const late = new Promise((resolve) => setTimeout(resolve, PATIENCE_MS));
  try {
    const answer = await Promise.race([network, late]);
    if (answer && answer.status < 500) return answer;
  } catch {
    // No network: the kept copy, below.
  }
  return (await kept()) ?? network;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(networkOrKept(request, request.mode === 'navigate' ? PAGE : request));
});
