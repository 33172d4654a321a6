#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The audit trail leaves the host: an agent joined to ecs-api ships every
# record of its audit log, and the server serves them to the instance's
# account (DescribeAuditRecords, signed) and to no other.  Across an agent
# restart, a server restart and a server outage no record is lost or
# stored twice; a log rewritten by root on the host (with its head in the
# catalog, so that the host's own check passes) does not change what the
# server holds, and its continuation is refused and shown as a finding.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
CTL_BIN=$TOP/tools/ecsenc-ctl/ecsenc-ctl
[ -x "$CTL_BIN" ] || { echo "SKIP: $CTL_BIN not built"; exit 77; }
command -v jq >/dev/null && command -v sqlite3 >/dev/null || { echo "SKIP: jq or sqlite3 missing"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
write_creds
add_instance i-host1
add_instance i-host2
start_kms
start_api
start_agent i-host1
log_file=$T/i-host1/state/audit.log
ctl() { "$CTL_BIN" --socket "$T/i-host1/agent.sock" "$@"; }
kms_calls() {		# N: N DescribeKey calls, two records each
	local i
	for i in $(seq "$1"); do ctl kms DescribeKey KeyId="$cmk" >/dev/null || fail "DescribeKey"; done
}
# held [UNTIL]: what the server holds of i-host1 (pages of 4 records).
held() { sdk steps.js audit-records i-host1 A 4 "${1:-}"; }
# same_as_log N: the server holds exactly the N lines of the local log.
same_as_log() {
	local got
	[ "$(wc -l <"$log_file")" = "$1" ] || fail "the local log holds $(wc -l <"$log_file") records, not $1"
	got=$(held "$1")
	jq -e --slurpfile want <(jq -R . "$log_file") '.Records == $want and .ChainStatus == "Intact"' \
		<<<"$got" >/dev/null || fail "the server holds $(jq -c '[.Records[] | fromjson | .Seq]' <<<"$got") ($(jq -r .ChainStatus <<<"$got")), not the $1 records of the log"
}
restart_agent() {	# [options]
	kill "${AGENT_PID[i-host1]}"; wait "${AGENT_PID[i-host1]}" 2>/dev/null || true
	mv "$T/agent-i-host1.log" "$T/agent-i-host1.log.$RANDOM"
	start_agent i-host1 "$@"
	for _ in $(seq 50); do [ -S "$T/i-host1/agent.sock" ] && break; sleep 0.05; done
}

cmk=$(ctl kms CreateKey Description=audit | jq -r .KeyMetadata.KeyId)
kms_calls 2
same_as_log 6
echo "ok   the 6 records of the log reach ecs-api, in order, byte for byte, served by a signed DescribeAuditRecords in pages"

[ "$(sdk steps.js audit-records i-host1 B 4)" = '{"Code":"InvalidInstanceId.NotFound"}' ] ||
	fail "another account reads i-host1's records"
echo "ok   another account sees none of them (InvalidInstanceId.NotFound)"

restart_agent
kms_calls 2
same_as_log 10
echo "ok   an agent restart: it goes on from the server's head, none lost, none twice"

kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
kms_calls 2
start_api
same_as_log 14
echo "ok   records made while ecs-api was down arrive after its restart, none lost, none twice"

# Records not yet shipped when the log is set aside go from the file set aside.
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
kms_calls 1
restart_agent --new-audit-file
kms_calls 1
start_api
got=$(held 18)
jq -e --slurpfile want <(cat "$T/i-host1/state"/audit.log.* "$log_file" | jq -R .) \
	'.Records == $want and .ChainStatus == "Intact"' <<<"$got" >/dev/null ||
	fail "the server holds $(jq -c '[.Records[] | fromjson | .Seq]' <<<"$got"), not the 18 records of both files"
echo "ok   records left in a file set aside by --new-audit-file are shipped from it, then the new file's"

# Root rewrites history: record 2 (CreateKey's result) now says it failed,
# every hash after it recomputed, both files made one, and the head in the
# catalog set to match.
cat "$T/i-host1/state"/audit.log.* "$log_file" >"$T/original.log"
kill "${AGENT_PID[i-host1]}"; wait "${AGENT_PID[i-host1]}" 2>/dev/null || true
zeros=0000000000000000000000000000000000000000000000000000000000000000
prev=$zeros
while IFS= read -r line; do
	body=${line%,\"Hash\":*}
	body=$(sed -e 's/"Result":"Success","RequestSeq":1,/"Result":"Forbidden.NoPermission","RequestSeq":1,/' \
		-e "s/\"PrevHash\":\"[0-9a-f]*\"/\"PrevHash\":\"$prev\"/" <<<"$body")
	prev=$(printf '%s}' "$body" | sha256sum | cut -c1-64)
	printf '%s,"Hash":"%s"}\n' "$body" "$prev"
done <"$T/original.log" >"$log_file"
rm "$T/i-host1/state"/audit.log.*
cmp -s "$log_file" "$T/original.log" && fail "the rewrite changed nothing"
sqlite3 "$T/i-host1/state/catalog.db" \
	"UPDATE audit_head SET base_seq = 0, base_hash = '$zeros', hash = '$prev' WHERE id = 1"
mv "$T/agent-i-host1.log" "$T/agent-i-host1.log.$RANDOM"
start_agent i-host1
for _ in $(seq 50); do [ -S "$T/i-host1/agent.sock" ] && break; sleep 0.05; done
ctl verify-audit-log | grep -q "intact: 18 records" || fail "the host's own check should not see a rewrite with its head"
kms_calls 1
got=$(held Broken)
jq -e '.ChainStatus == "Broken" and (.Findings | length) == 1 and .Findings[0].Seq == 19 and
	(.Findings[0].Reason | test("does not follow record Seq 18 held"))' <<<"$got" >/dev/null ||
	fail "the rewritten continuation was not refused: $(jq -c '{ChainStatus, Findings}' <<<"$got")"
[ "$(jq -r '.Findings[0].Line' <<<"$got")" = "$(sed -n 19p "$log_file")" ] || fail "the finding does not hold the refused record"
jq -e --slurpfile want <(jq -R . "$T/original.log") '.Records == $want' <<<"$got" >/dev/null ||
	fail "the server no longer holds the original records"
jq -e '.Records[1] | fromjson | .Result == "Success"' <<<"$got" >/dev/null || fail "record 2 was rewritten on the server"
for _ in $(seq 40); do grep -q "ecs-api refused audit record Seq 19" "$T/agent-i-host1.log" && break; sleep 0.05; done
grep -q "ecs-api refused audit record Seq 19" "$T/agent-i-host1.log" || fail "the agent does not say the server refused"
echo "ok   root rewrites the log and its head: ecs-api keeps the original 18 records and refuses Seq 19, shown as a finding"

# A line with a field no record has (a key, say) never leaves the host.
start_agent i-host2
kill "${AGENT_PID[i-host2]}"; wait "${AGENT_PID[i-host2]}" 2>/dev/null || true
body='{"Seq":1,"Time":"2026-12-07T00:00:00Z","Region":"cn-hangzhou","Operation":"AttachDisk","Action":"Decrypt","ObjectId":"d-x","KMSKeyId":"k","RequestId":"r","Result":"Success","Plaintext":"c2VjcmV0a2V5","PrevHash":"'$zeros'"'
printf '%s,"Hash":"%s"}\n' "$body" "$(printf '%s}' "$body" | sha256sum | cut -c1-64)" >"$T/i-host2/state/audit.log"
start_agent i-host2
for _ in $(seq 40); do grep -q "is not shipped" "$T/agent-i-host2.log" && break; sleep 0.05; done
grep -q "the line after Seq 0 is not shipped, and none after it: field Plaintext is not one a record has" "$T/agent-i-host2.log" ||
	fail "the agent does not say it keeps the line"
got=$(sdk steps.js audit-records i-host2 A)
[ "$(jq -c '[.Records, .Findings]' <<<"$got")" = '[[],[]]' ] || fail "the line left the host: $got"
grep -q c2VjcmV0a2V5 "$T/api/ecs-api.db"* && fail "the key is in ecs-api's store"
echo "ok   a line with a field no record has (a key) stays on the host, and the agent says so"
