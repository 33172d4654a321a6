#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Documentation/operations.md agrees with the protocol's one declaration
# (tools/lib/agent_ops.c) and with ecsenc-ctl's verb table.
set -uo pipefail
here=$(dirname "$0")
top=$(cd "$here/../../.." && pwd)
doc=$top/Documentation/operations.md
OPERATIONS_MD=$doc bash "$here/build-and-run.sh" "$here/ops_doc_test.c" || exit 1

ctl=$top/tools/ecsenc-ctl/ecsenc-ctl
[ -x "$ctl" ] || { echo "SKIP: ecsenc-ctl not built"; exit 77; }
# The verbs ecsenc-ctl has (its --help) and the verbs the doc's ctl table lists.
have=$("$ctl" --help 2>&1 | awk '/^  [a-z]/ {print $1}' | sort -u)
documented=$(sed -n '/^| verb | what it does | prints |/,/^$/p' "$doc" |
	awk -F'|' 'NR > 2 {print $2}' | grep -o '`[a-z-]*' | tr -d '`' | sort -u)
missing=$(comm -23 <(echo "$have") <(echo "$documented"))
extra=$(comm -13 <(echo "$have") <(echo "$documented"))
[ -z "$missing" ] || { echo "FAIL: ecsenc-ctl verbs not in $doc: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: $doc lists verbs ecsenc-ctl lacks: $extra"; exit 1; }
echo "$(echo "$have" | wc -l) ecsenc-ctl verbs documented"
