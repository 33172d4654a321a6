#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole story with the official SDKs and an agent in a VM that really
# attaches: ecs-api and the KMS emulator run on the host's loopback; the
# guest (tests/vm/run-vm.sh --guestfwd) runs instance i-vm1's agent, which
# reaches them as 10.0.2.100; node/vm.js drives ecs-api with the SDKs and
# asks the guest (through the --out share) to check each attached device.
#
#   tests/vm/ecs-api/run.sh        (after make programs modules)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/tests/host/ecs-api/lib.sh"
need_bins
node_deps
write_creds
add_instance i-vm1
add_instance i-host2
KMS_LOG_OPT="" start_kms	# each request logged, with its latency
start_api
out=$T/out
mkdir -p "$out"
cp "$T/agent-kms.creds" "$T/i-vm1.key" "$out/"
printf 'KMS_URL=http://10.0.2.100:%s\nAPI_URL=http://10.0.2.100:%s\n' \
	"$KMS_PORT" "$API_PORT" >"$out/env"
"$top/tests/vm/run-vm.sh" --script "$here/guest.sh" --out "$out" \
	--guestfwd "$KMS_PORT" --guestfwd "$API_PORT" --timeout 400 --mem 1024 --disk 8192 \
	>"$T/vm.log" 2>&1 &
vm=$!
PIDS+=("$vm")

# kill -9 of ecs-api (here) or of the guest's agent (asked through the
# share) just after AttachDisk or DetachDisk was answered: the disk ends
# as DescribeDisks tells it, and the guest has the dm device exactly when
# it says In_use.
step() { sdk steps.js "$@"; }
n=0
ask() {		# WHAT: the guest's answer file for a request
	n=$((n + 1))
	touch "$out/$1-$n"
	# An answer with content counts once its content is here: the share
	# can show the renamed file before the bytes written into it.
	for _ in $(seq 200); do
		if [ "$2" = killed-agent ]; then
			[ -e "$out/$2-$n" ] && return 0
		else
			[ -s "$out/$2-$n" ] && return 0
		fi
		sleep 0.1
	done
	echo "FAIL: the guest did not answer $1-$n"; return 1
}
wait_status() {	# DISK PREFIX: until DescribeDisks' status line starts with PREFIX
	local got
	for _ in $(seq 150); do
		got=$(step disk-status "$1") || true
		case $got in "$2"*) return 0 ;; esac
		sleep 0.2
	done
	echo "FAIL: $1 is '$got', not '$2'"; return 1
}
dm_has() {	# DISK YES|NO
	ask dm dm-list || return 1
	if grep -q "$1" "$out/dm-list-$n"; then [ "$2" = yes ]; else [ "$2" = no ]; fi ||
		{ echo "FAIL: dm devices after $1 ($2 expected): $(cat "$out/dm-list-$n")"; return 1; }
}
kill9_phase() {
	local d
	d=$(step create-disk true) && wait_status "$d" Available || return 1
	step attach-disk "$d" i-vm1 >/dev/null && kill -9 "$API_PID" && wait "$API_PID" 2>/dev/null
	start_api
	wait_status "$d" "In_use i-vm1 /dev/mapper/" && dm_has "$d" yes || return 1
	echo "ok   kill -9 of ecs-api after AttachDisk: In_use, and the guest has the device"
	step detach-disk "$d" i-vm1 >/dev/null && ask kill-agent killed-agent || return 1
	wait_status "$d" "Available - -" && dm_has "$d" no || return 1
	echo "ok   kill -9 of the agent after DetachDisk: Available, and no device in the guest"
	step attach-disk "$d" i-vm1 >/dev/null && ask kill-agent killed-agent || return 1
	wait_status "$d" "In_use i-vm1 /dev/mapper/" && dm_has "$d" yes || return 1
	echo "ok   kill -9 of the agent after AttachDisk: In_use, and the guest has the device"
	step detach-disk "$d" i-vm1 >/dev/null && kill -9 "$API_PID" && wait "$API_PID" 2>/dev/null
	start_api
	wait_status "$d" "Available - -" && dm_has "$d" no || return 1
	echo "ok   kill -9 of ecs-api after DetachDisk: Available, and no device in the guest"
}
# The console (tests/host/console) attaches and detaches in a browser on
# this host; the page follows the state, and the guest has the device
# exactly while it says In_use.
console_phase() {
	local d
	if [ ! -x /usr/bin/chromium ]; then
		echo "SKIP console attach: /usr/bin/chromium missing"; return 0
	fi
	(console_deps "$top/tests/host/console") || { echo "SKIP console attach: no playwright-core"; return 0; }
	d=$(CONSOLE_URL="$API_URL/console/" sdk ../../console/vm-attach.js attach) &&
		wait_status "$d" "In_use i-vm1 /dev/mapper/" && dm_has "$d" yes || return 1
	echo "ok   the console attached $d to i-vm1: In_use on screen, and the guest has the device"
	CONSOLE_URL="$API_URL/console/" sdk ../../console/vm-attach.js detach "$d" >/dev/null &&
		wait_status "$d" "Available - -" && dm_has "$d" no || return 1
	echo "ok   the console detached $d: Available on screen, and no device in the guest"
}
rc=0
VM_OUT=$out sdk vm.js | tee "$T/vm.out" || rc=$?
[ $rc -eq 0 ] && { kill9_phase || rc=1; }
[ $rc -eq 0 ] && { console_phase || rc=1; }
[ $rc -eq 0 ] && echo ok >"$out/done" || echo failed >"$out/done"
wait "$vm" || rc=1
grep -E '^(RESULT|FAIL|the host)' "$T/vm.log" || tail -n 30 "$T/vm.log"
# The RequestId of the attach, followed to the agent in the guest.
rid=$(grep -o 'RequestId [0-9A-F-]*: task [0-9]* attach-disk' "$T/api.log" | head -n1 | cut -d' ' -f2 | tr -d :) || true
if [ -n "$rid" ] && grep -q "RequestId $rid" "$out/agent-vm.log"; then
	echo "ok   AttachDisk's RequestId $rid logged by ecs-api and by the agent in the guest"
else
	echo "FAIL: the attach's RequestId is not in the guest agent's log"; rc=1
fi
# Where the first AttachDisk's time went (its answer; the task's hand-over
# to the guest's agent; the agent's work, of which the KMS's Decrypt; the
# report), from the logs of ecs-api, the agent and the emulator.
task=$(grep -o 'task [0-9]* attach-disk for' "$T/api.log" | head -n 1 | awk '{ print $2 }') || true
if [ -n "$task" ]; then
	answer=$(grep -o 'AttachDisk answered in [0-9]* ms, In_use [0-9]* ms' "$T/vm.out" | head -n 1)
	handover=$(grep -o "task $task handed to i-vm1 [0-9]* ms" "$T/api.log" | awk '{ print $6 }')
	agent=$(grep -o "task $task done in [0-9]* ms" "$out/agent-vm.log" | awk '{ print $5 }')
	total=$(grep -o "task $task attach-disk on i-vm1: done ([0-9]* ms" "$T/api.log" | grep -o '([0-9]*' | tr -d '(')
	kms_us=$(grep 'action=Decrypt' "$T/kms.log" | head -n 1 | grep -o 'latency_us=[0-9]*' | cut -d= -f2)
	echo "first AttachDisk: ${answer:-?}; task queued -> handed to the guest's agent ${handover:-?} ms;" \
		"agent ${agent:-?} ms (KMS Decrypt ${kms_us:-?} us in the emulator," \
		"the rest the agent's key handling and the kernel's dm table);" \
		"queued -> reported ${total:-?} ms"
fi
# Keep the logs of a failed run.
if [ $rc -ne 0 ]; then
	mkdir -p "$top/build/ecs-api-vm"
	cp "$T"/*.log "$out"/*.log "$top/build/ecs-api-vm/" 2>/dev/null || true
	echo "logs in build/ecs-api-vm/"
fi
exit $rc
