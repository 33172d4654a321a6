// SPDX-License-Identifier: GPL-2.0
// Every error path: authentication, parameters, key states, unknown keys,
// encryption context and cross-region blobs.
'use strict';
const { Kms, client, admin, call, rejects, run, assert } = require('./kms');
const RpcUtil = require('@alicloud/rpc-util').default;
const TeaUtil = require('@alicloud/tea-util').default;

const c = client();
const endpoint = process.env.KMS_ENDPOINT;
let key;

// A request signed by the SDK's own v1 signer, then sent as is (or after
// @tamper edits it), for what the SDK cannot be made to send.
async function raw(params, { method = 'POST', secret = process.env.KMS_SECRET, tamper, sign = true } = {}) {
  const p = { Format: 'JSON', Version: '2016-01-20', AccessKeyId: process.env.KMS_AK,
    SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
    SignatureNonce: `${Date.now()}-${Math.random()}`, Timestamp: RpcUtil.getTimestamp(), ...params };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  if (sign) p.Signature = RpcUtil.getSignatureV1(p, method, secret);
  if (tamper) tamper(p);
  const res = await fetch(`${endpoint}/?${new URLSearchParams(p)}`, { method });
  return { status: res.status, body: await res.json() };
}

function expectRaw(r, code, status) {
  assert.strictEqual(r.body.Code, code, JSON.stringify(r.body));
  assert.strictEqual(r.status, status, JSON.stringify(r.body));
  assert.ok(r.body.RequestId && r.body.Message && r.body.HostId);
}

// Run @fn with an SDK helper temporarily replaced.
async function patched(obj, name, impl, fn) {
  const saved = obj[name];
  obj[name] = impl;
  try {
    return await fn();
  } finally {
    obj[name] = saved;
  }
}

const describe = (keyId, cl = c) => cl.describeKey(new Kms.DescribeKeyRequest({ keyId }));
const encrypt = (keyId, extra = {}) => c.encrypt(new Kms.EncryptRequest({ keyId, plaintext: 'x', ...extra }));
const gdk = (req) => c.generateDataKey(new Kms.GenerateDataKeyRequest(req));

run({
  async setup() {
    key = (await c.createKey(new Kms.CreateKeyRequest({}))).keyMetadata;
  },

  // --- authentication ---
  async wrongSecret() {
    await rejects(describe(key.keyId, client({ secret: 'not-the-secret' })), 'SignatureDoesNotMatch', 400);
  },
  async unknownAccessKey() {
    await rejects(describe(key.keyId, client({ ak: 'nobody', secret: 'x' })), 'InvalidAccessKeyId.NotFound', 404);
  },
  async replayedNonce() {
    const nonce = `fixed-${Date.now()}`;
    await patched(TeaUtil, 'getNonce', () => nonce, async () => {
      await describe(key.keyId);
      await rejects(describe(key.keyId), 'SignatureNonceUsed', 400);
      // Nonces are per access key: another key may use the same one.
      await describe(key.keyId, admin());
    });
  },
  async failedSignatureDoesNotBurnNonce() {
    const nonce = `burn-${Date.now()}`;
    await patched(TeaUtil, 'getNonce', () => nonce, async () => {
      await rejects(describe(key.keyId, client({ secret: 'wrong' })), 'SignatureDoesNotMatch', 400);
      await describe(key.keyId);
    });
  },
  async staleTimestamp() {
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const off of [-16 * 60e3, 16 * 60e3]) {
      await patched(RpcUtil, 'getTimestamp', () => iso(Date.now() + off), () =>
        rejects(describe(key.keyId), 'IllegalTimestamp', 400));
    }
    // 14 minutes ahead is accepted, and so is a minute before the emulator started.
    await patched(RpcUtil, 'getTimestamp', () => iso(Date.now() + 14 * 60e3), () => describe(key.keyId));
    await patched(RpcUtil, 'getTimestamp', () => iso(Date.now() - 60e3), () => describe(key.keyId));
    await patched(RpcUtil, 'getTimestamp', () => 'yesterday', () =>
      rejects(describe(key.keyId), 'IllegalTimestamp', 400));
  },
  async tamperedParameter() {
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId },
      { tamper: (p) => { p.KeyId = 'alias/other'; } }), 'SignatureDoesNotMatch', 400);
    // The HTTP method is part of the string to sign.
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId }, { method: 'GET',
      tamper: (p) => { p.Signature = RpcUtil.getSignatureV1(
        Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'Signature')),
        'POST', process.env.KMS_SECRET); } }), 'SignatureDoesNotMatch', 400);
  },
  async getAndPostBothWork() {
    for (const method of ['GET', 'POST']) {
      const r = await raw({ Action: 'DescribeKey', KeyId: key.keyId }, { method });
      assert.strictEqual(r.status, 200, JSON.stringify(r.body));
      assert.strictEqual(r.body.KeyMetadata.KeyId, key.keyId);
    }
  },
  async formBody() {
    const p = { Action: 'DescribeKey', KeyId: key.keyId, Format: 'JSON', Version: '2016-01-20',
      AccessKeyId: process.env.KMS_AK, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
      SignatureNonce: `form-${Date.now()}`, Timestamp: RpcUtil.getTimestamp() };
    p.Signature = RpcUtil.getSignatureV1(p, 'POST', process.env.KMS_SECRET);
    const res = await fetch(`${endpoint}/`, { method: 'POST', body: new URLSearchParams(p),
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const body = await res.json();
    assert.strictEqual(res.status, 200, JSON.stringify(body));
    assert.strictEqual(body.KeyMetadata.KeyId, key.keyId);
  },
  async missingSignature() {
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId }, { sign: false }), 'IncompleteSignature', 400);
  },
  async wrongSignatureMethod() {
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, SignatureMethod: 'HMAC-MD5' }),
      'IncompleteSignature', 400);
  },
  async missingCommonParameters() {
    expectRaw(await raw({ Action: undefined }), 'MissingParameter', 400);
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, AccessKeyId: undefined }, { sign: false }),
      'MissingParameter', 400);
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, Timestamp: undefined }), 'MissingParameter', 400);
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, SignatureNonce: undefined }), 'MissingParameter', 400);
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, Version: undefined }), 'MissingParameter', 400);
  },
  async v1ActionMustBeSigned() {
    // x-acs-* headers are not covered by a v1 signature: they do not count.
    const p = { Format: 'JSON', Version: '2016-01-20', AccessKeyId: process.env.KMS_AK,
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', KeyId: key.keyId,
      SignatureNonce: `hdr-${Date.now()}`, Timestamp: RpcUtil.getTimestamp() };
    p.Signature = RpcUtil.getSignatureV1(p, 'POST', process.env.KMS_SECRET);
    const res = await fetch(`${endpoint}/?${new URLSearchParams(p)}`, { method: 'POST',
      headers: { 'x-acs-action': 'DisableKey' } });
    expectRaw({ status: res.status, body: await res.json() }, 'MissingParameter', 400);
  },
  async wrongVersionOrAction() {
    expectRaw(await raw({ Action: 'DescribeKey', KeyId: key.keyId, Version: '2014-05-26' }), 'InvalidVersion', 400);
    expectRaw(await raw({ Action: 'MakeCoffee' }), 'InvalidAction.NotFound', 404);
  },
  async unsupportedMethod() {
    const res = await fetch(`${endpoint}/?Action=DescribeKey`, { method: 'PUT' });
    assert.strictEqual(res.status, 405);
    assert.strictEqual((await res.json()).Code, 'UnsupportedHTTPMethod');
  },
  async malformedEscape() {
    const res = await fetch(`${endpoint}/`, { method: 'POST', body: 'Action=DescribeKey&KeyId=%zz',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.strictEqual(res.status, 400);
    assert.strictEqual((await res.json()).Code, 'InvalidParameter');
  },
  async adminActionsNeedTheAdminKey() {
    await rejects(call(c, 'AdvanceClock', { Seconds: '1' }), 'Forbidden.NoPermission', 403);
    await rejects(call(c, 'DescribeMetering'), 'Forbidden.NoPermission', 403);
    await rejects(call(admin(), 'AdvanceClock', { Seconds: '-5' }), 'InvalidParameter', 400);
  },
  async invalidRegion() {
    await rejects(call(c, 'DescribeKey', { KeyId: key.keyId, RegionId: 'mars-north-1' }), 'InvalidRegionId', 400);
  },

  // --- parameters ---
  async missingParameters() {
    await rejects(call(c, 'DescribeKey'), 'MissingParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'Decrypt'), 'MissingParameter', 400);
    await rejects(call(c, 'ScheduleKeyDeletion', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'CreateAlias', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'ReEncrypt', { CiphertextBlob: 'x' }), 'MissingParameter', 400);
    await rejects(call(c, 'DescribeKeyVersion', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'UpdateRotationPolicy', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'UpdateKeyDescription', { KeyId: key.keyId }), 'MissingParameter', 400);
    await rejects(call(c, 'GetParametersForImport', { KeyId: key.keyId, WrappingKeySpec: 'RSA_2048' }), 'MissingParameter', 400);
    await rejects(call(c, 'ImportKeyMaterial', { KeyId: key.keyId, ImportToken: 'x' }), 'MissingParameter', 400);
  },
  async malformedParameters() {
    for (const n of [0, 1025, 'abc', '1e3', '-1'])
      await rejects(call(c, 'GenerateDataKey', { KeyId: key.keyId, NumberOfBytes: String(n) }), 'InvalidParameter', 400);
    await rejects(gdk({ keyId: key.keyId, keySpec: 'AES_512' }), 'InvalidParameter', 400);
    for (const d of [6, 367, 'x'])
      await rejects(call(c, 'ScheduleKeyDeletion', { KeyId: key.keyId, PendingWindowInDays: String(d) }), 'InvalidParameter', 400);
    await rejects(c.createKey(new Kms.CreateKeyRequest({ keySpec: 'RSA_9' })), 'InvalidParameter', 400);
    await rejects(c.createKey(new Kms.CreateKeyRequest({ origin: 'ELSEWHERE' })), 'InvalidParameter', 400);
    await rejects(c.createKey(new Kms.CreateKeyRequest({ enableAutomaticRotation: true })), 'MissingParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x', EncryptionContext: '{not json' }), 'InvalidParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x', EncryptionContext: '["a"]' }), 'InvalidParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x', EncryptionContext: '{"a":"b"} junk' }), 'InvalidParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x', EncryptionContext: '{"a":{"b":"c"}}' }), 'InvalidParameter', 400);
    // The same key in the JSON and the flattened form must agree.
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x', EncryptionContext: '{"a":"b"}',
      'EncryptionContext.a': 'c' }), 'InvalidParameter', 400);
    await rejects(call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'x'.repeat(6145) }), 'InvalidParameter', 400);
    for (const iv of ['1d', '731d', 'soon', '604799s'])
      await rejects(c.updateRotationPolicy(new Kms.UpdateRotationPolicyRequest({ keyId: key.keyId,
        enableAutomaticRotation: true, rotationInterval: iv })), 'InvalidParameter', 400);
    await rejects(call(c, 'ListKeys', { PageSize: '101' }), 'InvalidParameter', 400);
    await rejects(call(c, 'ListKeys', { PageNumber: '0' }), 'InvalidParameter', 400);
    await rejects(call(c, 'GetParametersForImport', { KeyId: key.keyId, WrappingAlgorithm: 'ROT13', WrappingKeySpec: 'RSA_2048' }), 'InvalidParameter', 400);
    await rejects(call(c, 'GetParametersForImport', { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_1024' }), 'InvalidParameter', 400);
  },
  async malformedBlobs() {
    const e = await encrypt(key.keyId);
    const bytes = Buffer.from(e.ciphertextBlob, 'base64');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] ^= 1;
    for (const blob of ['not base64!', 'AAAA', bytes.subarray(0, 40).toString('base64')])
      await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob })), 'InvalidParameter', 400);
    // Well-formed but altered: the tag check fails.
    await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: flipped.toString('base64') })),
      'InvalidParameter.EncryptionContext', 400);
  },
  async aliasErrors() {
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'noprefix', keyId: key.keyId })), 'InvalidParameter', 400);
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/bad name', keyId: key.keyId })), 'InvalidParameter', 400);
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/acs/mine', keyId: key.keyId })), 'Forbidden.NoPermission', 403);
    await c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/dup', keyId: key.keyId }));
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/dup', keyId: key.keyId })), 'EntityAlreadyExists.Alias', 409);
    await rejects(c.deleteAlias(new Kms.DeleteAliasRequest({ aliasName: 'alias/none' })), 'Forbidden.AliasNotFound', 404);
    await rejects(c.updateAlias(new Kms.UpdateAliasRequest({ aliasName: 'alias/none', keyId: key.keyId })), 'Forbidden.AliasNotFound', 404);
    await rejects(describe('alias/none'), 'Forbidden.AliasNotFound', 404);
  },

  // --- unknown keys, contexts, regions ---
  async unknownKey() {
    await rejects(describe('00000000-0000-4000-8000-000000000000'), 'Forbidden.KeyNotFound', 404);
    await rejects(encrypt('00000000-0000-4000-8000-000000000000'), 'Forbidden.KeyNotFound', 404);
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/x', keyId: 'nope' })), 'Forbidden.KeyNotFound', 404);
    await rejects(c.describeKeyVersion(new Kms.DescribeKeyVersionRequest({ keyId: key.keyId,
      keyVersionId: '00000000-0000-4000-8000-000000000000' })), 'Forbidden.ResourceNotFound', 404);
  },
  async wrongContext() {
    const g = await gdk({ keyId: key.keyId, encryptionContext: { disk: 'd-1' } });
    for (const ctx of [{ disk: 'd-2' }, { disk: 'd-1', extra: 'x' }, {}, { Disk: 'd-1' }])
      await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: g.ciphertextBlob, encryptionContext: ctx })),
        'InvalidParameter.EncryptionContext', 400);
    const ok = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: g.ciphertextBlob, encryptionContext: { disk: 'd-1' } }));
    assert.strictEqual(ok.plaintext, g.plaintext);
  },
  async crossRegion() {
    const g = await gdk({ keyId: key.keyId });
    await rejects(call(c, 'Decrypt', { CiphertextBlob: g.ciphertextBlob, RegionId: 'cn-shanghai' }), 'Forbidden.KeyNotFound', 404);
    await rejects(call(c, 'DescribeKey', { KeyId: key.keyId, RegionId: 'cn-shanghai' }), 'Forbidden.KeyNotFound', 404);
    await rejects(call(c, 'DescribeKey', { KeyId: key.arn, RegionId: 'cn-shanghai' }), 'Forbidden.KeyNotFound', 404);
    // The service key of another region does not open this region's blobs.
    const s = await gdk({ keyId: 'alias/acs/ecs' });
    await rejects(call(c, 'Decrypt', { CiphertextBlob: s.ciphertextBlob, RegionId: 'cn-beijing' }), 'Forbidden.KeyNotFound', 404);
  },

  // --- key states ---
  async disabledKey() {
    const k = (await c.createKey(new Kms.CreateKeyRequest({}))).keyMetadata;
    const blob = (await encrypt(k.keyId)).ciphertextBlob;
    await c.disableKey(new Kms.DisableKeyRequest({ keyId: k.keyId }));
    await rejects(encrypt(k.keyId), 'Rejected.Disabled', 409);
    await rejects(gdk({ keyId: k.keyId }), 'Rejected.Disabled', 409);
    await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob })), 'Rejected.Disabled', 409);
    await rejects(c.createKeyVersion(new Kms.CreateKeyVersionRequest({ keyId: k.keyId })), 'Rejected.Disabled', 409);
    await rejects(c.cancelKeyDeletion(new Kms.CancelKeyDeletionRequest({ keyId: k.keyId })), 'Rejected.StateModifiedFailed', 409);
  },
  async pendingDeletionKey() {
    const k = (await c.createKey(new Kms.CreateKeyRequest({}))).keyMetadata;
    const blob = (await encrypt(k.keyId)).ciphertextBlob;
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: k.keyId, pendingWindowInDays: 7 }));
    await rejects(encrypt(k.keyId), 'Rejected.PendingDeletion', 409);
    await rejects(c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob })), 'Rejected.PendingDeletion', 409);
    await rejects(c.enableKey(new Kms.EnableKeyRequest({ keyId: k.keyId })), 'Rejected.PendingDeletion', 409);
    await rejects(c.disableKey(new Kms.DisableKeyRequest({ keyId: k.keyId })), 'Rejected.PendingDeletion', 409);
    await rejects(c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: k.keyId, pendingWindowInDays: 8 })),
      'Rejected.PendingDeletion', 409);
  },
  async pendingImportKey() {
    const k = (await c.createKey(new Kms.CreateKeyRequest({ origin: 'EXTERNAL' }))).keyMetadata;
    assert.strictEqual(k.keyState, 'PendingImport');
    await rejects(gdk({ keyId: k.keyId }), 'Rejected.PendingImport', 409);
    await rejects(c.enableKey(new Kms.EnableKeyRequest({ keyId: k.keyId })), 'Rejected.PendingImport', 409);
    await rejects(c.createKeyVersion(new Kms.CreateKeyVersionRequest({ keyId: k.keyId })), 'UnsupportedOperation', 400);
    await rejects(c.updateRotationPolicy(new Kms.UpdateRotationPolicyRequest({ keyId: k.keyId,
      enableAutomaticRotation: true, rotationInterval: '7d' })), 'UnsupportedOperation', 400);
    await rejects(c.getParametersForImport(new Kms.GetParametersForImportRequest({ keyId: key.keyId,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' })), 'UnsupportedOperation', 400);
    await rejects(c.deleteKeyMaterial(new Kms.DeleteKeyMaterialRequest({ keyId: key.keyId })), 'UnsupportedOperation', 400);
  },
  async serviceKeyIsProtected() {
    const s = (await describe('alias/acs/ecs')).keyMetadata;
    await rejects(c.disableKey(new Kms.DisableKeyRequest({ keyId: 'alias/acs/ecs' })), 'Forbidden.NoPermission', 403);
    await rejects(c.disableKey(new Kms.DisableKeyRequest({ keyId: s.keyId })), 'Forbidden.NoPermission', 403);
    await rejects(c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: s.keyId, pendingWindowInDays: 7 })),
      'Forbidden.NoPermission', 403);
    await rejects(c.updateAlias(new Kms.UpdateAliasRequest({ aliasName: 'alias/acs/ecs', keyId: key.keyId })),
      'Forbidden.NoPermission', 403);
    await rejects(c.deleteAlias(new Kms.DeleteAliasRequest({ aliasName: 'alias/acs/ecs' })), 'Forbidden.NoPermission', 403);
    await rejects(c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/mine', keyId: s.keyId })),
      'Forbidden.NoPermission', 403);
    assert.strictEqual((await describe('alias/acs/ecs')).keyMetadata.keyState, 'Enabled');
  },
});
