#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An unencrypted disk through agent and ctl: attach (dm-linear over a loop
# device), filesystem, detach, snapshot of an attached disk, no KMS needed.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4

start_agent --kms-deadline 1

log "create and attach an unencrypted disk"
d=$(ctl create-disk --size 32M --category cloud_efficiency)
dev=$(ctl attach-disk "$d")
[ -b "$dev" ] || fail "attach-disk printed $dev, not a block device"
assert_eq "$(blockdev --getsize64 "$dev")" $((32 << 20)) "device size"
ctl describe-disks "$d" | grep -q "In_use" || fail "not In_use"

log "filesystem and files"
mkfs.ext4 -q "$dev"
mkdir -p /mnt/p
mount "$dev" /mnt/p
echo "PLAIN-DISK-DATA" >/mnt/p/hello
log "snapshot while attached and mounted"
s=$(ctl create-snapshot "$d")
umount /mnt/p
ctl detach-disk "$d"
[ -e "$dev" ] && fail "$dev still exists after detach"
losetup -a | grep -q "$d" && fail "loop device left behind"

log "a disk from the snapshot has the file"
d2=$(ctl create-disk --snapshot-id "$s")
dev2=$(ctl attach-disk "$d2")
mount -o ro "$dev2" /mnt/p
assert_eq "$(cat /mnt/p/hello)" PLAIN-DISK-DATA "file on the disk from the snapshot"
umount /mnt/p
must_fail --error "is attached; detach it before deleting it" ctl delete-disk "$d2"
ctl detach-disk "$d2"
ctl delete-disk "$d2"
ctl describe-kms-usage
