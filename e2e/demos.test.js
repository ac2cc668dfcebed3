// End-to-end: the lecture demos: slide links, a presentation clicker, the menu, the demos that
// fill in the lecture's tables, and every step's words against the numbers beside them.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText, everyDemoStep } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

/** Words that tell of requests failing, as a clause's first such word. */
const FAILED = new Set(['fail', 'fails', 'failed', 'failing', 'failure', 'failures', 'rejected']);
/** A clause that has one of these before its failure word says none failed. */
const NEGATIONS = new Set(['no', 'nothing', 'none', 'never', 'not', '0']);

/**
 * The clauses of `text` that say requests failed (or were turned away, or rejected), not that
 * none did: "the write failed", "the one replica turns most reads away"; not "nothing fails",
 * "A failover loses the slot". The same reading as tests/demos.rs's.
 */
function failuresClaimed(text) {
  return text.split(/[.;:()]|, but /).filter((clause) => {
    const words = clause.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    const turned = words.findIndex((word) => word.startsWith('turn'));
    let at = words.findIndex((word) => FAILED.has(word));
    if (at < 0 && turned >= 0 && words.slice(turned).includes('away')) at = turned;
    return at >= 0 && !words.slice(0, at).some((word) => NEGATIONS.has(word));
  });
}

/** What the page shows where a step paused: its words, run A's counters and the lecture's table. */
function shown(page) {
  return page.evaluate(() => {
    const all = (selector) => [...document.querySelectorAll(selector)];
    const texts = (selector) => all(selector).map((element) => element.textContent);
    const counter = (id) => document.querySelector(`[data-testid="${id}"]`);
    const failed = (id) => Number(counter(id).closest('.stat').querySelector('.note').textContent.match(/^(\d+) failed/)?.[1]);
    const table = document.querySelector('[data-testid="lecture-table"]');
    return {
      // The claim holds the "then" line (what Play and Next do now).
      words: texts('[data-testid="demo-panel"] h2, [data-testid="demo-panel"] .narration, [data-testid="demo-aside"], [data-testid="demo-claim"]'),
      table: table && {
        caption: table.querySelector('caption').textContent,
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => [tr.querySelector('th').firstChild.textContent, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
      },
      // Run A's counters: a run beside has its own only in the measured table, off the stage.
      counters: {
        writesFailed: failed('stat-writes'),
        readsFailed: failed('stat-reads'),
        reads: Number(counter('stat-reads').textContent),
        stale: Number(counter('stat-stale-reads').textContent),
      },
      crashed: all('[data-state="down"]').length > 0 || texts('[data-testid="event-log"]').some((log) => log.includes('crashed')),
      nextEnabled: counter('demo-next')?.disabled === false,
    };
  });
}

/** The numbers of a table cell, in order: "1,037 requests/s sent, only 500 answered; 536/s failed" gives 1037, 500, 536. */
const numbers = (cell) => [...cell.matchAll(/\d[\d,]*(?:\.\d+)?/g)].map(([figure]) => Number(figure.replaceAll(',', '')));

/**
 * Where the Master-Slave vs. Single DB table's figures disagree with each other, or run A's
 * with A's counters: the answers per second are the writes and the reads per second, what
 * was sent is answered or failed unless the rest are said to wait, the stale reads are of the
 * reads of the stretch the caption names, and no more than the counters count.
 */
function tableDisagreements({ caption, rows }, counters) {
  const found = [];
  const cell = (feature, column) => rows.find(([name]) => name === feature)?.[column];
  for (const [column, run] of [[1, 'A'], [2, 'B']]) {
    const stretch = caption.match(/in both runs over ([\d.]+)–([\d.]+) s/) ?? caption.match(new RegExp(`in ${run} over ([\\d.]+)–([\\d.]+) s`));
    const [scalability, writes, reads, consistency] = ['Scalability', 'Write load handling', 'Read load handling', 'Data consistency'].map((feature) => cell(feature, column));
    if (!stretch || !scalability || !writes || !reads || !consistency) {
      found.push(`${run}: the table names no stretch of its run, or lacks a row: ${JSON.stringify({ caption, rows })}`);
      continue;
    }
    const seconds = Number(stretch[2]) - Number(stretch[1]);
    const [sent, answered, failed = 0] = numbers(scalability);
    const [writesPerSecond] = numbers(writes);
    const [readsPerSecond] = numbers(reads);
    const [stale, readCount] = numbers(consistency);
    if (Math.abs(answered - (writesPerSecond + readsPerSecond)) > 1.5) found.push(`${run}: "${scalability}" is not "${writes}" and "${reads}"`);
    if (scalability.startsWith('kept up') !== (failed === 0 && answered >= 0.95 * sent)) found.push(`${run}: "${scalability}"`);
    if (!scalability.startsWith('kept up') && failed === 0 && !scalability.includes('still wait')) found.push(`${run}: "${scalability}" leaves requests unaccounted for`);
    if (Math.abs(readCount / seconds - readsPerSecond) > 0.51) found.push(`${run}: "${consistency}" over ${seconds} s is not "${reads}"`);
    if (!/^[\d,]+ of [\d,]+ reads? stale \(\d+%\)/.test(consistency)) found.push(`${run}: "${consistency}" does not count the stale reads`);
    if (run === 'A') {
      if (stale > counters.stale || readCount > counters.reads) found.push(`A: "${consistency}" counts more than the counters (${counters.stale} stale of ${counters.reads})`);
      if (failed > 0 && counters.readsFailed + counters.writesFailed === 0) found.push(`A: "${scalability}" where no request failed`);
    }
  }
  return found;
}

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
    assert.deepEqual(rows.map(([feature]) => feature), ['Scalability', 'Reliability', 'Write load handling', 'Read load handling', 'Data consistency']);
    assert.match(await page.locator('[data-testid="lecture-table"] caption').textContent(), /measured in both runs over 1\.0–3\.0 s, before each master crashed at 3\.0 s$/);
    assert.match(rows[0][1], /^[\d,]+ requests\/s sent, only [\d,]+ answered; [\d,]+\/s failed$/, 'the single DB is limited');
    assert.match(rows[0][2], /^kept up: [\d,]+ requests\/s sent, [\d,]+ answered$/, 'the replicas keep up');
    const [, single, masterSlave] = rows[3];
    assert.match(single, /^[1-9][\d,]* reads\/s answered, all by the one server$/, 'the single DB is the read bottleneck');
    assert.match(masterSlave, /^[1-9][\d,]* reads\/s answered, served by pg-2 33%, pg-3 33%, pg-4 33%$/, 'the slaves share the reads');
    assert.match(rows[1][1], /^the master crashed at 3\.0 s; over 3\.5–5\.0 s: 0 requests\/s answered$/);
    assert.match(rows[1][2], /^the master crashed at 3\.0 s; over 3\.5–5\.0 s: [1-9][\d,]* requests\/s answered$/);
    assert.match(rows[4][1], /^0 of [\d,]+ reads stale \(0%\), every read on the one server$/);
    assert.match(rows[4][2], /^[1-9][\d,]* of [\d,]+ reads stale \(\d+%\), mode = async$/, 'the lecture\'s "data consistency", measured');
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
  test('words agree with numbers: no step tells of failures, a crash or Next that the page does not show', async () => {
    const { page, problems } = await open('#replicas=2');
    const contradictions = [];
    const steps = await everyDemoStep(page, async (link, step) => {
      const { words, table, counters, crashed, nextEnabled } = await shown(page);
      const where = `${link.slice(1).replace(/&step=\d+$/, '')} step ${step}`;
      // Run A's column of a lecture table stands beside A's counters; B's is checked below.
      const tableWords = table ? [table.caption, ...table.rows.map(([, a]) => a)] : [];
      for (const clause of [...words, ...tableWords].flatMap(failuresClaimed)) {
        const lower = clause.toLowerCase();
        const [writes, reads] = [/\bwrites?\b/.test(lower), /\breads?\b/.test(lower)];
        const failed = writes && !reads ? counters.writesFailed : reads && !writes ? counters.readsFailed : counters.writesFailed + counters.readsFailed;
        if (!(failed > 0)) contradictions.push(`${where}: "${clause.trim()}" beside ${failed} failed`);
      }
      const all = [...words, ...(table ? [table.caption, ...table.rows.flat()] : [])];
      if (!crashed && all.some((words) => words.includes('before the crash'))) contradictions.push(`${where}: "before the crash" where nothing crashed`);
      if (!nextEnabled && all.some((words) => /\bNext\b/.test(words))) contradictions.push(`${where}: mentions Next, which is disabled`);
      if (table?.rows[0][0] === 'Scalability') contradictions.push(...tableDisagreements(table, counters).map((found) => `${where}: ${found}`));
    });
    assert.ok(steps >= 24, `walked ${steps} steps`);
    assert.deepEqual(contradictions, []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('run beside without a crash: the Master-Slave vs. Single DB table speaks of none, and its figures agree', async () => {
    const { page, problems } = await open('#replicas=2&rate=2000');
    await page.getByTestId('compare-setting').selectOption('replicas');
    await page.getByTestId('compare-value').selectOption('0');
    await page.getByTestId('compare-start').click();
    await page.getByTestId('side-by-side').waitFor();
    // Two seconds measured after the first, which the table leaves out.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="clock"]').textContent.match(/^t = ([\d.]+) ms$/)?.[1]) >= 3_500, null, { timeout: 15_000 });
    await page.getByTestId('pause').click();
    const { table, counters } = await shown(page);
    const said = [table.caption, ...table.rows.flatMap(([, a, b]) => [a, b])].filter((words) => words !== 'the master did not crash');
    assert.deepEqual(said.filter((words) => /crash/.test(words)), [], 'nothing crashed');
    assert.match(table.caption, /measured in both runs over 1\.0–([3-9]|\d\d)\.\d+ s$/);
    assert.deepEqual(tableDisagreements(table, counters), []);
    const [, replicas, single] = table.rows[0];
    assert.equal(counters.readsFailed + counters.writesFailed, 0, 'two replicas answer 2,000 requests/s');
    assert.match(replicas, /^kept up: /);
    assert.match(single, / requests\/s sent, only [\d,]+ answered; [\d,.]+\/s failed$/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
