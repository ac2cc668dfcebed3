// End-to-end: the lecture's CQRS picture (`read_side=mongodb`): the PostgreSQL master, the CDC
// connector and the MongoDB members in the picture and on their cards, a SELECT answered from
// MongoDB with the find() it ran, a stale read before the connector's poll, a crashed connector.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium } from './fixtures.js';

const running = siteInChromium();

const open = (fragment) => openIn(running, fragment);

/** Runs `sql` in the console and returns its result's data and the find() shown with it. */
async function runSql(page, sql) {
  const before = await page.getByTestId('sql-result').count();
  await page.getByTestId('sql-input').fill(sql);
  await page.getByTestId('sql-run').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="sql-result"]:not(.pending)').length > n
    && !document.querySelector('[data-testid="sql-pending"]'), before);
  const result = page.getByTestId('sql-result').nth(before);
  const find = result.getByTestId('mongo-query');
  return { ...(await result.evaluate((item) => ({ ...item.dataset }))), find: (await find.count()) ? await find.textContent() : null, text: await result.textContent() };
}

describe('cqrs', () => {
  test('CQRS: the picture draws pg-1, cdc-1, mongo-1 and mongo-2; MongoDB answers the lecture\'s SELECT, stale before the poll, with its find()', async () => {
    // The connector's next poll a minute away: the read is stale for certain, until the poll is 100 ms.
    const { page, problems } = await open('#replicas=2&mode=async&lag=1000&seed=1&read_side=mongodb&cdc_poll=60000');
    for (const name of ['pg-1', 'cdc-1', 'mongo-1', 'mongo-2']) {
      assert.equal(await page.locator(`[data-testid="topology"] [data-name="${name}"]`).count(), 1, `${name} in the picture`);
    }
    assert.equal(await page.getByTestId('node-mongo-1').getAttribute('data-state'), 'up');
    assert.equal(await page.getByTestId('read_side').inputValue(), 'mongodb', 'the control beside Replication and Replicas');
    const insert = await runSql(page, "INSERT INTO users VALUES (101, 'Alice');");
    assert.equal(insert.error, undefined);
    const stale = await runSql(page, 'SELECT * FROM users WHERE id = 101;');
    assert.deepEqual([stale.rows, stale.stale], ['0', 'true'], 'the read model has not had the connector\'s poll yet');
    assert.match(stale.text, /mongo-\d \(read model\)/);
    assert.equal(stale.find, 'MongoDB ran db.users.find({ _id: 101 })');
    await page.getByTestId('cdc_poll').fill('100');
    await page.getByTestId('cdc_poll').press('Enter');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="node-mongo-2"]').dataset.appliedLsn) >= 1);
    const fresh = await runSql(page, 'db.users.find({ _id: 101 })');
    assert.deepEqual([fresh.rows, fresh.stale, fresh.error], ['1', 'false', undefined]);
    assert.match(fresh.text, /Alice/);
    assert.match(await page.getByTestId('documents-mongo-1').textContent(), /\{ _id: 101, name: 'Alice', changes: 1, source: \{ lsn: 1 \} \}/);
    const bad = await runSql(page, 'db.users.find({ _id: 10x })');
    assert.match(bad.error, /10x is not a number/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('CQRS: a crashed connector stops the read model while the master takes writes, and restarts from its slot', async () => {
    const { page, problems } = await open('#replicas=1&mode=async&lag=1000&seed=1&read_side=mongodb');
    await page.getByTestId('crash-cdc-1').click();
    assert.equal(await page.getByTestId('node-cdc-1').getAttribute('data-state'), 'down');
    await page.getByTestId('write').click();
    await page.waitForTimeout(1500);
    assert.equal(await page.getByTestId('node-mongo-1').getAttribute('data-applied-lsn'), '0', 'nothing reaches MongoDB');
    assert.match(await page.getByTestId('card-cdc-1').textContent(), /slot cdc on pg-1: confirmed_flush_lsn 0/);
    await page.getByTestId('restart-cdc-1').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="node-mongo-1"]').dataset.appliedLsn === '1');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
