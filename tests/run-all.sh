#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every ecsenc test and end with one line "N passed, N failed".
#
#   tests/run-all.sh [--host-only | --vm-only]
#
# Host tests are the executables tests/host/**/*.sh (not under node_modules); each exits 0 (pass),
# 77 (skip) or anything else (fail).  One that runs several suites (the
# SDK suites of tests/host/kms-emulator/sdk.sh) prints a RESULT line, as
# below, per suite, and each is counted.  VM tests are tests/vm/tests/*.sh, run
# inside one boot of each kernel dm-ecsenc supports (6.1 and 6.12; KVER=
# for one) by tests/vm/run-vm.sh, which prints one
# "RESULT <name> <PASS|FAIL|SKIP> <seconds>" line per test.  Then
# tests/systemd/run.sh boots a Debian 12 system with the packages of
# make deb under systemd, on the default kernel.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

run_host=1
run_vm=1
case "${1:-}" in
--host-only) run_vm=0 ;;
--vm-only) run_host=0 ;;
"") ;;
*) echo "usage: $0 [--host-only|--vm-only]" >&2; exit 2 ;;
esac

passed=0 failed=0 skipped=0
failures=()
logdir=$top/build/test-logs
mkdir -p "$logdir"
start_all=$(date +%s)

record() {		# name status seconds
	printf '%-52s %-4s %4ss\n' "$1" "$2" "$3"
	case "$2" in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$1") ;;
	esac
}

# The last 20 lines a host test printed before its line "RESULT NAME ...".
output_before_result() {	# log name
	awk -v want="$2" '
		$1 == "RESULT" {
			if ($2 == want) {
				for (i = (n > 20 ? n - 20 : 0); i < n; i++)
					print buf[i % 20]
				exit
			}
			n = 0
			next
		}
		{ buf[n % 20] = $0; n++ }' "$1"
}

# A host test that prints RESULT lines (as the guest's run-vm.sh does) is
# recorded once per line, as host/<script>:<name>.  Its exit status then
# counts only when it failed and none of its results did: it broke
# between them.
record_host() {		# name log rc seconds
	local name=$1 log=$2 rc=$3 dt=$4 tag sub status secs sub_failed=0
	if grep -q '^RESULT ' "$log"; then
		while read -r tag sub status secs; do
			[ "$tag" = RESULT ] || continue
			record "host/$name:$sub" "$status" "$secs"
			if [ "$status" = FAIL ]; then
				sub_failed=1
				output_before_result "$log" "$sub" | sed 's/^/    | /'
			fi
		done <"$log"
		case $rc in 0 | 77) return ;; esac
		[ $sub_failed -eq 1 ] && return
	fi
	case $rc in
	0) record "host/$name" PASS "$dt" ;;
	77) record "host/$name" SKIP "$dt" ;;
	*) record "host/$name" FAIL "$dt"; tail -n 20 "$log" | sed 's/^/    | /' ;;
	esac
}

if [ $run_host -eq 1 ]; then
	while IFS= read -r t; do
		name=${t#tests/host/}
		log=$logdir/host-${name//\//_}.log
		t0=$(date +%s)
		"$t" >"$log" 2>&1 </dev/null	# a test must not eat the list
		rc=$?
		record_host "$name" "$log" $rc $(($(date +%s) - t0))
	# Not npm's packages' scripts (playwright-core ships browser installers).
	done < <(find tests/host -name node_modules -prune -o -name '*.sh' -perm -u+x -print | sort)
fi

# Record a guest run's RESULT lines as PREFIX/<name>, and the run itself
# as one more failure when its harness failed (boot, oops, timeout).
record_guest() {	# prefix results rc
	local tag name status secs
	while read -r tag name status secs; do
		[ "$tag" = RESULT ] || continue
		record "$1/$name" "$status" "$secs"
	done <"$2"
	if [ "$3" -ne 0 ]; then
		grep -v '^RESULT ' "$2" | sed 's/^/    | /'
		record "$1/harness (boot, oops/WARNING check)" FAIL 0
	fi
}

# One VM suite per kernel (scripts/kver.sh --all; KVER= runs just that
# one), each with the module built for it.
vm_suite() {		# kver
	local kver=$1 vm_rc t0 p0=$passed f0=$failed
	local short=${1%%-*}
	local results=$logdir/vm-results-$kver.txt
	short=${short%%+*}
	t0=$(date +%s)
	KVER=$kver tests/vm/run-vm.sh --tests tests/vm/tests --disk 64 \
		--console "$logdir/vm-console-$kver.log" >"$results"
	vm_rc=$?
	record_guest "vm-$short" "$results" $vm_rc
	# ecsenc's QD1 latency in instruction-time, held to the committed
	# figure for this kernel (tests/bench/icount-check.sh): one boot,
	# about a minute.
	icount_check "$kver" "$short"
	vm_summary+=("vm on $kver: $((passed - p0)) passed, $((failed - f0)) failed, $(($(date +%s) - t0))s")
}

# A guest run that prints its own RESULT line: a failing check's details
# are shown, and a run that broke before its verdict is one failure.
icount_check() {	# kver short
	local log=$logdir/icount-check-$1.txt rc
	KVER=$1 tests/bench/icount-check.sh >"$log" 2>&1
	rc=$?
	grep -q '^RESULT ' "$log" || { record_guest "icount-$2" "$log" 1; return; }
	[ $rc -eq 0 ] || grep -v '^RESULT ' "$log" | sed 's/^/    | /'
	record_guest "icount-$2" "$log" 0
}

vm_summary=()
if [ $run_vm -eq 1 ]; then
	if [ -n "${KVER:-}" ]; then
		kernels=$KVER
	else
		kernels=$(scripts/kver.sh --all) || exit 1
	fi
	for kver in $kernels; do
		vm_suite "$kver"
	done
	# The ECS API through the official SDKs, with instance i-vm1's agent
	# in a guest of the default kernel that really attaches (about two
	# minutes; tests/vm/ecs-api/run.sh, also make check-ecs-api).
	t0=$(date +%s)
	tests/vm/ecs-api/run.sh >"$logdir/ecs-api-vm.txt" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 0 ] || tail -n 40 "$logdir/ecs-api-vm.txt" | sed 's/^/    | /'
	case $rc in
	0) record vm-ecs-api/sdk-story PASS $(($(date +%s) - t0)) ;;
	77) record vm-ecs-api/sdk-story SKIP $(($(date +%s) - t0)) ;;
	*) record vm-ecs-api/sdk-story FAIL $(($(date +%s) - t0)) ;;
	esac
	vm_summary+=("ecs-api with an agent in a VM: $(($(date +%s) - t0))s")
	# Cloud disks on Ceph through the SDK: two instances' agents (rbd) in
	# a guest with a one-node cluster; AttachDisk elsewhere refused, Force
	# from a Stopped holder fences it, MultiAttach on both, Attachments as
	# Ceph says (tests/vm/ecs-api/rbd.sh).
	t0=$(date +%s)
	tests/vm/ecs-api/rbd.sh >"$logdir/ecs-api-rbd-vm.txt" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 0 ] || tail -n 40 "$logdir/ecs-api-rbd-vm.txt" | sed 's/^/    | /'
	case $rc in
	0) record vm-ecs-api/rbd-placement PASS $(($(date +%s) - t0)) ;;
	77) record vm-ecs-api/rbd-placement SKIP $(($(date +%s) - t0)) ;;
	*) record vm-ecs-api/rbd-placement FAIL $(($(date +%s) - t0)) ;;
	esac
	vm_summary+=("ecs-api on Ceph with two agents in a VM: $(($(date +%s) - t0))s")
	# A region: ecs-api server(s) and the KMS on this host, three rbd
	# instances on one Ceph pool in a guest; a capture of what crosses
	# the wire, a host cut off, Force and fencing, Ceph down
	# (tests/vm/ecs-api/region.sh).
	t0=$(date +%s)
	tests/vm/ecs-api/region.sh >"$logdir/ecs-api-region-vm.txt" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 0 ] || tail -n 40 "$logdir/ecs-api-region-vm.txt" | sed 's/^/    | /'
	case $rc in
	0) record vm-ecs-api/region PASS $(($(date +%s) - t0)) ;;
	77) record vm-ecs-api/region SKIP $(($(date +%s) - t0)) ;;
	*) record vm-ecs-api/region FAIL $(($(date +%s) - t0)) ;;
	esac
	vm_summary+=("an ecs-api region on Ceph with three agents in a VM: $(($(date +%s) - t0))s")
	# Under systemd, on the default kernel (KVER= for another): the
	# packages from make deb in a debootstrapped Debian 12, two boots.
	t0=$(date +%s)
	tests/systemd/run.sh --console "$logdir/systemd-console.log" \
		>"$logdir/systemd-results.txt" 2>&1
	record_guest systemd "$logdir/systemd-results.txt" $?
	vm_summary+=("systemd on $(scripts/kver.sh): $(($(date +%s) - t0))s")
fi

[ ${#vm_summary[@]} -eq 0 ] || printf '%s\n' "${vm_summary[@]}"
echo "total time: $(($(date +%s) - start_all))s; logs in build/test-logs/"
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
