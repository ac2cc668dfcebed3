// End-to-end: the lecture hall. Every step of every demo, at 1280x720, in the default and the
// presenter layout: the step pauses itself at its claim, and then the narration with the claim,
// the whole picture and everything the step asks the class to watch are on the one screen,
// with no scrolling, and the standard accessibility checker (axe-core) finds nothing. Screenshots
// of every step go to target/stage-shots for a person to look at.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';

import { axeViolations, everyDemoStep, newPage, siteInChromium, smallestPictureText } from './fixtures.js';

const running = siteInChromium();
const SHOTS = 'target/stage-shots';

/** What of `ids` lies outside the 1280x720 window, with where it is. */
async function offScreen(page, selector) {
  return page.locator(selector).evaluateAll((elements) =>
    elements
      .map((element) => ({ id: element.dataset.testid ?? element.className, box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.top < 0 || box.left < 0 || box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5)
      .map(({ id, box }) => `${id} at (${Math.round(box.left)}, ${Math.round(box.top)})-(${Math.round(box.right)}, ${Math.round(box.bottom)})`),
  );
}

for (const presenter of [false, true]) {
  describe(`the stage at 1280x720${presenter ? ', presenter mode' : ''}`, () => {
    test('every demo step pauses at its claim with narration, picture and what to watch on one screen', async () => {
      await mkdir(SHOTS, { recursive: true });
      const { page, problems } = await newPage(running);
      await page.goto(`${running.site.url}#replicas=2`);
      await page.getByTestId('node-master').waitFor();
      if (presenter) await page.getByTestId('presenter').click();
      const steps = await everyDemoStep(page, async (link, step) => {
        assert.equal(await page.getByTestId('pause').textContent(), 'Play', `${link} step ${step} is paused`);
        assert.equal(await page.evaluate(() => scrollY), 0, `${link} step ${step}: nothing scrolled`);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling');
        const outside = await offScreen(page, '[data-testid="topology"], [data-testid="demo-panel"], [data-testid="demo-claim"], [data-watched]');
        assert.deepEqual(outside, [], `${link} step ${step}: outside the screen`);
        assert.ok((await page.locator('[data-watched]').count()) > 0, `${link} step ${step} marks what to watch`);
        const unwatched = await page.locator('[data-testid^="stat-"]:not([data-watched])').evaluateAll((counters) =>
          counters.filter((counter) => counter.getBoundingClientRect().height > 0).map((counter) => counter.dataset.testid));
        assert.deepEqual(unwatched, [], `${link} step ${step}: counters on the stage the step is not about`);
        // Every picture: with two runs, run B's too.
        const smallest = Math.min(...(await smallestPictureText(page.locator('svg.topology'))));
        assert.ok(smallest >= (presenter ? 16 : 14), `${link} step ${step}: the pictures' smallest text is ${smallest.toFixed(1)} px`);
        // The picture's share of the screen, unless the step needs the width under it (the
        // history, or two runs and their table).
        const { share, widePanel } = await page.evaluate(() => {
          const box = document.querySelector('[data-testid="topology"] svg.topology').getBoundingClientRect();
          const wide = document.querySelector('.under-picture > *, [data-testid="side-by-side"]');
          return { share: (box.width * box.height) / (innerWidth * innerHeight), widePanel: wide !== null };
        });
        if (presenter && !widePanel) assert.ok(share >= 0.45, `${link} step ${step}: the picture covers ${(100 * share).toFixed(1)}%`);
        if (presenter) {
          // What the class is told to read beside the picture, from the back row.
          const sizes = await page.evaluate(() => {
            const smallest = (selector) => Math.min(...[...document.querySelectorAll(selector)]
              .filter((element) => element.getBoundingClientRect().height > 0)
              .map((element) => parseFloat(getComputedStyle(element).fontSize)));
            return { table: smallest('.stage-grid table td'), logs: smallest('.stage-grid .log li') };
          });
          assert.ok(sizes.table >= 13, `${link} step ${step}: the table's text is ${sizes.table} px`);
          assert.ok(sizes.logs >= 14, `${link} step ${step}: the logs' text is ${sizes.logs} px`);
        }
        assert.deepEqual(await axeViolations(page), [], `${link} step ${step}: accessibility`);
        const name = `${presenter ? 'presenter' : 'default'}-${link.replace(/[^a-z0-9]+/g, '-')}`.replace(/-step-\d+$/, '');
        await page.screenshot({ path: `${SHOTS}/${name}-${step.replace('/', 'of')}.png` });
      });
      assert.ok(steps >= 24, `walked ${steps} steps`);
      console.log(`# ${steps} steps, screenshots in ${SHOTS}`);
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}

describe('accessibility outside the demos', () => {
  for (const [name, toggles] of [['default', []], ['dark', ['theme']], ['presenter', ['presenter']], ['dark presenter', ['theme', 'presenter']]]) {
    test(`the ${name} page has no axe violation, with traffic, a selected node and the help open`, async () => {
      const { page, problems } = await newPage(running);
      await page.goto(`${running.site.url}#replicas=3&mode=sync&rate=200&seed=4`);
      await page.getByTestId('node-master').waitFor();
      for (const toggle of toggles) await page.getByTestId(toggle).click();
      await page.getByTestId('node-replica-2').click();
      await page.getByTestId('selected-actions').waitFor();
      await page.getByTestId('sql-input').fill("INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101");
      await page.getByTestId('sql-run').click();
      await page.waitForTimeout(1500);
      assert.deepEqual(await axeViolations(page), []);
      await page.getByTestId('help-button').click();
      assert.deepEqual(await axeViolations(page), [], 'with the help open');
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});
