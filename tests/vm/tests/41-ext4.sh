#!/usr/bin/env bash
# A filesystem on ecsenc: files keep their checksums across a remount and a
# re-creation of the mapping, fsck finds nothing, and the backing device
# never holds the plaintext.
. "$TESTLIB"

key=$(random_hex_key)
dev=$(make_loop 64 ext4back)
table=$(ecsenc_table "$(dev_sectors "$dev")" "$key" 0 "$dev" 0 sector_size:4096)
map=$(dm_create fs "$table")
mkfs.ext4 -q -F "$map"
mkdir -p /mnt/fs
mount "$map" /mnt/fs
on_exit "umount /mnt/fs"
marker=ECSENC-PLAINTEXT-MARKER-$RANDOM$RANDOM
for i in 1 2 3; do
	pattern_file /mnt/fs/file$i 3 "f$i"
	for _ in $(seq 200); do echo "$marker"; done >>/mnt/fs/file$i
done
(cd /mnt/fs && sha256sum file1 file2 file3) >/tmp/sums
umount /mnt/fs
dmsetup remove fs

map=$(dm_create fs "$table")
e2fsck -fn "$map" >/tmp/fsck.txt 2>&1 || { cat /tmp/fsck.txt; fail "fsck found problems"; }
mount "$map" /mnt/fs
(cd /mnt/fs && sha256sum -c /tmp/sums) || fail "file checksums after remount"
umount /mnt/fs
dmsetup remove fs
! grep -q "$marker" /tmp/ext4back.img || fail "plaintext marker found on the backing device"
log "ext4: checksums kept, fsck clean, no plaintext on the backing file"
