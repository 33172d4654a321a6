#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
# The agent on the rbd backend, one host: every disk is an image of the
# pool whose first bytes are the ecsenc header; snapshots are RBD
# snapshots with a clone for the snapshot's own header, a disk from a
# snapshot is a copy-on-write clone, reset is a rollback; a snapshot with
# disks made from it cannot be deleted.  Unencrypted disks work too.
# Faults: a pool that does not exist, an image removed behind the agent's
# back, a clone of a snapshot whose CMK is disabled.  A region id may
# hold a '.'.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"
need jq
default_kernel_only
ceph_start
rbd_kms_start

log "a pool that does not exist: the agent refuses to start, in words"
if LD_LIBRARY_PATH=/opt/ceph/lib on_host_a timeout 120 kms-agent \
	--kms-endpoint "$KMS_ENDPOINT" --kms-allow-http --credentials "$CREDS" \
	--state-dir "$ECSENC_WORK/nopool" --socket "$ECSENC_WORK/nopool.sock" \
	--backend rbd --ceph-conf /etc/ceph/ceph.conf --rbd-pool no-such-pool \
	--backend-dir "$RBD_AGENT_PLUGINS" >nopool.log 2>&1; then
	fail "the agent started on a pool that does not exist"
fi
grep -q 'there is no pool no-such-pool in the Ceph cluster' nopool.log ||
	fail "no clear error for a missing pool: $(cat nopool.log)"

rbd_agent_start a
before=$(pool_images)

log "an encrypted disk is an image with the ecsenc header"
d=$(ctl_a create-disk --size 64M --category cloud_ssd --encrypted)
img=cn-hangzhou.$d
pool_images | grep -qx "$img" || fail "no image $img in the pool: $(pool_images)"
ctl_a --json describe-disks "$d" >desc.json
assert_eq "$(jq -r '.Disks[0].Encrypted' desc.json)" true "Encrypted"
assert_eq "$(jq -r '.Disks[0].Status' desc.json)" Available "Status before attach"

log "attach: dm-ecsenc over the kernel rbd device; Attachments from Ceph"
dev=$(ctl_a attach-disk "$d")
assert_eq "$dev" "/dev/mapper/ecsenc-a-$d" "device"
table=$(dmsetup table "ecsenc-a-$d")
grep -Eq " ecsenc aes-xts-plain64 :64:logon:ecsenc:$d 0 [0-9]+:[0-9]+ 2048" <<<"$table" ||
	fail "unexpected table: $table"
lower=$(awk '{print $7}' <<<"$table")
grep -qx "$lower" /sys/block/rbd*/dev || fail "the table's device $lower is not an rbd device"
rbd=/dev/$(basename "$(dirname "$(grep -lx "$lower" /sys/block/rbd*/dev)")")
assert_eq "$(dd if="$rbd" bs=4096 count=1 iflag=direct status=none | head -c 7)" ECSENCH \
	"$rbd (the image) starts with the ecsenc header"
ctl_a --json describe-disks "$d" >desc.json
assert_eq "$(jq -r '.Disks[0].Status' desc.json)" In_use "Status"
assert_eq "$(jq -r '.Disks[0].Attachments[0].InstanceId' desc.json)" host-a "InstanceId"
assert_eq "$(jq -r '.Disks[0].Attachments[0].Device' desc.json)" "$dev" "Attachments Device"
jq -re '.Disks[0].Attachments[0].AttachedTime | test("^20[0-9-]+T[0-9:]+Z$")' desc.json >/dev/null ||
	fail "AttachedTime: $(jq -c '.Disks[0].Attachments' desc.json)"
lockers=$(rbd_cli lock ls "$RBD_POOL/$img")
grep -q host-a <<<"$lockers" || fail "no lock of host-a on $img: $lockers"
assert_no_ecsenc_keys

pattern_file one.dat 8 1
pattern_file two.dat 8 2
eight=$((8 * 1024 * 1024))
dd if=one.dat of="$dev" bs=1M oflag=direct status=none || fail "write one"

log "snapshot: an RBD snapshot and a clone with the snapshot's header"
s=$(ctl_a create-snapshot "$d")
rbd_cli snap ls "$RBD_POOL/$img" | grep -q " $s " || fail "no RBD snapshot $s of $img"
pool_images | grep -qx "cn-hangzhou.$s" || fail "no snapshot image cn-hangzhou.$s"
assert_eq "$(ctl_a --json describe-snapshots | jq -r ".Snapshots[] | select(.SnapshotId == \"$s\") | .CopyMethod")" \
	clone "the snapshot's CopyMethod"
dd if=two.dat of="$dev" bs=1M oflag=direct status=none || fail "write two"

log "reset is a rollback (detached)"
must_fail --error 'is attached' ctl_a reset-disk "$d" --snapshot-id "$s"
ctl_a detach-disk "$d" >/dev/null
[ -z "$(ls /sys/bus/rbd/devices)" ] || fail "an rbd mapping outlived the detach: $(ls /sys/bus/rbd/devices)"
lockers=$(rbd_cli lock ls "$RBD_POOL/$img")
grep -q host-a <<<"$lockers" && fail "host-a still holds $img after detach: $lockers"
ctl_a reset-disk "$d" --snapshot-id "$s" >/dev/null
grep -q "$d" <(ctl_a --json describe-disks "$d") || fail "describe after reset"
dev=$(ctl_a attach-disk "$d")
assert_eq "$(sha_of "$dev" $eight)" "$(sha_of one.dat)" "data after the rollback"
ctl_a detach-disk "$d" >/dev/null

log "a disk from the snapshot is a copy-on-write clone"
c=$(ctl_a create-disk --snapshot-id "$s")
parent=$(rbd_cli info "$RBD_POOL/cn-hangzhou.$c" | awk '/parent:/ {print $2}')
assert_eq "$parent" "$RBD_POOL/cn-hangzhou.$s@base" "the clone's parent"
cdev=$(ctl_a attach-disk "$c")
assert_eq "$(sha_of "$cdev" $eight)" "$(sha_of one.dat)" "the clone reads the snapshot's data"
dd if=two.dat of="$cdev" bs=1M oflag=direct status=none || fail "write to the clone"
ctl_a detach-disk "$c" >/dev/null

log "a snapshot with disks made from it cannot be deleted"
must_fail --error "cannot be deleted: 1 disk was made from it" ctl_a delete-snapshot "$s"
{ ctl_a --json delete-snapshot "$s" || true; } | jq -e '.Code == "SnapshotCreatedDisk"' >/dev/null ||
	fail "no SnapshotCreatedDisk code"

log "re-init of the clone: back to the snapshot's data"
ctl_a reinit-disk "$c" >/dev/null
cdev=$(ctl_a attach-disk "$c")
assert_eq "$(sha_of "$cdev" $eight)" "$(sha_of one.dat)" "the clone after reinit"
ctl_a detach-disk "$c" >/dev/null

log "deleting a disk that has snapshots keeps its image for them"
ctl_a delete-disk "$d" >/dev/null
pool_images | grep -qx "$img.deleted" || fail "no $img.deleted: $(pool_images)"
ctl_a --json describe-disks | jq -e ".Disks | map(.DiskId) | index(\"$d\") == null" >/dev/null ||
	fail "$d is still listed"
ctl_a delete-disk "$c" >/dev/null
ctl_a delete-snapshot "$s" >/dev/null
assert_eq "$(pool_images)" "$before" "the pool after deleting everything"

log "an unencrypted disk: a linear table over the rbd device"
u=$(ctl_a create-disk --size 32M --category cloud_efficiency)
udev=$(ctl_a attach-disk "$u")
dmsetup table "ecsenc-a-$u" | grep -q ' linear ' || fail "not linear: $(dmsetup table "ecsenc-a-$u")"
dd if=one.dat of="$udev" bs=1M oflag=direct status=none || fail "write to the unencrypted disk"
assert_eq "$(sha_of "$udev" $eight)" "$(sha_of one.dat)" "unencrypted read back"
ctl_a detach-disk "$u" >/dev/null

log "a region id with a '.': rebuild-catalog still finds its disks"
stores=$(ctl_a rebuild-catalog)
p=$(ctl_a --region eu.test-1 create-disk --size 8M --category cloud_efficiency)
pool_images | grep -qx "eu.test-1.$p" || fail "no image eu.test-1.$p: $(pool_images)"
assert_eq "$(ctl_a rebuild-catalog)" $((stores + 1)) "stores found by rebuild-catalog"
assert_eq "$(ctl_a --region eu.test-1 --json describe-disks "$p" | jq -r '.Disks[0].RegionId')" \
	eu.test-1 "RegionId"
ctl_a --region eu.test-1 delete-disk "$p" >/dev/null
pool_images | grep -q "$p" && fail "delete-disk left an image of $p: $(pool_images)"

log "an image removed behind the agent's back: a clear error, nothing else lost"
rbd_cli rm --no-progress "$RBD_POOL/cn-hangzhou.$u" >/dev/null 2>&1 || fail "rbd rm"
must_fail --error "its store rbd:$RBD_POOL/cn-hangzhou.$u is gone" ctl_a attach-disk "$u"
[ -z "$(ls /sys/bus/rbd/devices)" ] || fail "a mapping was left by the failed attach"
dmsetup info "ecsenc-a-$u" >/dev/null 2>&1 && fail "a dm device was left by the failed attach"

log "a clone of a snapshot whose CMK is disabled is refused and leaves no image"
cmk=$(ctl_a kms CreateKey | jq -r .KeyMetadata.KeyId)
e=$(ctl_a create-disk --size 32M --category cloud_ssd --encrypted --kms-key-id "$cmk")
es=$(ctl_a create-snapshot "$e")
ctl_a kms DisableKey KeyId="$cmk" >/dev/null
images=$(pool_images)
must_fail --error "$cmk" ctl_a create-disk --snapshot-id "$es"
assert_eq "$(pool_images)" "$images" "the pool after the refused clone"
ctl_a kms EnableKey KeyId="$cmk" >/dev/null
ctl_a delete-snapshot "$es" >/dev/null
ctl_a delete-disk "$e" >/dev/null
ctl_a delete-disk "$u" 2>/dev/null || true
log "rbd backend lifecycle: ok"
