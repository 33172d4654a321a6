#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent runs the tasks of a poll side by side (--ecs-api-workers):
# four encrypted CreateDisks on one instance, each a KMS call of 700 ms,
# run at once, not one after the other, and each becomes Available.
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
start_kms --delay 700
start_api
start_agent i-one
for _ in $(seq 100); do
	[ "$(step instance-status i-one)" = Running ] && break
	sleep 0.1
done

disks=$(step create-disks-on i-one 4) || fail "CreateDisk: $disks"
for d in $disks; do
	for _ in $(seq 100); do
		[ "$(step disk-status "$d")" = "Available - -" ] && break
		sleep 0.1
	done
	[ "$(step disk-status "$d")" = "Available - -" ] || fail "$d is not Available"
done
# The most tasks under way at once, from the agent's log.
most=$(awk '/ from ecs-api$/ { n++; if (n > m) m = n } / done in [0-9]+ ms$/ { n-- } END { print m + 0 }' \
	"$T/agent-i-one.log")
[ "$most" -ge 2 ] || fail "the agent ran its tasks one at a time (at most $most at once)"
echo "ok   four slow CreateDisks on one agent: up to $most tasks at once, all Available"
