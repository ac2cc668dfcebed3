// Registers the service worker (sw.js, written at build time by scripts/offline) that opens the
// page again without a network after a first visit. Browsers allow one only on a secure origin
// (https, or localhost); elsewhere the page works as before, online.
// Registered a second after the page has loaded: installing fetches every file again
// (revalidated, so mostly "not modified"), which should not compete with the first load.
export function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  const register = () =>
    setTimeout(() => navigator.serviceWorker.register('sw.js').catch((error) => console.warn('no offline copy:', error.message)), 1000);
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}
