#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A disk under the customer's own CMK (BYOK): DisableKey blocks attach,
# EnableKey allows it again, an attached disk keeps working while its key
# is disabled, and ScheduleKeyDeletion plus the passing of the pending
# window makes the data unreadable for good (crypto-shredding).
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent --kms-deadline 3
mkdir -p /mnt/b

log "create a CMK and a disk under it"
cmk=$(kms_field .KeyMetadata.KeyId CreateKey Description=byok-test)
[ -n "$cmk" ] && [ "$cmk" != null ] || fail "CreateKey gave no KeyId"
d=$(ctl create-disk --size 32M --category cloud_efficiency --encrypted --kms-key-id "$cmk")
assert_eq "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyId')" "$cmk" "disk's CMK"
dev=$(ctl attach-disk "$d")
mkfs.ext4 -q "$dev"
mount "$dev" /mnt/b
echo byok-data >/mnt/b/f
umount /mnt/b

log "an attached disk keeps working while its CMK is disabled"
ctl kms DisableKey KeyId="$cmk" >/dev/null
mount "$dev" /mnt/b
echo more >>/mnt/b/f
sync
assert_eq "$(cat /mnt/b/f | head -n 1)" byok-data "read while disabled"
umount /mnt/b
ctl detach-disk "$d"

log "disabled: attach refused, in plain words"
must_fail --error "KMS key $cmk is disabled; enable it" ctl attach-disk "$d"
must_fail --error "disabled" ctl create-snapshot "$d"

log "enabled again: attach works and the data is there"
ctl kms EnableKey KeyId="$cmk" >/dev/null
dev=$(ctl attach-disk "$d")
mount -o ro "$dev" /mnt/b
assert_eq "$(tail -n 1 /mnt/b/f)" more "data after re-enable"
umount /mnt/b
ctl detach-disk "$d"

log "scheduled deletion: refused, and the error says how to cancel"
ctl kms ScheduleKeyDeletion KeyId="$cmk" PendingWindowInDays=7 >/dev/null
must_fail --error "scheduled for deletion" ctl attach-disk "$d"
must_fail --error "CancelKeyDeletion" ctl attach-disk "$d"

log "after the pending window the key is gone and so is the data"
advance_kms_clock 8
must_fail --error "cannot be decrypted" ctl attach-disk "$d"
ls /dev/mapper | grep -q "ecsenc-$d" && fail "a device appeared"
assert_no_ecsenc_keys

log "the service key can be neither disabled nor deleted"
must_fail ctl kms DisableKey KeyId=alias/acs/ecs
must_fail ctl kms ScheduleKeyDeletion KeyId=alias/acs/ecs PendingWindowInDays=7
