// Registers the service worker (sw.js, written at build time by scripts/offline) that opens the
// page again without a network after a first visit. Browsers allow one only on a secure origin
// (https, or localhost); elsewhere the page works as before, online.
export function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js').catch((error) => console.warn('no offline copy:', error.message));
}
