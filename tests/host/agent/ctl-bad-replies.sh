#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ecsenc-ctl does not trust the shape of the agent's answer: fields of the
# wrong type, missing results, non-objects and garbage give an error or an
# empty field, never a crash.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$CTL_BIN"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
build_tool fake_agent

sock=$work/fake.sock
# answers VERB-ARGS -- REPLY...: run ctl once per reply against a fake agent.
answers() {
	local args=() rc
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"$work/fake_agent" "$sock" "$@" &
	pids+=($!)
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
	for r in "$@"; do
		"$CTL_BIN" --socket "$sock" "${args[@]}" >"$work/out" 2>"$work/err"
		rc=$?
		# An error has a status of the error table's (1 to 7); a crash is a signal's.
		[ $rc -le 7 ] || fail "ecsenc-ctl ${args[*]} died (status $rc) on: $r"
	done
	wait "${pids[-1]}"
}

answers describe-disks -- '{"ok":true,"result":{"Disks":"none"}}' \
	'{"ok":true,"result":{"Disks":[1,"x",null,{"DiskId":7,"Size":"big"}]}}' \
	'{"ok":true,"result":[]}' '{"ok":true}' '{"ok":"yes"}' '[]' '7' 'garbage' ''
answers describe-kms-usage -- '{"ok":true,"result":{"Regions":[1]}}' \
	'{"ok":true,"result":{"Regions":{"r":{"Operations":{"CreateDisk":{"Actions":[],"KmsCalls":"x"}}}}}}' \
	'{"ok":true,"result":{"Regions":{"r":7}}}'
answers attach-disk d-1 -- '{"ok":true,"result":{"Device":null}}' \
	'{"ok":false,"error":7,"code":[]}' '{"ok":false}'
answers copy-disk d-1 d-2 -- '{"ok":true,"result":{"Disks":[]}}' \
	'{"ok":true,"result":{"Disks":[{"DiskId":"d-other"}]}}'
answers rebuild-catalog -- '{"ok":true,"result":{"Objects":"many"}}'
answers --json describe-disks -- '{"ok":false,"error":"the agent says no","code":"X"}'
[ "$(jq -r .Message "$work/out")" = "the agent says no" ] || fail "--json error: $(cat "$work/out")"
echo PASS
