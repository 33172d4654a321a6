#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rewrap after CMK rotation: KMS ReEncrypt of the wrapped data key to the
# CMK's current version, same data key, same context, both header copies,
# on an attached disk; the data is untouched and reads back after
# re-attach.  --kms-key-id moves the key under another CMK.  A disabled
# CMK refuses and changes nothing.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq
sum4() { head -c 4194304 "$1" | sha256sum | cut -d' ' -f1; }		# plaintext device
area4() { dd if="$1" bs=1M skip=1 count=4 status=none | sha256sum | cut -d' ' -f1; }	# a store's data area

start_kms
start_agent
cmk=$(kms_field .KeyMetadata.KeyId CreateKey Description=rewrap)
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted --kms-key-id "$cmk")
dev=$(ctl attach-disk "$d")
pattern_file data 4 rewrap
dd if=data of="$dev" bs=1M oflag=direct status=none
want=$(sha_of data)
img=$ECSENC_STATE/cn-hangzhou/$d.img
v1=$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyVersionId')
[ -n "$v1" ] && [ "$v1" != null ] || fail "no key version"
ctx1=$(dd if="$img" bs=1 skip=384 count=512 status=none | tr -d '\0')
data1=$(area4 "$img")

log "rotate the CMK, rewrap the attached disk"
kms_field .KeyVersionId CreateKeyVersion KeyId="$cmk" >/dev/null
v2=$(ctl rewrap-disk "$d")
[ "$v2" != "$v1" ] || fail "still version $v1"
ctl describe-disks "$d" | grep -q "$d .*In_use.*$v2" || fail "describe-disks: no In_use with $v2"
for copy in 0 1; do
	dd if="$img" bs=4096 skip=$copy count=1 status=none | grep -aq "$v2" ||
		fail "header copy $copy lacks the new version"
done
assert_eq "$(dd if="$img" bs=1 skip=384 count=512 status=none | tr -d '\0')" "$ctx1" "encryption context"
assert_eq "$(area4 "$img")" "$data1" "ciphertext after rewrap"
assert_eq "$(sum4 "$dev")" "$want" "plaintext while attached"

log "the rewrapped key opens the disk again"
ctl detach-disk "$d"
dev=$(ctl attach-disk "$d")
assert_eq "$(sum4 "$dev")" "$want" "plaintext after re-attach"
ctl detach-disk "$d"

log "--kms-key-id: under another CMK of the region, same data key"
cmk2=$(kms_field .KeyMetadata.KeyId CreateKey Description=rewrap-target)
ctl rewrap-disk "$d" --kms-key-id "$cmk2" >/dev/null
assert_eq "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyId')" "$cmk2" "KMSKeyId"
ctl rebuild-catalog >/dev/null
assert_eq "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyId')" "$cmk2" "KMSKeyId from the header"
kms_field .KeyState DisableKey KeyId="$cmk" >/dev/null	# the old CMK is no longer needed
dev=$(ctl attach-disk "$d")
assert_eq "$(sum4 "$dev")" "$want" "plaintext under the new CMK"
ctl detach-disk "$d"

log "snapshot rewrap; refusals change nothing"
s=$(ctl create-snapshot "$d")
ctl rewrap-snapshot "$s" >/dev/null
kms_field . DisableKey KeyId="$cmk2" >/dev/null
before=$(head -c 8192 "$img" | sha256sum)
must_fail --error "KMS key $cmk2 is disabled" ctl rewrap-disk "$d"
must_fail --error "KMS key $cmk2 is disabled" ctl rewrap-snapshot "$s"
assert_eq "$(head -c 8192 "$img" | sha256sum)" "$before" "header after a refused rewrap"
kms_field . EnableKey KeyId="$cmk2" >/dev/null
must_fail --error "KMS key $cmk is disabled" ctl rewrap-disk "$d" --kms-key-id "$cmk"
p=$(ctl create-disk --size 8M --category cloud)
must_fail --error "is not encrypted" ctl rewrap-disk "$p"
must_fail --error "no disk d-nosuch" ctl rewrap-disk d-nosuch
# ReEncrypt: rewrap, rewrap --kms-key-id, the refused one; DescribeKey: both --kms-key-id
assert_eq "$(kms_usage RewrapDisk)" 5 "RewrapDisk KMS calls"
