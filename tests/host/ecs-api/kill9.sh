#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Nothing lost: kill -9 of ecs-api or of an agent while a task is under
# way (CreateDisk, CreateSnapshot, DeleteDisk; the KMS answers slowly so
# that the kill lands mid-task) leaves each resource as DescribeDisks and
# the agent both tell it, with nothing made twice.  And the keys: ecs-api's
# own KMS key called DescribeKey only; data keys were made and unwrapped by
# the agent's key alone (the emulator's metering).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
start_kms --delay 400
start_api
start_agent i-host1
step() { sdk steps.js "$@"; }
agent_objects() {	# KIND: ids the agent itself holds
	"$TOP/tools/ecsenc-ctl/ecsenc-ctl" --socket "$T/i-host1/agent.sock" --json \
		"describe-$1" | grep -o "\"$( [ "$1" = disks ] && echo DiskId || echo SnapshotId )\": *\"[^\"]*\"" |
		sed 's/.*"\([^"]*\)"$/\1/' | sort
}
wait_for() {	# WANT CMD...: until CMD prints WANT (10 s)
	local want=$1 got i; shift
	for i in $(seq 100); do
		got=$("$@") || true
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "FAIL: $* is '$got', not '$want'"; exit 1
}
[ -x "$TOP/tools/ecsenc-ctl/ecsenc-ctl" ] || { echo "SKIP: ecsenc-ctl not built"; exit 77; }

echo "--- kill -9 of the agent in the middle of CreateDisk (encrypted)"
d1=$(step create-disk true)
sleep 0.15
kill -9 "${AGENT_PID[i-host1]}"; wait "${AGENT_PID[i-host1]}" 2>/dev/null || true
st=$(step disk-status "$d1"); [ "$st" = "Creating - -" ] || { echo "FAIL: $d1 is $st, not Creating"; exit 1; }
start_agent i-host1
wait_for "Available - -" step disk-status "$d1"
[ "$(agent_objects disks)" = "$d1" ] || { echo "FAIL: agent holds $(agent_objects disks), not $d1"; exit 1; }
echo "ok   $d1 Available once the agent is back; the agent holds exactly it"

echo "--- a nonce used before a kill -9 of ecs-api is refused after it"
q=$(step signed-query)
[ "$(step send-query "$q")" = "200 ok" ] || { echo "FAIL: the signed query was refused"; exit 1; }

echo "--- kill -9 of ecs-api in the middle of CreateSnapshot"
s1=$(step create-snapshot "$d1")
sleep 0.15
kill -9 "$API_PID"; wait "$API_PID" 2>/dev/null || true
sleep 1	# the agent finishes and cannot report
start_api
got=$(step send-query "$q")
[ "$got" = "400 SignatureNonceUsed" ] || { echo "FAIL: a replay after the restart got $got"; exit 1; }
echo "ok   the replayed request is refused after the restart: $got"
wait_for accomplished step snapshot-status "$s1"
[ "$(agent_objects snapshots)" = "$s1" ] || { echo "FAIL: agent holds $(agent_objects snapshots)"; exit 1; }
[ "$(step snapshot-count)" = 1 ] || { echo "FAIL: snapshots made twice"; exit 1; }
echo "ok   $s1 accomplished after ecs-api's restart; one snapshot"

echo "--- kill -9 of the agent in the middle of CreateSnapshot"
s2=$(step create-snapshot "$d1")
sleep 0.15
kill -9 "${AGENT_PID[i-host1]}"; wait "${AGENT_PID[i-host1]}" 2>/dev/null || true
start_agent i-host1
wait_for accomplished step snapshot-status "$s2"
[ "$(agent_objects snapshots)" = "$(printf '%s\n' "$s1" "$s2" | sort)" ] ||
	{ echo "FAIL: agent holds $(agent_objects snapshots)"; exit 1; }
echo "ok   $s2 accomplished, made once"

echo "--- kill -9 of ecs-api and then of the agent in the middle of DeleteDisk"
d2=$(step create-disk false)
wait_for "Available - -" step disk-status "$d2"
step delete-disk "$d2" >/dev/null
kill -9 "$API_PID" "${AGENT_PID[i-host1]}"
wait "$API_PID" "${AGENT_PID[i-host1]}" 2>/dev/null || true
start_api
start_agent i-host1
wait_for gone step disk-status "$d2"
agent_objects disks | grep -q "$d2" && { echo "FAIL: the agent still holds $d2"; exit 1; }
echo "ok   $d2 gone from both"

echo "--- the keys: who called what"
d3=$(step create-disk-cmk)
wait_for "Available - -" step disk-status "$d3"
meter=$(step metering)
echo "$meter" | sed 's/^/     /'
api_calls=$(echo "$meter" | awk -v ak="$KMS_API_AK" '$1 == ak { print $2 }' | sort -u)
[ "$api_calls" = DescribeKey ] ||
	{ echo "FAIL: ecs-api's key called $api_calls"; exit 1; }
echo "$meter" | awk -v ak="$KMS_AGENT_AK" '$1 == ak && $2 ~ /^GenerateDataKey/' | grep -q . ||
	{ echo "FAIL: the agent made no data key"; exit 1; }
echo "ok   ecs-api's key called DescribeKey only; data keys were made by the agent's key"
