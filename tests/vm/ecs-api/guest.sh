#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest's half of tests/vm/ecs-api/run.sh: instance i-vm1, whose agent
# takes its work from ecs-api on the host (10.0.2.100, QEMU guestfwd) and
# uses the host's KMS emulator.  For each disk the host names in
# /out/check-<n> (after DescribeDisks said In_use), it writes a marker
# through the device and proves that the store holds ciphertext only, and
# answers in /out/checked-<n>.  /out/kill-agent-<n>: kill -9 the agent
# and start it again; /out/dm-<n>: list the dm devices into
# /out/dm-list-<n>.  It ends when the host writes /out/done.
. "$TESTLIB"
need kms-agent
. /out/env
exec > >(tee /out/guest.log) 2>&1
# The stores need room: run.sh gives the guest a disk of its own.
need mkfs.ext4
mkfs.ext4 -q -F /dev/vda && mkdir -p /mnt/ecs && mount /dev/vda /mnt/ecs ||
	fail "no file system for the stores"
state=/mnt/ecs/state
start_agent() {
	kms-agent --kms-endpoint "$KMS_URL" --credentials /out/agent-kms.creds \
		--state-dir "$state" --socket /tmp/ecs-agent.sock --instance-id i-vm1 --regions cn-shanghai \
		--ecs-api "$API_URL" --ecs-api-credentials /out/i-vm1.key \
		--kms-allow-http --ecs-api-allow-http \
		>>/out/agent-vm.log 2>&1 &
	agent=$!
}
start_agent
trap 'kill $agent 2>/dev/null; wait $agent 2>/dev/null; umount /mnt/ecs 2>/dev/null' EXIT

marker=ECSENC-PLAINTEXT-MARKER-0123456789
check() {	# DISK DEVICE: ok, or why not
	local disk=$1 dev=$2 store
	[ -b "$dev" ] || { echo "no block device $dev"; return; }
	head -c 1048576 < <(yes "$marker") >/tmp/plain
	dd if=/tmp/plain of="$dev" bs=1M count=1 oflag=direct 2>/dev/null ||
		{ echo "cannot write $dev"; return; }
	sync
	cmp -n 1048576 /tmp/plain "$dev" >/dev/null || { echo "$dev reads back wrong"; return; }
	store=$(find "$state" -type f -name "*$disk*" | head -n 1)
	[ -n "$store" ] || { echo "no store of $disk under $state"; return; }
	# The data of the first MiB sits in the store's first MiBs.
	if head -c 16777216 "$store" | grep -q "$marker"; then
		echo "plaintext on the store $store"
		return
	fi
	echo ok
}

for i in $(seq 1800); do
	[ -e /out/done ] && break
	for req in /out/check-*; do
		[ -e "$req" ] || continue
		n=${req##*-}
		[ -e "/out/checked-$n" ] && continue
		read -r disk dev <"$req"
		check "$disk" "$dev" >"/out/checked-$n.tmp"
		mv "/out/checked-$n.tmp" "/out/checked-$n"
	done
	for req in /out/kill-agent-*; do
		[ -e "$req" ] || continue
		n=${req##*-}
		[ -e "/out/killed-agent-$n" ] && continue
		kill -9 $agent; wait $agent 2>/dev/null || true
		echo "agent killed (-9) on the host's request $n"
		start_agent
		touch "/out/killed-agent-$n"
	done
	for req in /out/dm-*; do
		case $req in */dm-list-*) continue ;; esac
		[ -e "$req" ] || continue
		n=${req##*-}
		[ -e "/out/dm-list-$n" ] && continue
		dmsetup ls --target ecsenc >"/out/dm-list-$n.tmp" 2>&1 || true
		mv "/out/dm-list-$n.tmp" "/out/dm-list-$n"
	done
	kill -0 $agent 2>/dev/null || fail "the agent died: $(tail -n 5 /out/agent-vm.log)"
	sleep 0.1
done
[ -e /out/done ] || fail "the host never finished"
[ "$(cat /out/done)" = ok ] || fail "the host's story failed"
echo "the host's SDK story passed; every attached device held ciphertext only on its store"
