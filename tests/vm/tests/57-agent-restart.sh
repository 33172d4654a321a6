#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 of the agent with disks attached: the disks keep working, a new
# agent takes them over and detaches them cleanly.  A restart after the
# devices vanished (as after a reboot) re-attaches them, unless told not to.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent
mkdir -p /mnt/k

a=$(ctl create-disk --size 16M --category cloud_ssd --encrypted)
b=$(ctl create-disk --size 16M --category cloud)
deva=$(ctl attach-disk "$a")
devb=$(ctl attach-disk "$b")
mkfs.ext4 -q "$deva"
mount "$deva" /mnt/k

log "kill -9 with two disks attached, one mounted"
kill9_agent
echo "written while the agent is dead" >/mnt/k/f
sync
[ -S "$AGENT_SOCK" ] && log "(stale socket left behind, as expected after kill -9)"
start_agent
ctl describe-disks | grep -q "$a .*In_use" || fail "$a not In_use after restart"
ctl describe-disks | grep -q "$b .*In_use" || fail "$b not In_use after restart"
must_fail --error "in use" ctl detach-disk "$a"
umount /mnt/k
ctl detach-disk "$a"
ctl detach-disk "$b"
[ -e "$deva" ] || [ -e "$devb" ] && fail "devices left after detach"
[ -z "$(dmsetup ls | grep ecsenc-)" ] || fail "dm devices left: $(dmsetup ls)"
assert_no_ecsenc_keys

log "devices gone behind the agent's back (reboot): re-attached at start"
ctl attach-disk "$a" >/dev/null
ctl attach-disk "$b" >/dev/null
stop_agent
dmsetup remove "ecsenc-$a"
dmsetup remove "ecsenc-$b"
start_agent
[ -b "/dev/mapper/ecsenc-$a" ] || fail "$a not re-attached"
[ -b "/dev/mapper/ecsenc-$b" ] || fail "$b not re-attached"
mount -o ro "/dev/mapper/ecsenc-$a" /mnt/k
assert_eq "$(cat /mnt/k/f)" "written while the agent is dead" "data after re-attach"
umount /mnt/k
assert_no_ecsenc_keys

log "--no-reattach leaves them detached"
stop_agent
dmsetup remove "ecsenc-$a"
dmsetup remove "ecsenc-$b"
start_agent --no-reattach
[ -e "/dev/mapper/ecsenc-$a" ] && fail "re-attached despite --no-reattach"
ctl describe-disks | grep -q In_use && fail "a disk is In_use"
true
