// SPDX-License-Identifier: GPL-2.0
// Shared helpers of the ecs-api SDK tests: clients of the official ECS
// and KMS SDKs, polling, a tiny runner and assertions.
'use strict';
const assert = require('assert');
const Ecs = require('@alicloud/ecs20140526');
const { Config } = require('@alicloud/openapi-core').$OpenApiUtil;
const Kms = require('@alicloud/kms20160120');

const REGION = 'cn-hangzhou';

function ecs(opts = {}) {
  return new Ecs.default(new Config({
    accessKeyId: opts.ak || process.env.ECS_AK,
    accessKeySecret: opts.secret || process.env.ECS_SECRET,
    endpoint: process.env.ECS_ENDPOINT,
    protocol: 'http',
    signatureAlgorithm: opts.v1 ? 'v2' : undefined,
    readTimeout: 30000,
  }));
}

function kms(opts = {}) {
  const RpcConfig = require('@alicloud/rpc-client').Config;
  return new Kms.default(new RpcConfig({
    accessKeyId: opts.ak || process.env.KMS_AK,
    accessKeySecret: opts.secret || process.env.KMS_SECRET,
    endpoint: process.env.KMS_ENDPOINT,
    protocol: 'http',
    regionId: opts.region || REGION,
  }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function disk(c, id, region = REGION) {
  const r = await c.describeDisks(new Ecs.DescribeDisksRequest({
    regionId: region, diskIds: JSON.stringify([id]) }));
  return r.body.disks.disk[0];
}

// Poll DescribeDisks until the disk is @status; the states seen on the way.
async function waitDisk(c, id, status, region = REGION, ms = 15000) {
  const seen = [];
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(20)) {
    const d = await disk(c, id, region);
    if (d && seen[seen.length - 1] !== d.status)
      seen.push(d.status);
    if (d && d.status === status)
      return { disk: d, seen };
    if (status === 'gone' && !d)
      return { disk: null, seen };
  }
  assert.fail(`disk ${id} never ${status}: ${seen.join(' -> ')}`);
}

async function snapshot(c, id, region = REGION) {
  const r = await c.describeSnapshots(new Ecs.DescribeSnapshotsRequest({
    regionId: region, snapshotIds: JSON.stringify([id]) }));
  return r.body.snapshots.snapshot[0];
}

async function waitSnapshot(c, id, status, region = REGION, ms = 15000) {
  const seen = [];
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(20)) {
    const s = await snapshot(c, id, region);
    const tag = s && `${s.status} ${s.progress}`;
    if (s && seen[seen.length - 1] !== tag)
      seen.push(tag);
    if (s && s.status === status)
      return { snapshot: s, seen };
  }
  assert.fail(`snapshot ${id} never ${status}: ${seen.join(' -> ')}`);
}

// Expect the promise to fail with ECS error @code and HTTP @status.
async function rejects(promise, code, status) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e.data, `no error data: ${e.message}`);
    assert.strictEqual(e.data.Code, code, `want ${code}, got ${e.data.Code}: ${e.data.Message}`);
    if (status)
      assert.strictEqual(e.statusCode, status, `want HTTP ${status}, got ${e.statusCode}`);
    assert.ok(e.data.RequestId !== undefined && e.data.Message && e.data.HostId,
      'incomplete error body');
    return e.data;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

// @stopAtFailure: the tests build on each other, the rest would only fail.
async function run(tests, stopAtFailure = false) {
  let failed = 0;
  for (const [name, fn] of Object.entries(tests)) {
    try {
      await fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
      if (stopAtFailure)
        break;
    }
  }
  process.exit(failed ? 1 : 0);
}

module.exports = { Ecs, Kms, ecs, kms, sleep, disk, waitDisk, snapshot,
  waitSnapshot, rejects, run, REGION, assert };
