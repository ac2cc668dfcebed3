// End-to-end: sharing a run: a bad link, links and exported files that reopen the same run, a
// reload, and two runs side by side.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText, untilReplayed } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

describe('sharing', () => {
  test('a bad link shows what was wrong and opens the defaults', async () => {
    const { page, problems } = await open('#replicas=42&mode=bogus&lag=-1');
    const notices = await text(page, 'notices');
    assert.match(notices, /replicas must be between 0 and 8, got 42/);
    assert.match(notices, /mode must be one of sync, async, off, remote_write, on, remote_apply, semi_sync, got "bogus"/);
    assert.match(notices, /lag must be a whole number, got "-1"/);
    assert.equal(await page.getByTestId('mode').inputValue(), 'async');
    assert.equal(await page.getByTestId('node-replica-2').count(), 1);
    assert.equal(await page.getByTestId('node-replica-3').count(), 0);
    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('sharing: a link and an exported file reopen the same run; a reload brings it back', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=2000&seed=8');
    await page.waitForTimeout(200);
    await page.getByTestId('write').click();
    await page.waitForTimeout(200);
    await page.getByTestId('read').click();
    await untilText(page, 'stat-stale-reads', '1');
    await page.getByTestId('pause').click();
    const clock = await text(page, 'clock');
    await page.getByTestId('share').click();
    const url = await page.getByTestId('share-link').inputValue();
    assert.match(url, /&v=1&act=.*&t=\d+&sum=[0-9a-f]{8}$/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const file = await download.path();
    const exported = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
    assert.equal(exported.format, 'replication-playground-session');

    // The link, opened afresh, shows the same moment of the same run.
    const again = await running.browser.newPage();
    await again.goto(url);
    await again.getByTestId('node-master').waitFor();
    await untilReplayed(again);
    assert.equal(await text(again, 'clock'), clock);
    assert.equal(await text(again, 'stat-stale-reads'), '1');
    assert.equal(await text(again, 'stat-writes'), '1');

    // A file, imported into another page, does too; a bad file is refused and changes nothing.
    const other = await running.browser.newPage();
    await other.goto(running.site.url + '#replicas=5');
    await other.getByTestId('node-master').waitFor();
    await other.getByTestId('import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "nope"}') });
    await other.getByTestId('notices').waitFor();
    assert.match(await text(other, 'notices'), /the file was not imported: .*the current session stays/);
    assert.equal(await other.getByTestId('node-replica-5').count(), 1);
    await other.getByTestId('import').setInputFiles(file);
    await other.waitForFunction((clock) => document.querySelector('[data-testid="clock"]').textContent === clock, clock);
    assert.equal(await text(other, 'stat-stale-reads'), '1');
    assert.equal(await other.getByTestId('node-replica-3').count(), 0);

    // A reload of the first page brings its session back at the moment reached.
    await page.waitForTimeout(1100);
    await page.reload();
    await page.getByTestId('node-master').waitFor();
    await untilReplayed(page);
    assert.equal(await text(page, 'clock'), clock);
    assert.equal(await text(page, 'stat-stale-reads'), '1');
    assert.equal(await text(page, 'stat-writes'), '1');

    // A damaged link says so and opens the defaults.
    const damaged = await running.browser.newPage();
    await damaged.goto(url.replace(/sum=[0-9a-f]{8}$/, 'sum=00000000'));
    await damaged.getByTestId('notices').waitFor();
    assert.match(await text(damaged, 'notices'), /this session link is damaged: its checksum does not match; opening the defaults/);
    assert.deepEqual(problems, []);
    await Promise.all([again.close(), other.close(), damaged.close(), page.close()]);
  });

  test('side by side: the same run with one setting changed, measured next to each other', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=1500&seed=3');
    await page.getByTestId('compare-setting').selectOption('mode');
    await page.getByTestId('compare-value').selectOption('sync');
    await page.getByTestId('compare-start').click();
    await page.getByTestId('side-by-side').waitFor();
    await page.getByTestId('write').click();
    await page.waitForTimeout(300);
    await page.getByTestId('read').click();
    await untilText(page, 'stat-reads', '1');
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('[data-testid="compare-table"] tbody tr')].find((tr) => tr.textContent.startsWith('Stale reads'));
      return row && [...row.querySelectorAll('td')].map((td) => td.textContent).join(' ') === '1 0 -1';
    });
    assert.match(await text(page, 'compare-a'), /A: mode = async/);
    assert.match(await text(page, 'compare-b'), /B: mode = sync/);
    // The toolbar's Replication is run A's: it says so, and what run B has.
    assert.equal(await text(page, 'run-b-setting'), 'in run A; run B: sync');
    await page.getByTestId('compare-stop').click();
    assert.equal(await page.getByTestId('run-b-setting').count(), 0);
    assert.equal(await page.getByTestId('side-by-side').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
