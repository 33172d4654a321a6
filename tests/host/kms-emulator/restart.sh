#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State survives a clean restart; metering is kept and printable offline;
# the root key file is private; no replay across the restart (replay.sh
# checks more of that).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start
kms_node persist.js write "$KMS_TMP/state.json"
kms_node persist.js replay "$KMS_TMP/req" | grep -qx "replay: 200 OK"
kms_node persist.js replay "$KMS_TMP/req" | grep -qx "replay: 400 SignatureNonceUsed"
kms_stop
mode=$(stat -c %a "$KMS_TMP/data/root.key")
[ "$mode" = 600 ] || { echo "root.key mode $mode"; exit 1; }
[ "$(stat -c %s "$KMS_TMP/data/root.key")" = 32 ] || { echo "root.key size"; exit 1; }
"$EMU" --data-dir "$KMS_TMP/data" --print-metering >"$KMS_TMP/meter.json"
node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1]));
const count = {};
for (const e of m.Metering) count[`${e.AccessKeyId} ${e.Action}`] = e.Count;
const want = { "testid CreateKey": 3, "testid GenerateDataKey": 2, "adminid AdvanceClock": 1 };
for (const [k, v] of Object.entries(want))
	if (count[k] !== v) { console.error(`${k}: ${count[k]}, want ${v}`); process.exit(1); }
if (m.TotalCount !== Object.values(count).reduce((a, b) => a + b, 0)) process.exit(1);
' "$KMS_TMP/meter.json"
kms_start
kms_node persist.js check "$KMS_TMP/state.json"
# The nonce outlives the process.
kms_node persist.js replay "$KMS_TMP/req" | grep -qx "replay: 400 SignatureNonceUsed"
# Nothing secret in the log.
if grep -E "testsecret|adminsecret|Plaintext" "$KMS_TMP/emulator.log"; then
	echo "secret in the log"; exit 1
fi
grep -q "action=Decrypt .*status=200 latency_us=" "$KMS_TMP/emulator.log"
# A stored key state that is none of KMS's is refused for that key alone,
# and the log says which key and what was stored.
kms_stop
d=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).d' "$KMS_TMP/state.json")
sqlite3 "$KMS_TMP/data/kms.db" "UPDATE keys SET state = 'Broken' WHERE key_id = '$d'"
kms_start
kms_node persist.js damaged "$KMS_TMP/state.json"
grep -q "key [a-z0-9-]*/$d: stored state \"Broken\" .* is not a key state" "$KMS_TMP/emulator.log"
