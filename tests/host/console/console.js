// SPDX-License-Identifier: GPL-2.0
// The console in headless chromium against ecs-api, its KMS emulator and
// one agent on this host (console.sh starts them): sign-in, a disk under a
// BYOK CMK, a disabled key refused, a snapshot and a disk of it, a copy to
// another region, encryption by default, the agents' KMS calls, CSRF,
// the idle timeout and sign-out.
'use strict';
const crypto = require('crypto');
const http = require('http');
const { Kms, kms, REGION, run } = require('../ecs-api/node/common');
const { launch, signIn, alertCode, shot, waitStatus, assert } = require('./browser');

const URL0 = process.env.CONSOLE_URL;
const OTHER_REGION = 'cn-shanghai';
let b, page, byok, off, diskId, snapId;

// A CMK with Origin EXTERNAL and 32 bytes of ours imported into it.
async function byokKey(alias) {
  const k = kms();
  const key = (await k.createKey(new Kms.CreateKeyRequest({ origin: 'EXTERNAL' }))).keyMetadata.keyId;
  const p = await k.getParametersForImport(new Kms.GetParametersForImportRequest({
    keyId: key, wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' }));
  const pub = crypto.createPublicKey({ key: Buffer.from(p.publicKey, 'base64'),
    format: 'der', type: 'spki' });
  const wrapped = crypto.publicEncrypt({ key: pub, oaepHash: 'sha256',
    padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, crypto.randomBytes(32));
  await k.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId: key,
    importToken: p.importToken, encryptedKeyMaterial: wrapped.toString('base64') }));
  await k.createAlias(new Kms.CreateAliasRequest({ keyId: key, aliasName: alias }));
  return key;
}

// A raw request to the console: { status, body, cookie }.
function raw(path, { body = '', cookie, csrf } = {}) {
  const u = new URL(path, URL0);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (cookie)
    headers.Cookie = cookie;
  if (csrf)
    headers['X-CSRF-Token'] = csrf;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname,
      method: 'POST', headers }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data),
        cookie: (res.headers['set-cookie'] || [''])[0] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pageFetch = (path, headers, body) => page.evaluate(async ([p, h, bd]) => {
  const r = await fetch(p, { method: 'POST', headers: h, body: bd });
  return { status: r.status, body: await r.json() };
}, [path, headers, body]);

run({
  async 'KMS: a BYOK CMK with its alias, and a disabled CMK'() {
    byok = await byokKey('alias/console-byok');
    off = (await kms().createKey(new Kms.CreateKeyRequest({}))).keyMetadata.keyId;
    await kms().createAlias(new Kms.CreateAliasRequest({ keyId: off, aliasName: 'alias/console-off' }));
    await kms().disableKey(new Kms.DisableKeyRequest({ keyId: off }));
    b = await launch();
    page = b.page;
  },
  async 'a wrong AccessKey secret is refused with its ECS code'() {
    await signIn(page, process.env.ECS_AK, 'not-the-secret');
    assert.strictEqual(await alertCode(page), 'InvalidAccessKeyId.NotFound');
    // Signed out, the page shows the sign-in form and nothing else.
    assert.ok(!(await page.getByRole('navigation').isVisible()), 'pages offered before sign-in');
    assert.ok(!(await page.getByRole('button', { name: 'Sign out' }).isVisible()));
    await shot(page, 'signin');
  },
  async 'sign-in: HttpOnly SameSite=Strict cookie, the secret nowhere in the browser'() {
    await signIn(page, process.env.ECS_AK, process.env.ECS_SECRET);
    await page.locator('#disks-table table').waitFor();
    const [c] = await b.context.cookies();
    assert.strictEqual(c.name, 'ecs_console');
    assert.ok(c.httpOnly, 'the session cookie is not HttpOnly');
    assert.strictEqual(c.sameSite, 'Strict');
    assert.ok(!c.value.includes(process.env.ECS_SECRET));
    const kept = await page.evaluate(() => JSON.stringify([document.cookie,
      { ...localStorage }, { ...sessionStorage }, document.documentElement.outerHTML]));
    assert.ok(!kept.includes(process.env.ECS_SECRET), 'the secret stayed in the page');
    assert.strictEqual(await page.evaluate(() => document.cookie), '');
  },
  async 'Create disk lists the CMKs with alias and state; a disabled one is not choosable'() {
    await page.goto(`${URL0}#create`);
    const key = page.getByLabel('KMS key');
    await key.waitFor();
    await page.getByLabel('Encrypted').check();
    const opt = (id) => key.locator(`option[value="${id}"]`);
    assert.match(await opt(byok).textContent(), /alias\/console-byok.*Enabled.*BYOK/);
    assert.match(await opt(off).textContent(), /alias\/console-off.*Disabled/);
    assert.strictEqual(await opt(off).getAttribute('disabled'), '');
    await shot(page, 'create-disk');
  },
  async 'an encrypted disk with the BYOK CMK, listed with that key and alias'() {
    await page.getByLabel('Disk name').fill('byok-data');
    await page.getByLabel('Size (GiB)').fill('20');
    await page.getByLabel('KMS key').selectOption(byok);
    await page.getByRole('button', { name: 'Create disk' }).click();
    await page.waitForURL(/#disk\/d-/);
    diskId = page.url().split('#disk/')[1];
    const seen = await waitStatus(page, '#disk-info .disk-status', 'Available');
    assert.ok(seen.length >= 1);
    await page.goto(`${URL0}#disks`);
    const row = page.locator(`tr[data-disk="${diskId}"]`);
    await row.waitFor();
    assert.strictEqual(await row.locator('.disk-key').textContent(), byok);
    assert.strictEqual(await row.locator('.disk-alias').textContent(), 'alias/console-byok');
    assert.strictEqual(await row.locator('.disk-encrypted').textContent(), 'Yes');
    // The filters: an unencrypted-only list does not show it.
    await page.getByLabel('Encryption').selectOption('false');
    await page.locator(`tr[data-disk="${diskId}"]`).waitFor({ state: 'detached' });
    await page.getByLabel('Encryption').selectOption('true');
    await row.waitFor();
    await shot(page, 'disks');
  },
  async 'a key disabled after the form listed it is refused by ECS, code shown'() {
    await page.goto(`${URL0}#create`);
    await page.getByLabel('Encrypted').check();
    await page.getByLabel('KMS key').selectOption(byok);
    await kms().disableKey(new Kms.DisableKeyRequest({ keyId: byok }));
    try {
      await page.getByRole('button', { name: 'Create disk' }).click();
      assert.strictEqual(await alertCode(page), 'InvalidParameter.KMSKeyId.CMKNotEnabled');
    } finally {
      await kms().enableKey(new Kms.EnableKeyRequest({ keyId: byok }));
    }
  },
  async 'a snapshot, its progress on screen, and a disk of it that inherits the key'() {
    await page.goto(`${URL0}#disk/${diskId}`);
    await page.getByLabel('Snapshot name').fill('before-upgrade');
    await page.getByRole('button', { name: 'Create snapshot' }).click();
    const row = page.locator('tr[data-snapshot]').first();
    await row.waitFor();
    snapId = await row.getAttribute('data-snapshot');
    await waitStatus(page, `tr[data-snapshot="${snapId}"] .snapshot-status`, 'accomplished');
    assert.strictEqual(await row.locator('progress').getAttribute('value'), '100');
    await shot(page, 'disk');
    await row.getByRole('link', { name: 'Create disk from it' }).click();
    const note = page.locator('#inherit');
    await assert.doesNotReject(note.filter({ hasText: byok }).waitFor());
    assert.match(await note.textContent(), /inherits the snapshot's encryption: encrypted with/);
    assert.ok(await page.getByLabel('Encrypted').isDisabled());
    await shot(page, 'create-from-snapshot');
    await page.getByRole('button', { name: 'Create disk' }).click();
    await page.waitForURL(/#disk\/d-/);
    await waitStatus(page, '#disk-info .disk-status', 'Available');
    assert.strictEqual(await page.locator('#disk-info .disk-key').textContent(), byok);
    assert.strictEqual(await page.locator('#disk-info .disk-encrypted').textContent(), 'Yes');
  },
  async 'copy the snapshot to another region under a key there'() {
    await page.goto(`${URL0}#disk/${diskId}`);
    const row = page.locator(`tr[data-snapshot="${snapId}"]`);
    await row.getByLabel('Copy to region').selectOption(OTHER_REGION);
    await row.getByLabel('Key there').selectOption('alias/acs/ecs');
    await row.getByRole('button', { name: 'Copy' }).click();
    await page.locator('#alert.ok').filter({ hasText: `copied to ${OTHER_REGION}` }).waitFor();
    const copy = (await page.locator('#alert.ok').textContent()).match(/as (s-[0-9a-z]+)/)[1];
    // There, under the region switch: the copy, made by the agent, encrypted.
    await page.goto(`${URL0}#snapshots`);
    await page.getByLabel('Region').selectOption(OTHER_REGION);
    const there = page.locator(`tr[data-snapshot="${copy}"]`);
    await there.filter({ hasText: 'accomplished' }).waitFor();
    assert.match(await there.textContent(), /Yes/);
    await page.getByLabel('Region').selectOption(REGION);
  },
  async 'encryption by default: on, and an unencrypted disk is refused'() {
    await page.goto(`${URL0}#encryption`);
    await page.getByLabel('Encrypt every new disk in this region').check();
    await page.locator('#default-now').filter({ hasText: 'are encrypted by default' }).waitFor();
    assert.match(await page.locator('#default-now').textContent(), /the default key is alias\/acs\/ecs\./);
    await shot(page, 'encryption-by-default');
    await page.goto(`${URL0}#create`);
    await page.locator('#inherit').filter({ hasText: 'Encryption by default is on' }).waitFor();
    await page.getByRole('button', { name: 'Create disk' }).click();
    assert.strictEqual(await alertCode(page), 'InvalidEncrypted.NotMatchDiskDefaultEncryption');
    await page.goto(`${URL0}#encryption`);
    await page.getByLabel('Encrypt every new disk in this region').uncheck();
    await page.locator('#default-now').filter({ hasText: 'not encrypted by default' }).waitFor();
  },
  async 'KMS calls by operation, as the agent counts them'() {
    await page.goto(`${URL0}#kms`);
    const row = page.locator('#kms-usage tr', { hasText: 'CreateDisk' });
    await row.filter({ hasText: 'GenerateDataKeyWithoutPlaintext' }).first().waitFor({ timeout: 15000 });
    await shot(page, 'kms-calls');
  },
  async 'readable at 800 px: nothing wider than the window'() {
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(`${URL0}#disks`);
    await page.locator(`tr[data-disk="${diskId}"]`).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 800, `the page is ${wide} px wide at 800`);
    await shot(page, 'disks-800');
    await page.setViewportSize({ width: 1280, height: 860 });
  },
  async 'a change without the CSRF token, or with another, is refused: 403 Forbidden.CsrfToken'() {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (const h of [form, { ...form, 'X-CSRF-Token': 'f'.repeat(64) }]) {
      const r = await pageFetch('/console/api/DeleteDisk', h, `DiskId=${diskId}`);
      assert.strictEqual(r.status, 403);
      assert.strictEqual(r.body.Code, 'Forbidden.CsrfToken');
    }
    assert.strictEqual((await raw('/console/api/DescribeDisks', { body: `RegionId=${REGION}` })).body.Code,
      'InvalidSession.NotFound');
  },
  async 'a reload keeps the session; sign-out ends it, and its cookie is refused after'() {
    await page.reload();
    await page.locator('#disks-table table').waitFor();
    const [c] = await b.context.cookies();
    const csrf = (await raw('/console/session', { cookie: `${c.name}=${c.value}` })).body.CsrfToken;
    assert.match(csrf, /^[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('AccessKey ID').waitFor();
    assert.deepStrictEqual(await b.context.cookies(), []);
    assert.ok(!(await page.getByRole('navigation').isVisible()), 'pages offered after sign-out');
    const r = await raw('/console/api/DescribeDisks', { body: `RegionId=${REGION}`,
      cookie: `${c.name}=${c.value}`, csrf });
    assert.strictEqual(r.status, 401);
    assert.strictEqual(r.body.Code, 'InvalidSession.NotFound');
    assert.deepStrictEqual(b.foreign, [], `requests elsewhere: ${b.foreign}`);
  },
  async 'ten wrong secrets for a key, and even its right one is refused for a while'() {
    const form = (secret) => `AccessKeyId=${process.env.ECS_AK_B}&AccessKeySecret=${secret}`;
    for (let i = 0; i < 10; i++)
      assert.strictEqual((await raw('/console/session/signin', { body: form(`guess${i}`) })).body.Code,
        'InvalidAccessKeyId.NotFound');
    const r = await raw('/console/session/signin', {
      body: form(encodeURIComponent(process.env.ECS_SECRET_B)) });
    assert.strictEqual(r.body.Code, 'Throttling');
    assert.strictEqual(r.cookie, '');
  },
  async 'a session idle longer than the timeout is gone'() {
    const s = await raw('/console/session/signin', { body:
      `AccessKeyId=${process.env.ECS_AK}&AccessKeySecret=${encodeURIComponent(process.env.ECS_SECRET)}` });
    assert.strictEqual(s.status, 200);
    assert.match(s.cookie, /HttpOnly/);
    assert.match(s.cookie, /SameSite=Strict/);
    assert.doesNotMatch(s.cookie, /Secure/);	// plain HTTP on loopback
    const cookie = s.cookie.split(';')[0];
    const ok = await raw('/console/api/DescribeDisks', { body: `RegionId=${REGION}`,
      cookie, csrf: s.body.CsrfToken });
    assert.strictEqual(ok.status, 200);
    await new Promise((r) => setTimeout(r, (s.body.IdleTimeout + 0.5) * 1000));
    const late = await raw('/console/api/DescribeDisks', { body: `RegionId=${REGION}`,
      cookie, csrf: s.body.CsrfToken });
    assert.strictEqual(late.status, 401);
    assert.strictEqual(late.body.Code, 'InvalidSession.NotFound');
    await b.browser.close();
  },
}, true);
