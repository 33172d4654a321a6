#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One slow agent delays no other: with instance i-host1's agent frozen
# (SIGSTOP) while its poll is parked, work for i-host2 is done at once;
# i-host1's waits, and is done once its agent runs again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
add_instance i-host2
start_kms
start_api
start_agent i-host1
start_agent i-host2
step() { sdk steps.js "$@"; }
kill -STOP "${AGENT_PID[i-host1]}"
slow=$(step create-disk-on i-host1)
t0=$(date +%s%N)
fast=$(step create-disk-on i-host2)
for _ in $(seq 50); do
	[ "$(step disk-status "$fast")" = "Available - -" ] && break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
st=$(step disk-status "$fast")
[ "$st" = "Available - -" ] || { echo "FAIL: i-host2's disk is $st"; kill -CONT "${AGENT_PID[i-host1]}"; exit 1; }
st=$(step disk-status "$slow")
[ "$st" = "Creating - -" ] || { echo "FAIL: the frozen agent's disk is $st"; kill -CONT "${AGENT_PID[i-host1]}"; exit 1; }
echo "ok   i-host2's disk Available ${ms} ms after CreateDisk (the SDK's process start included) while i-host1's agent is frozen"
kill -CONT "${AGENT_PID[i-host1]}"
for _ in $(seq 100); do
	[ "$(step disk-status "$slow")" = "Available - -" ] && break
	sleep 0.1
done
[ "$(step disk-status "$slow")" = "Available - -" ] || { echo "FAIL: i-host1's disk never Available"; exit 1; }
echo "ok   i-host1's disk Available once its agent runs again"
