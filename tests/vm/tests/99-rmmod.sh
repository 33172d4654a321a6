#!/usr/bin/env bash
# The module cannot be removed while a device uses it; it can once the
# device is gone, and loads again.  Runs last: it unloads the module.
. "$TESTLIB"

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
