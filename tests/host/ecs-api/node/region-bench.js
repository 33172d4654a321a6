// SPDX-License-Identifier: GPL-2.0
// The benchmark of tests/vm/ecs-api/region.sh --bench (not a test):
//   node region-bench.js ENDPOINTS INSTANCES N
// N encrypted cloud disks made first (not timed), then N AttachDisks at
// once, disk k to instance k mod |INSTANCES| through server k mod
// |ENDPOINTS| ("host:port,..."; "i-1,i-2,..."), timed from the first
// request to the last disk seen In_use (DescribeDisks every 50 ms).
'use strict';
const { Ecs, ecs, sleep, REGION } = require('./common');

const ends = process.argv[2].split(',');
const insts = process.argv[3].split(',');
const N = Number(process.argv[4] || 64);

const clients = ends.map((e) => { process.env.ECS_ENDPOINT = e; return ecs(); });
const statuses = async (ids) => {
  const out = new Map();
  for (let i = 0; i < ids.length; i += 100) {
    const r = await clients[0].describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION,
      diskIds: JSON.stringify(ids.slice(i, i + 100)), pageSize: 100 }));
    for (const d of r.body.disks.disk)
      out.set(d.diskId, d.status);
  }
  return out;
};
const until = async (ids, status, ms) => {
  const seen = new Map();
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(50)) {
    const s = await statuses(ids);
    for (const id of ids)
      if (s.get(id) === status && !seen.has(id))
        seen.set(id, Date.now());
    if (seen.size === ids.length)
      return seen;
  }
  throw new Error(`${ids.length - seen.size} of ${ids.length} disks never ${status}`);
};

(async () => {
  const ids = [];
  for (let k = 0; k < N; k += 8)
    ids.push(...await Promise.all(Array.from({ length: Math.min(8, N - k) }, (_, j) =>
      clients[(k + j) % clients.length].createDisk(new Ecs.CreateDiskRequest({
        regionId: REGION, diskCategory: 'cloud_ssd', size: 1, encrypted: true,
        instanceId: insts[(k + j) % insts.length] })).then((r) => r.body.diskId))));
  await until(ids, 'Available', 600000);
  console.log(`${N} encrypted disks Available on ${insts.length} instances (not timed)`);

  const t0 = Date.now();
  const answered = [];
  await Promise.all(ids.map((id, k) => clients[k % clients.length].attachDisk(
    new Ecs.AttachDiskRequest({ diskId: id, instanceId: insts[k % insts.length] }))
    .then(() => answered.push(Date.now() - t0))));
  const api = Math.max(...answered);
  const inUse = await until(ids, 'In_use', 600000);
  const times = [...inUse.values()].map((t) => t - t0).sort((a, b) => a - b);
  console.log(`AttachDisk x${N} over ${insts.length} instances through ${ends.length} server(s): ` +
    `all answered in ${api} ms; first In_use at ${times[0]} ms, median ${times[times.length >> 1]} ms, ` +
    `last In_use at ${times[times.length - 1]} ms (end to end)`);
  console.log(`RESULT end-to-end-ms ${times[times.length - 1]} api-ms ${api}`);
})().catch((e) => { console.log(`FAIL ${e.stack || e}`); process.exit(1); });
