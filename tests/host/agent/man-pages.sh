#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Each program's man page documents every option its --help lists, and
# kms-agent(8) names every file the agent keeps in its state directory.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
man=$top/Documentation/man
status=0

check() {	# program man-page
	local prog=$1 page=$2 opt n=0
	[ -x "$prog" ] || { echo "SKIP: $prog not built"; exit 77; }
	for opt in $("$prog" --help 2>&1 | grep -oE '(^|[ [])--[a-z][a-z-]*' | sed 's/^[ [ ]*//' | sort -u); do
		n=$((n + 1))
		grep -qF -- "\\-\\-${opt#--}" "$page" || {
			echo "FAIL: ${page##*/} does not document $opt (in ${prog##*/} --help)"; status=1; }
	done
	echo "${page##*/}: $n options of ${prog##*/} --help"
}
check "$top/tools/ecsenc-ctl/ecsenc-ctl" "$man/ecsenc-ctl.8"
check "$top/kms-agent/kms-agent" "$man/kms-agent.8"
check "$top/tools/kms-emulator/kms-emulator" "$man/kms-emulator.8"
check "$top/tools/ecs-api/ecs-api" "$man/ecs-api.8"

# What the agent keeps under its state directory (names its sources build).
for f in catalog.db audit.log agent.lock rbd-maps; do
	grep -q "$f" "$man/kms-agent.8" || { echo "FAIL: kms-agent.8 FILES omits $f"; status=1; }
done
exit $status
