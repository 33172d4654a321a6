#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The local backend shares extents where the file system can: on XFS a
# snapshot and a reset of a 256 MiB disk copy nothing (CopyMethod reflink,
# the snapshot's extents are "shared" in filefrag, the file system's used
# space does not grow by the disk's size); on tmpfs, which has no
# reflinks, the same operations copy (CopyMethod copy).  Times of both are
# logged; the data is the same either way.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq mkfs.xfs filefrag
modprobe xfs 2>/dev/null || skip "no xfs module"

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
used_mb() { df -m "$1" | awk 'NR == 2 {print $3}'; }

xfs_img=/tmp/xfs-$$.img
truncate -s 1G "$xfs_img"
xfs_dev=$(losetup -f --show "$xfs_img")
on_exit "losetup -d $xfs_dev; rm -f $xfs_img"
mkfs.xfs -q -m reflink=1 "$xfs_dev"
mkdir -p /mnt/xfs
mount "$xfs_dev" /mnt/xfs
on_exit "umount /mnt/xfs"

start_kms

# snapshot_and_reset STATE-DIR WANT-METHOD: prints "snapshot-ms reset-ms"
snapshot_and_reset() {
	local dir=$1 want=$2 d s dev t0 t_snap t_reset u0 u1 img sum0 sum1
	ECSENC_STATE=$dir
	start_agent
	d=$(ctl create-disk --size 256M --category cloud)
	dev=$(ctl attach-disk "$d")
	dd if=/dev/urandom of="$dev" bs=1M count=4 conv=fsync status=none
	dd if=/dev/zero of="$dev" bs=4M seek=1 count=63 conv=fsync status=none
	sum0=$(head -c 16777216 "$dev" | sha256sum | cut -d' ' -f1)
	ctl detach-disk "$d"
	sync
	u0=$(used_mb "$dir")
	t0=$(ms)
	s=$(ctl create-snapshot "$d")
	t_snap=$(($(ms) - t0))
	sync
	u1=$(used_mb "$dir")
	assert_eq "$(ctl --json describe-snapshots | jq -r ".Snapshots[] | select(.SnapshotId == \"$s\") | .CopyMethod")" \
		"$want" "CopyMethod of the snapshot on $dir"
	img=$(find "$dir" -name "$s.img")
	if [ "$want" = reflink ]; then
		filefrag -v "$img" | grep -q shared || fail "no shared extent in $img"
		[ $((u1 - u0)) -lt 16 ] || fail "snapshot used $((u1 - u0)) MiB on XFS"
	else
		[ $((u1 - u0)) -ge 250 ] || fail "a copied snapshot used only $((u1 - u0)) MiB"
	fi
	log "    $want: snapshot of 256 MiB in $t_snap ms, $((u1 - u0)) MiB more used"

	dev=$(ctl attach-disk "$d")
	dd if=/dev/urandom of="$dev" bs=1M count=8 conv=fsync status=none
	ctl detach-disk "$d"
	sync
	u0=$(used_mb "$dir")
	t0=$(ms)
	ctl reset-disk "$d" --snapshot-id "$s" >/dev/null
	t_reset=$(($(ms) - t0))
	sync
	u1=$(used_mb "$dir")
	dev=$(ctl attach-disk "$d")
	sum1=$(head -c 16777216 "$dev" | sha256sum | cut -d' ' -f1)
	ctl detach-disk "$d"
	assert_eq "$sum1" "$sum0" "data after reset ($want)"
	if [ "$want" = reflink ]; then
		[ $((u1 - u0)) -lt 16 ] || fail "reset used $((u1 - u0)) MiB on XFS"
	fi
	log "    $want: reset of 256 MiB in $t_reset ms, $((u1 - u0)) MiB more used"
	ctl delete-disk "$d" >/dev/null
	ctl delete-snapshot "$s" >/dev/null
	stop_agent
}

log "XFS: snapshot and reset share extents"
snapshot_and_reset /mnt/xfs/state reflink
# The copies need RAM next: free the XFS image, and give them a tmpfs of
# their own (/tmp's is shared with what earlier tests left).
umount /mnt/xfs
losetup -d "$xfs_dev"
rm -f "$xfs_img"
mkdir -p /mnt/copy
mount -t tmpfs -o size=900m,mode=0700 copy /mnt/copy
on_exit "umount /mnt/copy"
log "tmpfs: the same operations copy"
snapshot_and_reset /mnt/copy/state copy
