// SPDX-License-Identifier: GPL-2.0
// State that must survive a restart or a kill -9.
//   persist.js write FILE     create keys, aliases, blobs; record them in FILE
//   persist.js check FILE     verify what FILE records
//   persist.js damaged FILE   the key FILE records as disabled has a stored
//                             state that is no key state: it alone fails
//   persist.js churn FILE     until the emulator dies: change state, and
//                             append each acknowledged change to FILE
//   persist.js verify FILE    every acknowledged change of churn is there
//   persist.js replay FILE    send the signed request saved in FILE (or
//                             sign and save one); print the answer's status
'use strict';
const fs = require('fs');
const RpcUtil = require('@alicloud/rpc-util').default;
const { Kms, client, admin, call, advanceClock, rejects, run, assert } = require('./kms');

const c = client();
const [mode, file] = process.argv.slice(2);
const describe = async (keyId) => (await c.describeKey(new Kms.DescribeKeyRequest({ keyId }))).keyMetadata;

const modes = {
  async write() {
    const k = (await c.createKey(new Kms.CreateKeyRequest({ description: 'survivor' }))).keyMetadata;
    await c.createAlias(new Kms.CreateAliasRequest({ aliasName: 'alias/survivor', keyId: k.keyId }));
    const v2 = (await c.createKeyVersion(new Kms.CreateKeyVersionRequest({ keyId: k.keyId }))).keyVersion;
    const g = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: 'alias/survivor',
      encryptionContext: { disk: 'd-1' } }));
    const d = (await c.createKey(new Kms.CreateKeyRequest({}))).keyMetadata;
    await c.disableKey(new Kms.DisableKeyRequest({ keyId: d.keyId }));
    const p = (await c.createKey(new Kms.CreateKeyRequest({}))).keyMetadata;
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: p.keyId, pendingWindowInDays: 30 }));
    const s = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: 'alias/acs/ecs' }));
    await advanceClock(86400);
    fs.writeFileSync(file, JSON.stringify({ k: k.keyId, v2: v2.keyVersionId, g, d: d.keyId, p: p.keyId, s }));
  },

  async check() {
    const st = JSON.parse(fs.readFileSync(file));
    const k = await describe('alias/survivor');
    assert.strictEqual(k.keyId, st.k);
    assert.strictEqual(k.keyState, 'Enabled');
    assert.strictEqual(k.primaryKeyVersion, st.v2);
    const dec = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: st.g.ciphertextBlob,
      encryptionContext: { disk: 'd-1' } }));
    assert.strictEqual(dec.plaintext, st.g.plaintext);
    assert.strictEqual((await describe(st.d)).keyState, 'Disabled');
    assert.strictEqual((await describe(st.p)).keyState, 'PendingDeletion');
    const s = await describe('alias/acs/ecs');
    assert.strictEqual(s.keyId, st.s.keyId, 'service key re-created');
    assert.strictEqual((await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: st.s.ciphertextBlob }))).plaintext,
      st.s.plaintext);
    const clock = await advanceClock(0);
    assert.strictEqual(clock.ClockOffset, 86400, 'clock offset lost');
  },

  async damaged() {
    const st = JSON.parse(fs.readFileSync(file));
    await rejects(describe(st.d), 'InternalFailure', 500);
    assert.strictEqual((await describe(st.k)).keyState, 'Enabled');
    const keys = (await c.listKeys(new Kms.ListKeysRequest({ pageSize: 100 }))).keys.key.map((k) => k.keyId);
    assert.ok(keys.includes(st.k) && keys.includes(st.d), `ListKeys: ${keys}`);
  },

  async churn() {
    for (let i = 0; ; i++) {
      let line;
      try {
        const k = (await c.createKey(new Kms.CreateKeyRequest({ description: `churn-${i}` }))).keyMetadata;
        const blob = (await c.encrypt(new Kms.EncryptRequest({ keyId: k.keyId, plaintext: `p-${i}` }))).ciphertextBlob;
        line = { keyId: k.keyId, blob, plaintext: `p-${i}`, state: 'Enabled' };
        fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
        if (i % 2) {
          await c.disableKey(new Kms.DisableKeyRequest({ keyId: k.keyId }));
          fs.appendFileSync(file, `${JSON.stringify({ ...line, state: 'Disabled' })}\n`);
        }
      } catch (e) {
        if (!e.data) {	// the emulator is gone
          console.log(`churn stopped after ${i} keys: ${e.code || e.message}`);
          return;
        }
        throw e;
      }
    }
  },

  async replay() {
    if (!fs.existsSync(file)) {
      const p = { Action: 'DescribeRegions', Format: 'JSON', Version: '2016-01-20',
        AccessKeyId: process.env.KMS_AK, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
        SignatureNonce: `replay-${Date.now()}`, Timestamp: RpcUtil.getTimestamp() };
      p.Signature = RpcUtil.getSignatureV1(p, 'GET', process.env.KMS_SECRET);
      fs.writeFileSync(file, `/?${new URLSearchParams(p)}`);
    }
    const res = await fetch(`${process.env.KMS_ENDPOINT}${fs.readFileSync(file, 'utf8')}`);
    const body = await res.json();
    console.log(`replay: ${res.status} ${body.Code || 'OK'}`);
  },

  async verify() {
    const last = new Map();
    for (const l of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const x = JSON.parse(l);
      last.set(x.keyId, x);
    }
    assert.ok(last.size >= 5, `only ${last.size} keys were acknowledged before the kill`);
    for (const x of last.values()) {
      const m = await describe(x.keyId);
      // A change may have been applied but not acknowledged: never the reverse.
      if (x.state === 'Enabled')
        assert.ok(['Enabled', 'Disabled'].includes(m.keyState), m.keyState);
      else
        assert.strictEqual(m.keyState, 'Disabled');
      if (m.keyState === 'Enabled') {
        const d = await c.decrypt(new Kms.DecryptRequest({ ciphertextBlob: x.blob }));
        assert.strictEqual(d.plaintext, x.plaintext);
      }
    }
    console.log(`${last.size} acknowledged keys survived`);
  },
};

run({ [mode]: modes[mode] });
