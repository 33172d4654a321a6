#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The one error table (tools/lib/ecs_error.h) is whole, and
# Documentation/operations.md lists exactly its entries, with the same HTTP
# and exit statuses; the agent and ecsenc-ctl name errors only through it.
set -uo pipefail
here=$(dirname "$0")
top=$(cd "$here/../../.." && pwd)
doc=$top/Documentation/operations.md

table=$(bash "$here/build-and-run.sh" "$here/error_table_test.c") || {
	echo "FAIL: error table: $table"; exit 1; }
# | `Code` | HTTP | exit | meaning |  rows of the doc's error table
documented=$(sed -n '/^| code | HTTP | exit | what it means |/,/^$/p' "$doc" |
	awk -F'|' 'NR > 2 && NF > 4 { gsub(/[` ]/, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4);
		print $2, $3, $4 }' | sort)
have=$(sort <<<"$table")
missing=$(comm -23 <(echo "$have") <(echo "$documented"))
extra=$(comm -13 <(echo "$have") <(echo "$documented"))
[ -z "$missing" ] || { echo "FAIL: error table entries not (or not so) in $doc: $missing"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: $doc lists errors the table lacks: $extra"; exit 1; }

# No code spelt as a string where an error is made: only table identities.
strays=$(grep -nE '(op_fail_code|ctl_error_code|proto_reply_error)\([^;]*"[A-Z][A-Za-z]+(\.[A-Za-z]+)*"' \
	"$top"/kms-agent/*.c "$top"/kms-agent/rbd/*.c "$top"/tools/ecsenc-ctl/*.c "$top"/tools/lib/*.c)
[ -z "$strays" ] || { echo "FAIL: error codes spelt outside the table: $strays"; exit 1; }
echo "$(wc -l <<<"$have") errors in the table, all documented"
