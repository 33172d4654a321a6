#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stores written by the previous release (kms-agent at 048d99e, before the
# storage backend interface) keep working: an unencrypted 4 MiB disk with
# a marker at the start of its data area, and a header-only snapshot of
# it, both kept compressed in tests/vm/data/.  Dropped into a state dir
# without a catalog, they are found, attached, read, snapshotted and
# reset.  (The header and data layout did not change, so the encrypted
# path reads the same bytes; 51-encrypted-lifecycle.sh covers it.)
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq xzcat

data=$(dirname "$TESTLIB")/data
d=d-33ssad0gck9te30k27dy
s=s-1v5nejlbu4j00fjnqss5
mkdir -p "$ECSENC_STATE/cn-hangzhou"
chmod 700 "$ECSENC_STATE"
for id in $d $s; do
	xzcat "$data/old-format-$id.img.xz" >"$ECSENC_STATE/cn-hangzhou/$id.img"
done

start_agent
ctl --json describe-disks | jq -e ".Disks[] | select(.DiskId == \"$d\")" >/dev/null ||
	fail "the old disk was not found"
assert_eq "$(ctl --json describe-snapshots | jq -r '.Snapshots[0].SourceDiskId')" "$d" \
	"the old snapshot's source"
dev=$(ctl attach-disk "$d")
assert_eq "$(head -c 31 "$dev")" "written by the previous release" "the old disk's data"
ctl detach-disk "$d"

log "new operations on old stores"
s2=$(ctl create-snapshot "$d")
n=$(ctl create-disk --snapshot-id "$s2")
dev=$(ctl attach-disk "$n")
assert_eq "$(head -c 31 "$dev")" "written by the previous release" "a disk from a new snapshot of the old disk"
ctl detach-disk "$n"
ctl reset-disk "$d" --snapshot-id "$s" >/dev/null
dev=$(ctl attach-disk "$d")
assert_eq "$(head -c 31 "$dev" | tr -d '\0')" "" "the old disk reset to its old (empty) snapshot"
ctl detach-disk "$d"
