#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Agent and ctl on the host against the KMS emulator (no device-mapper
# here, so no attach): encrypted disks get a wrapped key under the service
# key or a BYOK CMK, bound to their lineage; key states gate snapshots;
# usage is counted; the agent passes no Decrypt through.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }

start_emulator
start_agent "$kms_url" --kms-deadline 2

log "encrypted disk under the service key"
d=$(ctl create-disk --size 16M --category cloud_ssd --encrypted) || fail "create-disk"
svc=$(ctl kms DescribeKey KeyId=alias/acs/ecs | jq -r .KeyMetadata.KeyId)
ctl --json describe-disks "$d" >"$work/d.json"
[ "$(jq -r '.Disks[0].KMSKeyId' "$work/d.json")" = "$svc" ] || fail "not under the service key"
lineage=$(jq -r '.Disks[0].LineageId' "$work/d.json")
img=$work/state/cn-hangzhou/$d.img
head -c 4096 "$img" | grep -aq "aes-xts-plain64" || fail "cipher not in header"
head -c 4096 "$img" | grep -aq "\"ecsenc:lineage\":\"$lineage\"" || fail "context not in header"

log "the wrapped key is bound to its lineage: Decrypt with another context fails"
blob=$(dd if="$img" bs=1 skip=896 count=2048 status=none | tr -d '\0')
[ -n "$blob" ] || fail "no wrapped key in the header"
ctl kms Decrypt CiphertextBlob="$blob" 'EncryptionContext={"lineage":"l-other"}' \
	>/dev/null 2>&1 && fail "a foreign context decrypted the disk key"
ctl kms Decrypt CiphertextBlob="$blob" >/dev/null 2>&1 && fail "no context decrypted the disk key"
must_fail --error "only key-management actions" ctl kms Decrypt CiphertextBlob="$blob" \
	"EncryptionContext={\"ecsenc:lineage\":\"$lineage\",\"ecsenc:region\":\"cn-hangzhou\"}"

log "snapshots and disks from them share the wrapped key"
s=$(ctl create-snapshot "$d") || fail "create-snapshot"
d2=$(ctl create-disk --snapshot-id "$s") || fail "create-disk from snapshot"
cmp -s <(dd if="$img" bs=1 skip=384 count=2560 status=none) \
	<(dd if="$work/state/cn-hangzhou/$d2.img" bs=1 skip=384 count=2560 status=none) ||
	fail "wrapped key or context differ between a disk and its snapshot's disk"

log "BYOK: key states gate management operations"
cmk=$(ctl kms CreateKey Description=host-test | jq -r .KeyMetadata.KeyId)
b=$(ctl create-disk --size 8M --category san_efficiency --encrypted --kms-key-id "$cmk") || fail "BYOK disk"
ctl kms DisableKey KeyId="$cmk" >/dev/null
must_fail --error "KMS key $cmk is disabled; enable it" ctl create-snapshot "$b"
ctl kms EnableKey KeyId="$cmk" >/dev/null
ctl create-snapshot "$b" >/dev/null || fail "snapshot after EnableKey"
ctl kms ScheduleKeyDeletion KeyId="$cmk" PendingWindowInDays=7 >/dev/null
must_fail --error "scheduled for deletion" ctl create-snapshot "$b"
ctl kms AdvanceClock Seconds=$((8 * 86400)) >/dev/null
must_fail --error "that wraps this data key no longer exists" ctl create-snapshot "$b"
must_fail --error "there is no KMS key $cmk in region" ctl create-disk --size 8M --category cloud --encrypted --kms-key-id "$cmk"
must_fail --error "service key" ctl kms DisableKey KeyId=alias/acs/ecs

log "usage"
ctl describe-kms-usage
u() { ctl --json describe-kms-usage | jq -r ".Regions[\"cn-hangzhou\"].Operations.$1.KmsCalls"; }
# 2 new keys + 1 DescribeKey (from snapshot) + 1 refused (deleted CMK, answered: billed)
[ "$(u CreateDisk)" = 4 ] || fail "CreateDisk calls $(u CreateDisk), want 4"
# every snapshot attempt of an encrypted disk asks for the key state
[ "$(u CreateSnapshot)" = 5 ] || fail "CreateSnapshot calls $(u CreateSnapshot), want 5"
[ "$(u AttachDisk)" = 0 ] || fail "AttachDisk calls"
echo PASS
