// What every end-to-end test file shares: Debian's Chromium driven by playwright-core with the
// flags this closed network needs, the release site served under a sub-path, one way to open
// the page, and waits on what it shows. Every test fails if any page it opened violated the
// page's Content-Security-Policy (an inline style or script the policy blocks).
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { serveStatic } from './static-server.js';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * For a test file: serves the release site ($SITE_DIR, built by scripts/test) under
 * /playground/ and launches Chromium before its tests, and stops both after them. The
 * returned object holds `site` (with its `url`) and `browser` once the tests run.
 */
export function siteInChromium() {
  const running = { violations: [] };
  before(async () => {
    running.site = await serveStatic(resolve(process.env.SITE_DIR ?? 'target/e2e-site'), '/playground/');
    running.browser = await launchChromium();
  });
  afterEach(() => {
    const violations = running.violations.splice(0);
    assert.deepEqual(violations, [], 'the page violated its Content-Security-Policy');
  });
  after(async () => {
    await running.browser?.close();
    running.site?.server.close();
  });
  return running;
}

const CSP_MESSAGE = /Content[- ]Security[- ]Policy|securitypolicyviolation/i;

/**
 * A new page that reports problems: page errors and failed requests go to `problems`, policy
 * violations (the event, and Chromium's console message) to the file's violations, which fail
 * the test. `window.__violations` lists them in the page too. In `context` when given (pages
 * that share a browser's storage, service workers and network state; the context's viewport
 * then applies), else in a new one with `viewport`.
 */
export async function newPage(running, viewport = { width: 1280, height: 720 }, context = undefined) {
  const page = context ? await context.newPage() : await running.browser.newPage({ viewport });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (CSP_MESSAGE.test(message.text())) running.violations.push(message.text());
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      const violation = `${event.violatedDirective}: ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`;
      window.__violations.push(violation);
      console.error(`securitypolicyviolation ${violation}`);
    });
  });
  return { page, problems };
}

/** Opens the playground at `fragment` in `page` and waits for the picture. */
export async function goto(running, page, fragment) {
  await page.goto(running.site.url + fragment);
  await page.getByTestId('node-master').waitFor();
}

/** A new page at `fragment` (see newPage). */
export async function open(running, fragment, viewport) {
  const opened = await newPage(running, viewport);
  await goto(running, opened.page, fragment);
  return opened;
}

export const text = (page, id) => page.getByTestId(id).textContent();

/** Every demo's name, in the menu's order (model/src/demos/mod.rs DEMOS). */
export const DEMOS = [
  'single-db',
  'add-replicas',
  'async-stale',
  'sync',
  'sync-vs-async',
  'sync-linearizable',
  'load-balancing',
  'replica-crash',
  'master-crash',
  'read-your-writes',
  'cqrs',
  'comparison',
];

/**
 * Opens each demo of the menu in turn and walks its steps, calling `visit(link, step)` at each
 * once it has paused at its claim; returns how many steps it walked.
 */
export async function everyDemoStep(page, visit) {
  const links = await page.getByTestId('demo-link').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
  let steps = 0;
  for (const link of links) {
    await page.evaluate((hash) => (location.hash = hash), link);
    await page.getByTestId('demo-panel').waitFor();
    for (;;) {
      const step = await text(page, 'demo-step');
      await page.getByTestId('demo-claim').waitFor({ timeout: 15_000 }).catch(() => assert.fail(`${link} step ${step} never paused at its claim`));
      await visit(link, step);
      steps += 1;
      const next = page.getByTestId('demo-next');
      if (await next.isDisabled()) break;
      await next.click();
      await page.waitForFunction((before) => document.querySelector('[data-testid="demo-step"]').textContent !== before, step);
    }
  }
  return steps;
}

/** Waits until the element's text is `expected`. */
export async function untilText(page, id, expected, timeout = 5000) {
  await page
    .waitForFunction(
      ([id, expected]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === expected,
      [id, expected],
      { timeout },
    )
    .catch(async () => assert.fail(`${id} stayed "${await text(page, id)}", expected "${expected}"`));
}

/** Waits until the notices match `pattern` (a hash change is handled asynchronously). */
export async function untilNotice(page, pattern, timeout = 5000) {
  await page
    .waitForFunction(
      (source) => new RegExp(source).test(document.querySelector('[data-testid="notices"]')?.textContent),
      pattern.source,
      { timeout },
    )
    .catch(async () => {
      const notices = (await page.getByTestId('notices').count()) ? await text(page, 'notices') : '(none)';
      assert.fail(`the notices never matched ${pattern}: ${notices}`);
    });
}

/** A session link body with its checksum: 32-bit FNV-1a of the body, in hex (src/share/link.rs). */
export function signed(body) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(body)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${body}&sum=${hash.toString(16).padStart(8, '0')}`;
}

/** Percent-encodes text as the page's links do (all but letters, digits and -_.~). */
export function encodeForLink(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The page's accessibility problems by the standard checker (axe-core, WCAG 2.1 A and AA
 * rules), each as "rule: the elements it names". axe is evaluated through the browser's
 * debugging protocol, which the page's Content-Security-Policy does not govern.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.slice(0, 4).map((node) => `${node.target.join(' ')} (${node.failureSummary?.split('\n')[1]?.trim() ?? ''})`).join('; ')}`,
  );
}

/**
 * The smallest text of each picture `locator` finds (`svg.topology` elements), in CSS pixels
 * as drawn: its font size times the drawing's scale.
 */
export function smallestPictureText(locator) {
  return locator.evaluateAll((svgs) => svgs.map((svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const shown = [...svg.querySelectorAll('text')].filter((text) => text.getBoundingClientRect().height > 0);
    return Math.min(...shown.map((text) => parseFloat(getComputedStyle(text).fontSize) * scale));
  }));
}

/** A node's applied log position, as the picture shows it. */
export const lsn = (page, node) => page.getByTestId(`node-${node}`).getAttribute('data-applied-lsn');

/** Waits until a link's or a kept session's moment has been replayed (its progress bar gone). */
export const untilReplayed = (page) =>
  page.waitForFunction(() => !document.querySelector('[data-testid="replay-progress"]'), null, { timeout: 10000 });

/** Waits until a node has applied the log up to `expected`. */
export async function untilLsn(page, node, expected, timeout = 5000) {
  await page.waitForFunction(
    ([node, expected]) => document.querySelector(`[data-testid="node-${node}"]`)?.dataset.appliedLsn === expected,
    [node, expected],
    { timeout },
  ).catch(async () => assert.fail(`${node} stayed at LSN ${await lsn(page, node)}, expected ${expected}`));
}
