// SPDX-License-Identifier: GPL-2.0
// The SDK over HTTPS (its default protocol), trusting the test's CA.
'use strict';
const { Config } = require('@alicloud/openapi-core').$OpenApiUtil;
const Ecs = require('@alicloud/ecs20140526');

(async () => {
  const c = new Ecs.default(new Config({ accessKeyId: process.env.ECS_AK,
    accessKeySecret: process.env.ECS_SECRET, endpoint: process.env.ECS_ENDPOINT }));
  const r = await c.describeRegions(new Ecs.DescribeRegionsRequest({}));
  console.log(`ok   DescribeRegions over HTTPS: ${r.body.regions.region.map((x) => x.regionId).join(' ')}`);
})().catch((e) => { console.log(`FAIL ${e.message}`); process.exit(1); });
