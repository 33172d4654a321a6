// SPDX-License-Identifier: GPL-2.0
// One SDK step per run, for shell tests that kill processes between
// steps:  node steps.js STEP [ARGS...]; prints the step's result.
'use strict';
const { Ecs, ecs, disk, snapshot, REGION } = require('./common');
const Util = require('@alicloud/tea-util');
const { Config } = require('@alicloud/rpc-client');
const Kms = require('@alicloud/kms20160120');

const c = ecs();
const steps = {
  async 'create-disk'(encrypted, token) {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 1, encrypted: encrypted === 'true',
      clientToken: token || undefined }));
    return r.body.diskId;
  },
  // ROUNDS times: one ClientToken (TOKEN-round) in N CreateDisks at once,
  // each from a client of its own, spread over ENDPOINTS ("host:port,...").
  // A line per round: the DiskIds answered, each once.
  async 'token-race'(endpoints, token, n, rounds) {
    const ends = endpoints.split(',');
    const cs = Array.from({ length: Number(n) }, (_, i) => {
      process.env.ECS_ENDPOINT = ends[i % ends.length];
      return ecs();
    });
    const out = [];
    for (let r = 1; r <= Number(rounds || 1); r++) {
      const ids = await Promise.all(cs.map((c) =>
        c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, diskCategory: 'cloud_ssd',
          size: 1, clientToken: `${token}-${r}` })).then((x) => x.body.diskId)));
      out.push([...new Set(ids)].join(' '));
    }
    return out.join('\n');
  },
  async 'create-disk-cmk'() {
    const k = new Kms.default(new Config({ accessKeyId: process.env.KMS_AK,
      accessKeySecret: process.env.KMS_SECRET,
      endpoint: process.env.KMS_ENDPOINT, protocol: 'http', regionId: REGION }));
    const key = await k.createKey(new Kms.CreateKeyRequest({}));
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 1, encrypted: true, KMSKeyId: key.keyMetadata.keyId }));
    return r.body.diskId;
  },
  async 'create-disk-on'(inst) {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: 'cloud_ssd', size: 1, encrypted: true, instanceId: inst }));
    return r.body.diskId;
  },
  // N encrypted disks on INST, asked for at once: their ids, one a line.
  async 'create-disks-on'(inst, n) {
    const all = Array.from({ length: Number(n) }, () => c.createDisk(new Ecs.CreateDiskRequest({
      regionId: REGION, diskCategory: 'cloud_ssd', size: 1, encrypted: true, instanceId: inst })));
    return (await Promise.all(all)).map((r) => r.body.diskId).join('\n');
  },
  async 'create-snapshot'(id) {
    return (await c.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: id }))).body.snapshotId;
  },
  async 'delete-disk'(id) {
    await c.deleteDisk(new Ecs.DeleteDiskRequest({ diskId: id }));
    return 'ok';
  },
  async 'attach-disk'(id, inst) {
    await c.attachDisk(new Ecs.AttachDiskRequest({ diskId: id, instanceId: inst }));
    return 'ok';
  },
  async 'detach-disk'(id, inst) {
    await c.detachDisk(new Ecs.DetachDiskRequest({ diskId: id, instanceId: inst }));
    return 'ok';
  },
  async 'disk-status'(id) {
    const d = await disk(c, id);
    return d ? `${d.status} ${d.instanceId || '-'} ${d.device || '-'}` : 'gone';
  },
  async 'snapshot-status'(id) {
    const s = await snapshot(c, id);
    return s ? s.status : 'gone';
  },
  async 'snapshot-count'() {
    const r = await c.describeSnapshots(new Ecs.DescribeSnapshotsRequest({ regionId: REGION }));
    return String(r.body.totalCount);
  },
  // An encrypted disk of @category, shared (MultiAttach) when @multi is
  // Enabled (ECS's spelling), on instance @inst if given.
  async 'create-disk-of'(category, multi, inst) {
    const r = await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION,
      diskCategory: category, size: 1, encrypted: true,
      multiAttach: multi || undefined, instanceId: inst || undefined }));
    return r.body.diskId;
  },
  // AttachDisk: ok, or the refusal's Code, HTTP status and Message.
  async 'try-attach'(id, inst, force) {
    try {
      await c.attachDisk(new Ecs.AttachDiskRequest({ diskId: id, instanceId: inst,
        force: force === 'force' ? true : undefined }));
      return 'ok';
    } catch (e) {
      if (!e.data)
        throw e;
      return `${e.data.Code} ${e.statusCode} ${e.data.Message}`;
    }
  },
  // Status, then InstanceId=Device of each of Attachments, sorted.
  async attachments(id) {
    const d = await disk(c, id);
    if (!d)
      return 'gone';
    const list = ((d.attachments || {}).attachment || [])
      .map((a) => `${a.instanceId}=${a.device}`).sort();
    return `${d.status} ${list.join(',') || '-'}`;
  },
  async 'instance-status'(id) {
    const r = await c.describeInstances(new Ecs.DescribeInstancesRequest({
      regionId: REGION, instanceIds: JSON.stringify([id]) }));
    const i = r.body.instances.instance[0];
    return i ? i.status : 'gone';
  },
  // A signed DescribeDisks query, to be sent (again) by send-query.
  async 'signed-query'() {
    const { signed, query } = require('./raw');
    return query(signed('DescribeDisks', { RegionId: REGION }));
  },
  async 'send-query'(q) {
    const r = await require('./raw').send(q);
    return `${r.status} ${r.body.Code || 'ok'}`;
  },
  // DescribeAuditRecords (not ECS) of @inst, every page of @max, signed
  // with user @who's key (A or B), as JSON {Code} or {ChainStatus, Records:
  // [Line...], Findings: [{Seq, Reason, Line}]}; with @until (a count, or
  // "Broken"), asked again for up to 8 s until it holds.
  async 'audit-records'(inst, who, max, until) {
    const { signed, query, send } = require('./raw');
    const opts = who === 'B' ?
      { ak: process.env.ECS_AK_B, secret: process.env.ECS_SECRET_B } : {};
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
      const out = { Records: [], Findings: [] };
      let token = '';
      do {
        const p = { InstanceId: inst, MaxResults: max || '100' };
        if (token)
          p.NextToken = token;
        const r = await send(query(signed('DescribeAuditRecords', p, opts)));
        if (r.status !== 200)
          return JSON.stringify({ Code: r.body.Code });
        out.ChainStatus = r.body.ChainStatus;
        out.Findings = r.body.ChainFindings.ChainFinding;
        out.Records.push(...r.body.AuditRecords.AuditRecord.map((a) => a.Line));
        token = r.body.NextToken;
      } while (token);
      const done = !until || (until === 'Broken' ? out.ChainStatus === 'Broken' :
        out.Records.length >= +until);
      if (done || Date.now() - t0 > 8000)
        return JSON.stringify(out);
    }
  },
  // Until FILE exists (at most 20 s): INST Running and AttachDisk
  // Force=true of disk ID to TAKER refused (IncorrectDiskStatus), checked
  // every 100 ms; "ok CHECKS LAST_MS" (the last check's time), or what
  // broke and when.
  async 'running-until'(inst, id, taker, file) {
    const fs = require('fs');
    const t0 = Date.now();
    let n = 0, last = 0;
    while (!fs.existsSync(file) && Date.now() - t0 < 20000) {
      const st = await steps['instance-status'](inst);
      const at = Date.now() - t0;
      if (st !== 'Running')
        return `${inst} ${st} at ${at} ms`;
      const got = await steps['try-attach'](id, taker, 'force');
      if (!got.startsWith('IncorrectDiskStatus 403 '))
        return `Force attach at ${at} ms: ${got}`;
      n++;
      last = at;
      await new Promise((r) => setTimeout(r, 100));
    }
    return `ok ${n} ${last}`;
  },
  // The newest ACTION task of resource ID: "TaskStatus ErrorCode" once it
  // ended ("-" for no code), "Processing" before, "none" without one.
  async 'task-outcome'(id, action) {
    const r = await c.describeTasks(new Ecs.DescribeTasksRequest({ regionId: REGION,
      taskAction: action, pageSize: 100 }));
    const t = r.body.taskSet.task.filter((x) => x.resourceId === id)
      .sort((x, y) => Number(x.taskId.slice(2)) - Number(y.taskId.slice(2))).pop();
    if (!t)
      return 'none';
    if (t.taskStatus !== 'Failed' && t.taskStatus !== 'Finished')
      return 'Processing';
    const a = (await c.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({
      regionId: REGION, taskId: t.taskId }))).body;
    const p = ((a.operationProgressSet || {}).operationProgress || [])[0] || {};
    return `${a.taskStatus} ${p.errorCode || '-'}`;
  },
  // Who called which KMS action: AccessKeyId Action Count lines.
  async metering() {
    const k = new Kms.default(new Config({ accessKeyId: process.env.KMS_ADMIN_AK,
      accessKeySecret: process.env.KMS_ADMIN_SECRET,
      endpoint: process.env.KMS_ENDPOINT, protocol: 'http', regionId: REGION }));
    const r = await k.doRequest('DescribeMetering', 'HTTP', 'POST', '2016-01-20', 'AK',
      {}, null, new Util.RuntimeOptions({}));
    return r.Metering.map((m) => `${m.AccessKeyId} ${m.Action} ${m.Count}`).join('\n');
  },
};

(async () => {
  try {
    console.log(await steps[process.argv[2]](...process.argv.slice(3)));
  } catch (e) {
    console.log(`ERROR ${e.data ? e.data.Code : e.message}`);
    process.exit(1);
  }
})();
