# SPDX-License-Identifier: GPL-2.0
# Sourced by the host's and the guest's test libraries (tests/host/agent/
# lib.sh, tests/vm/lib.sh), which define fail MESSAGE: what a test
# asserts, spelt once for both.

assert_eq() {		# actual expected what
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# must_fail [--error PATTERN] CMD...: CMD must exit non-zero; its stderr
# is kept in $LAST_ERR.  With --error, that stderr must also be one line
# matching PATTERN (a grep pattern): a refusal meant for a person says
# what is wrong in one line, as ecsenc-ctl's do.  For a tool that says
# more (dmsetup), leave --error out and look at $LAST_ERR.
must_fail() {
	local pat="" check_error=0
	if [ "${1:-}" = --error ]; then
		[ $# -ge 3 ] || fail "usage: must_fail --error PATTERN CMD..."
		pat=$2 check_error=1
		shift 2
	fi
	if LAST_ERR=$("$@" 2>&1 >/dev/null); then
		fail "this should have failed: $*"
	fi
	[ $check_error -eq 1 ] || return 0
	grep -q -- "$pat" <<<"$LAST_ERR" ||
		fail "'$*': expected an error matching '$pat', got: $LAST_ERR"
	[ "$(printf '%s\n' "$LAST_ERR" | wc -l)" -eq 1 ] ||
		fail "'$*': expected a one-line error, got: $LAST_ERR"
}
