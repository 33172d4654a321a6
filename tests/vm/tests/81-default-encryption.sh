#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Encryption by default per region, as ECS names it: while enabled every
# new disk is encrypted (default key, or the service key when none is
# set); an unencrypted disk is refused; a disabled default key makes
# creates fail with an error that says so; other regions are untouched.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

start_kms
start_agent
svc=$(kms_field .KeyMetadata.KeyId DescribeKey KeyId=alias/acs/ecs)

assert_eq "$(ctl describe-disk-encryption-by-default-status)" false "status at start"
p=$(ctl create-disk --size 8M --category cloud)
s=$(ctl create-snapshot "$p")

log "enabled: new disks are encrypted under the service key"
ctl enable-disk-encryption-by-default
assert_eq "$(ctl describe-disk-encryption-by-default-status)" true "status"
assert_eq "$(ctl describe-disk-default-kms-key-id)" alias/acs/ecs "default key"
d=$(ctl create-disk --size 8M --category cloud_efficiency)
ctl --json describe-disks "$d" >d.json
assert_eq "$(jq -r '.Disks[0].Encrypted' d.json)" true "Encrypted by default"
assert_eq "$(jq -r '.Disks[0].KMSKeyId' d.json)" "$svc" "under the service key"
dev=$(ctl attach-disk "$d")
table=$(dmsetup table "ecsenc-$d")
grep -q " ecsenc aes-xts-plain64 " <<<"$table" || fail "not an ecsenc table: $table"
ctl detach-disk "$d"

log "refused: an unencrypted disk, one from an unencrypted snapshot, an ESSD"
n=$(ctl --json describe-disks | jq '.Disks | length')
must_fail --error "encryption by default is enabled in region cn-hangzhou" \
	ctl create-disk --size 8M --category cloud --unencrypted
must_fail --error "snapshot $s is not encrypted" ctl create-disk --snapshot-id "$s"
must_fail --error "cloud_essd disks cannot be encrypted" ctl create-disk --size 8M --category cloud_essd
assert_eq "$(ctl --json describe-disks | jq '.Disks | length')" "$n" "disks after refusals"
ctl --json create-disk --size 8M --category cloud --unencrypted >err.json && fail "unencrypted accepted"
assert_eq "$(jq -r .Code err.json)" InvalidEncrypted.NotMatchDiskDefaultEncryption "error code"

log "a default key of the customer's"
cmk=$(kms_field .KeyMetadata.KeyId CreateKey Description=default)
ctl modify-disk-default-kms-key-id "$cmk"
assert_eq "$(ctl describe-disk-default-kms-key-id)" "$cmk" "default key"
d2=$(ctl create-disk --size 8M --category cloud)
assert_eq "$(ctl --json describe-disks "$d2" | jq -r '.Disks[0].KMSKeyId')" "$cmk" "under the default key"
must_fail --error "no KMS key alias/nosuch\|does not exist" ctl modify-disk-default-kms-key-id alias/nosuch
assert_eq "$(ctl describe-disk-default-kms-key-id)" "$cmk" "default key after a refused modify"

log "a disabled default key: creates fail and say so"
kms_field . DisableKey KeyId="$cmk" >/dev/null
must_fail --error "default KMS key for new disks in region cn-hangzhou ($cmk) cannot be used: the KMS key $cmk is disabled" \
	ctl create-disk --size 8M --category cloud
kms_field . EnableKey KeyId="$cmk" >/dev/null
ctl reset-disk-default-kms-key-id
assert_eq "$(ctl describe-disk-default-kms-key-id)" alias/acs/ecs "default key after reset"

log "per region; disabled again: unencrypted disks as before"
assert_eq "$(ctl --region cn-shanghai describe-disk-encryption-by-default-status)" false "cn-shanghai"
q=$(ctl --region cn-shanghai create-disk --size 8M --category cloud)
assert_eq "$(ctl --region cn-shanghai --json describe-disks "$q" | jq -r '.Disks[0].Encrypted')" false "cn-shanghai disk"
ctl disable-disk-encryption-by-default
u=$(ctl create-disk --size 8M --category cloud --unencrypted)
assert_eq "$(ctl --json describe-disks "$u" | jq -r '.Disks[0].Encrypted')" false "after disable"
stop_agent
start_agent
assert_eq "$(ctl describe-disk-encryption-by-default-status)" false "status kept across a restart"
assert_eq "$(kms_usage ModifyDiskDefaultKMSKeyId)" 2 "ModifyDiskDefaultKMSKeyId KMS calls"
