// End-to-end: the lecture demos: slide links, a presentation clicker, the menu, and the demos
// that fill in the lecture's tables.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

describe('demos', () => {
  test('a presentation clicker walks a demo: PageDown and → go on, PageUp and ← go back, without scrolling or stepping', async () => {
    const { page, problems } = await open('#demo=async-stale&step=1');
    await page.getByTestId('demo-panel').waitFor();
    const step = async () => Number((await text(page, 'demo-step')).split('/')[0]);
    const until = (expected) => page.waitForFunction((expected) => document.querySelector('[data-testid="demo-step"]')?.textContent.startsWith(`${expected}/`), expected);
    await page.keyboard.press('PageDown');
    await until(2);
    await page.keyboard.press('ArrowLeft');
    await until(1);
    // With the focus on a button (say after clicking Next), the clicker still works.
    await page.getByTestId('demo-restart').focus();
    await page.keyboard.press('PageDown');
    await until(2);
    await page.keyboard.press('PageUp');
    await until(1);
    await page.keyboard.press('ArrowRight');
    await until(2);
    await page.keyboard.press('PageUp');
    await until(1);
    assert.equal(await step(), 1);
    assert.equal(await page.evaluate(() => scrollY), 0, 'the keys did not scroll the page');
    await page.keyboard.press('PageUp');
    assert.equal(await step(), 1, 'nothing before the first step');
    // Outside a demo the keys keep their meanings: → steps the simulation, PageDown scrolls.
    await page.getByTestId('demo-leave').click();
    await page.getByTestId('demo-panel').waitFor({ state: 'detached' });
    await page.keyboard.press('Space');
    await page.keyboard.press('w'); // an event to step to
    const before = await text(page, 'clock');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((before) => document.querySelector('[data-testid="clock"]').textContent !== before, before);
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => scrollY > 0);
    // The help lists the clicker's keys, and Esc closes it even with the focus on its button.
    await page.getByTestId('help-button').click();
    assert.match(await text(page, 'help'), /PageDown →in a demo: the next step/);
    await page.keyboard.press('Escape');
    await page.getByTestId('help').waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('demos: a slide link opens a step; next, previous and the menu walk through them', async () => {
    const { page, problems } = await open('#demo=async-stale&step=1');
    await page.getByTestId('demo-panel').waitFor();
    assert.equal(await text(page, 'demo-step'), '1/3');
    await untilText(page, 'stat-writes', '1');
    await page.getByTestId('demo-next').click();
    assert.equal(await text(page, 'demo-step'), '2/3');
    await page.waitForFunction(() => location.hash === '#demo=async-stale&step=2');
    await untilText(page, 'stat-stale-reads', '1'); // the step's claim, on the page
    await page.getByTestId('demo-prev').click();
    assert.equal(await text(page, 'demo-step'), '1/3');

    const links = await page.getByTestId('demo-link').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    assert.ok(links.length >= 8);
    assert.ok(links.every((href) => /^#demo=[a-z-]+&step=1$/.test(href)), links.join(' '));
    await page.locator('summary', { hasText: 'Lecture demos' }).click();
    await page.locator('[data-testid="demo-link"][href="#demo=single-db&step=1"]').click();
    assert.equal(await text(page, 'demo-step'), '1/3');
    assert.match(await text(page, 'demo-panel'), /One database under load/);
    await page.getByTestId('demo-leave').click();
    assert.equal(await page.getByTestId('demo-panel').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the comparison demo fills in the lecture\'s table from both runs', async () => {
    const { page, problems } = await open('#demo=comparison&step=1');
    await page.getByTestId('side-by-side').waitFor();
    await page.getByTestId('demo-claim').waitFor({ timeout: 10_000 });
    const rows = await page.locator('[data-testid="lecture-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').firstChild.textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    assert.deepEqual(rows.map(([feature]) => feature), ['Scalability', 'Reliability', 'Write load handling', 'Read load handling']);
    const [, single, masterSlave] = rows[3];
    assert.match(single, /^[1-9]\d* requests turned away before the crash; every read on the one server$/, 'the single DB is the read bottleneck');
    assert.match(masterSlave, /^0 turned away before the crash; reads spread: pg-2 \d+, pg-3 \d+, pg-4 \d+$/, 'the slaves share the reads');
    assert.match(rows[1][1], /^after the master crashed: 0 requests\/s answered$/);
    assert.match(rows[1][2], /^after the master crashed: [1-9]\d* requests\/s answered$/);
    assert.match(await text(page, 'compare-b'), /replicas = 3/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the sync-vs-async demo measures the lecture\'s replication table on the stage', async () => {
    const { page, problems } = await open('#demo=sync-vs-async&step=1');
    await page.getByTestId('side-by-side').waitFor();
    // The step pauses at its claim after 6 simulated seconds at 1x.
    await page.getByTestId('demo-claim').waitFor({ timeout: 20_000 });
    assert.match(await text(page, 'compare-a'), /A: mode = async/);
    assert.match(await text(page, 'compare-b'), /B: mode = sync/);
    // No Replication menu reading "async" over run B's picture: the headings give both modes.
    assert.equal(await page.getByTestId('mode').count(), 0, 'the compared setting is not in the toolbar');
    const table = page.getByTestId('compare-table');
    assert.ok(await table.isVisible(), 'the table is on the stage');
    const box = await table.boundingBox();
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 720, `the table within 1280x720: ${JSON.stringify(box)}`);
    const rows = await page.locator('[data-testid="lecture-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').firstChild.textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    assert.deepEqual(rows.map(([feature]) => feature), [
      'Risk of stale reads',
      'Write latency p50 (median)',
      'Write latency p99 (99% within)',
      'A replica crashes',
    ]);
    const [[, staleA, staleB], [, p50A, p50B], [, p99A, p99B]] = rows;
    assert.match(staleA, /^[1-9]\d* of \d+ reads \(\d+%\)$/, 'async served stale reads');
    assert.match(staleB, /^0 of \d+ reads \(0%\)$/, 'sync served none');
    const ms = (value) => Number(value.match(/^(\d+) ms$/)?.[1]);
    assert.ok(ms(p50B) >= ms(p50A) + 900, `sync's median write waited about the 1 s lag longer: ${p50A} vs ${p50B}`);
    assert.ok(ms(p99B) >= ms(p99A) + 900, `and its p99: ${p99A} vs ${p99B}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
