// SPDX-License-Identifier: GPL-2.0
// Requests signed here (RPC v1, HMAC-SHA1), to send what the SDK never
// does: a replayed nonce, a stale timestamp, a tampered query.
'use strict';
const crypto = require('crypto');
const http = require('http');

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g,
  (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function signed(action, params, opts = {}) {
  const p = {
    Action: action, Version: '2014-05-26', Format: 'JSON',
    AccessKeyId: opts.ak || process.env.ECS_AK,
    SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
    SignatureNonce: opts.nonce || crypto.randomUUID(),
    Timestamp: opts.timestamp || new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    ...params,
  };
  const canon = Object.keys(p).sort().map((k) => `${enc(k)}=${enc(p[k])}`).join('&');
  const sts = `POST&${enc('/')}&${enc(canon)}`;
  p.Signature = crypto.createHmac('sha1', (opts.secret || process.env.ECS_SECRET) + '&')
    .update(sts).digest('base64');
  return p;
}

function query(p) {
  return Object.keys(p).map((k) => `${enc(k)}=${enc(p[k])}`).join('&');
}

// POST /?query; resolves { status, body }.
function send(q) {
  const [host, port] = process.env.ECS_ENDPOINT.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'POST', path: '/?' + q }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end();
  });
}

module.exports = { signed, query, send };
