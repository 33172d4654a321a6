#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 of the agent at random points of create-disk, create-snapshot,
# reset-disk, reinit-disk, delete-disk and copy-disk, 100 times.  After
# each restart (whose reconciliation runs before the socket appears) the
# catalog, the stores' headers and the dm devices agree: no half-built
# .new store, no catalog row without a store, no store without a row, no
# dm device of a disk that does not exist, every header names its file
# and carries its row's lineage.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
default_kernel_only
need jq sqlite3

CYCLES=${CRASH_CYCLES:-100}
db=$ECSENC_STATE/catalog.db
start_kms
start_agent

check_agreement() {		# cycle
	local f id hdr
	local -A lineage=()
	while read -r id l; do
		[ -n "$id" ] && lineage[$id]=$l
	done < <(sqlite3 -separator ' ' "$db" "SELECT id, lineage_id FROM objects")
	[ -z "$(find "$ECSENC_STATE" -name '*.new')" ] ||
		fail "cycle $1: half-built store left: $(find "$ECSENC_STATE" -name '*.new')"
	for f in "$ECSENC_STATE"/cn-hangzhou/*.img; do
		[ -e "$f" ] || continue
		id=$(basename "$f" .img)
		[ -n "${lineage[$id]:-}" ] || fail "cycle $1: store $id has no catalog row"
		hdr=$(head -c 4096 "$f" | tr -d '\0')
		[[ $hdr == *"$id"* ]] || fail "cycle $1: header of $f does not name $id"
		[[ $hdr == *"${lineage[$id]}"* ]] ||
			fail "cycle $1: header of $id has not the row's lineage ${lineage[$id]}"
	done
	for id in "${!lineage[@]}"; do
		[ -e "$ECSENC_STATE/cn-hangzhou/$id.img" ] || fail "cycle $1: catalog row $id has no store"
	done
	for f in $(dmsetup ls | awk '/^ecsenc-d-/ {print $1}'); do
		[ -n "${lineage[${f#ecsenc-}]:-}" ] ||
			fail "cycle $1: dm device $f of a disk that does not exist"
	done
}

disks() { ctl --json describe-disks | jq -r '.Disks[].DiskId'; }
snaps() { ctl --json describe-snapshots | jq -r '.Snapshots[] | "\(.SnapshotId) \(.SourceDiskId)"'; }
pick() { local a=("$@"); [ ${#a[@]} -gt 0 ] && echo "${a[RANDOM % ${#a[@]}]}"; }

# One random operation: its ctl command line, chosen while nothing runs,
# so that the kill that follows lands inside the operation itself.
random_op() {
	local line all d
	mapfile -t all < <(disks)
	d=$(pick "${all[@]}")
	case $((RANDOM % 6)) in
	0) echo create-disk --size 8M --category cloud_ssd $([ $((RANDOM % 2)) = 0 ] && echo --encrypted) ;;
	1) [ -n "$d" ] && echo create-snapshot "$d" ;;
	2) line=$(snaps | head -n 1)
	   [ -n "$line" ] && echo reset-disk "${line#* }" --snapshot-id "${line%% *}" ;;
	3) [ -n "$d" ] && echo reinit-disk "$d" ;;
	4) [ ${#all[@]} -gt 3 ] && echo delete-disk "$d" ;;
	5) [ ${#all[@]} -ge 2 ] && echo copy-disk --no-progress "${all[0]}" "${all[1]}" ;;
	esac
	return 0
}

for i in 1 2 3; do ctl create-disk --size 8M --category cloud_ssd --encrypted >/dev/null; done
t0=$(date +%s)
for cycle in $(seq "$CYCLES"); do
	cmd=$(random_op)
	[ -n "$cmd" ] || cmd="create-disk --size 8M --category cloud"
	# shellcheck disable=SC2086
	ctl $cmd >/dev/null 2>&1 &
	op=$!
	sleep "$((RANDOM % 2)).$(printf %03d $((RANDOM % 1000)))"
	kill9_agent
	wait $op 2>/dev/null || true
	# A copy-disk left holding devices: let go of them as its user would.
	for f in $(dmsetup ls | awk '/^ecsenc-d-/ {print $1}'); do
		dmsetup remove --retry "$f" 2>/dev/null || true
	done
	start_agent
	check_agreement "$cycle"
	# Snapshots pile up: keep the state small.
	if [ "$(snaps | wc -l)" -gt 6 ]; then
		ctl delete-snapshot "$(snaps | head -n 1 | cut -d' ' -f1)" >/dev/null
	fi
done
log "$CYCLES kill -9 cycles in $(($(date +%s) - t0)) s"
log "repairs logged at start: $(grep -c "reconcile:\|removed the half-built" "$AGENT_LOG" || true)"
grep "reconcile:\|removed the half-built" "$AGENT_LOG" |
	sed 's/.*info: //; s/[sd]-[a-z0-9]*/ID/g; s|/[^ ]*/ID.img.new|ID.img.new|' | sort | uniq -c || true
