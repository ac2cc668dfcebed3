// Debian's Chromium driven by playwright-core, with the flags this closed network needs.
import { after, before } from 'node:test';
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
  const running = {};
  before(async () => {
    running.site = await serveStatic(resolve(process.env.SITE_DIR ?? 'target/e2e-site'), '/playground/');
    running.browser = await launchChromium();
  });
  after(async () => {
    await running.browser?.close();
    running.site?.server.close();
  });
  return running;
}
