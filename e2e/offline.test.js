// End-to-end: once opened, the page opens again without a network (a lecture hall's Wi-Fi
// fails), links and demos included, through the service worker scripts/offline writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

import { goto, newPage, siteInChromium, untilText } from './fixtures.js';

const running = siteInChromium();
const SITE_DIR = resolve(process.env.SITE_DIR ?? 'target/e2e-site');

/** Every file under `dir`, relative to the site, sorted as the build script sorts them. */
async function siteFiles(dir = SITE_DIR) {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? siteFiles(join(dir, entry.name)) : [relative(SITE_DIR, join(dir, entry.name))])),
  );
  return files.flat().sort();
}

test('the service worker keeps every file of the site, under a version of their contents', async () => {
  const worker = await readFile(join(SITE_DIR, 'sw.js'), 'utf8');
  const listed = JSON.parse(worker.match(/const FILES = (\[.*\]);/)[1]);
  // Not the precompressed copies (scripts/precompress): a browser asks for the plain files; nor
  // the demos' first frames (scripts/prerender), which only a first visit's slow download needs.
  const served = (await siteFiles()).filter((file) => file !== 'sw.js' && !/\.(br|gz)$/.test(file) && !file.startsWith('first-frame/'));
  assert.deepEqual(listed, served);
  assert.match(worker, /const VERSION = '[0-9a-f]{16}';/);
});

test('a second visit opens without a network, a session link and a demo link included', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page, problems } = await newPage(running, undefined, context);
  await goto(running, page, '#replicas=3&mode=sync&lag=300&seed=5');
  const installed = await page.evaluate(() =>
    Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((done) => setTimeout(() => done(false), 10_000))]),
  );
  assert.ok(installed, 'the service worker is installed and active within 10 s');
  await context.setOffline(true);
  const reachable = await page.evaluate(() => fetch('not-kept.txt').then(() => true, () => false));
  assert.equal(reachable, false, 'the network is off');

  await page.reload();
  await page.getByTestId('node-replica-3').waitFor();
  // A reload reopens the session paused at the moment it had reached; play on.
  if ((await page.getByTestId('pause').textContent()) === 'Play') await page.getByTestId('pause').click();
  await page.getByTestId('write').click();
  await untilText(page, 'stat-writes', '1');
  // A link opened afresh in the same browser, still offline.
  const { page: demo, problems: demoProblems } = await newPage(running, undefined, context);
  await goto(running, demo, '#demo=sync&step=2');
  await demo.getByTestId('demo-panel').waitFor();
  assert.equal(await demo.getByTestId('demo-step').textContent(), '2/3');
  assert.deepEqual([...problems, ...demoProblems], []);
  await context.close();
});
