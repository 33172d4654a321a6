#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, part 3: two hosts share a Ceph RBD pool.  A one-node Ceph
# cluster and two "hosts" (network namespaces) run inside the guest
# (tests/vm/ceph-lib.sh); each host runs its own kms-agent with the rbd
# backend against one KMS.
TESTLIB=${TESTLIB:-/ecsenc/tests/vm/lib.sh}
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
ECSENC_WORK=$(mktemp -d /tmp/demo-rbd.XXXXXX)
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }
a() { printf 'host-a$ ecsenc-ctl %s\n' "$*" >&2; ctl_a "$@"; }
b() { printf 'host-b$ ecsenc-ctl %s\n' "$*" >&2; ctl_b "$@"; }

say "A one-node Ceph cluster (mon + osd, cephx) and two hosts on one pool"
ceph_start
rbd_kms_start
rbd_agent_start a
rbd_agent_start b
echo "host-a and host-b each run: kms-agent --backend rbd --ceph-conf /etc/ceph/ceph.conf --rbd-pool $RBD_POOL --instance-id host-X"

say "host-a creates an encrypted disk and attaches it; the disk is an image of the pool"
d=$(a create-disk --size 64M --category cloud_ssd --encrypted)
deva=$(a attach-disk "$d")
echo "$deva"
run rbd_cli ls "$RBD_POOL"
echo "hello from host-a" | dd of="$deva" bs=4096 conv=sync oflag=direct status=none

say "host-b sees it, and who holds it, from Ceph"
b rebuild-catalog >/dev/null
b --json describe-disks "$d" | jq -M '.Disks[0] | {DiskId, Status, Encrypted, Attachments}'

say "An ordinary disk is attached on one host at a time"
b attach-disk "$d" || true

say "Shared block storage (san_ssd) attaches on both hosts; each unwraps the key itself"
s=$(a create-disk --size 64M --category san_ssd --encrypted)
sa=$(a attach-disk "$s")
sb=$(b attach-disk "$s")
echo "written on host-a" | dd of="$sa" bs=4096 conv=sync oflag=direct status=none
printf 'read on host-b: '
dd if="$sb" bs=4096 count=1 iflag=direct status=none | tr -d '\0'
b --json describe-disks "$s" | jq -M -c '.Disks[0].Attachments'
a detach-disk "$s" >/dev/null
b detach-disk "$s" >/dev/null

say "host-a dies holding $d; host-b takes it with --force, which fences host-a"
rbd_agent_kill9 a
devb=$(b attach-disk --force "$d")
printf 'read on host-b: '
dd if="$devb" bs=4096 count=1 iflag=direct status=none | tr -d '\0'
grep 'fenced' "$(_rbd_dir b)/agent.log" | sed 's/^/    /'
printf 'host-a writes after fencing: '
dd if=/dev/zero of="$deva" bs=4096 count=1 oflag=direct status=none 2>&1 | sed 's/^dd: //' || true
b --json describe-disks "$d" | jq -M -c '.Disks[0].Attachments'
b detach-disk "$d" >/dev/null
