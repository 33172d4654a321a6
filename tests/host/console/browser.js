// SPDX-License-Identifier: GPL-2.0
// The console in Debian's chromium (playwright-core, no browser download):
// launch, sign in, wait for what the pages show.  Shared by the host test
// (console.js) and the VM story's attach step (vm-attach.js).
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

async function launch(width = 1280) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Root in a container has no user namespaces for the sandbox.
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ viewport: { width, height: 860 } });
  const page = await context.newPage();
  // The console loads nothing from elsewhere.
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(new URL(process.env.CONSOLE_URL).origin))
      foreign.push(r.url());
  });
  page.on('pageerror', (e) => { throw e; });
  return { browser, context, page, foreign };
}

// Sign in with the keyboard only: type, Tab, type, Enter.
async function signIn(page, ak, secret) {
  await page.goto(process.env.CONSOLE_URL);
  // The form shows once the page knows there is no session.
  await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
  await page.getByLabel('AccessKey ID').focus();
  await page.keyboard.type(ak);
  await page.keyboard.press('Tab');
  await page.keyboard.type(secret);
  await page.keyboard.press('Enter');
}

// The alert's ECS Code, once it shows one.
async function alertCode(page) {
  const code = page.locator('#alert .code');
  await code.waitFor({ timeout: 10000 });
  return code.textContent();
}

async function shot(page, name) {
  const dir = process.env.SCREENSHOTS;
  if (!dir)
    return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// Wait until the disk's status (on the Disks or the disk page) is @want;
// the statuses it showed on the way, without a reload.
async function waitStatus(page, selector, want, ms = 20000) {
  const seen = [];
  for (const t0 = Date.now(); Date.now() - t0 < ms; await page.waitForTimeout(100)) {
    const s = (await page.locator(selector).first().textContent().catch(() => null) || '').trim();
    if (s && seen[seen.length - 1] !== s)
      seen.push(s);
    if (s === want)
      return seen;
  }
  assert.fail(`${selector} never ${want}: ${seen.join(' -> ')}`);
}

module.exports = { launch, signIn, alertCode, shot, waitStatus, assert };
