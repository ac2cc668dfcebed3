// End-to-end: input a curious student (or a link passed round a class) can throw at the page
// never stops or freezes it: SQL nested thousands deep, a short link that asks for half an hour
// of heavy traffic, commands the model refuses, SQL too long for an address bar. And the demos'
// "what to watch" marks hold under the page's policy, in every step.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { encodeForLink, open as openIn, signed, siteInChromium, text, untilNotice, untilText } from './fixtures.js';

const running = siteInChromium();
const open = (fragment) => openIn(running, fragment);

const nested = (depth) => `SELECT * FROM users WHERE ${'('.repeat(depth)}id = 101${')'.repeat(depth)}`;
const crashPanels = (page) => page.getByTestId('crash-panel').count();

/** The page's main thread answers: how long one round trip into the page takes, in ms. */
async function roundTrip(page) {
  const started = Date.now();
  await page.evaluate(() => document.querySelector('[data-testid="clock"]')?.textContent);
  return Date.now() - started;
}

describe('hostile input', () => {
  test('SQL nested 5,000 deep, typed or in a link, is refused with its place and the page goes on', async () => {
    const { page, problems } = await open('#replicas=2&seed=1');
    await page.getByTestId('sql-input').fill(nested(5_000));
    await page.getByTestId('sql-run').click();
    const result = page.locator('[data-testid="sql-result"][data-error]');
    await result.waitFor();
    assert.match(await result.getAttribute('data-error'), /nested deeper than 100 levels at line 1, column 127/);
    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');

    assert.equal(await crashPanels(page), 0);
    assert.deepEqual(problems, []);
    await page.close();

    // Such a statement in a session link: the link opens and shows the message.
    const act = `1000,q,0,${encodeForLink(`SELECT * FROM users WHERE ${'NOT '.repeat(4_000)}TRUE`)}`;
    const linked = await open(`#${signed(`replicas=2&mode=async&lag=1000&seed=1&v=1&act=${act}&t=2000000`)}`);
    const fromLink = linked.page.locator('[data-testid="sql-result"][data-error]');
    await fromLink.waitFor();
    assert.match(await fromLink.getAttribute('data-error'), /nested deeper than 100 levels at line 1, column 427/);
    assert.equal(await crashPanels(linked.page), 0);
    assert.deepEqual(linked.problems, []);
    await linked.page.close();
  });

  test('a short link to half an hour of 20,000 requests/s replays frame by frame and can be cancelled', async () => {
    const link = signed('replicas=8&mode=async&lag=1000&seed=1&rate=20000&v=1&t=1800000000');
    assert.ok(link.length < 120);
    const { page, problems } = await open(`#${link}`);
    const progress = page.getByTestId('replay-progress');
    await progress.waitFor();
    let worst = 0;
    for (let probe = 0; probe < 20; probe++) {
      worst = Math.max(worst, await roundTrip(page));
      await page.waitForTimeout(100);
    }
    console.log(`# worst round trip into the page while replaying: ${worst} ms`);
    assert.ok(worst < 1_000, `the page did not answer for ${worst} ms`);
    assert.match(await progress.textContent(), /Replaying to 30:00\.000: at \d+:\d\d\.\d{3} \(\d+%\)/);
    const before = await page.getByTestId('timeline').evaluate((input) => Number(input.max));
    assert.ok(before >= 1_800_000, 'the timeline shows where the replay is going');

    await page.getByTestId('replay-cancel').click();
    await progress.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('pause').textContent(), 'Play', 'paused where it got to');
    const reached = await text(page, 'clock');
    await page.waitForTimeout(300);
    assert.equal(await text(page, 'clock'), reached, 'and stays there');
    assert.notEqual(reached, 't = 0.0 ms');
    assert.equal(await crashPanels(page), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a heavy link a few seconds in reaches its moment and pauses there', async () => {
    const { page, problems } = await open(`#${signed('replicas=8&mode=async&lag=1000&seed=2&rate=20000&v=1&t=4000000')}`);
    await page.getByTestId('replay-progress').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await text(page, 'clock'), 't = 4000.0 ms');
    assert.equal(await page.getByTestId('pause').textContent(), 'Play');
    assert.ok(Number(await text(page, 'stat-reads')) > 20_000);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('commands of a link the model refuses are each named with their moment and reason', async () => {
    const act = ['1250,x,7', '1500,w,0', '1700,h,m'].join(';');
    const { page, problems } = await open(`#${signed(`replicas=2&mode=async&lag=1000&seed=1&v=1&act=${act}&t=3000000`)}`);
    await untilNotice(page, /command 1 of this session \(crash replica-7 at 0:00\.001\) was refused: there is no replica-7/);
    await untilNotice(page, /command 3 of this session \(heal master's link at 0:00\.001\) was refused: that applies to replicas only/);
    await untilText(page, 'stat-writes', '1');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('SQL too long for an address bar: the bar keeps the settings, Export keeps everything', async () => {
    const { page, problems } = await open('#replicas=1&seed=4');
    const name = 'x'.repeat(9_000);
    await page.getByTestId('sql-input').fill(`SELECT * FROM users WHERE name = '${name}'`);
    await page.getByTestId('sql-run').click();
    await untilNotice(page, /the address bar now keeps only its settings; Export saves the whole session/);
    assert.ok((await page.evaluate(() => location.hash.length)) < 8 * 1024);
    await page.getByTestId('share').click();
    await untilNotice(page, /too long to pass on as a link .*Export it as a file instead/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.ok(exported.link.includes(name), 'the exported session has the statement');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the crash report quotes the input being handled', async () => {
    const { page } = await open('#replicas=2&seed=5');
    await page.getByTestId('sql-input').fill('SELECT name FROM users WHERE id = 104');
    await page.getByTestId('sql-run').click();
    await page.evaluate(() =>
      window.dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('unreachable') })),
    );
    await page.getByTestId('crash-panel').waitFor();
    assert.match(
      await page.getByTestId('crash-report').inputValue(),
      /Last input: client 1 runs SQL: SELECT name FROM users WHERE id = 104/,
    );
    await page.close();
  });

  test('every step of every demo marks what to watch, with no policy violation', async () => {
    const { page, problems } = await open('#replicas=2');
    const links = await page.getByTestId('demo-link').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    assert.ok(links.length >= 9);
    let marked = 0;
    for (const link of links) {
      await page.goto(running.site.url + link);
      await page.getByTestId('demo-panel').waitFor();
      for (;;) {
        await page.waitForTimeout(150);
        const watched = await page.locator('[data-watched]').evaluateAll((elements) => elements.map((element) => element.dataset.testid));
        const step = await text(page, 'demo-step');
        assert.ok(watched.length > 0, `${link} step ${step} marks something to watch`);
        marked += watched.length;
        const next = page.getByTestId('demo-next');
        if (await next.isDisabled()) break;
        await next.click();
        await page.waitForFunction((before) => document.querySelector('[data-testid="demo-step"]').textContent !== before, step);
      }
    }
    console.log(`# watched elements marked across the tour: ${marked}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
