#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The audit trail: every KMS call of the agent (each unwrap among them),
# a Requested record before it and its result after, one JSON object a
# line, hash-chained, never a key; describe-audit-events filters by disk;
# verify-audit-log names an edited, a removed and a cut-off record; the
# chain goes on across an agent restart, and a tail cut off while the
# agent was down is found after it.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

start_kms
start_agent
log="$ECSENC_STATE/audit.log"
d=$(ctl create-disk --size 8M --category cloud --encrypted)
ctl attach-disk "$d" >/dev/null
ctl detach-disk "$d"
ctl attach-disk "$d" >/dev/null
ctl detach-disk "$d"
cmk=$(kms_field .KeyMetadata.KeyId CreateKey)
kms_field . DisableKey KeyId="$cmk" >/dev/null
must_fail ctl create-disk --size 8M --category cloud --encrypted --kms-key-id "$cmk"

log "records: time, region, operation, object, key, RequestId, result"
assert_eq "$(stat -c %a "$log")" 600 "mode of the audit log"
jq -e -s 'all(.[]; has("Seq") and has("Time") and has("Region") and has("Operation") and
	has("Action") and has("ObjectId") and has("KMSKeyId") and has("RequestId") and
	has("Result") and has("PrevHash") and has("Hash"))' "$log" >/dev/null || fail "fields"
ev=$(ctl --json describe-audit-events --disk-id "$d")
assert_eq "$(jq '[.AuditEvents[] | select(.Action == "Decrypt" and .Operation == "AttachDisk" and .Result == "Success")] | length' <<<"$ev")" 2 "unwraps of $d"
assert_eq "$(jq '[.AuditEvents[] | select(.Result == "Requested")] | length' <<<"$ev")" \
	"$(jq '[.AuditEvents[] | select(.Result != "Requested")] | length' <<<"$ev")" "a Requested record before each call of $d"
jq -e '.AuditEvents | all(.[]; .ObjectId == "'"$d"'" and (.Result == "Requested" or (.Result == "Success" and (.RequestId | length) > 0)))' <<<"$ev" >/dev/null ||
	fail "events of $d"
ctl --json describe-audit-events | jq -e '[.AuditEvents[] | select(.Result == "Rejected.Disabled")] | length == 1' >/dev/null ||
	fail "the refused create is not audited"
ctl describe-audit-events --disk-id "$d" | grep -q "AttachDisk .*Decrypt .*$d .*Success" || fail "text table"
grep -q '"Plaintext"' "$log" && fail "a plaintext field in the audit log"
ctl verify-audit-log | grep -q "intact: $(wc -l <"$log") records" || fail "verify"

log "tampering is found and named"
cp "$log" good.log
sed -i '2s/"Result":"Success"/"Result":"Failure"/' "$log"
must_fail --error "record Seq 2 (line 2) was edited" ctl verify-audit-log
ctl --json verify-audit-log >err.json && fail "verify passed an edited log"
assert_eq "$(jq -r .Code err.json)" InvalidAuditLog.Tampered "error code"
cp good.log "$log"
sed -i '3d' "$log"
must_fail --error "record Seq 3 is missing" ctl verify-audit-log
cp good.log "$log"
head -n -1 good.log >"$log"
must_fail --error "records after Seq $(($(wc -l <good.log) - 1)) were removed" ctl verify-audit-log
cp good.log "$log"
ctl verify-audit-log >/dev/null || fail "the restored log fails"

log "the chain goes on across a restart"
stop_agent
start_agent
ctl attach-disk "$d" >/dev/null
ctl detach-disk "$d"
ctl verify-audit-log >/dev/null || fail "chain broken across a restart"
assert_eq "$(tail -n1 "$log" | jq -r .Seq)" "$(wc -l <"$log")" "Seq of the last record"

log "a tail cut off while the agent was down is found after a restart"
stop_agent
head -n -2 "$log" >cut.log
cat cut.log >"$log"
start_agent
must_fail --error "records were removed" ctl verify-audit-log
