#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel before the KMS: on a host without device-mapper (or without
# the ecsenc target) the agent says so at start, and attach-disk is
# refused, naming what is missing, before any KMS call is made or billed.
# copy-snapshot --encrypted of an unencrypted snapshot gets as far as
# that attach while encryption by default is on (its temporary disk of
# the snapshot is not refused), and leaves no disk behind.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
if grep -q device-mapper /proc/misc 2>/dev/null; then
	echo "SKIP: this kernel has device-mapper; the VM tests attach for real"
	exit 77
fi

start_emulator
start_agent "$kms_url" --kms-deadline 2
grep -q "warning: the kernel has no device-mapper.*attach-disk is refused" "$work/agent.log" ||
	fail "the start-up log does not say that device-mapper is missing"

log "attach of an encrypted disk: refused before the KMS is asked"
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted) || fail "create-disk"
must_fail --error "cannot attach $d: the kernel has no device-mapper (.*modprobe dm_mod)" ctl attach-disk "$d"
ctl --json describe-kms-usage | jq -e '(.Regions["cn-hangzhou"].Operations.AttachDisk.KmsCalls // 0) == 0' >/dev/null ||
	{ ctl describe-kms-usage; fail "the refused attach was billed"; }
ctl --json describe-audit-events --disk-id "$d" |
	jq -e '[.AuditEvents[] | select(.Action == "Decrypt")] | length == 0' >/dev/null ||
	fail "the refused attach called KMS Decrypt"
ctl --json describe-disks "$d" | jq -e '.Disks[0].Status == "Available"' >/dev/null ||
	fail "the refused attach left $d attached"

log "copy-snapshot --encrypted of an unencrypted snapshot under encryption by default"
p=$(ctl create-disk --size 8M --category cloud) || fail "plain disk"
s=$(ctl create-snapshot "$p") || fail "snapshot"
ctl enable-disk-encryption-by-default >/dev/null || fail "enable"
before=$(ctl --json describe-disks | jq '.Disks | length')
must_fail --error "cannot attach d-.*: the kernel has no device-mapper" \
	ctl copy-snapshot "$s" --encrypted --no-progress
assert_eq "$(ctl --json describe-disks | jq '.Disks | length')" "$before" "disks after the failed copy"
grep -q "a disk of unencrypted snapshot $s is made all the same" "$work/agent.log" ||
	fail "the source disk of the copy is not logged"
must_fail --error "OperationDenied.EncryptionByDefault\|snapshot $s is not encrypted" \
	ctl create-disk --snapshot-id "$s"
echo PASS
