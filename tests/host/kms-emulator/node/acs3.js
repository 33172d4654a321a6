// SPDX-License-Identifier: GPL-2.0
// ACS3-HMAC-SHA256 requests, signed by the official @alicloud/openapi-client.
'use strict';
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util').default;
const clientPath = require.resolve('@alicloud/openapi-client');
const TeaUtil = require(require.resolve('@alicloud/tea-util', { paths: [clientPath] }));
const { rejects, run, assert } = require('./kms');

const endpoint = process.env.KMS_ENDPOINT.replace(/^http:\/\//, '');

function client(secret = process.env.KMS_SECRET, ak = process.env.KMS_AK) {
  return new OpenApi.default(new OpenApi.Config({ accessKeyId: ak, accessKeySecret: secret,
    endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
}

// One call; parameters in the query string, or in a form body.
async function acs3(action, query, { c = client(), body } = {}) {
  const params = new OpenApi.Params({ action, version: '2016-01-20', protocol: 'HTTP',
    pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData',
    bodyType: 'json' });
  const req = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query || {}),
    body: body ? OpenApiUtil.query(body) : undefined });
  const r = await c.callApi(params, req, new TeaUtil.RuntimeOptions({}));
  assert.strictEqual(r.statusCode, 200);
  return r.body;
}

async function rejectsAcs3(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.code, code, e.message);
    assert.ok(e.data.RequestId);
    return;
  }
  assert.fail(`expected ${code}`);
}

let keyId;

run({
  async roundTripQuery() {
    keyId = (await acs3('CreateKey', { Description: 'acs3 key' })).KeyMetadata.KeyId;
    const g = await acs3('GenerateDataKey', { KeyId: keyId, 'EncryptionContext.disk': 'd-1' });
    const d = await acs3('Decrypt', { CiphertextBlob: g.CiphertextBlob, 'EncryptionContext.disk': 'd-1' });
    assert.strictEqual(d.Plaintext, g.Plaintext);
  },
  async roundTripFormBody() {
    const e = await acs3('Encrypt', null, { body: { KeyId: keyId, Plaintext: 'in the body +&=' } });
    const d = await acs3('Decrypt', { CiphertextBlob: e.CiphertextBlob });
    assert.strictEqual(d.Plaintext, 'in the body +&=');
  },
  async wrongSecret() {
    await rejectsAcs3(acs3('DescribeKey', { KeyId: keyId }, { c: client('wrong') }), 'SignatureDoesNotMatch');
  },
  async unknownAccessKey() {
    await rejectsAcs3(acs3('DescribeKey', { KeyId: keyId }, { c: client('x', 'nobody') }), 'InvalidAccessKeyId.NotFound');
  },
  async replayedNonce() {
    const saved = TeaUtil.default.getNonce;
    TeaUtil.default.getNonce = () => 'acs3-fixed-nonce';
    try {
      await acs3('DescribeKey', { KeyId: keyId });
      await rejectsAcs3(acs3('DescribeKey', { KeyId: keyId }), 'SignatureNonceUsed');
    } finally {
      TeaUtil.default.getNonce = saved;
    }
  },
  async staleDate() {
    const saved = OpenApiUtil.getTimestamp;
    OpenApiUtil.getTimestamp = () => new Date(Date.now() - 20 * 60e3).toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      await rejectsAcs3(acs3('DescribeKey', { KeyId: keyId }), 'IllegalTimestamp');
    } finally {
      OpenApiUtil.getTimestamp = saved;
    }
  },
  async tamperedBody() {
    // Body hash header kept, body changed: the signature no longer matches.
    const res = await fetch(`${process.env.KMS_ENDPOINT}/`, { method: 'POST',
      headers: { 'x-acs-action': 'DescribeKey', 'x-acs-version': '2016-01-20',
        'x-acs-date': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        'x-acs-signature-nonce': `n-${Date.now()}`, 'content-type': 'application/x-www-form-urlencoded',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        authorization: `ACS3-HMAC-SHA256 Credential=${process.env.KMS_AK},SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00` },
      body: `KeyId=${keyId}` });
    assert.strictEqual(res.status, 400);
    assert.strictEqual((await res.json()).Code, 'SignatureDoesNotMatch');
  },
  async incompleteAuthorization() {
    const res = await fetch(`${process.env.KMS_ENDPOINT}/?KeyId=${keyId}`, { method: 'POST',
      headers: { 'x-acs-action': 'DescribeKey', 'x-acs-version': '2016-01-20',
        authorization: 'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00' } });
    assert.strictEqual(res.status, 400);
    assert.strictEqual((await res.json()).Code, 'IncompleteSignature');
  },
});
