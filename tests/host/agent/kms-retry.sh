#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent's KMS retry policy against a scripted fake KMS: 5xx and
# Throttling are retried with backoff until an answer; a permanent error
# is not retried and is said in plain words; a KMS that never answers
# gives up at the deadline.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v node >/dev/null || { echo "SKIP: no node"; exit 77; }

fake() {		# script -> starts the fake KMS, sets $port
	port=$(tcp_free_port)
	(cd "$work" && exec node "$top/tests/host/agent/fake-kms.js" "$port" "$1") &
	pids+=($!)
	tcp_wait_listen $! "$port" || fail "fake KMS did not start"
}

log "503, Throttling, 503, then an answer: retried until it succeeds"
fake 503,throttle,503,ok
start_agent "http://127.0.0.1:$port" --kms-deadline 10
d=$(ctl create-disk --size 4M --category cloud --encrypted) || fail "create-disk did not survive transient errors"
[ "$(wc -l <"$work/$port.log")" = 4 ] || fail "want 4 calls, got: $(cat "$work/$port.log")"
grep -q "retrying in 100 ms" "$work/agent.log" && grep -q "retrying in 400 ms" "$work/agent.log" ||
	fail "no exponential backoff in the log"
ctl describe-disks "$d" | grep -q fake-key-id || fail "disk not recorded"
ctl describe-kms-usage | grep -q "CreateDisk  *4 " || fail "every answered try is billed"
stop_agent

log "a permanent error is not retried"
fake disabled
start_agent "http://127.0.0.1:$port" --kms-deadline 10
must_fail --error "is disabled; enable it" ctl create-disk --size 4M --category cloud --encrypted --kms-key-id k1
[ "$(wc -l <"$work/$port.log")" = 1 ] || fail "a permanent error was retried"
stop_agent

log "a KMS that keeps failing: give up at the deadline"
fake 503
start_agent "http://127.0.0.1:$port" --kms-deadline 2
t0=$(date +%s)
must_fail --error "KMS of region cn-hangzhou is unavailable" ctl create-disk --size 4M --category cloud --encrypted
dt=$(($(date +%s) - t0))
[ $dt -ge 1 ] && [ $dt -le 5 ] || fail "gave up after ${dt}s with a 2 s deadline"
echo PASS
