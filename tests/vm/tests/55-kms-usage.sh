#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# describe-kms-usage counts the KMS API calls of each management operation
# of ECS's billing table for encrypted disks, per region.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

start_kms
start_agent

d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)	# 1 GenerateDataKeyWithoutPlaintext
ctl attach-disk "$d" >/dev/null					# 1 Decrypt
s=$(ctl create-snapshot "$d")					# 1 DescribeKey
ctl detach-disk "$d"						# 0: works without the KMS
ctl attach-disk "$d" >/dev/null					# 1 Decrypt
ctl detach-disk "$d"
ctl reset-disk "$d" --snapshot-id "$s"				# 1 DescribeKey
ctl reinit-disk "$d"						# 1 GenerateDataKeyWithoutPlaintext
ctl --region cn-shanghai create-disk --size 8M --category cloud --encrypted >/dev/null

ctl describe-kms-usage
assert_eq "$(kms_usage CreateDisk)" 1 "CreateDisk calls"
assert_eq "$(kms_usage AttachDisk)" 2 "AttachDisk calls"
assert_eq "$(kms_usage DetachDisk)" 0 "DetachDisk calls"
assert_eq "$(kms_usage CreateSnapshot)" 1 "CreateSnapshot calls"
assert_eq "$(kms_usage ResetDisk)" 1 "ResetDisk calls"
assert_eq "$(kms_usage ReInitDisk)" 1 "ReInitDisk calls"
assert_eq "$(kms_usage CreateDisk cn-shanghai)" 1 "CreateDisk calls in cn-shanghai"
assert_eq "$(kms_usage AttachDisk cn-shanghai)" 0 "AttachDisk calls in cn-shanghai"
ctl --json describe-kms-usage |
	jq -e '.Regions["cn-hangzhou"].Operations.AttachDisk.Actions.Decrypt == 2' >/dev/null ||
	fail "AttachDisk is not broken down by action"
ctl describe-kms-usage | grep -q "cn-hangzhou *AttachDisk *2 *Decrypt=2" || fail "text table"

log "unencrypted disks cost no KMS call"
p=$(ctl create-disk --size 8M --category cloud)
ctl attach-disk "$p" >/dev/null
ctl detach-disk "$p"
assert_eq "$(kms_usage CreateDisk)" 1 "CreateDisk calls after an unencrypted disk"
assert_eq "$(kms_usage AttachDisk)" 2 "AttachDisk calls after an unencrypted disk"
