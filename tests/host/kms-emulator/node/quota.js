// SPDX-License-Identifier: GPL-2.0
// --max-keys: customer keys per region; the service key does not count.
'use strict';
const { Kms, client, call, rejects, run, assert } = require('./kms');

const c = client();
const max = Number(process.argv[2]);

run({
  async quotaPerRegion() {
    for (let i = 0; i < max; i++)
      await c.createKey(new Kms.CreateKeyRequest({}));
    await rejects(c.createKey(new Kms.CreateKeyRequest({})), 'Rejected.LimitExceeded', 409);
    await rejects(c.createKey(new Kms.CreateKeyRequest({ origin: 'EXTERNAL' })), 'Rejected.LimitExceeded', 409);
    // The service key is created beyond the quota.
    const s = await c.generateDataKey(new Kms.GenerateDataKeyRequest({ keyId: 'alias/acs/ecs' }));
    assert.ok(s.keyId);
    // Other regions have their own quota.
    await call(c, 'CreateKey', { RegionId: 'cn-shanghai' });
  },
  async pendingDeletionKeysStillCount() {
    const l = await c.listKeys(new Kms.ListKeysRequest({}));
    const service = (await c.describeKey(new Kms.DescribeKeyRequest({ keyId: 'alias/acs/ecs' }))).keyMetadata.keyId;
    assert.strictEqual(l.totalCount, max + 1);
    const victim = l.keys.key.find((k) => k.keyId !== service).keyId;
    await c.scheduleKeyDeletion(new Kms.ScheduleKeyDeletionRequest({ keyId: victim, pendingWindowInDays: 7 }));
    await rejects(c.createKey(new Kms.CreateKeyRequest({})), 'Rejected.LimitExceeded', 409);
  },
});
