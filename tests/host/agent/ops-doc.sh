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
have=$("$ctl" --help 2>&1 | sed -n '/^verbs:/,/^options:/p' | awk '/^  [a-z]/ {print $1}' | sort -u)
documented=$(sed -n '/^| verb | what it does | prints |/,/^$/p' "$doc" |
	awk -F'|' 'NR > 2 {print $2}' | grep -o '`[a-z-]*' | tr -d '`' | sort -u)
missing=$(comm -23 <(echo "$have") <(echo "$documented"))
extra=$(comm -13 <(echo "$have") <(echo "$documented"))
[ -z "$missing" ] || { echo "FAIL: ecsenc-ctl verbs not in $doc: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: $doc lists verbs ecsenc-ctl lacks: $extra"; exit 1; }
echo "$(echo "$have" | wc -l) ecsenc-ctl verbs documented"

# Disk categories: one table (tools/lib/disk_category.c), shown by --help;
# the bash completion offers exactly those, and the docs name each.
categories=$("$ctl" --help 2>&1 | sed -n '/^disk categories:/,/^$/p' | awk 'NR > 1 && NF {print $1}' | sort)
[ "$(wc -l <<<"$categories")" -ge 5 ] || { echo "FAIL: --help lists no categories: $categories"; exit 1; }
completion=$(grep -o "compgen -W '[a-z_ ]*cloud_ssd[a-z_ ]*'" "$top/Documentation/bash-completion/ecsenc-ctl" |
	sed "s/compgen -W '//; s/'//" | tr ' ' '\n' | sort)
[ "$categories" = "$completion" ] || {
	echo "FAIL: bash completion's categories differ from --help's: $(diff <(echo "$categories") <(echo "$completion") | tr '\n' ' ')"; exit 1; }
for c in $categories; do
	grep -q "\`$c\`" "$doc" || { echo "FAIL: $doc does not name category $c"; exit 1; }
done
echo "$(wc -l <<<"$categories") disk categories in --help, completion and $doc"
