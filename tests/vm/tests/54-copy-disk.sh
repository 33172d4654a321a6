#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# copy-disk, how data moves between encrypted and unencrypted disks: unencrypted -> encrypted and
# back, block for block; the data is the same, the state dir never holds
# the plaintext of the encrypted copy.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent
MARKER=copy-marker-$RANDOM$RANDOM
mkdir -p /mnt/c

log "an unencrypted disk with a filesystem"
plain=$(ctl create-disk --size 24M --category cloud_efficiency)
dev=$(ctl attach-disk "$plain")
mkfs.ext4 -q "$dev"
mount "$dev" /mnt/c
for i in $(seq 200); do echo "$MARKER $i"; done >/mnt/c/data.txt
umount /mnt/c
want=$(sha256sum <"$dev" | cut -d' ' -f1)
ctl detach-disk "$plain"

log "copy onto a new encrypted disk"
enc=$(ctl create-disk --size 32M --category cloud_ssd --encrypted)
ctl copy-disk "$plain" "$enc" >copy.out
grep -q "copied $((24 << 20)) bytes from $plain (unencrypted) to $enc (encrypted)" copy.out ||
	fail "copy-disk said: $(cat copy.out)"
ctl describe-disks | grep -q In_use && fail "copy-disk left a disk attached"
grep -qaF "$MARKER" "$ECSENC_STATE/cn-hangzhou/$enc.img" && fail "plaintext in the encrypted copy's store"
dev=$(ctl attach-disk "$enc")
assert_eq "$(head -c $((24 << 20)) "$dev" | sha256sum | cut -d' ' -f1)" "$want" "encrypted copy content"
mount -o ro "$dev" /mnt/c
assert_eq "$(sed -n 99p /mnt/c/data.txt)" "$MARKER 99" "file on the encrypted copy"
umount /mnt/c

log "and back: encrypted (attached source) -> a new unencrypted disk"
back=$(ctl create-disk --size 32M --category cloud_essd)
ctl --json copy-disk --no-progress "$enc" "$back" >copy.json
assert_eq "$(jq -r '.BytesCopied, .DestinationDiskId, .SourceEncrypted' copy.json | tr '\n' ' ')" \
	"$((32 << 20)) $back true " "copy-disk --json"
ctl describe-disks "$enc" | grep -q In_use || fail "copy-disk detached a disk it had not attached"
ctl detach-disk "$enc"
dev=$(ctl attach-disk "$back")
assert_eq "$(head -c $((24 << 20)) "$dev" | sha256sum | cut -d' ' -f1)" "$want" "decrypted copy content"
ctl detach-disk "$back"

log "refusals"
small=$(ctl create-disk --size 8M --category cloud)
must_fail --error "is smaller than" ctl copy-disk "$plain" "$small"
must_fail --error "same disk" ctl copy-disk "$plain" "$plain"
ctl attach-disk "$back" >/dev/null
must_fail --error "detach it before copying onto it" ctl copy-disk "$plain" "$back"
ctl detach-disk "$back"
