#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Placement and attachments without a kernel (local backend: no attach
# here; tests/vm/ecs-api/rbd.sh attaches on Ceph):
#   - each agent says its backend in AgentPoll, and the server keeps it;
#   - MultiAttach as ECS spells it (Enabled/Disabled), for the shared
#     categories only;
#   - a local disk attaches on its host only, with Force=true too;
#   - a store of before the attachments table (SQLite, or PostgreSQL of
#     schema version 2): the disk's one attachment moves to the table,
#     and DescribeDisks' Attachments shows it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
[ -n "${ECS_API_ON_PG:-}" ] || command -v sqlite3 >/dev/null ||
	{ echo "SKIP: sqlite3 missing"; exit 77; }
write_creds
add_instance i-one
add_instance i-two
start_kms
start_api
start_agent i-one
start_agent i-two
step() { sdk steps.js "$@"; }
check() {	# WHAT WANT GOT
	[ "$2" = "$3" ] || { echo "FAIL: $1: '$3', not '$2'"; exit 1; }
	echo "ok   $1"
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
wait_for Running step instance-status i-one
wait_for Running step instance-status i-two
check "the agents' backend, from AgentPoll" "i-one|local i-two|local" \
	"$(store_sql "SELECT id || '|' || backend FROM instances ORDER BY id" | paste -sd' ')"

s=$(step create-disk-of san_ssd Enabled i-one)
wait_for "Available -" step attachments "$s"
check "MultiAttach=Enabled of a san_ssd disk" Enabled \
	"$(store_sql "SELECT CASE multi_attach WHEN 1 THEN 'Enabled' ELSE 'Disabled' END FROM disks WHERE id = '$s'")"
got=$(step create-disk-of cloud_ssd Enabled) || true
check "MultiAttach=Enabled of a cloud_ssd disk" "ERROR InvalidDiskCategory.ValueNotSupported" "$got"
got=$(step create-disk-of san_ssd Sometimes) || true
check "MultiAttach=Sometimes" "ERROR InvalidParameter" "$got"

d=$(step create-disk-of cloud_ssd "" i-one)
wait_for "Available -" step attachments "$d"
got=$(step try-attach "$d" i-two)
check "a local disk of i-one attached to i-two" \
	"OperationDenied 403 The disk $d is a local disk of instance i-one and attaches there only." "$got"
got=$(step try-attach "$d" i-two force)
check "the same with Force=true" \
	"OperationDenied 403 The disk $d is a local disk of instance i-one and attaches there only." "$got"

# The store as ecs-api kept it before: the attachment in the disk's row.
# On PostgreSQL: the schema of version 2, before the attachments table.
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
if [ -n "${ECS_API_DATABASE:-}" ]; then
	pg_sql "DROP TABLE attachments, audit_records, audit_findings, task_outcomes;
		ALTER TABLE instances DROP COLUMN backend;
		DELETE FROM schema_version WHERE version = 3;"
else
	store_sql "DELETE FROM attachments"
fi
store_sql "UPDATE disks SET status = 3, instance = 'i-one',
	device = '/dev/mapper/old-$d', attached_at = 1700000000 WHERE id = '$d'"
start_api
check "an attachment of an older store, in Attachments" "In_use i-one=/dev/mapper/old-$d" \
	"$(step attachments "$d")"
check "the disk's row keeps no attachment" "|" \
	"$(store_sql "SELECT instance || '|' || device FROM disks WHERE id = '$d'")"
got=$(step try-attach "$d" i-one)
check "AttachDisk of the attached disk" "IncorrectDiskStatus 403 The disk $d is In_use." "$got"
