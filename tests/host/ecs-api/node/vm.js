// SPDX-License-Identifier: GPL-2.0
// The story of tests/vm/ecs-api/run.sh: ecs-api through the official SDKs
// with instance i-vm1's agent in a VM that really attaches.  Each disk
// that reaches In_use is checked by the guest (VM_OUT/check-N): the
// device works and its store holds ciphertext only.
'use strict';
const fs = require('fs');
const path = require('path');
const Util = require('@alicloud/tea-util');
const { Ecs, Kms, ecs, kms, sleep, disk, waitDisk, waitSnapshot, rejects,
  run, REGION, assert } = require('./common');

const c = ecs();
const v1 = ecs({ v1: true });
const other = ecs({ ak: process.env.ECS_AK_B, secret: process.env.ECS_SECRET_B });
const OUT = process.env.VM_OUT;
const SH = 'cn-shanghai';
const VM = 'i-vm1';
const st = {};
let checks = 0;

const kmsCall = async (k, action, q) =>
  k.doRequest(action, 'HTTP', 'POST', '2016-01-20', 'AK', q, null, new Util.RuntimeOptions({}));

// The guest writes through the device and reads its store.
async function guestCheck(d) {
  const n = ++checks;
  fs.writeFileSync(path.join(OUT, `check-${n}`), `${d.diskId} ${d.device}\n`);
  const answer = path.join(OUT, `checked-${n}`);
  for (const t0 = Date.now(); Date.now() - t0 < 60000; await sleep(100)) {
    // Its content, not only its name: the share may show the name first.
    if (fs.existsSync(answer) && fs.statSync(answer).size > 0) {
      assert.strictEqual(fs.readFileSync(answer, 'utf8').trim(), 'ok', `guest check of ${d.diskId}`);
      return;
    }
  }
  assert.fail(`the guest never checked ${d.diskId}`);
}

async function attach(id, client = c) {
  const t0 = Date.now();
  await client.attachDisk(new Ecs.AttachDiskRequest({ diskId: id, instanceId: VM }));
  const t1 = Date.now();
  const { disk: d, seen } = await waitDisk(client, id, 'In_use', REGION, 20000);
  console.log(`     AttachDisk answered in ${t1 - t0} ms, In_use ${Date.now() - t0} ms after it (${seen.join(' -> ')})`);
  assert.strictEqual(d.instanceId, VM);
  assert.match(d.device, /^\/dev\/mapper\//);
  assert.strictEqual(d.attachments.attachment[0].instanceId, VM);
  return d;
}

async function detach(id) {
  await c.detachDisk(new Ecs.DetachDiskRequest({ diskId: id, instanceId: VM }));
  const { seen } = await waitDisk(c, id, 'Available', REGION, 20000);
  assert.ok(seen[0] === 'Detaching' || seen[0] === 'Available', seen.join());
}

run({
  'the instance in the VM joins and is Running': async () => {
    for (const t0 = Date.now(); Date.now() - t0 < 240000; await sleep(500)) {
      const r = await c.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION }));
      const i = r.body.instances.instance.find((x) => x.instanceId === VM);
      if (i && i.status === 'Running')
        return;
    }
    assert.fail('i-vm1 never Running');
  },
  'CreateDisk encrypted with the service key, AttachDisk to In_use, ciphertext only': async () => {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_efficiency', size: 1, encrypted: true, instanceId: VM }));
    await waitDisk(c, r.body.diskId, 'Available', REGION, 20000);
    const d = await attach(r.body.diskId);
    await guestCheck(d);
    st.svc = d;
  },
  'CreateDisk with a BYOK CMK (RPC v1 signature), attached and checked': async () => {
    const k = await kms().createKey(new Kms.CreateKeyRequest({}));
    st.cmk = k.keyMetadata.keyId;
    const r = await v1.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 1, encrypted: true, KMSKeyId: st.cmk, instanceId: VM }));
    const { disk: a } = await waitDisk(v1, r.body.diskId, 'Available', REGION, 20000);
    assert.strictEqual(a.KMSKeyId, st.cmk);
    const d = await attach(r.body.diskId, v1);
    await guestCheck(d);
    st.byok = d;
  },
  'refusals of an attached disk, each with its Code and HTTP status': async () => {
    await rejects(c.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.byok.diskId, instanceId: VM })),
      'IncorrectDiskStatus', 403);
    await rejects(c.detachDisk(new Ecs.DetachDiskRequest({ diskId: st.byok.diskId, instanceId: 'i-host2' })),
      'DependencyViolation', 403);
    await rejects(c.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: st.byok.diskId })),
      'DiskStillAttached', 403);
    await rejects(c.resetDisk(new Ecs.ResetDiskRequest({ diskId: st.byok.diskId, snapshotId: 's-none' })),
      'InvalidSnapshotId.NotFound', 404);
    await rejects(other.detachDisk(new Ecs.DetachDiskRequest({ diskId: st.byok.diskId, instanceId: VM })),
      'InvalidDiskId.NotFound', 404);
    await rejects(c.attachDisk(new Ecs.AttachDiskRequest({ diskId: st.svc.diskId, instanceId: 'i-host2' })),
      'IncorrectInstanceStatus', 403);
    assert.strictEqual((await disk(c, st.byok.diskId)).status, 'In_use');
  },
  'CreateSnapshot of the attached disk: progressing -> accomplished': async () => {
    const r = await c.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: st.byok.diskId,
      clientToken: 'vm-snap-1' }));
    const { snapshot: s, seen } = await waitSnapshot(c, r.body.snapshotId, 'accomplished', REGION, 20000);
    console.log(`     ${seen.join(' -> ')}`);
    assert.strictEqual(s.KMSKeyId, st.cmk);
    st.snap = s;
  },
  'a disk from the snapshot inherits the key and attaches': async () => {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, snapshotId: st.snap.snapshotId }));
    const { disk: a } = await waitDisk(c, r.body.diskId, 'Available', REGION, 20000);
    assert.strictEqual(a.KMSKeyId, st.cmk);
    assert.strictEqual(a.encrypted, true);
    const d = await attach(a.diskId);
    await guestCheck(d);
    await detach(d.diskId);
    st.clone = d;
  },
  'DetachDisk -> Available; ResetDisk to the snapshot; ReInitDisk': async () => {
    await detach(st.byok.diskId);
    await c.resetDisk(new Ecs.ResetDiskRequest({ diskId: st.byok.diskId, snapshotId: st.snap.snapshotId }));
    await waitDisk(c, st.byok.diskId, 'Available', REGION, 20000);
    await c.reInitDisk(new Ecs.ReInitDiskRequest({ diskId: st.byok.diskId }));
    await waitDisk(c, st.byok.diskId, 'Available', REGION, 20000);
    const d = await attach(st.byok.diskId);
    await guestCheck(d);
    await detach(d.diskId);
  },
  'DeleteDisk: detached disks go; DescribeDisks no longer lists them': async () => {
    await detach(st.svc.diskId);
    for (const id of [st.svc.diskId, st.clone.diskId]) {
      await c.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: id }));
      await waitDisk(c, id, 'gone', REGION, 20000);
    }
  },
  'encryption by default: CreateDisk is encrypted under the default key and attaches': async () => {
    const R = { regionId: REGION };
    await c.enableDiskEncryptionByDefault(new Ecs.EnableDiskEncryptionByDefaultRequest(R));
    await c.modifyDiskDefaultKMSKeyId(new Ecs.ModifyDiskDefaultKMSKeyIdRequest({ ...R, KMSKeyId: st.cmk }));
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, diskCategory: 'cloud_ssd',
      size: 1, instanceId: VM }));
    const { disk: a } = await waitDisk(c, r.body.diskId, 'Available', REGION, 20000);
    assert.strictEqual(a.encrypted, true);
    assert.strictEqual(a.KMSKeyId, st.cmk);
    await rejects(c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, diskCategory: 'cloud_ssd',
      size: 1, encrypted: false })), 'InvalidEncrypted.NotMatchDiskDefaultEncryption', 403);
    const d = await attach(a.diskId);
    await guestCheck(d);
    await detach(a.diskId);
    await c.disableDiskEncryptionByDefault(new Ecs.DisableDiskEncryptionByDefaultRequest(R));
  },
  'CopySnapshot into another region under a key of that region': async () => {
    const k = await kmsCall(kms(), 'CreateKey', { RegionId: SH });
    const r = await c.copySnapshot(new Ecs.CopySnapshotRequest({ regionId: REGION,
      snapshotId: st.snap.snapshotId, destinationRegionId: SH, encrypted: true,
      KMSKeyId: k.KeyMetadata.KeyId }));
    const { snapshot: s } = await waitSnapshot(c, r.body.snapshotId, 'accomplished', SH, 20000);
    assert.strictEqual(s.KMSKeyId, k.KeyMetadata.KeyId);
    const d = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: SH, snapshotId: s.snapshotId }));
    const { disk: dd } = await waitDisk(c, d.body.diskId, 'Available', SH, 20000);
    assert.strictEqual(dd.KMSKeyId, k.KeyMetadata.KeyId);
  },
  'DeleteSnapshot needs Force while disks made from it exist': async () => {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, snapshotId: st.snap.snapshotId }));
    await waitDisk(c, r.body.diskId, 'Available', REGION, 20000);
    await rejects(c.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: st.snap.snapshotId })),
      'SnapshotCreatedDisk', 403);
    await c.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: st.snap.snapshotId, force: true }));
  },
  'both signature versions were used; a wrong secret changes nothing': async () => {
    await rejects(ecs({ secret: 'wrong' }).deleteDisk(new Ecs.DeleteDiskRequest({ diskId: st.byok.diskId })),
      'SignatureDoesNotMatch', 400);
    await rejects(ecs({ secret: 'wrong', v1: true }).deleteDisk(new Ecs.DeleteDiskRequest({ diskId: st.byok.diskId })),
      'SignatureDoesNotMatch', 400);
    assert.strictEqual((await disk(c, st.byok.diskId)).status, 'Available');
  },
}, true);
