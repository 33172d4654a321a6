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
	must_fail --error "$cat disks cannot be encrypted" \
		ctl create-disk --size 4M --category "$cat" --encrypted
done
plain=$(ctl create-disk --size 4M --category cloud_essd)
must_fail --error "copy-disk $plain" ctl encrypt-disk "$plain"
enc=$(ctl create-disk --size 4M --category cloud_ssd --encrypted)
must_fail --error "copy-disk $enc" ctl decrypt-disk "$enc"
s=$(ctl create-snapshot "$plain")
must_fail --error "copy-disk" ctl create-disk --snapshot-id "$s" --encrypted
must_fail --error "unknown disk category" ctl create-disk --size 4M --category floppy
must_fail --error "needs --encrypted" ctl create-disk --size 4M --category cloud --kms-key-id alias/acs/ecs
must_fail --error "disk $plain is not attached" ctl detach-disk "$plain"
[ "$(ctl --json detach-disk "$plain" | jq -r .Code)" = InvalidDisk.AlreadyDetached ] ||
	fail "detach-disk of a detached disk is not InvalidDisk.AlreadyDetached"
must_fail --error "no disk d-doesnotexist" ctl attach-disk d-doesnotexist
must_fail --error "no snapshot s-nope" ctl delete-snapshot s-nope
must_fail --error "there is no KMS key 00000000-0000-0000-0000-000000000000 in region cn-hangzhou" ctl create-disk --size 4M --category cloud --encrypted --kms-key-id 00000000-0000-0000-0000-000000000000
must_fail --error "unknown verb" ctl frobnicate
must_fail --error "cannot reach the kms-agent" ecsenc-ctl --socket /tmp/none.sock describe-disks
