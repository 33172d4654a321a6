#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ECS's limits on encryption, each with a clear one-line error: ESSD and local
# disks cannot be encrypted; no direct encryption or decryption of an
# existing disk (the error names copy-disk); bad input; unknown ids.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

start_kms
start_agent

for cat in cloud cloud_efficiency cloud_ssd san_ssd san_efficiency; do
	d=$(ctl create-disk --size 4M --category "$cat" --encrypted) ||
		fail "$cat should be encryptable"
	ctl delete-disk "$d"
done
for cat in cloud_essd ephemeral_ssd local_ssd_pro local_hdd_pro; do
	expect_fail "$cat disks cannot be encrypted" \
		ctl create-disk --size 4M --category "$cat" --encrypted
done
plain=$(ctl create-disk --size 4M --category cloud_essd)
expect_fail "copy-disk $plain" ctl encrypt-disk "$plain"
enc=$(ctl create-disk --size 4M --category cloud_ssd --encrypted)
expect_fail "copy-disk $enc" ctl decrypt-disk "$enc"
s=$(ctl create-snapshot "$plain")
expect_fail "copy-disk" ctl create-disk --snapshot-id "$s" --encrypted
expect_fail "unknown disk category" ctl create-disk --size 4M --category floppy
expect_fail "needs --encrypted" ctl create-disk --size 4M --category cloud --kms-key-id alias/acs/ecs
expect_fail "disk $plain is not attached" ctl detach-disk "$plain"
[ "$(ctl --json detach-disk "$plain" | jq -r .code)" = IncorrectDiskStatus ] ||
	fail "detach-disk of a detached disk is not IncorrectDiskStatus"
expect_fail "no disk d-doesnotexist" ctl attach-disk d-doesnotexist
expect_fail "no snapshot s-nope" ctl delete-snapshot s-nope
expect_fail "there is no KMS key 00000000-0000-0000-0000-000000000000 in region cn-hangzhou" ctl create-disk --size 4M --category cloud --encrypted --kms-key-id 00000000-0000-0000-0000-000000000000
expect_fail "unknown verb" ctl frobnicate
expect_fail "cannot reach the kms-agent" ecsenc-ctl --socket /tmp/none.sock describe-disks
