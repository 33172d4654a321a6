// SPDX-License-Identifier: GPL-2.0
// Time-driven behaviour, moving the emulator's clock with AdvanceClock:
// end of the deletion window (crypto-shredding) and automatic rotation.
'use strict';
const { Kms, client, call, advanceClock, rejects, run, assert } = require('./kms');

const c = client();
const DAY = 86400;
const describe = async (keyId) => (await c.describeKey(new Kms.DescribeKeyRequest({ keyId }))).keyMetadata;
const encrypt = (keyId, plaintext) => c.encrypt(new Kms.EncryptRequest({ keyId, plaintext }));
const decrypt = (ciphertextBlob) => c.decrypt(new Kms.DecryptRequest({ ciphertextBlob }));

let doomed, doomedBlob, rotating, rotatingBlob, disabledRotating;

run({
  async setup() {
    doomed = (await c.createKey(new Kms.CreateKeyRequest({ description: 'doomed' }))).keyMetadata;
    doomedBlob = (await encrypt(doomed.keyId, 'shred me')).ciphertextBlob;
    await c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/doomed', keyId: doomed.keyId }));
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: doomed.keyId, pendingWindowInDays: 7 }));

    rotating = (await c.createKey(new Kms.CreateKeyRequest({ enableAutomaticRotation: true,
      rotationInterval: '7d' }))).keyMetadata;
    rotatingBlob = (await encrypt(rotating.keyId, 'version one')).ciphertextBlob;
    disabledRotating = (await c.createKey(new Kms.CreateKeyRequest({ enableAutomaticRotation: true,
      rotationInterval: '7d' }))).keyMetadata;
    await c.disableKey(new Kms.DisableKeyRequest({ keyId: disabledRotating.keyId }));
  },

  async withinTheWindowNothingHappens() {
    const r = await advanceClock(6 * DAY);
    assert.ok(r.ClockOffset >= 6 * DAY);
    assert.strictEqual((await describe(doomed.keyId)).keyState, 'PendingDeletion');
    assert.strictEqual((await describe(rotating.keyId)).primaryKeyVersion, rotating.primaryKeyVersion);
  },

  async afterTheWindowTheKeyIsGone() {
    await advanceClock(1 * DAY + 60);
    await rejects(describe(doomed.keyId), 'Forbidden.KeyNotFound', 404);
    await rejects(decrypt(doomedBlob), 'Forbidden.KeyNotFound', 404);
    await rejects(describe('alias/doomed'), 'Forbidden.AliasNotFound', 404);
    const keys = await c.listKeys(new Kms.ListKeysRequest({ pageSize: 100 }));
    assert.ok(!keys.keys.key.some((k) => k.keyId === doomed.keyId), 'destroyed key still listed');
    await rejects(c.cancelKeyDeletion(new Kms.CancelKeyDeletionRequest({ keyId: doomed.keyId })),
      'Forbidden.KeyNotFound', 404);
  },

  async rotatedAfterTheInterval() {
    const m = await describe(rotating.keyId);
    assert.notStrictEqual(m.primaryKeyVersion, rotating.primaryKeyVersion, 'no rotation after 7 days');
    const e = await encrypt(rotating.keyId, 'version two');
    assert.strictEqual(e.keyVersionId, m.primaryKeyVersion);
    const old = await decrypt(rotatingBlob);
    assert.strictEqual(old.plaintext, 'version one');
    assert.strictEqual(old.keyVersionId, rotating.primaryKeyVersion);
    assert.strictEqual((await decrypt(e.ciphertextBlob)).plaintext, 'version two');
    assert.strictEqual(Date.parse(m.nextRotationDate) - Date.parse(m.lastRotationDate), 7 * DAY * 1000);
  },

  async oneVersionPerInterval() {
    await advanceClock(15 * DAY);
    const l = await c.listKeyVersions(new Kms.ListKeyVersionsRequest({ keyId: rotating.keyId }));
    assert.strictEqual(l.totalCount, 4);
    const dates = l.keyVersions.keyVersion.map((v) => Date.parse(v.creationDate));
    for (let i = 1; i < dates.length; i++)
      assert.strictEqual(dates[i] - dates[i - 1], 7 * DAY * 1000);
    assert.strictEqual((await decrypt(rotatingBlob)).plaintext, 'version one');
  },

  async disabledKeysDoNotRotate() {
    const l = await c.listKeyVersions(new Kms.ListKeyVersionsRequest({ keyId: disabledRotating.keyId }));
    assert.strictEqual(l.totalCount, 1);
  },

  async clockOffsetIsReported() {
    const r = await advanceClock(0);
    assert.strictEqual(r.ClockOffset, 6 * DAY + DAY + 60 + 15 * DAY);
    assert.ok(Math.abs(Date.parse(r.Now) / 1000 - (Date.now() / 1000 + r.ClockOffset)) < 5);
  },
});
