// End-to-end: a student's lab, as issue 26 found it: a report to hand in (downloaded and
// printed), a comparison that survives sharing, settings that come back after a demo and say
// when they are not the defaults, the lecture's two modes first in the menu, and a rate typed
// without starting the traffic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { open as openIn, siteInChromium, text, untilText, untilReplayed } from './fixtures.js';

const running = siteInChromium();

const open = (fragment, viewport) => openIn(running, fragment, viewport);

/** Clicks Download report and returns the file's name and text. */
async function downloadReport(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report').click()]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

/** Write, then Read 300 ms later, as the lab's first task does; waits for the read's answer. */
async function writeThenRead(page) {
  await page.getByTestId('write').click();
  await page.waitForTimeout(300);
  await page.getByTestId('read').click();
  await untilText(page, 'stat-reads', '1');
}

/** Starts run B beside this one with `key` set to `value`. */
async function runBeside(page, key, value) {
  await page.getByTestId('compare-setting').selectOption(key);
  await page.getByTestId('compare-value').selectOption(value);
  await page.getByTestId('compare-start').click();
  await page.getByTestId('side-by-side').waitFor();
}

describe('the lab', () => {
  test('Download report: a plain run gives report.md with settings, link, counters and verdicts, and prints the same', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=2000&seed=1&clients=1', { width: 1366, height: 768 });
    await writeThenRead(page);
    await untilText(page, 'stat-stale-reads', '1');
    await page.getByTestId('pause').click();
    const clock = (await text(page, 'clock')).replace('t = ', '');
    const report = await downloadReport(page);
    assert.equal(report.name, 'report.md');
    const md = report.text;
    assert.match(md, /^# Replication Playground: lab report\n/);
    assert.match(md, /Seed 1: the same seed and commands give the same run/);
    assert.match(md, /\| Lag \(ms\) \| lag \| 2000 \| changed \(default 1000\) \|/);
    assert.match(md, /Replication async: the master answers once the write is on its own disk/);
    assert.match(md, /\| Stale reads \| 1 \| older than the master's data \|/);
    assert.match(md, /No second run ran beside this one/);
    assert.match(md, /- Linearizable: no\. /);
    const link = md.match(/Reopen this run at this moment: (\S+)/)[1];
    assert.match(link, /\/playground\/#replicas=2&mode=async&lag=2000&seed=1.*&t=\d+&sum=[0-9a-f]{8}$/);

    // The link in the report reopens the run at the moment it was made.
    const again = await running.browser.newPage();
    await again.goto(link);
    await again.getByTestId('node-master').waitFor();
    await untilReplayed(again);
    assert.equal((await text(again, 'clock')).replace('t = ', ''), clock);
    assert.equal(await text(again, 'stat-stale-reads'), '1');
    await again.close();

    // On paper: the report alone, the page's controls not at all.
    await page.emulateMedia({ media: 'print' });
    const printed = page.getByTestId('print-report');
    assert.ok(await printed.isVisible(), 'the report is what prints');
    assert.equal(await page.getByTestId('write').isVisible(), false, 'the controls do not print');
    assert.match(await printed.textContent(), /Stale reads1older than the master's data/);
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await printed.isVisible(), false, 'never on screen');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('after a comparison the report fills in the lecture table with both runs; a shared link reopens both at the same moment', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=1500&seed=3&clients=1');
    await runBeside(page, 'mode', 'sync');
    await writeThenRead(page);
    await page.waitForTimeout(2000);
    await page.getByTestId('pause').click();
    const md = (await downloadReport(page)).text;
    assert.match(md, /only mode differs \(A: mode = async, B: mode = sync\)/);
    assert.match(md, /\| Feature \| The lecture says \| A: mode = async \| B: mode = sync \|/);
    assert.match(md, /\| Risk of stale reads \| lecture: async risks stale reads \| 1 of 1 read \(100%\) \| 0 of 1 read \(0%\) \|/);
    assert.match(md, /\| Replication, in run B \| mode \| sync \| the one setting run B changes \|/);

    // Share link: the comparison rides along, and both runs reopen at the moment shared.
    const clock = await text(page, 'clock');
    const counters = async (p) => [await text(p, 'stat-writes'), await text(p, 'stat-stale-reads')];
    const tableRows = (p) => p.$$eval('[data-testid="compare-table"] .compare-table tbody tr', (rows) => rows.map((row) => row.textContent));
    await page.getByTestId('share').click();
    const url = await page.getByTestId('share-link').inputValue();
    assert.match(url, /&beside=mode:sync&/);
    const again = await running.browser.newPage();
    await again.goto(url);
    await again.getByTestId('side-by-side').waitFor();
    await untilReplayed(again);
    assert.equal(await text(again, 'clock'), clock);
    assert.deepEqual(await counters(again), await counters(page));
    assert.deepEqual(await tableRows(again), await tableRows(page), 'run B is at the same moment too');
    assert.match(await text(again, 'compare-b'), /B: mode = sync/);

    // Export, imported into a plain page, reopens both runs too.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    await again.goto(running.site.url + '#replicas=5');
    await again.getByTestId('node-master').waitFor();
    await again.getByTestId('import').setInputFiles(await download.path());
    await again.getByTestId('side-by-side').waitFor();
    await untilReplayed(again);
    assert.equal(await text(again, 'clock'), clock);
    assert.deepEqual(await tableRows(again), await tableRows(page));
    await again.close();
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('leaving a demo gives back the settings from before it; settings off their defaults say so, one click back', async () => {
    const { page, problems } = await open('#replicas=3&mode=sync&lag=300&seed=1');
    assert.match(await text(page, 'settings-differ'), /Not the defaults: Replicas 3 \(default 2\); Replication sync \(default async\); Lag \(ms\) 300 \(default 1000\)\./);
    await page.getByText('Lecture demos').click();
    await page.getByTestId('demo-link').filter({ hasText: /stale/i }).first().click();
    await page.getByTestId('demo-leave').waitFor();
    assert.notEqual(await page.getByTestId('lag').count() && (await page.getByTestId('lag').inputValue()), '300');
    assert.equal(await page.getByTestId('settings-differ').count(), 0, 'not on the stage: the demo sets its own');
    await page.getByTestId('demo-leave').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lag"]')?.value === '300');
    assert.equal(await page.getByTestId('mode').inputValue(), 'sync');
    assert.equal(await page.getByTestId('replicas').inputValue(), '3');
    await page.getByTestId('settings-defaults').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="settings-differ"]'));
    assert.equal(await page.getByTestId('mode').inputValue(), 'async');
    assert.equal(await page.getByTestId('lag').inputValue(), '1000');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the Replication menu: the lecture's sync and async first, the finer levels apart, a line saying what the mode does", async () => {
    const { page, problems } = await open('');
    const groups = await page.$$eval('[data-testid="mode"] optgroup', (groups) =>
      groups.map((group) => [group.label, [...group.querySelectorAll('option')].map((option) => option.value)]),
    );
    assert.deepEqual(groups, [
      ["The lecture's modes", ['sync', 'async']],
      ['Advanced (PostgreSQL, MySQL)', ['off', 'remote_write', 'on', 'remote_apply', 'semi_sync']],
    ]);
    assert.match(await text(page, 'mode-line'), /^async: the master answers once the write is on its own disk, without waiting/);
    await page.getByTestId('mode').selectOption('sync');
    await untilText(page, 'mode-line', 'sync: the master waits until every replica has applied the write: no stale reads, slower writes.');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('typing a rate sets it without starting the traffic; Start traffic then runs at it', async () => {
    const { page, problems } = await open('');
    assert.equal(await text(page, 'generator'), 'Start traffic (50/s)');
    await page.getByTestId('rate').fill('300');
    await page.getByTestId('rate').press('Enter');
    await untilText(page, 'generator', 'Start traffic (300/s)');
    await page.waitForTimeout(500);
    assert.equal(await text(page, 'stat-writes'), '0', 'no traffic ran');
    assert.equal(await page.getByTestId('generator').getAttribute('aria-pressed'), 'false');
    await page.getByTestId('generator').click();
    await untilText(page, 'generator', 'Stop traffic (300/s)');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
