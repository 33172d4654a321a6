#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The KMS goes away: attached disks keep working and can be detached; a
# new attach fails after the retry deadline with a plain error; an attach
# that starts during a short outage succeeds once the KMS is back.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need mkfs.ext4 jq

start_kms
start_agent --kms-deadline 4
mkdir -p /mnt/o

d=$(ctl create-disk --size 16M --category cloud_ssd --encrypted)
e=$(ctl create-disk --size 16M --category cloud_ssd --encrypted)
dev=$(ctl attach-disk "$d")
mkfs.ext4 -q "$dev"

log "KMS down: the attached disk works"
stop_kms
mount "$dev" /mnt/o
echo "during the outage" >/mnt/o/f
umount /mnt/o
ctl detach-disk "$d"

log "KMS down: attach fails after the deadline, in plain words"
t0=$(date +%s)
must_fail --error "KMS of region cn-hangzhou is unavailable" ctl attach-disk "$e"
[ $(($(date +%s) - t0)) -ge 3 ] || fail "gave up before the deadline"
assert_no_ecsenc_keys

log "KMS back within the deadline: the retry succeeds"
( sleep 1; restart_kms ) &
back=$!
dev=$(ctl attach-disk "$d")
wait $back
restart_kms_pid=$(pgrep -n kms-emulator || true)
[ -n "$restart_kms_pid" ] && on_exit "kill $restart_kms_pid"
mount -o ro "$dev" /mnt/o
assert_eq "$(cat /mnt/o/f)" "during the outage" "data"
umount /mnt/o
ctl detach-disk "$d"
grep -q "retrying" "$AGENT_LOG" || fail "no retry logged"
