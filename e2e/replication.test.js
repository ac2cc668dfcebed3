// End-to-end: replication as a class sees it: async and sync writes and reads, failures,
// failover and timelines, replication slots and cancelled waits, the traffic generator.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText, lsn, untilLsn } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

describe('replication', () => {
  /** Waits until node element `node` has `data-state` = `state`. */
  async function untilState(page, node, state, timeout = 5000) {
    await page.waitForFunction(
      ([node, state]) => document.querySelector(`[data-testid="node-${node}"]`)?.dataset.state === state,
      [node, state],
      { timeout },
    ).catch(async () => assert.fail(`${node} is ${await page.getByTestId(`node-${node}`).getAttribute('data-state')}, expected ${state}`));
  }

  test('async: the write is acknowledged at once and a read before the lag is stale', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=1500&seed=3');
    assert.equal(await page.getByTestId('mode').inputValue(), 'async');
    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');
    assert.equal(await lsn(page, 'master'), '1');
    assert.equal(await lsn(page, 'replica-1'), '0', 'the replica has not received the write yet');

    await page.getByTestId('read').click();
    await untilText(page, 'stat-reads', '1');
    assert.equal(await text(page, 'stat-stale-reads'), '1');

    await untilLsn(page, 'replica-1', '1');
    await untilLsn(page, 'replica-2', '1');
    await page.getByTestId('read').click();
    await untilText(page, 'stat-reads', '2');
    assert.equal(await text(page, 'stat-stale-reads'), '1', 'after the lag the read is fresh');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('paused, Write then Read leave together: the stale read is no read-your-writes violation, in the tiles, the log and the history alike', async () => {
    for (const mode of ['async', 'sync']) {
      const { page, problems } = await open(`#replicas=2&mode=${mode}&lag=1000&seed=1`);
      await page.getByTestId('pause').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="pause"]')?.getAttribute('aria-pressed') === 'true');
      await page.getByTestId('write').click();
      await page.getByTestId('read').click();
      await page.getByTestId('pause').click();
      await untilText(page, 'stat-reads', '1');
      await untilText(page, 'stat-writes', '1', 10000);
      assert.equal(await text(page, 'verdict-read-your-writes'), 'yes', mode);
      assert.equal(await text(page, 'verdict-linearizable'), 'yes', mode);
      assert.equal(await text(page, 'stat-ryw-violations'), '0', `${mode}: the read was sent before the write was acknowledged`);
      const log = await text(page, 'request-log');
      assert.doesNotMatch(log, /MISSED OWN WRITE/, mode);
      assert.doesNotMatch(log, / 0\.0 ms/, `${mode}: no gap of 0.0 ms`);
      assert.deepEqual(problems, []);
      await page.close();
    }
  });

  test('sync: the write waits for the replicas and no read is stale', async () => {
    const { page, problems } = await open('#replicas=2&mode=sync&lag=1500&seed=3');
    assert.equal(await page.getByTestId('mode').inputValue(), 'sync');
    await page.getByTestId('write').click();
    await page.getByTestId('read').click();
    await untilText(page, 'stat-reads', '1');
    assert.equal(await text(page, 'stat-writes'), '0', 'not acknowledged before the replicas applied it');
    assert.equal(await text(page, 'stat-stale-reads'), '0');

    await untilText(page, 'stat-writes', '1');
    for (const node of ['master', 'replica-1', 'replica-2']) assert.equal(await lsn(page, node), '1');
    await page.getByTestId('read').click();
    await untilText(page, 'stat-reads', '2');
    assert.equal(await text(page, 'stat-stale-reads'), '0');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a link sets the model; a crash, a failover and lost writes show on the page', async () => {
    const { page, problems } = await open('#replicas=3&mode=async&lag=3000&seed=4&quorum=any-2&policy=least-ops&max_lag=800&failover=500');
    for (const [id, value] of [['quorum', 'any-2'], ['policy', 'least-ops'], ['mode', 'async'], ['replicas', '3']]) {
      assert.equal(await page.getByTestId(id).inputValue(), value, id);
    }
    assert.equal(await page.getByTestId('max_lag').inputValue(), '800');

    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');
    // The write has not reached any replica when the master crashes: failover loses it.
    await page.getByTestId('crash-master').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="event-log"]')?.textContent.includes('promoted'));
    await untilText(page, 'stat-lost-writes', '1');
    assert.equal(await page.getByTestId('node-master').getAttribute('data-state'), 'up');
    const states = await page.locator('[data-testid^="node-replica-"]').evaluateAll((nodes) => nodes.map((node) => node.dataset.state));
    assert.deepEqual(states.sort(), ['down', 'up', 'up'], 'the old master is now a down replica');
    assert.match(await text(page, 'request-log'), /LOST/);

    // A node's own settings: a bad capacity is refused with a reason.
    await page.getByTestId('card-replica-1').locator('summary').click();
    await page.getByTestId('capacity-replica-1').fill('0');
    await page.getByTestId('capacity-replica-1').press('Enter');
    assert.match(await text(page, 'notices'), /capacity must be between 1 and 1000000 ops\/s, got 0/);
    await page.getByTestId('weight-replica-1').fill('5');
    await page.getByTestId('weight-replica-1').press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="weight-replica-1"]').value === '5');

    await page.getByTestId('cut-replica-1').click();
    await page.getByTestId('heal-replica-1').waitFor();
    // After the failover pg-2 is the master and the old master, pg-1, is replica 1.
    assert.match(await text(page, 'event-log'), /link to pg-1 \(old master\) is cut/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the traffic generator, the charts and the request log filter', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=800&seed=5&reads=80&hot_keys=3');
    await page.getByTestId('generator').click();
    await page.waitForFunction(() => location.hash.includes('rate=50'));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-reads"]').textContent) > 20, null, { timeout: 5000 });
    assert.match(await text(page, 'chart-throughput'), /done \d+/);
    // Hovering a chart reads out an earlier moment.
    const chart = page.getByTestId('chart-throughput').locator('svg');
    const box = await chart.boundingBox();
    await chart.hover({ position: { x: box.width * 0.5, y: box.height / 2 } });
    await page.waitForFunction(() => /s ago/.test(document.querySelector('[data-testid="chart-throughput"]').textContent));

    await page.getByTestId('generator').click();
    await page.waitForFunction(() => !location.hash.split('&v=')[0].includes('rate='));
    await page.getByTestId('log-filter').click();
    const rows = await page.getByTestId('request-log').locator('li').allTextContents();
    assert.ok(rows.length > 0, 'async reads of hot users give stale reads to show');
    for (const row of rows) assert.match(row, /STALE|FAILED|MISSED|BACK IN TIME|LOST/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('timelines: after a failover a replica ahead of the new master diverges until rewound, the old master until rebuilt', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=300&seed=5');
    await page.getByTestId('crash-replica-1').click();
    await page.getByTestId('write').click();
    await untilLsn(page, 'replica-2', '1');
    // pg-2 missed the write pg-3 has; the master crashes and pg-2 is promoted.
    await page.getByTestId('crash-master').click();
    await page.getByTestId('restart-replica-1').click();
    await page.getByTestId('promote-replica-1').click();
    await untilText(page, 'stat-lost-writes', '1');
    await untilState(page, 'replica-2', 'diverged');
    assert.match(await text(page, 'card-replica-2'), /ahead: lost/, 'it keeps the lost row and shows it');
    assert.match(await text(page, 'event-log'), /pg-3 \(replica 2\) refuses to follow: timeline 2 forked off its history/);
    await page.getByTestId('rewind-replica-2').click();
    await untilState(page, 'replica-2', 'up');
    assert.match(await text(page, 'event-log'), /pg-3 \(replica 2\) was rewound to LSN 0 \(pg_rewind\)/);

    // The old master, pg-1, is replica 1 now: restarted, it refuses too; a rebuild brings it back.
    await page.getByTestId('restart-replica-1').click();
    await untilState(page, 'replica-1', 'diverged');
    await page.getByTestId('rebuild-replica-1').click();
    await untilState(page, 'replica-1', 'up');
    assert.equal(await page.getByTestId('rewind-replica-1').count(), 0, 'nothing left to rewind');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a replication slot holds WAL for a down standby; waiting commits are cancelled with a warning', async () => {
    const { page, problems } = await open('#replicas=2&mode=on&quorum=first-1&standbys=pg-2&lag=50&slots=on&wal_keep=5&seed=5');
    for (const [id, value] of [['standbys', 'pg-2'], ['slots', 'on'], ['wal_keep', '5'], ['mode', 'on']]) {
      assert.equal(await page.getByTestId(id).inputValue(), value, id);
    }
    await page.getByTestId('crash-replica-1').click();
    for (let i = 0; i < 8; i++) await page.getByTestId('write').click();
    // pg-2, the only synchronous standby, is down: every commit waits, pg-3 has them all.
    await untilLsn(page, 'replica-2', '8');
    assert.equal(await text(page, 'stat-writes'), '0');
    await page.getByTestId('cancel-waits').click();
    await untilText(page, 'stat-writes', '8');
    assert.match(await text(page, 'request-log'), /acknowledged without a replica/);
    assert.equal(await page.getByTestId('cancel-waits').count(), 0, 'nothing waits any more');
    await untilText(page, 'retained-wal', "keeps 3 log entries of WAL past wal_keep for pg-2's replication slot");
    await page.getByTestId('restart-replica-1').click();
    await untilLsn(page, 'replica-1', '8');
    await page.getByTestId('retained-wal').waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
