// End-to-end: the SQL console: the lecture's statements, stale and fresh SELECTs, errors with
// where they are, statement history.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

describe('console', () => {
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

  test('SQL: logical decoding\'s slot functions run on the master and show test_decoding\'s rows, once', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=1000&seed=1');
    const calls = [
      "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding');",
      "INSERT INTO users VALUES (101, 'Alice');",
      "SELECT * FROM pg_logical_slot_get_changes('cdc', NULL, NULL);",
      "SELECT * FROM pg_logical_slot_get_changes('cdc', NULL, NULL);",
      "SELECT * FROM pg_logical_slot_get_changes('nope', NULL, NULL);",
    ];
    const [created, , got, again, missing] = await runSql(page, calls.join('\n'), calls.length);
    assert.deepEqual([created.node, created.rows, created.error], ['master', '1', undefined]);
    assert.deepEqual([got.node, got.rows, got.stale], ['master', '3', 'false'], 'BEGIN, the INSERT, COMMIT');
    const decoded = await page.getByTestId('sql-result').nth(2).locator('td').allTextContents();
    assert.ok(decoded.includes("table public.users: INSERT: id[integer]:101 name[text]:'Alice'"), decoded.join(' | '));
    assert.equal(again.rows, '0', 'getting confirmed them: nothing more');
    assert.equal(missing.error, 'replication slot "nope" does not exist');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
