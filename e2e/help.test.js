// End-to-end: help where it is needed. The help (`?`) explains the words the page uses, readable
// on a laptop and on a phone; a node clicked in the picture opens its actions next to it, not
// at the far end of the page, on a laptop, a projector's 1280x720, a phone and in presenter mode.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` in a window of `viewport`. */
const open = (fragment, viewport) => openIn(running, fragment, viewport);

const LAPTOP = { width: 1366, height: 768 };
const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

/** Words the lecture's students meet on the page, by their glossary entries' test ids. */
const TERMS = [
  'lsn', 'wal', 'stale-read', 'replication-lag', 'read-your-writes', 'monotonic-reads', 'linearizable',
  'synchronous-replication', 'asynchronous-replication', 'semi-sync', 'quorum', 'failover', 'promote',
  'replication-slot', 'cdc', 'read-model', 'replica-set', 'primary-secondary', 'cqrs', 'timeline',
];

describe('the glossary in the help', () => {
  for (const [name, viewport] of [['a laptop', LAPTOP], ['a phone', PHONE]]) {
    test(`on ${name} it explains the page's words inside a dialog that fits the screen and scrolls`, async () => {
      const { page, problems } = await open('#replicas=2&seed=3', viewport);
      await page.getByTestId('help-button').click();
      const glossary = page.getByTestId('glossary');
      await glossary.waitFor();
      for (const term of TERMS) {
        const entry = glossary.getByTestId(`glossary-${term}`);
        assert.equal(await entry.count(), 1, `glossary-${term}`);
        const [word, explanation] = [await entry.locator('dt').textContent(), await entry.locator('dd').textContent()];
        assert.ok(explanation.length > 60, `${word}: "${explanation}"`);
      }
      assert.match(await glossary.getByTestId('glossary-lsn').textContent(), /log sequence number/);
      // The dialog stays inside the window and scrolls within itself to its last word.
      const help = page.getByTestId('help');
      const fits = await help.evaluate((dialog) => {
        const box = dialog.getBoundingClientRect();
        return {
          inside: box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
          scrolls: dialog.scrollHeight > dialog.clientHeight,
          wide: dialog.scrollWidth <= dialog.clientWidth,
        };
      });
      assert.deepEqual(fits, { inside: true, scrolls: true, wide: true });
      const last = glossary.locator('dl > div').last();
      await last.scrollIntoViewIfNeeded();
      const [lastBox, helpBox] = [await last.boundingBox(), await help.boundingBox()];
      assert.ok(lastBox.y + lastBox.height <= helpBox.y + helpBox.height + 1, 'the last entry scrolled into the dialog');
      const smallest = await glossary.locator('dd').evaluateAll((all) => Math.min(...all.map((dd) => parseFloat(getComputedStyle(dd).fontSize))));
      assert.ok(smallest >= 13, `explanations at ${smallest} px`);
      await page.getByTestId('help').getByRole('button', { name: 'Close' }).click();
      assert.equal(await page.getByTestId('help').count(), 0);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});

/** How far apart two boxes are, in CSS pixels (0 where they touch or overlap). */
function gap(a, b) {
  const across = Math.max(0, a.x - (b.x + b.width), b.x - (a.x + a.width));
  const down = Math.max(0, a.y - (b.y + b.height), b.y - (a.y + a.height));
  return Math.hypot(across, down);
}

/**
 * Clicks each node and measures its actions: the menu adjoins the node's box (past its meters and
 * the line for its queue under it), its Crash button is a row or two from the node, on screen.
 */
async function crashBesideEachNode(page, viewport) {
  const screen = `${viewport.width}x${viewport.height}`;
  for (const node of ['node-master', 'node-replica-1', 'node-replica-2']) {
    await page.getByTestId(node).click();
    const actions = page.getByTestId('selected-actions');
    const crash = actions.getByRole('button', { name: 'Crash' });
    const name = await page.getByTestId(node).getAttribute('data-name');
    await page.waitForFunction((name) => document.querySelector('[data-testid="selected-actions"]')?.getAttribute('aria-label').startsWith(`Actions for ${name} (`), name);
    const [nodeBox, menuBox, crashBox] = [await page.getByTestId(node).boundingBox(), await actions.boundingBox(), await crash.boundingBox()];
    const [menuApart, crashApart] = [gap(nodeBox, menuBox), gap(nodeBox, crashBox)];
    assert.ok(menuApart <= 40, `${node}: its actions ${Math.round(menuApart)} px from it at ${screen}`);
    assert.ok(crashApart <= 90, `${node}: Crash ${Math.round(crashApart)} px from it at ${screen}`);
    const onScreen = crashBox.x >= 0 && crashBox.y >= 0 && crashBox.x + crashBox.width <= viewport.width && crashBox.y + crashBox.height <= viewport.height;
    assert.ok(onScreen, `${node}: Crash at ${JSON.stringify(crashBox)} in ${screen}`);
  }
}

describe("a node's actions open next to it", () => {
  for (const [name, viewport, presenter] of [
    ['a laptop (1366x768)', LAPTOP, false],
    ['a projector (1280x720)', PROJECTOR, false],
    ['a phone (390x844)', PHONE, false],
    ['presenter mode (1280x720)', PROJECTOR, true],
  ]) {
    test(`on ${name}`, async () => {
      const { page, problems } = await open('#replicas=2&mode=async&lag=300&seed=3', viewport);
      if (presenter) await page.getByTestId('presenter').click();
      await crashBesideEachNode(page, viewport);
      // Its buttons still act on the node, and the node's other actions follow its state.
      await page.getByTestId('selected-actions').getByRole('button', { name: 'Crash' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="node-replica-2"]').dataset.state === 'down');
      await page.getByTestId('selected-actions').getByRole('button', { name: 'Restart' }).waitFor();
      await page.getByTestId('selected-actions').getByRole('button', { name: 'Deselect' }).click();
      assert.equal(await page.getByTestId('selected-actions').count(), 0);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});
