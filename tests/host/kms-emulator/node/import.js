// SPDX-License-Identifier: GPL-2.0
// BYOK: GetParametersForImport, ImportKeyMaterial, DeleteKeyMaterial with
// the three wrapping algorithms, and expiry of imported material.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Kms, client, advanceClock, rejects, run, assert } = require('./kms');

const c = client();

async function externalKey() {
  return (await c.createKey(new Kms.CreateKeyRequest({ origin: 'EXTERNAL' }))).keyMetadata;
}

async function params(keyId, alg) {
  const p = await c.getParametersForImport(new Kms.GetParametersForImportRequest({
    keyId, wrappingAlgorithm: alg, wrappingKeySpec: 'RSA_2048' }));
  assert.strictEqual(p.keyId, keyId);
  return p;
}

function wrap(publicKeyB64, alg, material) {
  const key = crypto.createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
  assert.strictEqual(key.asymmetricKeyDetails.modulusLength, 2048);
  const opts = alg === 'RSAES_PKCS1_V1_5' ? { padding: crypto.constants.RSA_PKCS1_PADDING }
    : { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' };
  return crypto.publicEncrypt({ key, ...opts }, material).toString('base64');
}

async function importMaterial(keyId, material, alg = 'RSAES_OAEP_SHA_256', expire) {
  const p = await params(keyId, alg);
  return c.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId, importToken: p.importToken,
    encryptedKeyMaterial: wrap(p.publicKey, alg, material), keyMaterialExpireUnix: expire }));
}

const state = async (keyId) => (await c.describeKey(new Kms.DescribeKeyRequest({ keyId }))).keyMetadata;

run({
  async everyWrappingAlgorithm() {
    for (const alg of ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']) {
      const k = await externalKey();
      const p = await params(k.keyId, alg);
      const hours = (Date.parse(p.tokenExpireTime) - Date.now()) / 3600e3;
      assert.ok(hours > 23.9 && hours < 24.1, p.tokenExpireTime);
      await c.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId: k.keyId, importToken: p.importToken,
        encryptedKeyMaterial: wrap(p.publicKey, alg, crypto.randomBytes(32)) }));
      const m = await state(k.keyId);
      assert.strictEqual(m.keyState, 'Enabled', alg);
      assert.strictEqual(m.origin, 'EXTERNAL');
      const e = await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: alg }));
      assert.strictEqual((await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: e.ciphertextBlob }))).plaintext, alg);
    }
  },

  async opensslCommandLine() {
    // The documented user flow: openssl pkeyutl with OAEP/SHA-256.
    try {
      execFileSync('openssl', ['version']);
    } catch (e) {
      console.log('     (no openssl command: case skipped)');
      return;
    }
    const k = await externalKey();
    const p = await params(k.keyId, 'RSAES_OAEP_SHA_256');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'byok-'));
    try {
      fs.writeFileSync(path.join(dir, 'pub.der'), Buffer.from(p.publicKey, 'base64'));
      fs.writeFileSync(path.join(dir, 'key.bin'), crypto.randomBytes(32));
      const out = execFileSync('openssl', ['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER',
        '-inkey', path.join(dir, 'pub.der'), '-in', path.join(dir, 'key.bin'),
        '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256']);
      await c.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId: k.keyId,
        importToken: p.importToken, encryptedKeyMaterial: out.toString('base64') }));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
    assert.strictEqual((await state(k.keyId)).keyState, 'Enabled');
  },

  async deleteAndReimportSameMaterial() {
    const k = await externalKey();
    const material = crypto.randomBytes(32);
    await importMaterial(k.keyId, material);
    const blob = (await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: 'keep' }))).ciphertextBlob;
    await c.deleteKeyMaterial(new Kms.DeleteKeyMaterialRequest({ keyId: k.keyId }));
    assert.strictEqual((await state(k.keyId)).keyState, 'PendingImport');
    await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob })), 'Rejected.PendingImport', 409);
    await rejects(importMaterial(k.keyId, crypto.randomBytes(32), 'RSAES_OAEP_SHA_1'), 'InvalidParameter', 400);
    await importMaterial(k.keyId, material, 'RSAES_PKCS1_V1_5');
    assert.strictEqual((await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob }))).plaintext, 'keep');
  },

  async importErrors() {
    const k = await externalKey();
    const other = await externalKey();
    const p = await params(k.keyId, 'RSAES_OAEP_SHA_256');
    const po = await params(other.keyId, 'RSAES_OAEP_SHA_256');
    const req = (over) => c.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId: k.keyId,
      importToken: p.importToken, encryptedKeyMaterial: wrap(p.publicKey, 'RSAES_OAEP_SHA_256', crypto.randomBytes(32)), ...over }));
    await rejects(req({ importToken: po.importToken }), 'InvalidParameter', 400);		// another key's token
    await rejects(req({ importToken: 'made-up' }), 'InvalidParameter', 400);
    await rejects(req({ encryptedKeyMaterial: 'AAAA' }), 'InvalidParameter', 400);
    await rejects(req({ encryptedKeyMaterial: '!!' }), 'InvalidParameter', 400);
    await rejects(req({ encryptedKeyMaterial: wrap(p.publicKey, 'RSAES_OAEP_SHA_256', crypto.randomBytes(16)) }),
      'InvalidParameter', 400);		// not 32 bytes
    await rejects(req({ encryptedKeyMaterial: wrap(p.publicKey, 'RSAES_OAEP_SHA_1', crypto.randomBytes(32)) }),
      'InvalidParameter', 400);		// token was for OAEP SHA-256
    await rejects(req({ keyMaterialExpireUnix: 1000 }), 'InvalidParameter', 400);	// in the past
    await req({});
    await rejects(req({}), 'Rejected.StateModifiedFailed', 409);			// already imported
  },

  async tokenExpires() {
    const k = await externalKey();
    const p = await params(k.keyId, 'RSAES_OAEP_SHA_256');
    await advanceClock(25 * 3600);
    await rejects(c.importKeyMaterial(new Kms.ImportKeyMaterialRequest({ keyId: k.keyId, importToken: p.importToken,
      encryptedKeyMaterial: wrap(p.publicKey, 'RSAES_OAEP_SHA_256', crypto.randomBytes(32)) })), 'InvalidParameter', 400);
  },

  async materialExpires() {
    const k = await externalKey();
    // The emulator clock was moved 25 h forward by the test above.
    const now = Math.floor(Date.now() / 1000) + 25 * 3600;
    await importMaterial(k.keyId, crypto.randomBytes(32), 'RSAES_OAEP_SHA_256', now + 3600);
    const m = await state(k.keyId);
    assert.strictEqual(m.keyState, 'Enabled');
    assert.ok(m.materialExpireTime, 'no MaterialExpireTime');
    const blob = (await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: 'short-lived' }))).ciphertextBlob;
    await advanceClock(2 * 3600);
    assert.strictEqual((await state(k.keyId)).keyState, 'PendingImport');
    await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob })), 'Rejected.PendingImport', 409);
  },
});
