// SPDX-License-Identifier: GPL-2.0
// DescribeDisks throughput (tests/bench/ecs-api-region.sh; not a test):
// node bench-describe.js ENDPOINT[,ENDPOINT]... [SECONDS] [CONCURRENCY]:
// CONCURRENCY callers, spread over the endpoints, each calling again as
// soon as it is answered, for SECONDS; every call must be answered.
'use strict';
const { Ecs, ecs, REGION } = require('./common');

const endpoints = process.argv[2].split(',');
const seconds = Number(process.argv[3] || 3);
const concurrency = Number(process.argv[4] || 32);

(async () => {
  const clients = Array.from({ length: concurrency }, (_, i) => {
    process.env.ECS_ENDPOINT = endpoints[i % endpoints.length];
    return ecs();
  });
  const lat = [];
  const end = Date.now() + seconds * 1000;
  const t0 = Date.now();
  await Promise.all(clients.map(async (c) => {
    while (Date.now() < end) {
      const s = process.hrtime.bigint();
      const r = await c.describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION }));
      if (!r.body.disks) throw new Error('no Disks in the answer');
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }));
  const wall = (Date.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(`${endpoints.length} server(s): ${lat.length} DescribeDisks in ${wall.toFixed(1)} s: ` +
    `${(lat.length / wall).toFixed(0)}/s, p50 ${lat[Math.floor(lat.length / 2)].toFixed(1)} ms, ` +
    `p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} ms`);
})().catch((e) => { console.log(`FAIL ${e.stack || e}`); process.exit(1); });
