// Page benchmark (not a test; scripts/bench runs it): the release build in headless Chromium.
// Prints, as JSON lines, the time to the first interactive frame (fresh, and on a repeat visit
// with the network off), frame times and script time per frame under load, and memory over 30
// minutes of simulated time under that load.
import { resolve } from 'node:path';

import { launchChromium } from './fixtures.js';
import { serveStatic } from './static-server.js';

const SITE_DIR = resolve(process.env.SITE_DIR ?? 'target/e2e-site');
const FRAME_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const LOAD = process.env.BENCH_LOAD ?? '#replicas=8&mode=async&lag=200&seed=1&rate=2000&reads=90&clients=8';

const site = await serveStatic(SITE_DIR, '/playground/');
const browser = await launchChromium();
const report = (name, value) => console.log(JSON.stringify({ name, ...value }));

/** Records when the page first shows its controls and then paints a frame, and the wasm module. */
const INSTRUMENT = () => {
  window.__firstFrame = new Promise((resolve) => {
    const check = () =>
      document.querySelector('[data-testid="write"]') ? requestAnimationFrame(() => resolve(performance.now())) : requestAnimationFrame(check);
    requestAnimationFrame(check);
  });
  addEventListener('TrunkApplicationStarted', (event) => (window.__wasm = event.detail.wasm));
};

try {
  // 1. Navigation to the first interactive frame, median of five fresh loads.
  const times = [];
  for (let run = 0; run < 5; run++) {
    const page = await browser.newPage();
    await page.addInitScript(INSTRUMENT);
    await page.goto(site.url);
    times.push(await page.evaluate(() => window.__firstFrame));
    await page.close();
  }
  times.sort((a, b) => a - b);
  report('first-interactive-frame', { ms: times[2], all: times.map((t) => Math.round(t)) });

  // 1b. A repeat visit with the network off: the first visit installs the service worker,
  // then five loads, offline, each in a new tab of that browser; the median.
  const context = await browser.newContext();
  const firstVisit = await context.newPage();
  await firstVisit.goto(site.url);
  await firstVisit.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await context.setOffline(true);
  const offline = [];
  for (let run = 0; run < 5; run++) {
    const page = await context.newPage();
    await page.addInitScript(INSTRUMENT);
    await page.goto(site.url);
    offline.push(await page.evaluate(() => window.__firstFrame));
    await page.close();
  }
  await context.close();
  offline.sort((a, b) => a - b);
  report('offline-repeat-visit', { ms: offline[2], all: offline.map((t) => Math.round(t)) });

  // 2. Frames under load at real-time speed.
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.addInitScript(INSTRUMENT);
  await page.goto(site.url + LOAD);
  await page.getByTestId('node-master').waitFor();
  await page.waitForTimeout(2000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const scriptTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value;
  const scriptBefore = await scriptTime();
  const gaps = await page.evaluate(
    (seconds) =>
      new Promise((done) => {
        const gaps = [];
        let last;
        const end = performance.now() + seconds * 1000;
        const frame = (now) => {
          if (last !== undefined) gaps.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(frame);
          else done(gaps);
        };
        requestAnimationFrame(frame);
      }),
    FRAME_SECONDS,
  );
  const scriptMs = ((await scriptTime()) - scriptBefore) * 1000;
  const sorted = [...gaps].sort((a, b) => a - b);
  const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  // A frame counts as dropped when its gap spans more than one 60 Hz refresh (with slack for
  // the timer's jitter around 16.67 ms).
  const dropped = gaps.filter((gap) => gap > 1.5 * (1000 / 60)).length;
  report('frames', { frames: gaps.length, p50: quantile(0.5), p95: quantile(0.95), dropped, scriptPerFrame: scriptMs / gaps.length });

  // 3. Memory over simulated time at the same load, run at 20x.
  await page.getByTestId('speed').selectOption('20');
  const memory = async () => ({
    simulatedMinutes: await page.evaluate(() => parseFloat(document.querySelector('[data-testid="clock"]').textContent.replace(/[^0-9.]/g, '')) / 60000),
    wasmBytes: await page.evaluate(() => window.__wasm?.memory?.buffer.byteLength ?? 0),
    jsHeapBytes: (await cdp.send('Runtime.getHeapUsage')).usedSize,
  });
  const samples = [await memory()];
  while (samples[samples.length - 1].simulatedMinutes < SOAK_MINUTES) {
    await page.waitForTimeout(5000);
    samples.push(await memory());
  }
  report('memory', { samples });
} finally {
  await browser.close();
  site.server.close();
}
