// End-to-end: the release build, served under a sub-path by a plain static server, clicked
// through in headless Chromium. scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

const lsn = (page, node) => page.getByTestId(`node-${node}`).getAttribute('data-applied-lsn');

/** Waits until a link's or a kept session's moment has been replayed (its progress bar gone). */
const untilReplayed = (page) =>
  page.waitForFunction(() => !document.querySelector('[data-testid="replay-progress"]'), null, { timeout: 10000 });

async function untilLsn(page, node, expected, timeout = 5000) {
  await page.waitForFunction(
    ([node, expected]) => document.querySelector(`[data-testid="node-${node}"]`)?.dataset.appliedLsn === expected,
    [node, expected],
    { timeout },
  ).catch(async () => assert.fail(`${node} stayed at LSN ${await lsn(page, node)}, expected ${expected}`));
}

describe('replication playground', () => {
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

  test('switching the mode and the replica count keeps the link current', async () => {
    const { page, problems } = await open('#replicas=2&mode=sync&lag=100&seed=9');
    await page.getByTestId('mode').selectOption('async');
    await page.getByTestId('replicas').selectOption('4');
    await page.getByTestId('lag').fill('250');
    await page.getByTestId('lag').press('Enter');
    await page.getByTestId('node-replica-4').waitFor();
    await page.waitForFunction(() => location.hash.startsWith('#replicas=4&mode=async&lag=250&seed=9'));
    assert.equal(await page.getByTestId('node-replica-5').count(), 0);

    // A refused value says why and leaves the setting, the field and the link as they were.
    await page.getByTestId('lag').fill('70000');
    await page.getByTestId('lag').press('Enter');
    assert.match(await text(page, 'notices'), /lag must be between 0 and 60000 ms, got 70000/);
    assert.equal(await page.getByTestId('lag').inputValue(), '250');
    assert.ok((await page.evaluate(() => location.hash)).startsWith('#replicas=4&mode=async&lag=250&seed=9'));
    assert.deepEqual(problems, []);
    await page.close();
  });

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

  test('keyboard: space pauses, the arrow steps, ? shows the help; the theme and presenter mode switch', async () => {
    const { page, problems } = await open('#replicas=1&mode=async&lag=300&seed=2');
    await page.keyboard.press('Space');
    assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('w');
    const before = await text(page, 'clock');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((before) => document.querySelector('[data-testid="clock"]').textContent !== before, before);
    await page.keyboard.press('?');
    await page.getByTestId('help').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('help').count(), 0);

    const theme = await page.locator('.page').getAttribute('class');
    await page.getByTestId('theme').click();
    assert.notEqual(await page.locator('.page').getAttribute('class'), theme);
    await page.getByTestId('presenter').click();
    assert.match(await page.locator('.page').getAttribute('class'), /presenter/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  /** Waits until node element `node` has `data-state` = `state`. */
  async function untilState(page, node, state, timeout = 5000) {
    await page.waitForFunction(
      ([node, state]) => document.querySelector(`[data-testid="node-${node}"]`)?.dataset.state === state,
      [node, state],
      { timeout },
    ).catch(async () => assert.fail(`${node} is ${await page.getByTestId(`node-${node}`).getAttribute('data-state')}, expected ${state}`));
  }

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

  test('clicking a node in the picture offers its actions', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=300&seed=3');
    await page.getByTestId('node-replica-2').click();
    const actions = page.getByTestId('selected-actions');
    await actions.getByRole('button', { name: 'Crash' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="node-replica-2"]').dataset.state === 'down');
    await actions.getByRole('button', { name: 'Restart' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="node-replica-2"]').dataset.state === 'up');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('every group of the settings panel changes the model and the link', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=400&seed=6');
    const choose = (id, value) => page.getByTestId(id).selectOption(value);
    const type = async (id, value) => {
      await page.getByTestId(id).fill(value);
      await page.getByTestId(id).press('Enter');
    };
    await type('reads', '70'); // traffic
    await choose('quorum', 'first-1'); // replication
    await type('client_ms', '10'); // network
    await choose('policy', 'least-ops'); // routing
    await choose('sticky', 'on');
    await type('capacity', '500'); // load
    await type('failover', '1500'); // failures
    await page.waitForFunction(() =>
      ['reads=70', 'quorum=first-1', 'client_ms=10', 'policy=least-ops', 'sticky=on', 'capacity=500', 'failover=1500']
        .every((part) => location.hash.includes(part)));
    // The model took them: with automatic failover on, a crashed master is replaced.
    await page.getByTestId('crash-master').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="event-log"]').textContent.includes('promoted'), null, { timeout: 5000 });
    assert.deepEqual(problems, []);
    await page.close();
  });

  /**
   * Types `sql` into the console and runs it (`null`: runs what is in the box; `'reset'`: presses
   * the console's reset of the lecture's row), and returns the data of its `count` results.
   */
  async function runSql(page, sql, count) {
    const before = await page.getByTestId('sql-result').count();
    if (sql === 'reset') {
      await page.getByTestId('sql-reset').click();
    } else {
      if (sql !== null) await page.getByTestId('sql-input').fill(sql);
      await page.getByTestId('sql-run').click();
    }
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="sql-result"]').length >= n, before + count);
    return page.getByTestId('sql-result').evaluateAll(
      (items, before) => items.slice(before).map((item) => ({ ...item.dataset })),
      before,
    );
  }

  // The lecture's own statements, as written.
  const LECTURE_SQL = "INSERT INTO users VALUES (101, 'Alice');\nSELECT * FROM users WHERE id = 101;";

  test('SQL: the console opens with the lecture\'s statements, which work on the first Run, and again under sync after one click', async () => {
    const { page, problems } = await open('');
    assert.equal(await page.getByTestId('mode').inputValue(), 'async');
    assert.equal(await page.getByTestId('sql-input').inputValue(), LECTURE_SQL, 'prefilled with the lecture\'s SQL');
    assert.equal(await page.getByTestId('sql-reset').count(), 0, 'no user 101 yet: nothing to reset');
    const [insert, select] = await runSql(page, null, 2);
    assert.deepEqual([insert.node, insert.rows, insert.error], ['master', '1', undefined]);
    assert.deepEqual([select.stale, select.rows], ['true', '0']);
    assert.equal(await text(page, 'stat-ryw-violations'), '1', 'the console missed its own write');
    await page.getByTestId('mode').selectOption('sync');
    const [removed] = await runSql(page, 'reset', 1);
    assert.deepEqual([removed.node, removed.rows, removed.error], ['master', '1', undefined]);
    await page.getByTestId('sql-reset').waitFor({ state: 'detached' });
    const [again, fresh] = await runSql(page, null, 2);
    assert.deepEqual([again.rows, again.error], ['1', undefined], 'the same INSERT, no duplicate key');
    assert.deepEqual([fresh.stale, fresh.rows], ['false', '1']);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('SQL: under async with a long delay the lecture\'s SELECT reads the new row stale', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=5000&seed=1');
    const [insert, select] = await runSql(page, LECTURE_SQL, 2);
    assert.deepEqual([insert.node, insert.rows, insert.stale], ['master', '1', 'false']);
    assert.match(select.node, /^replica-/);
    assert.equal(select.stale, 'true');
    assert.equal(select.rows, '0', 'the replica has not got the row yet');
    assert.match(await text(page, 'sql-output'), /the master had, at that instant/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('SQL: under sync the lecture\'s SELECT is never stale', async () => {
    const { page, problems } = await open('#replicas=2&mode=sync&lag=1000&seed=1');
    const [insert, select] = await runSql(page, LECTURE_SQL, 2);
    assert.deepEqual([insert.node, insert.rows], ['master', '1']);
    assert.match(select.node, /^replica-/);
    assert.deepEqual([select.stale, select.rows], ['false', '1']);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('SQL: errors say where, FOR UPDATE reads the master, Ctrl+Enter runs and up recalls', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=1000&seed=1');
    const [syntax] = await runSql(page, "INSERT INTO users VALUE (1, 'a')", 1);
    assert.equal(syntax.error, 'expected VALUES, found VALUE at line 1, column 19');
    const [unknown] = await runSql(page, 'SELECT * FROM people', 1);
    assert.equal(unknown.error, 'unknown table people at line 1, column 15');
    const [locked] = await runSql(page, 'SELECT * FROM users WHERE id IN (102, 103) FOR UPDATE', 1);
    assert.deepEqual([locked.node, locked.rows, locked.stale], ['master', '2', 'false']);

    const input = page.getByTestId('sql-input');
    await input.fill('/* master */ SELECT name FROM users WHERE id = 101');
    await input.press('Control+Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sql-result"]').length === 4);
    assert.equal(await page.getByTestId('sql-result').last().getAttribute('data-node'), 'master');
    // The statement run stays in the box; up goes to the one before it, down comes back.
    await input.press('Control+Home');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'SELECT * FROM users WHERE id IN (102, 103) FOR UPDATE');
    await input.press('Control+End');
    await input.press('ArrowDown');
    assert.equal(await input.inputValue(), '/* master */ SELECT name FROM users WHERE id = 101');
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

  test('rewind: the timeline goes back to an earlier moment and forward again', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=300&seed=4');
    await page.waitForTimeout(300);
    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');
    await page.waitForTimeout(500);
    await page.getByTestId('timeline').fill('100');
    assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true', 'rewinding pauses');
    // Seeking replays from the nearest checkpoint over the next frames.
    await untilText(page, 'clock', 't = 100.0 ms');
    assert.equal(await text(page, 'stat-writes'), '0');
    const end = await page.getByTestId('timeline').getAttribute('max');
    await page.getByTestId('timeline').fill(end);
    await untilText(page, 'stat-writes', '1');
    assert.equal(await lsn(page, 'replica-1'), '1', 'the replicated future came back');
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

  test('pause stops simulated time and play resumes it', async () => {
    const { page, problems } = await open('#replicas=1&mode=async&lag=300&seed=1');
    await page.getByTestId('pause').click();
    const frozen = await text(page, 'clock');
    await page.getByTestId('write').click();
    await page.waitForTimeout(400);
    assert.equal(await text(page, 'clock'), frozen);
    assert.equal(await text(page, 'stat-writes'), '0', 'nothing moves while paused');
    await page.getByTestId('pause').click();
    await untilText(page, 'stat-writes', '1');
    assert.notEqual(await text(page, 'clock'), frozen);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
