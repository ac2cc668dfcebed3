// End-to-end: driving the playground: the mode and replica controls, the settings panel,
// a node's actions in the picture, the keyboard, pause and play, rewinding the timeline.
// The release build, served under a sub-path by a plain static server, clicked through in
// headless Chromium; scripts/test builds the site into $SITE_DIR first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { open as openIn, siteInChromium, text, untilText, lsn } from './fixtures.js';

const running = siteInChromium();

/** Opens the playground with `fragment` at 1280×720. */
const open = (fragment) => openIn(running, fragment);

describe('controls', () => {
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

  test('every speed in the list can be chosen, and the arrows step along it from there', async () => {
    const { page, problems } = await open('#replicas=1&mode=async&lag=300&seed=2');
    const speeds = await page.getByTestId('speed').locator('option').evaluateAll((options) => options.map((option) => option.value));
    assert.deepEqual(speeds, ['0.1', '0.25', '0.5', '1', '2', '5', '10', '15', '20']);
    for (const speed of speeds) {
      await page.getByTestId('speed').selectOption(speed);
      // ArrowUp, away from the list, is one step faster than the speed the page took.
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('ArrowUp');
      const next = speeds[Math.min(speeds.indexOf(speed) + 1, speeds.length - 1)];
      await page.waitForFunction((next) => document.querySelector('[data-testid="speed"]').value === next, next);
    }
    assert.equal(await page.getByTestId('notices').count(), 0);
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
});
