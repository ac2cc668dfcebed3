// End-to-end: the page's Content-Security-Policy, user text through every input rendered only
// as text, and the panel shown when the wasm stops. Same site and browser as the other e2e files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { goto, newPage as newPageIn, siteInChromium, signed, untilNotice } from './fixtures.js';

// Markup that runs code if it is ever parsed as HTML: it sets window.__xss.
const MARKUP = '<img src=x onerror="window.__xss=1"><b id="injected">bold</b>';
const running = siteInChromium();

/** A page that records policy violations and page errors from before its first script runs. */
async function newPage() {
  const { page, problems } = await newPageIn(running);
  return { page, errors: problems };
}

const open = (page, fragment) => goto(running, page, fragment);

/** Nothing the inputs carried ran or became an element, and no policy was violated. */
async function assertInert(page) {
  const found = await page.evaluate(() => ({
    xss: window.__xss,
    injected: document.querySelectorAll('#injected, img[src="x"]').length,
    violations: window.__violations,
  }));
  assert.deepEqual(found, { xss: undefined, injected: 0, violations: [] });
}

describe('security', () => {
  test('the page runs under a Content-Security-Policy without unsafe-eval or unsafe-inline', async () => {
    const { page, errors } = await newPage();
    await open(page, '#replicas=2&rate=300');
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+';/);
    assert.doesNotMatch(policy, /'unsafe-eval'|'unsafe-inline'/);
    await page.getByTestId('write').click();
    await page.getByTestId('read').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-reads"]').textContent) > 0);
    await assertInert(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('markup typed, linked, imported or stored is shown as text and never runs', async () => {
    const { page, errors } = await newPage();
    const encoded = encodeURIComponent(MARKUP);

    // The address bar: a demo name and a setting value are echoed in the notices (the
    // browser percent-encodes some of the markup in the address).
    await open(page, `#demo=${encoded}`);
    await untilNotice(page, /there is no demo .*onerror/);
    await open(page, `#replicas=1&policy=${encoded}`);
    await untilNotice(page, /policy.*onerror/);
    await assertInert(page);

    // The SQL console: a name stored in the table, read back, and an error quoting the input.
    await page.getByTestId('sql-input').fill(`INSERT INTO users (id, name) VALUES (7, '${MARKUP.replaceAll("'", "''")}'); SELECT * FROM users WHERE id = 7`);
    await page.getByTestId('sql-run').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sql-result"]').length >= 2);
    assert.ok((await page.getByTestId('sql-output').textContent()).includes(MARKUP));
    await page.getByTestId('sql-input').fill(`SELECT ${MARKUP}`);
    await page.getByTestId('sql-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="sql-result"][data-error]'));
    await assertInert(page);

    // An imported file whose fields hold markup, and one whose link's SQL does.
    const file = (fields) => ({ name: 'session.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(fields)) });
    await page.getByTestId('import').setInputFiles(file({ format: MARKUP, version: 1, link: MARKUP }));
    await untilNotice(page, /this file's format is "<img src=x onerror="window.__xss=1"><b id="injected">bold<\/b>", not a playground session/);
    await assertInert(page);

    // A file over the size limit is refused before it is read.
    await page.getByTestId('import').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.alloc(1_100_000, 32) });
    await untilNotice(page, /the file is 1100 KB; session files are at most 1000 KB/);

    // The session kept in localStorage, read on the next visit: its bad command is quoted.
    // Paused first: a running page keeps its own session about every simulated second, which
    // could overwrite the one planted here before the next visit reads it.
    await page.getByTestId('pause').click();
    await page.evaluate(
      ([link]) => {
        localStorage.setItem('replication-playground.fragment', '');
        localStorage.setItem('replication-playground.link', link);
      },
      [signed(`replicas=2&mode=async&lag=1000&seed=1&v=1&act=${MARKUP}`)],
    );
    await page.goto(running.site.url);
    await page.getByTestId('node-master').waitFor();
    assert.ok((await page.getByTestId('notices').textContent()).includes(`could not be read (its command 1 ("${MARKUP}")`));
    await assertInert(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a session link whose SQL holds markup replays it as text', async () => {
    const { page } = await newPage();
    const sql = `INSERT INTO users (id, name) VALUES (9, '${MARKUP.replaceAll("'", "''")}'); SELECT name FROM users WHERE id = 9`;
    const act = encodeURIComponent(sql).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    await open(page, `#${signed(`replicas=1&mode=sync&lag=10&seed=1&v=1&act=1000,q,0,${act}&t=500000`)}`);
    assert.equal(await page.getByTestId('notices').count(), 0);
    await page.waitForFunction((markup) => document.querySelector('[data-testid="sql-output"]')?.textContent.includes(markup), MARKUP);
    await assertInert(page);
    await page.close();
  });

  test('when the wasm stops, a panel offers the report with the seed, a reload and a fresh start', async () => {
    const { page } = await newPage();
    await open(page, '#replicas=2&seed=77');
    await page.getByTestId('write').click();
    // A wasm trap reaches the window as an uncaught WebAssembly.RuntimeError.
    await page.evaluate(() =>
      window.dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('unreachable') })),
    );
    const panel = page.getByTestId('crash-panel');
    await panel.waitFor();
    const report = await page.getByTestId('crash-report').inputValue();
    assert.match(report, /What happened: RuntimeError: unreachable/);
    assert.match(report, /Seed: 77/);
    assert.match(report, new RegExp(`session .*: ${running.site.url.replace(/[.?]/g, '\\$&')}#replicas=2&.*act=`));

    await page.getByTestId('crash-reload').click();
    await page.getByTestId('node-master').waitFor();
    assert.equal(await page.getByTestId('crash-panel').count(), 0);
    assert.match(page.url(), /seed=77/);

    await page.evaluate(() =>
      window.dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('unreachable') })),
    );
    await page.getByTestId('crash-reset').click();
    await page.waitForURL((url) => !url.hash.includes('seed=77'));
    await page.getByTestId('node-master').waitFor();
    assert.match(page.url(), /seed=1(&|$)/);
    assert.equal(await page.getByTestId('stat-writes').textContent(), '0');
    await page.close();
  });
});
