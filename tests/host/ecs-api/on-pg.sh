#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The ecs-api host tests of the store's newer operations (attachments,
# audit records and findings, task outcomes) once more on PostgreSQL
# (ECS_API_ON_PG=1), each its own RESULT line for tests/run-all.sh.
# Every other test runs on PostgreSQL the same way by hand.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for t in attachments audit-ship create-disk-failure; do
	t0=$(date +%s)
	ECS_API_ON_PG=1 bash "$here/$t.sh" </dev/null
	case $? in
	0) status=PASS ;;
	77) status=SKIP ;;
	*) status=FAIL rc=1 ;;
	esac
	echo "RESULT $t-on-pg $status $(($(date +%s) - t0))"
done
exit $rc
