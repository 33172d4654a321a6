// SPDX-License-Identifier: GPL-2.0
// ecs-api through the official SDK, against agents on the host (local
// backend, no kernel): every action but a successful attach, each
// refusal with its Code and HTTP status, both signature versions, and
// requests that must change nothing.
'use strict';
const { Ecs, ecs, kms, sleep, disk, waitDisk, waitSnapshot, snapshot, rejects,
  run, REGION, assert } = require('./common');
const { signed, query, send } = require('./raw');
const Util = require('@alicloud/tea-util');

// KMS actions in a region: this KMS SDK sends no RegionId of its own.
const kmsCall = async (k, action, q) =>
  k.doRequest(action, 'HTTP', 'POST', '2016-01-20', 'AK', q, null, new Util.RuntimeOptions({}));

const c = ecs();
const v1 = ecs({ v1: true });
const other = ecs({ ak: process.env.ECS_AK_B, secret: process.env.ECS_SECRET_B });
const SH = 'cn-shanghai';
const st = {};

const createDisk = (p, client = c) => client.createDisk(new Ecs.CreateDiskRequest({
  regionId: REGION, diskCategory: 'cloud_ssd', size: 1, ...p }));
const describe = (p = {}, client = c) => client.describeDisks(
  new Ecs.DescribeDisksRequest({ regionId: REGION, ...p }));
const diskIds = async () => (await describe({ pageSize: 100 })).body.disks.disk.map((d) => d.diskId).sort();

run({
  'DescribeRegions lists the served regions': async () => {
    const r = await c.describeRegions(new Ecs.DescribeRegionsRequest({}));
    assert.deepStrictEqual(r.body.regions.region.map((x) => x.regionId), [REGION, SH]);
  },
  'DescribeInstances: the linked agent is Running, the other Stopped': async () => {
    const r = await c.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION }));
    const byId = Object.fromEntries(r.body.instances.instance.map((i) => [i.instanceId, i.status]));
    assert.strictEqual(byId['i-host1'], 'Running');
    assert.strictEqual(byId['i-quiet'], 'Stopped');
    assert.strictEqual(byId['i-otheracct'], undefined, 'another account\'s instance is listed');
  },
  'CreateDisk with the service key: Creating -> Available, at once': async () => {
    const t0 = Date.now();
    const r = await createDisk({ encrypted: true, diskName: 'svc', description: 'first' });
    assert.match(r.body.diskId, /^d-[a-z0-9]{20}$/);
    const { disk: d, seen } = await waitDisk(c, r.body.diskId, 'Available');
    assert.ok(Date.now() - t0 < 3000, 'slow');
    assert.ok(seen[0] === 'Creating' || seen[0] === 'Available', seen.join());
    assert.strictEqual(d.encrypted, true);
    assert.strictEqual(d.size, 1);
    assert.strictEqual(d.diskName, 'svc');
    assert.ok(d.KMSKeyId, 'no KMSKeyId');
    st.svc = d;
  },
  'CreateDisk with a BYOK CMK (v1 signature)': async () => {
    const k = await kms().createKey(new (require('./common').Kms.CreateKeyRequest)({}));
    st.cmk = k.keyMetadata.keyId;
    const r = await createDisk({ encrypted: true, KMSKeyId: st.cmk }, v1);
    const { disk: d } = await waitDisk(v1, r.body.diskId, 'Available');
    assert.strictEqual(d.KMSKeyId, st.cmk);
    st.byok = d;
  },
  'CreateDisk refusals, each with its Code and HTTP status, nothing made': async () => {
    const before = await diskIds();
    await rejects(createDisk({ KMSKeyId: st.cmk }), 'InvalidParameter.EncryptedIllegal', 400);
    await rejects(createDisk({ encrypted: true, diskCategory: 'ephemeral_ssd' }),
      'InvalidParameter.EncryptedNotSupported', 403);
    await rejects(createDisk({ diskCategory: 'floppy' }), 'InvalidDiskCategory.ValueNotSupported', 400);
    await rejects(createDisk({ encrypted: true, KMSKeyId: 'no-such-key' }),
      'InvalidParameter.KMSKeyId.NotFound', 404);
    await rejects(createDisk({ size: undefined }), 'MissingParameter', 400);
    await rejects(createDisk({ size: 0 }), 'InvalidDiskSize.TooSmall', 403);
    await rejects(createDisk({ snapshotId: 's-nosuchsnapshot' }), 'InvalidSnapshotId.NotFound', 404);
    await rejects(createDisk({ regionId: 'eu-nowhere' }), 'InvalidRegionId.NotFound', 404);
    await rejects(createDisk({ instanceId: 'i-nosuch' }), 'InvalidInstanceId.NotFound', 404);
    assert.deepStrictEqual(await diskIds(), before);
  },
  'a disabled CMK is refused': async () => {
    const K = require('./common').Kms;
    const k = await kms().createKey(new K.CreateKeyRequest({}));
    await kms().disableKey(new K.DisableKeyRequest({ keyId: k.keyMetadata.keyId }));
    await rejects(createDisk({ encrypted: true, KMSKeyId: k.keyMetadata.keyId }),
      'InvalidParameter.KMSKeyId.CMKNotEnabled', 403);
  },
  'ClientToken: same parameters, same disk; others, IdempotentParameterMismatch': async () => {
    const a = await createDisk({ encrypted: true, clientToken: 'tok-1' });
    const b = await createDisk({ encrypted: true, clientToken: 'tok-1' });
    assert.strictEqual(a.body.diskId, b.body.diskId);
    await rejects(createDisk({ encrypted: true, size: 2, clientToken: 'tok-1' }),
      'IdempotentParameterMismatch', 400);
    await waitDisk(c, a.body.diskId, 'Available');
    st.tokenDisk = a.body.diskId;
  },
  'another account\'s disk does not exist for it': async () => {
    await rejects(other.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: st.svc.diskId })),
      'IncorrectDiskStatus', 403).catch(() => {});
    const r = await describe({ diskIds: JSON.stringify([st.svc.diskId]) }, other);
    assert.strictEqual(r.body.totalCount, 0);
    await rejects(other.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-host1' })),
      'InvalidDiskId.NotFound', 404);
    await rejects(other.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: st.svc.diskId })),
      'InvalidDiskId.NotFound', 404);
    assert.strictEqual((await disk(c, st.svc.diskId)).status, 'Available');
  },
  'DescribeDisks filters and pages': async () => {
    const all = await describe({ pageSize: 100 });
    assert.ok(all.body.totalCount >= 3);
    const enc = await describe({ encrypted: true, KMSKeyId: st.cmk });
    assert.deepStrictEqual(enc.body.disks.disk.map((d) => d.diskId), [st.byok.diskId]);
    const p1 = await describe({ maxResults: 1 });
    assert.strictEqual(p1.body.disks.disk.length, 1);
    assert.ok(p1.body.nextToken);
    const p2 = await describe({ maxResults: 1, nextToken: p1.body.nextToken });
    assert.notStrictEqual(p2.body.disks.disk[0].diskId, p1.body.disks.disk[0].diskId);
    const pg = await describe({ pageNumber: 2, pageSize: 1 });
    assert.strictEqual(pg.body.disks.disk[0].diskId, p2.body.disks.disk[0].diskId);
    const avail = await describe({ status: 'In_use' });
    assert.strictEqual(avail.body.totalCount, 0);
  },
  'AttachDisk refusals: unknown and Stopped instances, other host': async () => {
    await rejects(c.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-nosuch' })),
      'InvalidInstanceId.NotFound', 404);
    await rejects(c.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-quiet' })),
      'IncorrectInstanceStatus', 403);
    await rejects(c.attachDisk(new Ecs.AttachDiskRequest({ diskId: 'd-nosuch', instanceId: 'i-host1' })),
      'InvalidDiskId.NotFound', 404);
    await rejects(c.detachDisk(new Ecs.DetachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-host1' })),
      'InvalidDisk.AlreadyDetached', 404);
  },
  'AttachDisk on a host without device-mapper: Attaching, then Available again': async () => {
    const t0 = Date.now();
    const r = await c.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-host1' }));
    assert.ok(r.body.requestId);
    assert.deepStrictEqual(Object.keys(r.body), ['requestId']);
    const { seen } = await waitDisk(c, st.svc.diskId, 'Available');
    assert.ok(Date.now() - t0 < 5000);
    assert.ok(seen.length >= 1, seen.join());
  },
  'CreateSnapshot: progressing -> accomplished; ClientToken': async () => {
    const r = await c.createSnapshot(new Ecs.CreateSnapshotRequest({
      diskId: st.byok.diskId, snapshotName: 'snap1', clientToken: 'snap-tok' }));
    const again = await c.createSnapshot(new Ecs.CreateSnapshotRequest({
      diskId: st.byok.diskId, snapshotName: 'snap1', clientToken: 'snap-tok' }));
    assert.strictEqual(again.body.snapshotId, r.body.snapshotId);
    const { snapshot: s, seen } = await waitSnapshot(c, r.body.snapshotId, 'accomplished');
    assert.strictEqual(s.progress, '100%');
    assert.strictEqual(s.KMSKeyId, st.cmk);
    assert.strictEqual(s.encrypted, true);
    assert.strictEqual(s.sourceDiskId, st.byok.diskId);
    st.snap = s;
    console.log(`     snapshot states: ${seen.join(' -> ')}`);
  },
  'a disk from the snapshot inherits its key': async () => {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, snapshotId: st.snap.snapshotId }));
    const { disk: d } = await waitDisk(c, r.body.diskId, 'Available');
    assert.strictEqual(d.KMSKeyId, st.cmk);
    assert.strictEqual(d.encrypted, true);
    assert.strictEqual(d.sourceSnapshotId, st.snap.snapshotId);
    st.fromSnap = d;
  },
  'ResetDisk and ReInitDisk pass through their states back to Available': async () => {
    await c.resetDisk(new Ecs.ResetDiskRequest({ diskId: st.byok.diskId, snapshotId: st.snap.snapshotId }));
    await waitDisk(c, st.byok.diskId, 'Available');
    await c.reInitDisk(new Ecs.ReInitDiskRequest({ diskId: st.byok.diskId }));
    await waitDisk(c, st.byok.diskId, 'Available');
    await rejects(c.resetDisk(new Ecs.ResetDiskRequest({ diskId: st.svc.diskId, snapshotId: st.snap.snapshotId })),
      'OperationDenied', 403);
  },
  'DeleteSnapshot of a snapshot that made disks needs Force': async () => {
    await rejects(c.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: st.snap.snapshotId })),
      'SnapshotCreatedDisk', 403);
  },
  'CopySnapshot into another region, with another key': async () => {
    const k = await kmsCall(kms(), 'CreateKey', { RegionId: SH });
    k.keyMetadata = { keyId: k.KeyMetadata.KeyId };
    const r = await c.copySnapshot(new Ecs.CopySnapshotRequest({ regionId: REGION,
      snapshotId: st.snap.snapshotId, destinationRegionId: SH, encrypted: true,
      KMSKeyId: k.keyMetadata.keyId, clientToken: 'copy-1' }));
    const { snapshot: s } = await waitSnapshot(c, r.body.snapshotId, 'accomplished', SH);
    assert.strictEqual(s.regionId, SH);
    assert.strictEqual(s.KMSKeyId, k.keyMetadata.keyId);
    await rejects(c.copySnapshot(new Ecs.CopySnapshotRequest({ regionId: REGION,
      snapshotId: st.snap.snapshotId, destinationRegionId: 'mars-1' })), 'InvalidRegionId.NotFound', 404);
    const d = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: SH, snapshotId: s.snapshotId }));
    const { disk: dd } = await waitDisk(c, d.body.diskId, 'Available', SH);
    assert.strictEqual(dd.KMSKeyId, k.keyMetadata.keyId);
  },
  'encryption by default: the six actions and CreateDisk': async () => {
    const R = { regionId: REGION };
    let s = await c.describeDiskEncryptionByDefaultStatus(new Ecs.DescribeDiskEncryptionByDefaultStatusRequest(R));
    assert.strictEqual(s.body.encrypted, false);
    await c.enableDiskEncryptionByDefault(new Ecs.EnableDiskEncryptionByDefaultRequest(R));
    await c.modifyDiskDefaultKMSKeyId(new Ecs.ModifyDiskDefaultKMSKeyIdRequest({ ...R, KMSKeyId: st.cmk }));
    const k = await c.describeDiskDefaultKMSKeyId(new Ecs.DescribeDiskDefaultKMSKeyIdRequest(R));
    assert.strictEqual(k.body.KMSKeyId, st.cmk);
    s = await c.describeDiskEncryptionByDefaultStatus(new Ecs.DescribeDiskEncryptionByDefaultStatusRequest(R));
    assert.strictEqual(s.body.encrypted, true);
    const d = await createDisk({});
    const { disk: dd } = await waitDisk(c, d.body.diskId, 'Available');
    assert.strictEqual(dd.encrypted, true);
    assert.strictEqual(dd.KMSKeyId, st.cmk);
    await rejects(createDisk({ encrypted: false }), 'InvalidEncrypted.NotMatchDiskDefaultEncryption', 403);
    await rejects(c.modifyDiskDefaultKMSKeyId(new Ecs.ModifyDiskDefaultKMSKeyIdRequest({ ...R, KMSKeyId: 'nope' })),
      'InvalidParameter.KMSKeyId.NotFound', 404);
    await c.resetDiskDefaultKMSKeyId(new Ecs.ResetDiskDefaultKMSKeyIdRequest(R));
    await c.disableDiskEncryptionByDefault(new Ecs.DisableDiskEncryptionByDefaultRequest(R));
    s = await c.describeDiskEncryptionByDefaultStatus(new Ecs.DescribeDiskEncryptionByDefaultStatusRequest(R));
    assert.strictEqual(s.body.encrypted, false);
    st.defaultDisk = dd.diskId;
  },
  'DeleteDisk: gone; a missing one succeeds': async () => {
    await c.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: st.defaultDisk }));
    await waitDisk(c, st.defaultDisk, 'gone');
    await c.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: 'd-neverexisted' }));
  },
  'DeleteSnapshot with Force': async () => {
    await c.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: st.snap.snapshotId, force: true }));
    for (let i = 0; i < 200 && await snapshot(c, st.snap.snapshotId); i++)
      await sleep(20);
    assert.strictEqual(await snapshot(c, st.snap.snapshotId), undefined);
  },
  'an unknown action gets ECS\'s answer': async () => {
    const r = await send(query(signed('RunInstances', { RegionId: REGION })));
    assert.strictEqual(r.status, 404);
    assert.strictEqual(r.body.Code, 'InvalidAction.NotFound');
  },
  'bad signatures, replays, stale and tampered requests: 4xx, nothing changed': async () => {
    const before = await diskIds();
    const create = { RegionId: REGION, Size: '1', DiskCategory: 'cloud_ssd' };
    let r = await send(query(signed('CreateDisk', create, { secret: 'wrong' })));
    assert.deepStrictEqual([r.status, r.body.Code], [400, 'SignatureDoesNotMatch']);
    const ok = signed('DescribeDisks', { RegionId: REGION });
    r = await send(query(ok));
    assert.strictEqual(r.status, 200);
    r = await send(query(ok));
    assert.deepStrictEqual([r.status, r.body.Code], [400, 'SignatureNonceUsed']);
    r = await send(query(signed('CreateDisk', create, { timestamp: '2020-01-01T00:00:00Z' })));
    assert.deepStrictEqual([r.status, r.body.Code], [400, 'InvalidTimeStamp.Expired']);
    const t = signed('CreateDisk', create);
    t.Size = '2';
    r = await send(query(t));
    assert.deepStrictEqual([r.status, r.body.Code], [400, 'SignatureDoesNotMatch']);
    r = await send(query(signed('CreateDisk', create, { ak: 'LTAInobody', secret: 'x' })));
    assert.deepStrictEqual([r.status, r.body.Code], [404, 'InvalidAccessKeyId.NotFound']);
    await rejects(ecs({ secret: 'wrong' }).describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION })),
      'SignatureDoesNotMatch', 400);
    assert.deepStrictEqual(await diskIds(), before);
  },
  'an instance key calls Agent* only; a user key never': async () => {
    const inst = { ak: process.env.INST_AK, secret: process.env.INST_SECRET };
    let r = await send(query(signed('DescribeDisks', { RegionId: REGION }, inst)));
    assert.deepStrictEqual([r.status, r.body.Code], [404, 'InvalidAction.NotFound']);
    r = await send(query(signed('AgentPoll', {})));
    assert.deepStrictEqual([r.status, r.body.Code], [404, 'InvalidAction.NotFound']);
    r = await send(query(signed('AgentReport', { TaskId: '1', Result: '{"ok":true}' })));
    assert.deepStrictEqual([r.status, r.body.Code], [404, 'InvalidAction.NotFound']);
  },
});
