#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An agent at work is alive: a task longer than --agent-silence (the KMS
# made slow, 2.2 s a call, with --agent-silence 1) leaves its instance
# Running throughout, since the agent calls AgentKeepAlive while it runs
# the task; and AttachDisk Force=true of a disk the instance holds is
# refused meanwhile (IncorrectDiskStatus): a live host is not fenced.
# The taker is an instance on shared storage that the test writes into
# the store (Force needs rbd, which needs the kernel: tests/vm/ecs-api/
# rbd.sh); the holder is the real agent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
[ -n "${ECS_API_ON_PG:-}" ] || command -v sqlite3 >/dev/null ||
	{ echo "SKIP: sqlite3 missing"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
step() { sdk steps.js "$@"; }
write_creds
add_instance i-one
start_kms --delay 2200
SILENCE=1 start_api
start_agent i-one
wait_for() {	# WANT CMD...: until CMD prints WANT (10 s)
	local want=$1 got end=$((SECONDS + 10)); shift
	while :; do
		got=$("$@") || true
		[ "$got" = "$want" ] && return 0
		[ $SECONDS -lt $end ] || fail "$* is '$got', not '$want'"
		sleep 0.1
	done
}
wait_for Running step instance-status i-one

# A disk of i-one's (no KMS call: quick), then, in the store: its host is
# i-far, an instance on rbd seen until 2100, and i-one holds it.
d=$(step create-disk false) || fail "CreateDisk: $d"
wait_for "Available - -" step disk-status "$d"
store_sql "INSERT INTO instances (id, account, region, last_seen_ms, backend)
	SELECT 'i-far', account, region, 4102444800000, 'rbd' FROM disks WHERE id = '$d';
	UPDATE disks SET host = 'i-far', status = 3 WHERE id = '$d';
	INSERT INTO attachments (disk_id, instance, device, attached_at, state)
	VALUES ('$d', 'i-one', '/dev/vdb', 1700000000, 1)" >/dev/null || fail "the set-up"
wait_for "In_use i-one=/dev/vdb" step attachments "$d"

# The slow task: an encrypted CreateDisk, a KMS call of 2.2 s on i-one.
step create-disk-on i-one >"$T/slow" &
slow=$!
for _ in $(seq 200); do
	[ "$(grep -c 'from ecs-api' "$T/agent-i-one.log")" -lt 2 ] || break
	sleep 0.05
done
[ "$(grep -c 'from ecs-api' "$T/agent-i-one.log")" = 2 ] || fail "the agent did not take the slow task"
# Until the task is done: checked from one SDK process, every 100 ms.
( for _ in $(seq 400); do
	[ "$(grep -c 'done in' "$T/agent-i-one.log")" -lt 2 ] || break
	sleep 0.05
  done
  : >"$T/task-done" ) &
got=$(step running-until i-one "$d" i-far "$T/task-done") || fail "the checks: $got"
read -r verdict checks last <<<"$got"
[ "$verdict" = ok ] || fail "during the task: $got"
wait "$slow" || fail "the slow CreateDisk: $(cat "$T/slow")"
took=$(grep -o 'task 2 done in [0-9]*' "$T/agent-i-one.log" | awk '{ print $5 }') || true
[ -n "$took" ] || fail "the slow task did not end"
[ "$took" -gt 1500 ] && [ "$last" -gt 1500 ] ||
	fail "the task took $took ms, the last check at $last ms: not past --agent-silence"
grep -q "AgentKeepAlive" "$T/api.log" || fail "no AgentKeepAlive in ecs-api's log"
echo "ok   a task of $took ms, --agent-silence 1 s: i-one Running and Force refused throughout ($checks checks, the last at $last ms)"
