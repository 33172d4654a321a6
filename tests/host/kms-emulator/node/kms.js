// SPDX-License-Identifier: GPL-2.0
// Shared helpers of the SDK tests: clients built with the official
// Alibaba Cloud KMS SDK, a tiny test runner and assertions.
'use strict';
const assert = require('assert');
const Kms = require('@alicloud/kms20160120');
const { Config } = require('@alicloud/rpc-client');
const Util = require('@alicloud/tea-util');

const endpoint = process.env.KMS_ENDPOINT.replace(/^http:\/\//, '');

function client(opts = {}) {
  return new Kms.default(new Config({
    accessKeyId: opts.ak || process.env.KMS_AK,
    accessKeySecret: opts.secret || process.env.KMS_SECRET,
    endpoint,
    protocol: 'http',
    regionId: opts.region || 'cn-hangzhou',
  }));
}

function admin() {
  return client({ ak: process.env.KMS_ADMIN_AK, secret: process.env.KMS_ADMIN_SECRET });
}

// Any action, through the SDK's own signer (for RegionId, admin actions
// and actions this SDK version has no method for).
async function call(c, action, query = {}) {
  return c.doRequest(action, 'HTTP', 'POST', '2016-01-20', 'AK', query, null,
    new Util.RuntimeOptions({}));
}

async function advanceClock(seconds) {
  return call(admin(), 'AdvanceClock', { Seconds: String(seconds) });
}

// Expect the promise to fail with KMS error @code and HTTP @status.
async function rejects(promise, code, status) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e.data, `no error data: ${e.message}`);
    assert.strictEqual(e.data.Code, code, `want ${code}, got ${e.data.Code}: ${e.data.Message}`);
    if (status)
      assert.ok(e.message.includes(`code: ${status},`), `want HTTP ${status}: ${e.message}`);
    assert.ok(e.data.RequestId, 'error without RequestId');
    assert.ok(e.data.Message && e.data.HostId && e.data.Recommend, 'incomplete error body');
    return e.data;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

// Runs the named async tests in order; exit status 1 if any failed.
async function run(tests) {
  let failed = 0;
  for (const [name, fn] of Object.entries(tests)) {
    try {
      await fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
    }
  }
  console.log(`${Object.keys(tests).length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

module.exports = { Kms, client, admin, call, advanceClock, rejects, run, assert };
