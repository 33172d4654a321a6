#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 of the agent with disks attached: the disks keep working, a new
# agent takes them over and detaches them cleanly.  A restart after the
# devices vanished (as after a reboot) re-attaches them, unless told not to.
# A device that an attach cut short left without a table is not taken for
# an attached disk: an attach replaces it, a start removes it.
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

log "a device left without a table by an attach cut short is no attachment"
dmsetup create "ecsenc-$a" --notable || fail "dmsetup create --notable"
dmsetup info "ecsenc-$a" | grep -q "Tables present: *None" ||
	fail "not a device without a table: $(dmsetup info "ecsenc-$a")"
ctl describe-disks "$a" | grep -q In_use && fail "a device without a table counts as attached"
dev=$(ctl attach-disk "$a")
dmsetup table "ecsenc-$a" | grep -q " ecsenc " || fail "attach kept the device without a table"
mount -o ro "$dev" /mnt/k
assert_eq "$(cat /mnt/k/f)" "written while the agent is dead" "data after replacing the device"
umount /mnt/k
ctl detach-disk "$a"
stop_agent
dmsetup create "ecsenc-$b" --notable || fail "dmsetup create --notable"
start_agent --no-reattach
dmsetup info "ecsenc-$b" >/dev/null 2>&1 && fail "a start kept a device without a table"
grep -q "removed ecsenc-$b, left without a table" "$AGENT_LOG" ||
	fail "the start did not say why: $(grep reconcile "$AGENT_LOG" | tail -n 3)"
true
