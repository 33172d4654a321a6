# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the host side of a guest run (tests/vm/run-vm.sh,
# tests/systemd/run.sh).  Source it.

# The verdict on a finished guest: print its RESULT lines and whatever
# went wrong; fail when qemu failed or timed out, the guest never wrote
# DONE_TAG, the kernel oopsed or warned, or a test failed.
guest_verdict() {	# who results console done_tag qemu_rc timeout_s
	local who=$1 results=$2 console=$3 done_tag=$4 qemu_rc=$5 timeout_s=$6
	local rc=0 oops='BUG:|WARNING:|Oops|general protection|Call Trace|kernel panic'

	tr -d '\r' <"$results" | grep '^RESULT ' || true
	if [ "$qemu_rc" -ne 0 ]; then
		echo "$who: qemu exited with $qemu_rc (124: timed out after ${timeout_s}s)"
		rc=1
	fi
	if ! grep -q "^$done_tag" "$results"; then
		echo "$who: the guest did not finish; console tail:"
		tail -n 40 "$console" | sed 's/^/  /'
		rc=1
	fi
	if grep -Eq "$oops" "$console"; then
		echo "$who: the kernel complained:"
		grep -E -A 12 "$oops" "$console" | head -n 60 | sed 's/^/  /'
		rc=1
	fi
	if grep -q '^RESULT .* FAIL ' "$results"; then
		rc=1
	fi
	return $rc
}
