#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Key lifecycle on the host (no attach): rewrap after CMK rotation and
# under another CMK, copy-snapshot in a region and across regions,
# encryption by default, and the hash-chained audit trail.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }

start_emulator
start_agent "$kms_url" --kms-deadline 2

log "rewrap after rotation: same data key, new key version"
cmk=$(ctl kms CreateKey Description=rewrap | jq -r .KeyMetadata.KeyId)
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted --kms-key-id "$cmk") || fail "create-disk"
v1=$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyVersionId')
[ -n "$v1" ] && [ "$v1" != null ] || fail "no key version on a new disk"
img=$work/state/cn-hangzhou/$d.img
dd if="$img" of="$work/hdr.old" bs=4096 count=2 status=none
ctl kms CreateKeyVersion KeyId="$cmk" >/dev/null || fail "CreateKeyVersion"
v2=$(ctl rewrap-disk "$d") || fail "rewrap-disk"

log "a crash between the two header copies leaves a usable header"
dd if="$img" of="$work/hdr.new" bs=4096 count=2 status=none
# Stopped after copy 0: the new copy 0 wins and copy 1 is repaired.
dd if="$work/hdr.old" of="$img" bs=4096 skip=1 seek=1 count=1 conv=notrunc status=none
sn=$(ctl create-snapshot "$d") || fail "snapshot after a half-written rewrap"
[ "$(ctl --json describe-snapshots | jq -r --arg s "$sn" '.Snapshots[] | select(.SnapshotId == $s) | .KMSKeyVersionId')" = "$v2" ] ||
	fail "the half-written rewrap lost the new version"
cmp -s <(dd if="$img" bs=4096 skip=1 count=1 status=none | head -c 4000) \
	<(dd if="$work/hdr.new" bs=4096 skip=1 count=1 status=none | head -c 4000) || fail "copy 1 not repaired"
# Torn while writing copy 0: the old copy 1 (old version, same data key) wins.
dd if="$work/hdr.old" of="$img" bs=4096 count=2 conv=notrunc status=none
dd if=/dev/urandom of="$img" bs=1 seek=1000 count=64 conv=notrunc status=none
ctl create-snapshot "$d" >/dev/null || fail "snapshot after a torn copy 0"
dd if="$work/hdr.new" of="$img" bs=4096 count=2 conv=notrunc status=none
[ "$v2" != "$v1" ] || fail "rewrap kept version $v1"
[ "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyVersionId')" = "$v2" ] || fail "describe-disks version"
ctl describe-disks "$d" | grep -q -- "$v2" || fail "text table lacks the key version"

if command -v sqlite3 >/dev/null; then
	log "a catalog row that missed a rewrap is updated from the header at start"
	stop_agent
	sqlite3 "$work/state/catalog.db" "UPDATE objects SET kms_key_version = '$v1' WHERE id = '$d'"
	start_agent "$kms_url" --kms-deadline 2
	[ "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyVersionId')" = "$v2" ] ||
		fail "reconcile kept the stale key version"
	grep -q "reconcile: the catalog row of $d is older" "$work/agent.log" || fail "no reconcile line"
fi

log "rewrap under another CMK"
cmk2=$(ctl kms CreateKey Description=other | jq -r .KeyMetadata.KeyId)
ctl rewrap-disk "$d" --kms-key-id "$cmk2" >/dev/null || fail "rewrap --kms-key-id"
[ "$(ctl --json describe-disks "$d" | jq -r '.Disks[0].KMSKeyId')" = "$cmk2" ] || fail "key id not moved"
s=$(ctl create-snapshot "$d") || fail "snapshot"
ctl rewrap-snapshot "$s" >/dev/null || fail "rewrap-snapshot"

log "rewrap refusals"
ctl kms DisableKey KeyId="$cmk2" >/dev/null
must_fail --error "is disabled" ctl rewrap-disk "$d"
ctl kms EnableKey KeyId="$cmk2" >/dev/null
p=$(ctl create-disk --size 8M --category cloud) || fail "plain disk"
must_fail --error "not encrypted" ctl rewrap-disk "$p"
must_fail --error "no disk d-nosuch" ctl rewrap-disk d-nosuch

log "copy-snapshot within the region under another key, and across regions"
c1=$(ctl copy-snapshot "$s" --kms-key-id "$cmk") || fail "copy-snapshot"
ctl --json describe-snapshots | jq -e --arg c "$c1" --arg k "$cmk" --arg s "$s" \
	'(.Snapshots[] | select(.SnapshotId == $c) | .KMSKeyId == $k) and
	 ((.Snapshots[] | select(.SnapshotId == $c) | .LineageId) != (.Snapshots[] | select(.SnapshotId == $s) | .LineageId))' \
	>/dev/null || fail "copy not under $cmk in a new lineage"
c2=$(ctl copy-snapshot "$s" --destination-region cn-shanghai) || fail "cross-region copy"
ctl --region cn-shanghai --json describe-snapshots | jq -e --arg c "$c2" \
	'.Snapshots[] | select(.SnapshotId == $c) | .RegionId == "cn-shanghai"' >/dev/null ||
	fail "copy not in cn-shanghai"
d3=$(ctl --region cn-shanghai create-disk --snapshot-id "$c2") || fail "disk from the copy"
pend=$(ctl --region cn-beijing kms CreateKey | jq -r .KeyMetadata.KeyId)
ctl --region cn-beijing kms ScheduleKeyDeletion KeyId="$pend" PendingWindowInDays=7 >/dev/null
must_fail --error "scheduled for deletion" ctl copy-snapshot "$s" --destination-region cn-beijing --kms-key-id "$pend"

log "encryption by default"
[ "$(ctl describe-disk-encryption-by-default-status)" = false ] || fail "on at start"
ctl enable-disk-encryption-by-default || fail "enable"
[ "$(ctl describe-disk-encryption-by-default-status)" = true ] || fail "not on"
e=$(ctl create-disk --size 8M --category cloud) || fail "create under default"
ctl --json describe-disks "$e" | jq -e '.Disks[0].Encrypted' >/dev/null || fail "not encrypted by default"
must_fail --error "encryption by default is enabled" ctl create-disk --size 8M --category cloud --unencrypted
ctl modify-disk-default-kms-key-id "$cmk" || fail "modify default key"
[ "$(ctl describe-disk-default-kms-key-id)" = "$cmk" ] || fail "default key"
e2=$(ctl create-disk --size 8M --category cloud) || fail "create under the default key"
[ "$(ctl --json describe-disks "$e2" | jq -r '.Disks[0].KMSKeyId')" = "$cmk" ] || fail "not under the default key"
ctl kms DisableKey KeyId="$cmk" >/dev/null
must_fail --error "default KMS key for new disks in region cn-hangzhou ($cmk) cannot be used: the KMS key $cmk is disabled" \
	ctl create-disk --size 8M --category cloud
ctl kms EnableKey KeyId="$cmk" >/dev/null
ctl reset-disk-default-kms-key-id || fail "reset"
[ "$(ctl describe-disk-default-kms-key-id)" = alias/acs/ecs ] || fail "reset default key"
ctl disable-disk-encryption-by-default || fail "disable"
ctl create-disk --size 8M --category cloud --unencrypted >/dev/null || fail "unencrypted after disable"

log "metering names the new operations"
ctl --json describe-kms-usage | jq -e '.Regions["cn-hangzhou"].Operations.RewrapDisk.Actions.ReEncrypt >= 2 and
	.Regions["cn-hangzhou"].Operations.CopySnapshot.Actions.ReEncrypt == 1 and
	.Regions["cn-shanghai"].Operations.CopySnapshot.Actions.Encrypt == 1 and
	.Regions["cn-hangzhou"].Operations.ModifyDiskDefaultKMSKeyId.Actions.DescribeKey == 1' >/dev/null ||
	{ ctl describe-kms-usage; fail "usage"; }

log "audit trail: every KMS call, chained, no key"
ctl verify-audit-log | grep -q "intact" || fail "verify"
n=$(ctl --json describe-audit-events | jq '.AuditEvents | length')
[ "$n" -gt 10 ] || fail "only $n audit events"
ctl --json describe-audit-events --disk-id "$d" | jq -e '[.AuditEvents[].Action] | index("ReEncrypt") != null' >/dev/null ||
	fail "no ReEncrypt of $d"
ctl --json describe-audit-events | jq -e '[.AuditEvents[] | select(.Result != "Success")] | length > 0' >/dev/null ||
	fail "refusals not audited"
grep -n "\"Plaintext\"" "$work/state/audit.log" >&2 && fail "a key in the audit log"
[ "$(stat -c %a "$work/state/audit.log")" = 600 ] || fail "audit log mode"
cp "$work/state/audit.log" "$work/audit.good"
sed -i '2s/"Result":"Success"/"Result":"Failure"/' "$work/state/audit.log"
must_fail --error "Seq 2 (line 2) was edited" ctl verify-audit-log
cp "$work/audit.good" "$work/state/audit.log"
sed -i '5d' "$work/state/audit.log"
must_fail --error "Seq 5 is missing" ctl verify-audit-log
cp "$work/audit.good" "$work/state/audit.log"
head -n -2 "$work/audit.good" >"$work/state/audit.log"
must_fail --error "were removed" ctl verify-audit-log
cp "$work/audit.good" "$work/state/audit.log"
ctl verify-audit-log >/dev/null || fail "restored log fails"
stop_agent
start_agent "$kms_url" --kms-deadline 2
ctl create-disk --size 8M --category cloud --encrypted >/dev/null
ctl verify-audit-log >/dev/null || fail "chain broken across a restart"
stop_agent
printf '{"Seq":999,"Time":"2026-' >>"$work/state/audit.log"	# cut short by a crash
start_agent "$kms_url" --kms-deadline 2
grep -q "removed a last record cut short" "$work/agent.log" || fail "torn record not reported"
ctl create-disk --size 8M --category cloud --encrypted >/dev/null
ctl verify-audit-log >/dev/null || fail "chain broken after a torn record"
echo "PASS"
