// SPDX-License-Identifier: GPL-2.0
// Every KMS action of the emulator, happy path, through the official SDK.
'use strict';
const { Kms, client, admin, call, run, assert } = require('./kms');

const c = client();
let key;		// a customer key shared by the tests below

async function newKey(desc = 'test key') {
  const r = await c.createKey(new Kms.CreateKeyRequest({ description: desc }));
  return r.keyMetadata;
}

async function state(keyId) {
  const r = await c.describeKey(new Kms.DescribeKeyRequest({ keyId }));
  return r.keyMetadata.keyState;
}

run({
  async createKey() {
    key = await newKey('first');
    assert.match(key.keyId, /^[0-9a-f-]{36}$/);
    assert.strictEqual(key.keyState, 'Enabled');
    assert.strictEqual(key.origin, 'Aliyun_KMS');
    assert.strictEqual(key.keySpec, 'Aliyun_AES_256');
    assert.strictEqual(key.keyUsage, 'ENCRYPT/DECRYPT');
    assert.strictEqual(key.creator, process.env.KMS_AK);
    assert.match(key.arn, /^acs:kms:cn-hangzhou:\d+:key\//);
    assert.match(key.creationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(key.primaryKeyVersion);
  },

  async describeKey() {
    const r = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }));
    assert.ok(r.requestId);
    assert.strictEqual(r.keyMetadata.keyId, key.keyId);
    assert.strictEqual(r.keyMetadata.description, 'first');
    const byArn = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.arn }));
    assert.strictEqual(byArn.keyMetadata.keyId, key.keyId);
  },

  async updateKeyDescription() {
    await c.updateKeyDescription(new Kms.UpdateKeyDescriptionRequest({
      keyId: key.keyId, description: 'renamed ✓' }));
    const r = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }));
    assert.strictEqual(r.keyMetadata.description, 'renamed ✓');
  },

  async listKeys() {
    const more = [await newKey(), await newKey()];
    const all = new Set();
    for (let page = 1; page <= 2; page++) {
      const r = await c.listKeys(new Kms.ListKeysRequest({ pageNumber: page, pageSize: 2 }));
      assert.strictEqual(r.totalCount, 3);
      assert.strictEqual(r.pageNumber, page);
      assert.strictEqual(r.pageSize, 2);
      for (const k of r.keys.key) {
        assert.match(k.keyArn, /^acs:kms:/);
        all.add(k.keyId);
      }
    }
    assert.deepStrictEqual([...all].sort(), [key.keyId, ...more.map((k) => k.keyId)].sort());
    const past = await c.listKeys(new Kms.ListKeysRequest({ pageNumber: 9, pageSize: 2 }));
    assert.strictEqual(past.totalCount, 3);
    assert.deepStrictEqual(past.keys.key, []);
  },

  async disableEnableKey() {
    await c.disableKey(new Kms.DisableKeyRequest({ keyId: key.keyId }));
    assert.strictEqual(await state(key.keyId), 'Disabled');
    await c.enableKey(new Kms.EnableKeyRequest({ keyId: key.keyId }));
    assert.strictEqual(await state(key.keyId), 'Enabled');
  },

  async scheduleAndCancelDeletion() {
    const k = await newKey();
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: k.keyId, pendingWindowInDays: 7 }));
    const d = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: k.keyId }));
    assert.strictEqual(d.keyMetadata.keyState, 'PendingDeletion');
    const days = (Date.parse(d.keyMetadata.deleteDate) - Date.now()) / 86400e3;
    assert.ok(days > 6.9 && days < 7.1, `deleteDate ${d.keyMetadata.deleteDate}`);
    await c.cancelKeyDeletion(new Kms.CancelKeyDeletionRequest({ keyId: k.keyId }));
    assert.strictEqual(await state(k.keyId), 'Enabled');
    // A disabled key returns to Disabled.
    await c.disableKey(new Kms.DisableKeyRequest({ keyId: k.keyId }));
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: k.keyId, pendingWindowInDays: 366 }));
    await c.cancelKeyDeletion(new Kms.CancelKeyDeletionRequest({ keyId: k.keyId }));
    assert.strictEqual(await state(k.keyId), 'Disabled');
  },

  async generateDataKey() {
    const r = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: key.keyId }));
    assert.strictEqual(Buffer.from(r.plaintext, 'base64').length, 32);
    assert.strictEqual(r.keyId, key.keyId);
    assert.strictEqual(r.keyVersionId, key.primaryKeyVersion);
    const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: r.ciphertextBlob }));
    assert.strictEqual(d.plaintext, r.plaintext);
    assert.strictEqual(d.keyId, key.keyId);
    assert.strictEqual(d.keyVersionId, key.primaryKeyVersion);
    const r2 = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: key.keyId }));
    assert.notStrictEqual(r2.plaintext, r.plaintext);
  },

  async generateDataKeySizes() {
    const cases = [[{ keySpec: 'AES_128' }, 16], [{ keySpec: 'AES_256' }, 32],
      [{ numberOfBytes: 1 }, 1], [{ numberOfBytes: 1024 }, 1024]];
    for (const [opts, len] of cases) {
      const r = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: key.keyId, ...opts }));
      assert.strictEqual(Buffer.from(r.plaintext, 'base64').length, len, JSON.stringify(opts));
    }
  },

  async generateDataKeyWithoutPlaintext() {
    const r = await c.generateDataKeyWithoutPlaintext(new Kms.GenerateDataKeyWithoutPlaintextRequest({
      keyId: key.keyId, keySpec: 'AES_128', encryptionContext: { disk: 'd-1' } }));
    assert.strictEqual(r.plaintext, undefined);
    assert.ok(r.ciphertextBlob);
    const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: r.ciphertextBlob,
      encryptionContext: { disk: 'd-1' } }));
    assert.strictEqual(Buffer.from(d.plaintext, 'base64').length, 16);
  },

  async encryptDecrypt() {
    const text = 'hello, KMS: ünïcode & symbols +/=*~';
    const e = await c.encrypt(new Kms.EncryptRequest({ keyId: key.keyId, plaintext: text,
      encryptionContext: { a: '1', b: 'two' } }));
    assert.strictEqual(e.keyId, key.keyId);
    const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: e.ciphertextBlob,
      encryptionContext: { b: 'two', a: '1' } }));
    assert.strictEqual(d.plaintext, text);
  },

  async encryptionContextJsonOrFlattened() {
    // The SDK flattens maps (EncryptionContext.k=v); send the JSON form too.
    const e = await call(c, 'Encrypt', { KeyId: key.keyId, Plaintext: 'ctx',
      EncryptionContext: JSON.stringify({ disk: 'd-9', lineage: 'L1' }) });
    const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: e.CiphertextBlob,
      encryptionContext: { lineage: 'L1', disk: 'd-9' } }));
    assert.strictEqual(d.plaintext, 'ctx');
  },

  async reEncrypt() {
    const dst = await newKey('destination');
    const e = await c.encrypt(new Kms.EncryptRequest({ keyId: key.keyId, plaintext: 'move me',
      encryptionContext: { from: 'a' } }));
    const r = await call(c, 'ReEncrypt', { CiphertextBlob: e.ciphertextBlob,
      DestinationKeyId: dst.keyId, 'SourceEncryptionContext.from': 'a',
      DestinationEncryptionContext: JSON.stringify({ to: 'b' }) });
    assert.strictEqual(r.KeyId, dst.keyId);
    assert.strictEqual(r.SourceKeyId, key.keyId);
    const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: r.CiphertextBlob,
      encryptionContext: { to: 'b' } }));
    assert.strictEqual(d.plaintext, 'move me');
    assert.strictEqual(d.keyId, dst.keyId);
  },

  async aliases() {
    await c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/disk-key', keyId: key.keyId }));
    const g = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: 'alias/disk-key' }));
    assert.strictEqual(g.keyId, key.keyId);
    const other = await newKey('other');
    await c.updateAlias(new Kms.UpdateAliasRequest({ aliasName: 'alias/disk-key', keyId: other.keyId }));
    const d = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: 'alias/disk-key' }));
    assert.strictEqual(d.keyMetadata.keyId, other.keyId);
    await c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/second', keyId: other.keyId }));
    const list = await c.listAliases(new Kms.ListAliasesRequest({}));
    const names = list.aliases.alias.map((a) => a.aliasName);
    assert.ok(names.includes('alias/disk-key') && names.includes('alias/second'), names.join());
    const byKey = await c.listAliasesByKeyId(new Kms.ListAliasesByKeyIdRequest({ keyId: other.keyId }));
    assert.deepStrictEqual(byKey.aliases.alias.map((a) => a.aliasName).sort(),
      ['alias/disk-key', 'alias/second']);
    assert.strictEqual(byKey.totalCount, 2);
    assert.match(byKey.aliases.alias[0].aliasArn, /^acs:kms:cn-hangzhou:\d+:alias\//);
    await c.deleteAlias(new Kms.DeleteAliasRequest({ aliasName: 'alias/second' }));
    const after = await c.listAliasesByKeyId(new Kms.ListAliasesByKeyIdRequest({ keyId: other.keyId }));
    assert.deepStrictEqual(after.aliases.alias.map((a) => a.aliasName), ['alias/disk-key']);
  },

  async keyVersions() {
    const k = await newKey('versions');
    const blob1 = (await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: 'v1' }))).ciphertextBlob;
    const v = await c.createKeyVersion(new Kms.CreateKeyVersionRequest({ keyId: k.keyId }));
    assert.notStrictEqual(v.keyVersion.keyVersionId, k.primaryKeyVersion);
    const d = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: k.keyId }));
    assert.strictEqual(d.keyMetadata.primaryKeyVersion, v.keyVersion.keyVersionId);
    const e2 = await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: 'v2' }));
    assert.strictEqual(e2.keyVersionId, v.keyVersion.keyVersionId);
    const old = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: blob1 }));
    assert.strictEqual(old.plaintext, 'v1');
    assert.strictEqual(old.keyVersionId, k.primaryKeyVersion);
    const l = await c.listKeyVersions(new Kms.ListKeyVersionsRequest({ keyId: k.keyId }));
    assert.strictEqual(l.totalCount, 2);
    assert.deepStrictEqual(l.keyVersions.keyVersion.map((x) => x.keyVersionId),
      [k.primaryKeyVersion, v.keyVersion.keyVersionId]);
    const dv = await c.describeKeyVersion(new Kms.DescribeKeyVersionRequest({
      keyId: k.keyId, keyVersionId: k.primaryKeyVersion }));
    assert.strictEqual(dv.keyVersion.keyVersionId, k.primaryKeyVersion);
    assert.strictEqual(dv.keyVersion.keyId, k.keyId);
  },

  async updateRotationPolicy() {
    await c.updateRotationPolicy(new Kms.UpdateRotationPolicyRequest({
      keyId: key.keyId, enableAutomaticRotation: true, rotationInterval: '604800s' }));
    let d = (await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }))).keyMetadata;
    assert.strictEqual(d.automaticRotation, 'Enabled');
    assert.strictEqual(d.rotationInterval, '604800s');
    assert.ok(d.nextRotationDate);
    await c.updateRotationPolicy(new Kms.UpdateRotationPolicyRequest({
      keyId: key.keyId, enableAutomaticRotation: false }));
    d = (await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }))).keyMetadata;
    assert.strictEqual(d.automaticRotation, 'Disabled');
    const k = await c.createKey(new Kms.CreateKeyRequest({ enableAutomaticRotation: true, rotationInterval: '30d' }));
    assert.strictEqual(k.keyMetadata.automaticRotation, 'Enabled');
    assert.strictEqual(k.keyMetadata.rotationInterval, '2592000s');
  },

  async describeRegions() {
    const r = await c.describeRegions();
    const ids = r.regions.region.map((x) => x.regionId);
    assert.ok(ids.includes('cn-hangzhou') && ids.includes('cn-shanghai'), ids.join());
  },

  async serviceKey() {
    const g = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: 'alias/acs/ecs' }));
    const d = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: 'alias/acs/ecs' }));
    assert.strictEqual(d.keyMetadata.keyId, g.keyId);
    assert.strictEqual(d.keyMetadata.creator, 'Ecs');
    const again = await c.describeKey(new Kms.DescribeKeyRequest({ keyId: 'alias/acs/ecs' }));
    assert.strictEqual(again.keyMetadata.keyId, g.keyId, 'service key created twice');
    // One per region.
    const sh = await call(c, 'DescribeKey', { KeyId: 'alias/acs/ecs', RegionId: 'cn-shanghai' });
    assert.notStrictEqual(sh.KeyMetadata.KeyId, g.keyId);
    assert.match(sh.KeyMetadata.Arn, /^acs:kms:cn-shanghai:/);
  },

  async regionsAreSeparate() {
    const k = await call(c, 'CreateKey', { RegionId: 'cn-beijing' });
    const l = await call(c, 'ListKeys', { RegionId: 'cn-beijing' });
    assert.deepStrictEqual(l.Keys.Key.map((x) => x.KeyId), [k.KeyMetadata.KeyId]);
    const e = await call(c, 'Encrypt', { RegionId: 'cn-beijing', KeyId: k.KeyMetadata.KeyId, Plaintext: 'bj' });
    const d = await call(c, 'Decrypt', { RegionId: 'cn-beijing', CiphertextBlob: e.CiphertextBlob });
    assert.strictEqual(d.Plaintext, 'bj');
  },

  async metering() {
    const before = await call(admin(), 'DescribeMetering');
    const count = (m, action, region = 'cn-hangzhou') => (m.Metering.find((x) =>
      x.Action === action && x.AccessKeyId === process.env.KMS_AK && x.RegionId === region) || { Count: 0 }).Count;
    await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }));
    await c.describeKey(new Kms.DescribeKeyRequest({ keyId: key.keyId }));
    const after = await call(admin(), 'DescribeMetering');
    assert.strictEqual(count(after, 'DescribeKey'), count(before, 'DescribeKey') + 2);
    assert.strictEqual(count(after, 'CreateKey'), 8, JSON.stringify(after));
    assert.strictEqual(count(after, 'CreateKey', 'cn-beijing'), 1);
    assert.ok(after.TotalCount > before.TotalCount);
  },
});
