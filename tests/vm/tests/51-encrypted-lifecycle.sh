#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An encrypted disk under the region's service key, end to end: create,
# attach, filesystem, no plaintext in the state dir, no key in /proc/keys
# or in the table, snapshot, a disk from the snapshot, reset, reinit.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent
MARKER=ecsenc-plaintext-marker-$RANDOM$RANDOM
mkdir -p /mnt/e

log "create an encrypted disk with the service key"
d=$(ctl create-disk --size 64M --category cloud_ssd --encrypted)
ctl --json describe-disks "$d" >desc.json
assert_eq "$(jq -r '.Disks[0].Encrypted' desc.json)" true "Encrypted"
key=$(jq -r '.Disks[0].KMSKeyId' desc.json)
[ -n "$key" ] || fail "no KMS key id"
svc=$(kms_field .KeyMetadata.KeyId DescribeKey KeyId=alias/acs/ecs)
assert_eq "$key" "$svc" "the disk's CMK is the service key alias/acs/ecs"

log "attach: plaintext device, no key left in the keyring or the table"
dev=$(ctl attach-disk "$d")
[ -b "$dev" ] || fail "no block device $dev"
assert_no_ecsenc_keys
table=$(dmsetup table "ecsenc-$d")
grep -q " ecsenc aes-xts-plain64 :64:logon:ecsenc:$d " <<<"$table" ||
	fail "unexpected table: $table"

log "filesystem and files"
mkfs.ext4 -q "$dev"
mount "$dev" /mnt/e
for i in $(seq 50); do echo "$MARKER line $i"; done >/mnt/e/secret.txt
echo "$MARKER" >/mnt/e/"$MARKER"
umount /mnt/e
sync

log "no plaintext anywhere in the state dir (attached and after detach)"
assert_not_in_dir "$MARKER" "$ECSENC_STATE"
# The marker is really on the plaintext device (the check can find it).
grep -qaF "$MARKER" "$dev" || fail "marker not on the plaintext device"

log "snapshot (while attached), then detach"
s=$(ctl create-snapshot "$d")
[[ $s == s-* ]] || fail "snapshot id $s"
ctl detach-disk "$d"
[ -e "$dev" ] && fail "device still there after detach"
assert_not_in_dir "$MARKER" "$ECSENC_STATE"
assert_no_ecsenc_keys

log "a disk from the snapshot has the files and the same lineage"
d2=$(ctl create-disk --snapshot-id "$s")
ctl --json describe-disks "$d" "$d2" >two.json
assert_eq "$(jq -r '.Disks[1].Encrypted' two.json)" true "disk from snapshot is encrypted"
assert_eq "$(jq -r '.Disks[1].LineageId' two.json)" "$(jq -r '.Disks[0].LineageId' two.json)" "lineage"
dev2=$(ctl attach-disk "$d2")
mount "$dev2" /mnt/e
assert_eq "$(sed -n 7p /mnt/e/secret.txt)" "$MARKER line 7" "file content"
umount /mnt/e
ctl detach-disk "$d2"

log "reset-disk rolls back to the snapshot"
dev=$(ctl attach-disk "$d")
mount "$dev" /mnt/e
echo later >/mnt/e/later.txt
rm /mnt/e/secret.txt
umount /mnt/e
must_fail --error "detach it before resetting" ctl reset-disk "$d" --snapshot-id "$s"
ctl detach-disk "$d"
ctl reset-disk "$d" --snapshot-id "$s"
dev=$(ctl attach-disk "$d")
mount "$dev" /mnt/e
[ -e /mnt/e/later.txt ] && fail "reset kept a later file"
[ -e /mnt/e/secret.txt ] || fail "reset lost the snapshot's file"
umount /mnt/e
ctl detach-disk "$d"

log "reinit-disk: an empty disk made empty again, under a new data key"
old_lineage=$(ctl --json describe-disks "$d" | jq -r '.Disks[0].LineageId')
ctl reinit-disk "$d"
new_lineage=$(ctl --json describe-disks "$d" | jq -r '.Disks[0].LineageId')
[ "$old_lineage" != "$new_lineage" ] || fail "reinit kept the data key"
dev=$(ctl attach-disk "$d")
must_fail mount -o ro "$dev" /mnt/e
ctl detach-disk "$d"

log "reinit of a disk made from a snapshot: back to the snapshot"
dev2=$(ctl attach-disk "$d2")
mount "$dev2" /mnt/e
rm /mnt/e/secret.txt
umount /mnt/e
ctl detach-disk "$d2"
ctl reinit-disk "$d2"
dev2=$(ctl attach-disk "$d2")
mount -o ro "$dev2" /mnt/e
[ -e /mnt/e/secret.txt ] || fail "reinit did not restore the snapshot's file"
umount /mnt/e
ctl detach-disk "$d2"

log "delete: the snapshot once no disk made from it is left"
must_fail --error "SnapshotCreatedDisk\|1 disk was made from it ($d2)" ctl delete-snapshot "$s"
ctl delete-disk "$d2"
ctl delete-snapshot "$s"
ctl delete-disk "$d"
[ -z "$(ctl describe-disks | tail -n +2)" ] || fail "disks left"
assert_no_ecsenc_keys
