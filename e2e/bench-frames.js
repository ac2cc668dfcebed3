// Frame-time benchmark (not a test): the release build under load in headless Chromium.
// Prints frame time p50/p95 and main-thread script time per frame over 10 s with the traffic
// generator at 2,000 requests/s and 8 replicas. Run by scripts/bench-page.
import { resolve } from 'node:path';

import { launchChromium } from './browser.js';
import { serveStatic } from './static-server.js';

const SITE_DIR = resolve(process.env.SITE_DIR ?? 'target/e2e-site');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FRAGMENT = '#replicas=8&mode=async&lag=200&seed=1&rate=2000&reads=90&clients=8';

const site = await serveStatic(SITE_DIR, '/playground/');
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(site.url + FRAGMENT);
  await page.getByTestId('node-master').waitFor();
  await page.waitForTimeout(2000); // let the load reach its steady state
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const scriptTime = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'ScriptDuration').value;
  const scriptBefore = await scriptTime();
  const frames = await page.evaluate(
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
    SECONDS,
  );
  const scriptMs = ((await scriptTime()) - scriptBefore) * 1000;
  const sorted = [...frames].sort((a, b) => a - b);
  const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  const reads = await page.getByTestId('stat-reads').textContent();
  console.log(`load: ${FRAGMENT} for ${SECONDS} s (${reads} reads answered so far)`);
  console.log(`frames: ${frames.length} (${(frames.length / SECONDS).toFixed(1)} per second)`);
  console.log(`frame time p50: ${quantile(0.5).toFixed(1)} ms   (goal 16.7 ms)`);
  console.log(`frame time p95: ${quantile(0.95).toFixed(1)} ms   (goal 16.7 ms)`);
  console.log(`script time per frame: ${(scriptMs / frames.length).toFixed(2)} ms   (goal 4 ms)`);
} finally {
  await browser.close();
  site.server.close();
}
