#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Agent and ctl on the host with no KMS reachable: unencrypted disks,
# snapshots, reset/reinit, refused categories and conversions, header
# recovery and catalog rebuild (a region id with a '.' included), clear
# errors when the KMS is down.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"

start_agent http://127.0.0.1:9 --kms-deadline 1
[ "$(stat -c %a "$work/agent.sock")" = 600 ] || fail "socket mode is not 0600"

log "create, describe"
d=$(ctl create-disk --size 64M --category cloud_essd) || fail "create-disk"
[[ $d == d-* ]] || fail "bad disk id $d"
ctl describe-disks | grep -q "$d.*cloud_essd.*64MiB.*no.*Available" || fail "describe-disks"
ctl --json describe-disks "$d" | grep -q "\"Encrypted\": *false" || fail "--json"
[ "$(stat -c %s "$work/state/cn-hangzhou/$d.img")" = $((65 << 20)) ] || fail "store size"
[ "$(du -k "$work/state/cn-hangzhou/$d.img" | cut -f1)" -lt 1024 ] || fail "store is not sparse"

log "data survives snapshot, create-from-snapshot, reset, reinit"
img=$work/state/cn-hangzhou/$d.img
printf 'MARKER-ONE' | dd of="$img" bs=1 seek=$((1 << 20)) conv=notrunc status=none
s=$(ctl create-snapshot "$d") || fail "create-snapshot"
[[ $s == s-* ]] || fail "bad snapshot id $s"
ctl describe-snapshots | grep -q "$s.*$d" || fail "describe-snapshots"
d2=$(ctl create-disk --snapshot-id "$s") || fail "create-disk from snapshot"
grep -q MARKER-ONE "$work/state/cn-hangzhou/$d2.img" || fail "snapshot data not in new disk"
ctl describe-disks "$d2" | grep -q cloud_essd || fail "category not inherited"
printf 'MARKER-TWO' | dd of="$img" bs=1 seek=$((1 << 20)) conv=notrunc status=none
ctl reset-disk "$d" --snapshot-id "$s" || fail "reset-disk"
grep -q MARKER-ONE "$img" || fail "reset did not restore"
must_fail --error "taken of disk $d" ctl reset-disk "$d2" --snapshot-id "$s"
ctl reinit-disk "$d2" || fail "reinit-disk from snapshot"
grep -q MARKER-ONE "$work/state/cn-hangzhou/$d2.img" || fail "reinit from snapshot lost content"
ctl reinit-disk "$d" || fail "reinit-disk"
grep -q MARKER-ONE "$img" && fail "reinit kept old data"

log "refusals"
must_fail --error "cannot be encrypted" ctl create-disk --size 64M --category cloud_essd --encrypted
must_fail --error "cannot be encrypted" ctl create-disk --size 64M --category ephemeral_ssd --encrypted
must_fail --error "unknown disk category" ctl create-disk --size 64M --category floppy
must_fail --error "copy-disk $d" ctl encrypt-disk "$d"
must_fail --error "copy-disk $d" ctl decrypt-disk "$d"
must_fail --error "cannot be encrypted directly" ctl create-disk --snapshot-id "$s" --encrypted
must_fail --error "no disk d-nope" ctl attach-disk d-nope
must_fail --error "does not take --size" ctl attach-disk "$d" --size 1G
must_fail --error "bad --size" ctl create-disk --size 12Q --category cloud
must_fail --error "KMS of region cn-hangzhou is unavailable" ctl create-disk --size 64M --category cloud_ssd --encrypted
ctl describe-kms-usage | grep -q "CreateDisk  *0" || fail "unanswered calls were billed"

log "corrupted primary header recovered from its copy"
dd if=/dev/urandom of="$img" bs=512 count=2 conv=notrunc status=none
s2=$(ctl create-snapshot "$d") || fail "snapshot with a damaged primary header"
grep -q "header copy 0 is damaged" "$work/agent.log" || fail "no repair logged"
cmp -s -n 4000 "$img" "$work/state/cn-hangzhou/$s2.img" && fail "snapshot header identical to disk header"
dd if="$img" bs=8 count=1 status=none | grep -q ECSENCH || fail "primary not rewritten"

log "catalog rebuilt from headers"
stop_agent
rm -f "$work/state"/catalog.db*
start_agent http://127.0.0.1:9 --kms-deadline 1
n=$(ctl describe-disks | grep -c '^d-')
[ "$n" = 2 ] || fail "rebuilt catalog has $n disks"
ctl describe-snapshots | grep -q "$s2" || fail "rebuilt catalog lost $s2"
[ "$(ctl rebuild-catalog)" = 4 ] || fail "rebuild-catalog count"

log "delete: not a snapshot that disks were made from (ECS's rule, on local storage too)"
must_fail --error "1 disk was made from it ($d2)" ctl delete-snapshot "$s"
[ "$(ctl --json delete-snapshot "$s" | jq -r .Code)" = SnapshotCreatedDisk ] ||
	fail "delete-snapshot of a snapshot with a disk: not SnapshotCreatedDisk"
ctl delete-disk "$d2" || fail "delete-disk"
ctl delete-snapshot "$s" || fail "delete-snapshot once its disk is gone"
[ -e "$work/state/cn-hangzhou/$d2.img" ] && fail "store not removed"
must_fail --error "no disk $d2" ctl describe-disks "$d2"

log "only root and the agent's user may use the socket"
if command -v setpriv >/dev/null; then
	chmod 0666 "$work/agent.sock"
	chmod 0755 "$work"
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL_BIN" \
		--socket "$work/agent.sock" describe-disks 2>&1) && fail "nobody was served"
	grep -q "only root may use" <<<"$err" || fail "peer check: $err"
	chmod 0600 "$work/agent.sock"
fi

log "another region is another namespace"
must_fail --error "no disk $d in region cn-beijing" ctl --region cn-beijing describe-disks "$d"

log "a region id with a '.' is read back from its disks' headers"
n=$(ctl rebuild-catalog)
e=$(ctl --region eu.test-1 create-disk --size 8M --category cloud) || fail "create-disk in eu.test-1"
[ "$(ctl rebuild-catalog)" = $((n + 1)) ] || fail "rebuild-catalog skipped the disk in eu.test-1"
ctl --region eu.test-1 describe-disks "$e" | grep -q "^$e" || fail "describe-disks in eu.test-1"
ctl --region eu.test-1 delete-disk "$e" || fail "delete-disk in eu.test-1"
echo PASS
