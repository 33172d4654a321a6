#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the systemd guest of tests/systemd/run.sh, run once per boot by
# ecsenc-systemd-test.service after multi-user.target.  First boot: the
# units run, an encrypted disk is made and attached through udev, gets
# ext4 and an fstab entry, and the guest reboots.  Second boot: the agent
# attached the disk at boot and systemd mounted it, after the agent.
# Reports "RESULT <name> <PASS|FAIL> <seconds>" on /dev/ttyS1.
set -euo pipefail
state=/var/lib/ecsenc-test
mkdir -p "$state"
phase=$(cat "$state/phase" 2>/dev/null || echo 1)
name=$([ "$phase" = 1 ] && echo systemd-first-boot || echo systemd-after-reboot)
t0=$(cut -d. -f1 /proc/uptime)
mnt=/mnt/enc
agent=ecsenc-kms-agent.service

report() { echo "$*" >/dev/ttyS1; }

finish() {		# status: report, then reboot or power off
	report "RESULT $name $1 $(($(cut -d. -f1 /proc/uptime) - t0))"
	if [ "$1" = PASS ] && [ "$phase" = 1 ]; then
		echo 2 >"$state/phase"
		sync
		systemctl reboot
	else
		report "ECSENC-SYSTEMD-DONE"
		systemctl poweroff
	fi
	exit 0
}

fail() {
	echo "FAIL: $*"
	systemctl --no-pager status ecsenc-kms-emulator.service "$agent" || true
	if [ -n "${dev:-}" ]; then
		systemctl --no-pager status "$(systemd-escape -p --suffix=device "$dev")" || true
		udevadm info --query=property "$dev" || true
	fi
	journalctl --no-pager -b -n 60 || true
	finish FAIL
}

log() { echo "--- $*"; }

active() {		# unit...: each one active
	local u
	for u in "$@"; do
		[ "$(systemctl is-active "$u")" = active ] || fail "$u is not active"
	done
}

# The units ran as the system runs them, udev included.
active systemd-udevd.service ecsenc-kms-emulator.service "$agent"
[ -e /run/udev/control ] || fail "no /run/udev/control"
[ "$(systemctl show -P Type "$agent")" = notify ] || fail "the agent is not Type=notify"
pid=$(systemctl show -P MainPID "$agent")
# CAP_IPC_LOCK (14), CAP_SYS_ADMIN (21), CAP_MKNOD (27) and nothing else.
capbnd=$(awk '$1 == "CapBnd:" {print $2}' "/proc/$pid/status")
[ "$capbnd" = 0000000008204000 ] || fail "agent capability bounding set $capbnd"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || fail "agent without NoNewPrivs"
log "agent pid $pid: Type=notify, CapBnd $capbnd, NoNewPrivs"
# KMS_AGENT_OPTS of /etc/ecsenc/agent.env reached it, word by word.
tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qx cn-shanghai ||
	fail "KMS_AGENT_OPTS did not reach the agent: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
ecsenc-ctl --region cn-shanghai describe-disks >/dev/null ||
	fail "the agent does not serve cn-shanghai of KMS_AGENT_OPTS"
[ "$(modinfo -F filename dm-ecsenc)" = "/lib/modules/$(uname -r)/updates/dm-ecsenc.ko" ] ||
	fail "dm-ecsenc is not the installed module: $(modinfo -F filename dm-ecsenc)"

if [ "$phase" = 1 ]; then
	id=$(ecsenc-ctl create-disk --size 64M --category cloud_ssd --encrypted) ||
		fail "create-disk"
	dev=$(ecsenc-ctl attach-disk "$id") || fail "attach-disk $id"
	[ "$dev" = "/dev/mapper/ecsenc-$id" ] || fail "attached as $dev"
	# udev made the node (a symlink to ../dm-N) and systemd knows the device.
	[ -L "$dev" ] || fail "$dev was not made by udev"
	udevadm info --query=property "$dev" | grep -qx "DM_NAME=ecsenc-$id" ||
		fail "udev does not know $dev"
	active "$(systemd-escape -p --suffix=device "$dev")"
	log "attached $id as $dev -> $(readlink "$dev"), through udev"

	mkfs.ext4 -q "$dev"
	mkdir -p "$mnt"
	# The device job's clock runs from boot, and under TCG the emulator
	# and the agent take a minute or more to be up: wait longer than 90 s.
	echo "$dev $mnt ext4 _netdev,x-systemd.requires=$agent,x-systemd.device-timeout=5min 0 2" >>/etc/fstab
	systemctl daemon-reload
	systemctl start "$(systemd-escape -p --suffix=mount "$mnt")" || fail "mount from fstab"
	marker="ecsenc-systemd-marker-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
	for _ in $(seq 64); do echo "$marker"; done >"$mnt/marker"
	sync
	echo "$id $marker" >"$state/disk"
	store=$(ls /var/lib/ecsenc/*/"$id".img) || fail "no backing store for $id"
	echo 3 >/proc/sys/vm/drop_caches
	grep -qa "$marker" "$dev" || fail "the marker is not on the plaintext device"
	! grep -qa "$marker" "$store" || fail "plaintext on the backing store $store"
	log "ext4 on $dev in fstab; the marker is on it, not in $store"
	finish PASS
fi

# After the reboot: attached by the agent at boot, mounted after it.
read -r id marker <"$state/disk"
dev=/dev/mapper/ecsenc-$id
mount_unit=$(systemd-escape -p --suffix=mount "$mnt")
active "$mount_unit"
[ "$(findmnt -n -o SOURCE "$mnt")" = "$dev" ] || fail "$mnt is $(findmnt -n -o SOURCE "$mnt")"
[ -L "$dev" ] || fail "$dev was not made by udev"
grep -qx "$marker" "$mnt/marker" || fail "the file written before the reboot is not there"
systemctl show -P After "$mount_unit" | tr ' ' '\n' | grep -qx "$agent" ||
	fail "$mount_unit is not ordered after $agent"
agent_up=$(systemctl show -P ActiveEnterTimestampMonotonic "$agent")
mount_up=$(systemctl show -P ActiveEnterTimestampMonotonic "$mount_unit")
[ "$agent_up" -gt 0 ] && [ "$mount_up" -ge "$agent_up" ] ||
	fail "mounted at ${mount_up} us, agent ready at ${agent_up} us"
log "agent ready at $((agent_up / 1000)) ms, $mnt mounted at $((mount_up / 1000)) ms of boot"
finish PASS
