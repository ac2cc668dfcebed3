// End-to-end: the history panel on the built site: client lanes, the verdicts and their
// witness, rewinding it, the keyboard, reading it under traffic, and the JSON and EDN exports.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { open as openIn, signed, siteInChromium, text, untilText } from './fixtures.js';

const running = siteInChromium();
const open = (fragment, viewport) => openIn(running, fragment, viewport);

/** Opens the demo "Sync is not linearizable" at `step` and waits until the step pauses at its claim. */
async function demoStep(step) {
  const opened = await open(`#demo=sync-linearizable&step=${step}`);
  await untilText(opened.page, 'stat-reads', '2', 15000);
  await opened.page.waitForFunction(() => document.querySelector('[data-testid="pause"]')?.getAttribute('aria-pressed') === 'true');
  return opened;
}

describe('history', () => {
  test('sync with replica reads: no read is stale, yet the history is not linearizable; the witness is outlined and told', async () => {
    const { page, problems } = await demoStep(1);
    assert.equal(await text(page, 'verdict-linearizable'), 'no');
    assert.equal(await text(page, 'verdict-sequential'), 'yes');
    assert.equal(await text(page, 'stat-stale-reads'), '0');
    assert.match(await text(page, 'history-start'), /^Window from the run's start: each user starts at its last write acknowledged by then \(102 "Bob"\);/);
    assert.ok(await page.getByTestId('history-start').isVisible(), 'on the stage too');
    const labels = await page.locator('.history .op .op-label').allTextContents();
    assert.deepEqual(labels, ['w(102, "Alice")', 'r(102) → "Alice"', 'r(102) → "Bob"']);
    assert.equal(await page.locator('.history .op.witness').count(), 3);
    assert.match(await page.locator('.verdict.answer-no .verdict-words').textContent(), /client 3's r\(102\) → "Bob" \(version 1\) on pg-3/);
    // The keyboard goes from one operation to the next, which then tells its client, times and node.
    await page.locator('.history .op').first().focus();
    await page.keyboard.press('Tab');
    assert.match(await page.locator('.history-detail').textContent(), /^client 2 · r\(102\) → "Alice" \(version 2\) · called 0:00\.500 · answered 0:00\.\d+ .* · pg-2 \(replica 1\)$/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('in presenter mode the lanes and their labels are 14 px or more, and every label still fits its place', async () => {
    const { page, problems } = await demoStep(1);
    await page.getByTestId('presenter').click();
    await page.waitForTimeout(300);
    const texts = await page.locator('.history-lanes svg text').evaluateAll((all) => all.map((text) => {
      const box = text.getBoundingClientRect();
      return { size: parseFloat(getComputedStyle(text).fontSize), left: box.left, right: box.right, label: text.textContent };
    }));
    assert.ok(texts.length >= 6, 'three lanes, three labels');
    for (const { size, label } of texts) assert.ok(size >= 14, `"${label}" at ${size} px`);
    // The labels are placed by their width at that size: none runs past the panel.
    const lanes = await page.locator('.history-lanes svg[role="group"]').evaluate((svg) => svg.getBoundingClientRect().toJSON());
    for (const { left, right, label } of texts.filter((text) => text.left >= lanes.left)) {
      assert.ok(right <= lanes.right + 1, `"${label}" ends at ${right.toFixed(0)}, the panel at ${lanes.right.toFixed(0)}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('reads at the master are linearizable; rewinding shows the history of that moment', async () => {
    const { page, problems } = await demoStep(3);
    assert.equal(await text(page, 'verdict-linearizable'), 'yes');
    await page.close();
    const first = await demoStep(1);
    // At 0.65 s client 3 has not read yet: the write and a read of it are linearizable.
    await first.page.getByTestId('timeline').fill('650');
    await untilText(first.page, 'clock', 't = 650.0 ms');
    await untilText(first.page, 'verdict-linearizable', 'yes');
    assert.equal(await first.page.locator('.history .op').count(), 2);
    assert.deepEqual([...problems, ...first.problems], []);
    await first.page.close();
  });

  test('a stale read under async has a line to the write it missed', async () => {
    const { page, problems } = await open('#replicas=2&mode=async&lag=2000&seed=3');
    await page.getByTestId('write').click();
    await untilText(page, 'stat-writes', '1');
    await page.getByTestId('read').click();
    await untilText(page, 'stat-stale-reads', '1');
    await untilText(page, 'verdict-linearizable', 'no');
    assert.equal(await page.locator('.history .missed').count(), 1);
    assert.equal(await text(page, 'verdict-read-your-writes'), 'no', 'the same client wrote and read');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('under traffic: one lane per client, labels apart, and why a stale read can still be linearizable', async () => {
    // 50 requests/s from four clients, each request 100 ms there and back: every client has
    // several under way at once. The link opens 1.6 s in, paused. On a desk and on a phone.
    const link = `#${signed('replicas=2&mode=async&lag=1000&seed=4&rate=50&clients=4&v=1&t=1600000')}`;
    for (const viewport of [{ width: 1280, height: 720 }, { width: 390, height: 844 }]) {
      const { page, problems } = await open(link, viewport);
      await untilText(page, 'clock', 't = 1600.0 ms', 15000);
      await page.getByTestId('history').scrollIntoViewIfNeeded();
      // Labels are placed once the panel's width is known, when it is first laid out.
      await page.locator('.history .op-label').first().waitFor();
      const where = `at ${viewport.width} px`;
      assert.deepEqual(await page.locator('.history .lane-names text').allTextContents(), ['client 1', 'client 2', 'client 3', 'client 4'], where);
      assert.equal(await page.locator('.history .op').count(), 24);
      const boxes = await page.locator('.history .op-label').evaluateAll((labels) =>
        labels.map((label) => {
          const box = label.getBoundingClientRect();
          return { text: label.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom };
        }),
      );
      assert.ok(boxes.length >= 12, `${boxes.length} labels drawn ${where}`);
      const lanes = await page.locator('.history-lanes svg[role="group"]').boundingBox();
      for (const [i, a] of boxes.entries()) {
        assert.ok(a.left >= lanes.x - 0.5 && a.right <= lanes.x + lanes.width + 0.5, `"${a.text}" leaves the lanes ${where}`);
        for (const b of boxes.slice(i + 1)) {
          const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
          assert.ok(apart, `"${a.text}" overlaps "${b.text}" ${where}`);
        }
      }
      assert.equal(await text(page, 'verdict-linearizable'), 'yes');
      assert.ok((await page.locator('.history .op.flagged').count()) > 0, 'reads tagged STALE are drawn');
      assert.match(
        await text(page, 'history-stale-why'),
        /^A read tagged STALE can still be linearizable: it overlapped the write it missed, so that write may take effect just after the read\. Here client \d's r\(\d+\) → "\w+", called at 0:01\.\d+, missed w\(\d+, "\w+"\), acknowledged only at 0:01\.\d+/,
      );
      // A label cut short is whole on hover.
      const short = page.locator('.history .op').filter({ has: page.locator('.op-label', { hasText: /^r\(\d+\)( STALE)?$/ }) });
      if (await short.count()) {
        await short.first().hover();
        assert.match(await page.locator('.history-detail').textContent(), /^client \d · r\(\d+\) → /);
      }
      assert.deepEqual(problems, []);
      await page.close();
    }
  });

  test('the history exports as history.json and as Jepsen EDN', async () => {
    const { page, problems } = await demoStep(1);
    // The stage shows no exports. Leaving the demo plays on, so the run is paused and taken
    // back to the step's moment, while the write still waits.
    await page.getByTestId('demo-leave').click();
    await page.getByTestId('pause').click();
    await page.getByTestId('timeline').fill('801');
    await untilText(page, 'clock', 't = 801.0 ms');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
    assert.equal(json.suggestedFilename(), 'history.json');
    const entries = JSON.parse(await readFile(await json.path(), 'utf8'));
    assert.deepEqual(Object.keys(entries[0]).sort(), ['f', 'key', 'name', 'node', 'process', 'time', 'type', 'value']);
    assert.deepEqual(
      entries.map((entry) => `${entry.process} ${entry.type} ${entry.f} ${entry.key} ${entry.value} ${entry.name}`),
      [
        '3 invoke write 102 0 Bob',
        '3 ok write 102 0 Bob',
        '0 invoke write 102 1 Alice',
        '1 invoke read 102 null null',
        '1 ok read 102 1 Alice',
        '2 invoke read 102 null null',
        '2 ok read 102 0 Bob',
      ],
      "user 102's start first (time -1); the write is still waiting: only its invocation",
    );
    assert.equal(entries[0].time, -1, 'the start comes before the run');
    assert.equal(entries[2].time, 100000, 'simulated µs');
    const [edn] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export-edn').click()]);
    assert.equal(edn.suggestedFilename(), 'history.edn');
    const lines = (await readFile(await edn.path(), 'utf8')).trim().split('\n').filter((line) => !line.startsWith(';;'));
    assert.equal(lines[0], '{:process 3, :type :invoke, :f :write, :value [102 0], :name "Bob", :time -1000}');
    assert.equal(lines[2], '{:process 0, :type :invoke, :f :write, :value [102 1], :name "Alice", :time 100000000}');
    assert.match(lines[4], /^\{:process 1, :type :ok, :f :read, :value \[102 1\], :name "Alice", :time \d+, :node "pg-2"\}$/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
