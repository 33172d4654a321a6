// SPDX-License-Identifier: GPL-2.0
// A scripted stand-in for the KMS, to test the agent's retry policy:
//   node fake-kms.js PORT SCRIPT
// SCRIPT is a comma-separated list of answers, one per request, the last
// repeated: "503", "throttle", "disabled", "hang" (no answer), "big" (an
// answer of ~400 KB), or "ok".
// Every request's Action is appended to PORT.log beside this script's cwd.
'use strict';
const http = require('http');
const fs = require('fs');
const [port, script] = process.argv.slice(2);
const plan = script.split(',');
let n = 0;

http.createServer((req, res) => {
	let body = '';
	req.on('data', (c) => { body += c; });
	req.on('end', () => {
		const action = new URLSearchParams(body).get('Action') ||
			new URL(req.url, 'http://x').searchParams.get('Action');
		const step = plan[Math.min(n++, plan.length - 1)];
		fs.appendFileSync(`${port}.log`, `${action} ${step}\n`);
		const send = (status, obj) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(Object.assign({ RequestId: `r${n}` }, obj)));
		};
		switch (step) {
		case '503': return send(503, { Code: 'ServiceUnavailable', Message: 'try later' });
		case 'throttle': return send(400, { Code: 'Throttling', Message: 'slow down' });
		case 'disabled': return send(409, { Code: 'Rejected.Disabled', Message: 'disabled' });
		case 'hang': return;	// the client's timeout fires
		case 'big': return send(200, { Regions: { Region: Array.from({ length: 4000 },
			(_, i) => ({ RegionId: `region-${i}`, LocalName: 'x'.repeat(64) })) } });
		default: return send(200, { CiphertextBlob: 'ZmFrZS1ibG9i', KeyId: 'fake-key-id' });
		}
	});
}).listen(Number(port), '127.0.0.1');
