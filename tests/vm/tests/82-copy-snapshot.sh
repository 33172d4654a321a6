#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# copy-snapshot (ECS CopySnapshot): a new lineage; in the region under
# another CMK the data key is re-wrapped (ReEncrypt) and the data copied
# as it is; into another region the key is unwrapped and wrapped again
# there, and a disk made from the copy reads the same data.  An
# unencrypted snapshot copied with --encrypted is encrypted on the copy,
# also while encryption by default is on.
# Refused: a destination key pending deletion.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq
sum4() { head -c 4194304 "$1" | sha256sum | cut -d' ' -f1; }		# plaintext device
area4() { dd if="$1" bs=1M skip=1 count=4 status=none | sha256sum | cut -d' ' -f1; }	# a store's data area

start_kms
start_agent
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)
dev=$(ctl attach-disk "$d")
pattern_file data 4 copy-snapshot
dd if=data of="$dev" bs=1M oflag=direct status=none
want=$(sha_of data)
ctl detach-disk "$d"
s=$(ctl create-snapshot "$d")
snap_json() { ctl --region "${2:-cn-hangzhou}" --json describe-snapshots | jq -c --arg s "$1" '.Snapshots[] | select(.SnapshotId == $s)'; }
lineage=$(snap_json "$s" | jq -r .LineageId)

read_disk_of() {	# snapshot [region]: sha of the first 4 MiB of a disk made from it
	local r=${2:-cn-hangzhou} x dv sum
	x=$(ctl --region "$r" create-disk --snapshot-id "$1")
	dv=$(ctl --region "$r" attach-disk "$x")
	sum=$(sum4 "$dv")
	ctl --region "$r" detach-disk "$x"
	ctl --region "$r" delete-disk "$x"
	echo "$sum"
}

log "in the region, under another CMK"
cmk=$(kms_field .KeyMetadata.KeyId CreateKey Description=copy)
c1=$(ctl copy-snapshot "$s" --kms-key-id "$cmk")
j=$(snap_json "$c1")
assert_eq "$(jq -r .KMSKeyId <<<"$j")" "$cmk" "the copy's CMK"
[ "$(jq -r .LineageId <<<"$j")" != "$lineage" ] || fail "the copy kept the lineage"
assert_eq "$(area4 "$ECSENC_STATE/cn-hangzhou/$c1.img")" \
	"$(area4 "$ECSENC_STATE/cn-hangzhou/$s.img")" "ciphertext copied as it is"
assert_eq "$(read_disk_of "$c1")" "$want" "a disk from the copy"

log "into another region: wrapped again there"
c2=$(ctl copy-snapshot "$s" --destination-region cn-shanghai)
j=$(snap_json "$c2" cn-shanghai)
assert_eq "$(jq -r .RegionId <<<"$j")" cn-shanghai "the copy's region"
svc2=$(ctl --region cn-shanghai kms DescribeKey KeyId=alias/acs/ecs | jq -r .KeyMetadata.KeyId)
assert_eq "$(jq -r .KMSKeyId <<<"$j")" "$svc2" "under cn-shanghai's service key"
assert_eq "$(read_disk_of "$c2" cn-shanghai)" "$want" "a disk from the cross-region copy"
assert_eq "$(kms_usage CopySnapshot cn-shanghai)" 2 "cn-shanghai's CopySnapshot calls (DescribeKey, Encrypt)"
ctl --json describe-kms-usage |
	jq -e '.Regions["cn-hangzhou"].Operations.CopySnapshot.Actions.Decrypt == 1' >/dev/null ||
	fail "no Decrypt billed to cn-hangzhou's CopySnapshot"

log "refused: a destination key pending deletion; nothing is made"
pend=$(ctl --region cn-beijing kms CreateKey | jq -r .KeyMetadata.KeyId)
ctl --region cn-beijing kms ScheduleKeyDeletion KeyId="$pend" PendingWindowInDays=7 >/dev/null
must_fail --error "region cn-beijing: the KMS key $pend is scheduled for deletion" \
	ctl copy-snapshot "$s" --destination-region cn-beijing --kms-key-id "$pend"
assert_eq "$(ctl --region cn-beijing --json describe-snapshots | jq '.Snapshots | length')" 0 "snapshots in cn-beijing"
must_fail --error "must be a region id" ctl copy-snapshot "$s" --destination-region ../x
must_fail --error "no snapshot s-nosuch" ctl copy-snapshot s-nosuch

log "an unencrypted snapshot copied with --encrypted is encrypted"
p=$(ctl create-disk --size 8M --category cloud)
pdev=$(ctl attach-disk "$p")
dd if=data of="$pdev" bs=1M oflag=direct status=none
ctl detach-disk "$p"
ps=$(ctl create-snapshot "$p")
must_fail --error "is not encrypted" ctl copy-snapshot "$ps" --kms-key-id "$cmk"
c3=$(ctl copy-snapshot "$ps" --encrypted --kms-key-id "$cmk" --no-progress)
j=$(snap_json "$c3")
assert_eq "$(jq -r .Encrypted <<<"$j")" true "the copy is encrypted"
assert_eq "$(jq -r .KMSKeyId <<<"$j")" "$cmk" "under --kms-key-id"
assert_eq "$(read_disk_of "$c3")" "$want" "a disk from the encrypted copy"
assert_eq "$(ctl --json describe-disks | jq '.Disks | length')" 2 "no temporary disks left"

log "the same while encryption by default is on"
ctl enable-disk-encryption-by-default >/dev/null
must_fail --error "snapshot $ps is not encrypted" ctl create-disk --snapshot-id "$ps"
c4=$(ctl copy-snapshot "$ps" --encrypted --no-progress)
assert_eq "$(snap_json "$c4" | jq -r .Encrypted)" true "the copy under encryption by default is encrypted"
assert_eq "$(read_disk_of "$c4")" "$want" "a disk from that copy"
assert_eq "$(ctl --json describe-disks | jq '.Disks | length')" 2 "no temporary disks left"
ctl disable-disk-encryption-by-default >/dev/null
