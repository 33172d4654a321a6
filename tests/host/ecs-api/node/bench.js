// SPDX-License-Identifier: GPL-2.0
// The benchmark of tests/bench/ecs-api.sh (not a test): through the
// official SDK, N concurrent DescribeDisks and M concurrent CreateDisks
// against ecs-api with one agent on this host; every call must be
// answered.  Prints throughput and latency percentiles.
'use strict';
const { Ecs, ecs, waitDisk, REGION } = require('./common');

const N = Number(process.argv[2] || 200);
const M = Number(process.argv[3] || 20);

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function report(what, n, wall, lat) {
  console.log(`${what}: ${n} calls, all answered, in ${wall.toFixed(0)} ms: ` +
    `${(n / (wall / 1000)).toFixed(0)}/s; latency p50 ${pct(lat, 50).toFixed(1)} ms, ` +
    `p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`);
}

(async () => {
  // Clients of their own, so that calls are not queued behind one socket.
  const clients = Array.from({ length: 16 }, () => ecs());
  const c = clients[0];
  await c.createDisk(new Ecs.CreateDiskRequest({ regionId: REGION, diskCategory: 'cloud_ssd', size: 1 }));

  let lat = [];
  let t0 = Date.now();
  await Promise.all(Array.from({ length: N }, (_, i) => timed(() =>
    clients[i % clients.length].describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION })))
    .then((ms) => lat.push(ms))));
  report(`DescribeDisks x${N} concurrent`, N, Date.now() - t0, lat);

  lat = [];
  const ids = [];
  t0 = Date.now();
  await Promise.all(Array.from({ length: M }, (_, i) => timed(async () => {
    const r = await clients[i % clients.length].createDisk(new Ecs.CreateDiskRequest({
      regionId: REGION, diskCategory: 'cloud_ssd', size: 1, encrypted: true }));
    ids.push(r.body.diskId);
  }).then((ms) => lat.push(ms))));
  report(`CreateDisk x${M} concurrent (answer)`, M, Date.now() - t0, lat);
  await Promise.all(ids.map((id) => waitDisk(c, id, 'Available', REGION, 120000)));
  console.log(`CreateDisk x${M}: all Available ${Date.now() - t0} ms after the first was sent`);
})().catch((e) => { console.log(`FAIL ${e.stack || e}`); process.exit(1); });
