// The first frame built ahead of time (src/ui/first_frame.rs, written by scripts/prerender,
// chosen by static/first-frame.js): a visitor sees the real cluster before the wasm arrives,
// and the live page then takes its place without moving anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DEMOS, newPage, siteInChromium, untilText } from './fixtures.js';

const running = siteInChromium();

const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 412, height: 823 };

/** A page whose wasm is held back until `release()`: only the first frame can show. */
async function withWasmHeld(viewport, options = {}) {
  const opened = await newPage(running, undefined, await running.browser.newContext({ viewport, ...options }));
  let release;
  const held = new Promise((done) => (release = done));
  await opened.page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  return { ...opened, release };
}

/**
 * In the page: where each visible element with a test id (`attribute`: the live page's
 * `data-testid`, the frame's `data-frame-testid`) and each machine in the picture
 * (`data-name`) stands on the screen, by name; and the pictures' drawn sizes (their viewBox).
 * Also records the live page's first frame as `window.__liveFirstFrame`: taken as it takes the
 * frame's place, before it is painted or its clock moves.
 */
const GEOMETRY = () => {
  window.__geometry = (attribute) => {
    const places = {};
    const seen = {};
    const visible = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
    const inFrame = attribute === 'data-frame-testid';
    for (const element of document.querySelectorAll(`[${attribute}], [data-name]`)) {
      if (!visible(element) || inFrame !== Boolean(element.closest('#first-frame'))) continue;
      const name = element.hasAttribute(attribute) ? element.getAttribute(attribute) : `machine ${element.getAttribute('data-name')}`;
      seen[name] = (seen[name] ?? 0) + 1;
      const rect = element.getBoundingClientRect();
      places[`${name} #${seen[name]}`] = [rect.left, rect.top, rect.width, rect.height].map(Math.round);
    }
    const pictures = [...document.querySelectorAll('svg.topology')]
      .filter((svg) => visible(svg) && inFrame === Boolean(svg.closest('#first-frame')))
      .map((svg) => svg.getAttribute('viewBox'));
    return { places, pictures };
  };
  window.__liveFirstFrame = new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (document.getElementById('first-frame') || !document.querySelector('[data-testid="write"]')) return;
      watch.disconnect();
      resolve(window.__geometry('data-testid'));
    });
    watch.observe(document, { childList: true, subtree: true });
  });
};

/**
 * What moved between the frame's places and the live page's, on the first screen (below it,
 * what passing time adds, a log's rows, moves what follows, out of sight): each must stand
 * within a pixel.
 */
function movedPlaces(frame, live, where, screenHeight) {
  if (JSON.stringify(frame.pictures) !== JSON.stringify(live.pictures)) {
    return [`${where}: the frame's pictures are ${JSON.stringify(frame.pictures)}, the live page's ${JSON.stringify(live.pictures)}: update prerender/src/main.rs PROJECTOR_PICTURES`];
  }
  const onScreen = Object.entries(frame.places).filter(([, place]) => place[1] < screenHeight);
  if (onScreen.length < 8) return [`${where}: the frame's first screen shows only ${onScreen.map(([name]) => name)}`];
  const moved = [];
  for (const [name, place] of onScreen) {
    const livePlace = live.places[name];
    // Text that time changes (the clock, counters, LSNs) may change an element's width, never
    // where it starts.
    if (!livePlace || place.slice(0, 2).some((value, index) => Math.abs(value - livePlace[index]) > 1)) {
      moved.push(`${where}: ${name} stands at ${place} in the frame, at ${livePlace} in the live page`);
    }
  }
  return moved;
}

/** The frame of `fragment` (held wasm), then the live page's first frame: what moved. */
async function compareFrame(fragment, viewport, options = {}) {
  const where = `${fragment || 'the plain page'} at ${viewport.width}x${viewport.height}${options.colorScheme ? ` (${options.colorScheme})` : ''}`;
  const { page, release } = await withWasmHeld(viewport, options);
  await page.addInitScript(GEOMETRY);
  await page.goto(running.site.url + fragment);
  const shown = fragment ? '.first-frame-of-demo [data-frame-testid="node-master"]' : '[data-frame-testid="node-master"]';
  await page.locator(shown).locator('visible=true').waitFor();
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const frame = await page.evaluate(() => window.__geometry('data-frame-testid'));
  assert.equal(await page.getByTestId('write').count(), 0, `${where}: the live page is there before its wasm`);
  release();
  const live = await page.evaluate(() => window.__liveFirstFrame);
  assert.equal(await page.locator('#first-frame').count(), 0, `${where}: the frame stayed`);
  await page.context().close();
  return movedPlaces(frame, live, where, viewport.height);
}

test('the plain page: the frame built ahead of time stands where the live page then stands', async () => {
  const moved = [];
  for (const viewport of [PROJECTOR, PHONE]) moved.push(...(await compareFrame('', viewport)));
  moved.push(...(await compareFrame('', PROJECTOR, { colorScheme: 'dark' })));
  assert.deepEqual(moved, []);
});

test("every demo's first step: the frame built ahead of time stands where the live page then stands", async () => {
  const moved = [];
  for (const demo of DEMOS) {
    for (const viewport of [PROJECTOR, PHONE]) moved.push(...(await compareFrame(`#demo=${demo}&step=1`, viewport)));
  }
  assert.deepEqual(moved, []);
});

test('with the wasm slow to arrive the cluster is drawn, and the page works once it comes', async () => {
  const { page, problems, release } = await withWasmHeld(PROJECTOR);
  await page.goto(running.site.url);
  const frameMaster = page.locator('[data-frame-testid="node-master"]').locator('visible=true');
  await frameMaster.waitFor();
  assert.equal(await frameMaster.getAttribute('data-name'), 'pg-1');
  assert.equal(await page.locator('.first-frame-notice').isVisible(), false, 'the plain page needs no notice');
  // The frame is a picture: a click on it does nothing, and breaks nothing.
  await page.locator('[data-frame-testid="write"]').locator('visible=true').click({ force: true });
  assert.equal(await page.getByTestId('write').count(), 0);
  release();
  await page.getByTestId('write').click();
  await untilText(page, 'stat-writes', '1');
  assert.equal(await page.locator('#first-frame').count(), 0);
  assert.equal(await page.evaluate(() => document.documentElement.className), '', 'the frame left its marks on <html>');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the wasm is on its way while the stylesheet still is: the first frame waits for it, the wasm does not', async () => {
  const { page, problems } = await newPage(running, PROJECTOR);
  let releaseStylesheet;
  const stylesheetHeld = new Promise((done) => (releaseStylesheet = done));
  const wasmRequested = new Promise((done) => page.on('request', (request) => /\.wasm$/.test(request.url()) && done()));
  await page.route(/\.css$/, async (route) => {
    await stylesheetHeld;
    await route.continue();
  });
  const opened = page.goto(running.site.url);
  // Held back, the stylesheet holds the page's load; the wasm must not wait for it.
  const asked = await Promise.race([wasmRequested.then(() => true), new Promise((done) => setTimeout(done, 10_000, false))]);
  releaseStylesheet();
  await opened;
  assert.ok(asked, 'with the stylesheet held back for 10 s, the page did not ask for its wasm');
  await page.getByTestId('write').click();
  await untilText(page, 'stat-writes', '1');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a link or a kept session only the wasm can replay: the plain frame under "Loading this session"', async () => {
  const { page, release } = await withWasmHeld(PROJECTOR);
  await page.goto(`${running.site.url}#replicas=3&mode=sync&seed=7`);
  const notice = page.locator('.first-frame-notice');
  await notice.waitFor();
  assert.equal(await notice.textContent(), 'Loading this session…');
  assert.ok(await page.locator('[data-frame-testid="node-master"]').locator('visible=true').isVisible());
  release();
  await page.getByTestId('node-replica-3').waitFor();
  assert.equal(await notice.count(), 0, 'the notice went with the frame');

  // The same browser opening the plain address again reopens the session it kept.
  const again = await page.context().newPage();
  await again.route(/\.wasm$/, () => {});
  await again.goto(running.site.url);
  await again.locator('.first-frame-notice').waitFor();

  // A demo past its first step, and a demo whose frame cannot be fetched, are links too.
  for (const [fragment, blocked] of [['#demo=sync&step=3', false], ['#demo=cqrs&step=1', true]]) {
    const other = await running.browser.newPage({ viewport: PROJECTOR });
    await other.route(/\.wasm$/, () => {});
    if (blocked) await other.route(/first-frame\/cqrs\.html$/, (route) => route.fulfill({ status: 404 }));
    await other.goto(running.site.url + fragment);
    await other.locator('.first-frame-notice').waitFor();
    assert.ok(await other.locator('[data-frame-testid="node-master"]').locator('visible=true').isVisible(), fragment);
    await other.close();
  }
  await page.context().close();
});
