#!/usr/bin/env bash
# The module cannot be removed while a device uses it; it can once the
# device is gone, and loads again.  Without it (and no way to load it),
# the agent refuses attach-disk before any KMS call; once the kernel can
# load it again, the attach loads it.  Runs last: it unloads the module.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

left=$(dmsetup ls --target ecsenc 2>/dev/null | grep -v "No devices found" || true)
[ -z "$left" ] || fail "earlier tests left ecsenc devices behind: $left"
dev=$(make_loop 4)
dm_create busy "$(ecsenc_table 8192 "$(random_hex_key)" 0 "$dev" 0)" >/dev/null
must_fail rmmod dm-ecsenc
grep -q '^dm_ecsenc ' /proc/modules || fail "module gone while in use"
dmsetup remove busy
rmmod dm-ecsenc
! grep -q '^dm_ecsenc ' /proc/modules || fail "module still loaded"
modprobe dm-ecsenc
grep -q '^dm_ecsenc ' /proc/modules || fail "module did not load again"
log "rmmod refused while in use, works after, module loads again"

log "without the module, attach-disk is refused before any KMS call"
rmmod dm-ecsenc
autoload=$(cat /proc/sys/kernel/modprobe)
on_exit "echo $autoload >/proc/sys/kernel/modprobe"
echo /nonexistent >/proc/sys/kernel/modprobe	# the kernel cannot load it back
start_kms
start_agent
grep -q "warning: the kernel has no ecsenc device-mapper target" "$AGENT_LOG" ||
	fail "the agent did not say at start that the target is missing"
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)
must_fail --error "cannot attach $d: the kernel has no ecsenc device-mapper target: the dm-ecsenc module is not loaded (modprobe dm-ecsenc)" \
	ctl attach-disk "$d"
assert_eq "$(kms_usage AttachDisk)" 0 "KMS calls of the refused attach"
echo "$autoload" >/proc/sys/kernel/modprobe
dev=$(ctl attach-disk "$d")
grep -q '^dm_ecsenc ' /proc/modules || fail "the attach did not load the module"
assert_eq "$(kms_usage AttachDisk)" 1 "KMS calls of the attach once the module loads"
[ -b "$dev" ] || fail "no device $dev"
ctl detach-disk "$d" >/dev/null
log "refused before Decrypt without the module; loaded by the attach once it can be"
