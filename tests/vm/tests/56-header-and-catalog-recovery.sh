#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Disks are self-describing: a corrupted primary header is recovered from
# its copy, and a lost catalog is rebuilt from the headers.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent
mkdir -p /mnt/h

d=$(ctl create-disk --size 16M --category san_ssd --encrypted)
dev=$(ctl attach-disk "$d")
mkfs.ext4 -q "$dev"
mount "$dev" /mnt/h
echo recovered >/mnt/h/f
umount /mnt/h
ctl detach-disk "$d"
s=$(ctl create-snapshot "$d")
img=$ECSENC_STATE/cn-hangzhou/$d.img

log "corrupt the primary header: attach still works, the header is rewritten"
dd if=/dev/urandom of="$img" bs=4096 count=1 conv=notrunc status=none
head -c 7 "$img" | grep -q ECSENCH && fail "corruption did not take"
dev=$(ctl attach-disk "$d")
mount -o ro "$dev" /mnt/h
assert_eq "$(cat /mnt/h/f)" recovered "data behind a recovered header"
umount /mnt/h
ctl detach-disk "$d"
head -c 7 "$img" | grep -q ECSENCH || fail "primary header not rewritten"
grep -q "header copy 0 is damaged" "$AGENT_LOG" || fail "the repair was not logged"

log "both copies destroyed: a clear error"
cp "$img" "$img.bak"
dd if=/dev/zero of="$img" bs=4096 count=2 conv=notrunc status=none
must_fail --error "both header copies of" ctl attach-disk "$d"
mv "$img.bak" "$img"

log "catalog lost: rebuilt from the headers at the next start"
ctl attach-disk "$d" >/dev/null
before=$(ctl --json describe-disks | jq -c '[.Disks[] | {DiskId, Encrypted, KMSKeyId, LineageId, Size, Category, Status}]')
stop_agent
rm -f "$ECSENC_STATE"/catalog.db*
start_agent
after=$(ctl --json describe-disks | jq -c '[.Disks[] | {DiskId, Encrypted, KMSKeyId, LineageId, Size, Category, Status}]')
assert_eq "$after" "$before" "disks after the rebuild"
ctl describe-snapshots | grep -q "$s" || fail "snapshot lost in the rebuild"
ctl detach-disk "$d"
dev=$(ctl attach-disk "$d")
mount -o ro "$dev" /mnt/h
assert_eq "$(cat /mnt/h/f)" recovered "data after the rebuild"
umount /mnt/h
ctl detach-disk "$d"
[ "$(ctl rebuild-catalog)" = 2 ] || fail "rebuild-catalog count"
