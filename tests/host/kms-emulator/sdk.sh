#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The emulator through Alibaba Cloud's official Node SDKs (node/*.js): one
# suite per row of the table below, each against an emulator of its own
# with a fresh data dir.
#
#   sdk.sh [SUITE...]    the named suites (default: all of them)
#
# After each suite's output comes "RESULT SUITE PASS|FAIL|SKIP SECONDS";
# tests/run-all.sh reports each as a test of its own.  Exits 1 if a suite
# failed, 77 if node or npm is missing (every suite is then a SKIP).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# suite     | emulator options | node script and arguments | what it checks
SDK_SUITES=(
	"acs3       |              | acs3.js      | ACS3-HMAC-SHA256 signatures (@alicloud/openapi-client)"
	"actions    |              | actions.js   | every action, happy path"
	"errors     |              | errors.js    | every error path (auth, parameters, states, unknown keys, context, region)"
	"import     |              | import.js    | BYOK import with every wrapping algorithm, token and material expiry"
	"lifecycle  |              | lifecycle.js | clock-driven behaviour: deletion window (crypto-shredding), rotation"
	"quota      | --max-keys 3 | quota.js 3   | the customer-key quota (--max-keys) and the service key outside it"
)

# sdk_row SUITE: that suite's row of SDK_SUITES, or nothing.
sdk_row() {
	local row name
	for row in "${SDK_SUITES[@]}"; do
		name=${row%%|*}
		[ "${name// /}" = "$1" ] && { echo "$row"; return 0; }
	done
	return 1
}

# run_suite ROW: the suite's script against an emulator started with the
# row's options; 0 if the script passed.  The emulator and its data dir are
# gone afterwards.  Options and arguments are split on blanks on purpose.
run_suite() {
	local name opts script what rc=0
	IFS='|' read -r name opts script what <<<"$1"
	echo "--- sdk suite ${name// /}: ${what# }"
	# shellcheck disable=SC2086
	kms_setup && kms_start $opts && kms_node $script || rc=1
	kms_cleanup
	return $rc
}

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	for row in "${SDK_SUITES[@]}"; do
		name=${row%%|*}
		suites+=("${name// /}")
	done
fi
for s in "${suites[@]}"; do
	sdk_row "$s" >/dev/null || { echo "no SDK suite '$s'" >&2; exit 2; }
done

if ! (node_deps); then
	for s in "${suites[@]}"; do echo "RESULT $s SKIP 0"; done
	exit 77
fi
kms_build_emulator

failed=0
for s in "${suites[@]}"; do
	t0=$SECONDS
	if run_suite "$(sdk_row "$s")"; then
		status=PASS
	else
		status=FAIL
		failed=$((failed + 1))
	fi
	echo "RESULT $s $status $((SECONDS - t0))"
done
[ $failed -eq 0 ] || exit 1
