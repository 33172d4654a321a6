#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The audit trail stays tamper-evident across an agent restart: a log cut
# short, deleted, replaced by a self-consistent forged chain, or stripped
# of its final newline fails verification after the restart (and keeps
# failing), and the agent never drops a genuine record.  What a crash
# leaves (a line cut short, a record written but not yet anchored) is
# settled and verifies.  Every KMS call has a "Requested" record first.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }

zeros=0000000000000000000000000000000000000000000000000000000000000000
audit=$work/state/audit.log

restart() { stop_agent; start_agent "$kms_url" --kms-deadline 2; }
kms_calls() {		# N: N DescribeKey calls
	local i
	for i in $(seq "$1"); do ctl kms DescribeKey KeyId="$cmk" >/dev/null || fail "DescribeKey"; done
}
events() { ctl --json describe-audit-events | jq '.AuditEvents | length'; }
# rehash: stdin, a log, with each PrevHash and Hash recomputed from the
# first record on (what a forger without any key can do).
rehash() {
	local line body prev=$zeros h
	while IFS= read -r line; do
		body=${line%,\"Hash\":*}
		body=$(sed "s/\"PrevHash\":\"[0-9a-f]*\"/\"PrevHash\":\"$prev\"/" <<<"$body")
		h=$(printf '%s}' "$body" | sha256sum | cut -c1-64)
		printf '%s,"Hash":"%s"}\n' "$body" "$h"
		prev=$h
	done
}
# next_record SEQ PREVHASH: a well-formed record as the agent writes it.
next_record() {
	local body
	body='{"Seq":'$1',"Time":"2026-12-07T00:00:00Z","Region":"cn-hangzhou","Operation":"KmsApi","Action":"DescribeKey","ObjectId":"","KMSKeyId":"'$cmk'","RequestId":"","Result":"Requested","PrevHash":"'$2'"'
	printf '%s,"Hash":"%s"}\n' "$body" "$(printf '%s}' "$body" | sha256sum | cut -c1-64)"
}
save_state() { stop_agent; rm -rf "$work/good"; cp -a "$work/state" "$work/good"; }
restore_state() { rm -rf "$work/state"; cp -a "$work/good" "$work/state"; }
tampered() {		# PATTERN: verification fails, naming it
	must_fail --error "$1" ctl verify-audit-log
	ctl --json verify-audit-log >"$work/err.json" && fail "verify passed"
	assert_eq "$(jq -r .Code "$work/err.json")" InvalidAuditLog.Tampered "error code"
}

start_emulator
start_agent "$kms_url" --kms-deadline 2
cmk=$(ctl kms CreateKey Description=audit | jq -r .KeyMetadata.KeyId)
kms_calls 3

log "a Requested record before every KMS call, its result after"
n=$(wc -l <"$audit")
assert_eq "$n" 8 "records of 4 KMS calls"
jq -e -s '[.[] | select(.Result == "Requested")] | length == 4' "$audit" >/dev/null || fail "Requested records"
jq -e -s '.[1].RequestSeq == 1 and .[1].Result == "Success" and .[1].Action == "CreateKey" and
	(.[1].RequestId | length) > 0 and .[0].RequestId == ""' "$audit" >/dev/null || fail "a result names its request"
ctl verify-audit-log | grep -q "intact: 8 records" || fail "verify"
save_state

log "a tail cut off while the agent was down"
restore_state
head -n -2 "$work/good/audit.log" >"$audit"
start_agent "$kms_url" --kms-deadline 2
tampered "the log ends at Seq 6, but the agent had written up to Seq 8: records were removed"
kms_calls 1
restart
tampered "records were removed"
assert_eq "$(tail -n 1 "$audit" | jq .Seq)" 10 "the chain goes on from the anchored head"
stop_agent

log "a deleted log"
restore_state
rm "$audit"
start_agent "$kms_url" --kms-deadline 2
tampered "the log is empty or gone, but the agent had written up to Seq 8: it was deleted"
kms_calls 1
restart
tampered "deleted or emptied"
stop_agent

log "a self-consistent forged chain"
restore_state
sed '2s/"Result":"Success"/"Result":"Forbidden.NoPermission"/' "$work/good/audit.log" | rehash >"$audit"
cmp -s "$audit" "$work/good/audit.log" && fail "the forgery changed nothing"
# Without the head it would verify:
jq -e -s 'length == 8' "$audit" >/dev/null || fail "forged log"
start_agent "$kms_url" --kms-deadline 2
tampered "the last record of the log (Seq 8, Hash [0-9a-f]*\.\.\.) is not the one the agent wrote last (Seq 8, Hash [0-9a-f]*\.\.\.): the log was replaced"
stop_agent

log "the final newline removed: found, and the record kept"
restore_state
truncate -s -1 "$audit"
start_agent "$kms_url" --kms-deadline 2
tampered "the last record (Seq 8) had lost its final newline"
assert_eq "$(events)" 8 "records listed"
kms_calls 1
assert_eq "$(events)" 10 "records listed after one more call"
jq -e -s '[.[].Seq] == [range(1; 11)]' "$audit" >/dev/null || fail "a record was dropped or glued"
restart
tampered "lost its final newline"
stop_agent

log "a crash: a record cut short is removed, the chain goes on"
restore_state
printf '{"Seq":9,"Time":"2026-12-07T00:0' >>"$audit"
start_agent "$kms_url" --kms-deadline 2
grep -q "removed a last record cut short" "$work/agent.log" || fail "no word of the cut"
ctl verify-audit-log | grep -q "intact: 8 records" || fail "verify after a torn record"
kms_calls 1
ctl verify-audit-log | grep -q "intact: 10 records" || fail "verify after the next call"
stop_agent

log "a crash: a record written but not anchored is taken on"
restore_state
next_record 9 "$(tail -n 1 "$audit" | jq -r .Hash)" >>"$audit"
start_agent "$kms_url" --kms-deadline 2
ctl verify-audit-log | grep -q "intact: 9 records" || fail "the record ahead was not taken on"
kms_calls 1
assert_eq "$(tail -n 1 "$audit" | jq .Seq)" 11 "Seq after the record taken on"
ctl verify-audit-log >/dev/null || fail "verify"
log "two records ahead is not a crash"
stop_agent
restore_state
next_record 9 "$(tail -n 1 "$audit" | jq -r .Hash)" >>"$audit"
next_record 10 "$(tail -n 1 "$audit" | jq -r .Hash)" >>"$audit"
start_agent "$kms_url" --kms-deadline 2
tampered "the last record of the log (Seq 10, .*) is not the one the agent wrote last (Seq 8, "

log "the final newline removed while the agent runs: found, nothing glued"
stop_agent
restore_state
start_agent "$kms_url" --kms-deadline 2
truncate -s -1 "$audit"
tampered "the last record (Seq 8) has lost its final newline"
kms_calls 1
tampered "the log changed from [0-9]* to [0-9]* bytes while the agent ran: it was edited (kept until"
jq -e -s '[.[].Seq] == [range(1; 11)]' "$audit" >/dev/null || fail "a record was dropped or glued"
restart
tampered "the log changed from"

if command -v sqlite3 >/dev/null; then
	log "no head in the catalog (an older agent's state dir): the log is taken as it is"
	stop_agent
	restore_state
	sqlite3 "$work/state/catalog.db" "DELETE FROM audit_head"
	start_agent "$kms_url" --kms-deadline 2
	grep -q "no head in the catalog, so the log is taken as it is (8 records)" "$work/agent.log" || fail "no warning"
	kms_calls 1
	restart
	ctl verify-audit-log | grep -q "intact: 10 records" || fail "verify after taking the log on"
fi

log "--new-audit-file sets the log aside; the new file goes on from its head"
stop_agent
restore_state
next_record 9 "$(tail -n 1 "$audit" | jq -r .Hash)" >>"$audit"
next_record 10 "$(tail -n 1 "$audit" | jq -r .Hash)" >>"$audit"
start_agent "$kms_url" --kms-deadline 2
tampered "Seq 10"
stop_agent
start_agent "$kms_url" --kms-deadline 2 --new-audit-file
ls "$work/state"/audit.log.1-* >/dev/null 2>&1 || fail "the old log was not set aside"
assert_eq "$(wc -l <"$audit")" 0 "records in the new file"
ctl verify-audit-log | grep -q "intact: 0 records" || fail "verify of the new file"
kms_calls 1
jq -e -s '.[0].Seq == 9 and .[0].PrevHash == "'"$(sed -n 8p "$work/good/audit.log" | jq -r .Hash)"'"' "$audit" >/dev/null ||
	fail "the new file does not go on from the anchored head"
restart
ctl verify-audit-log | grep -q "intact: 2 records" || fail "verify after a restart"
echo "PASS"
