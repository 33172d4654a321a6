#!/usr/bin/env bash
# dm-flakey below the target, flapping: up 1 s, down 1 s.  With
# error_writes, each data unit written either fails with EIO and keeps its
# old data, or succeeds and holds the new, as a read right after it and a
# read of everything once flakey is up for good both show; reads never
# fail.  Without features, each read either fails with EIO and returns
# nothing, or returns exactly what is there.  Both outcomes must be seen.
# On a loop device at 512 and on the virtio disk at 4096, with dm-crypt
# over the same stack as the anchor, checked first.
. "$TESTLIB"
[ -b /dev/vda ] || skip "no /dev/vda (run-vm.sh --disk)"
modprobe dm-flakey || skip "no dm-flakey in the guest"

len=8192			# sectors: 4 MiB
units=64			# data units written or read while flapping
pattern_file /tmp/A 4 flap-a
pattern_file /tmp/B 4 flap-b

set_flakey() {		# up-seconds down-seconds [feature]
	local t="0 $len flakey $dev 0 $1 $2"
	[ $# -lt 3 ] || t="$t 1 $3"
	dmsetup load "$lower" --table "$t"
	dmsetup resume "$lower"
}

unit_of() {		# file unit: that data unit of a pattern file
	dd if="$1" bs="$ss" skip="$2" count=1 status=none
}
rd_unit() { dd if="$map" of=/tmp/rd bs="$ss" skip="$1" count=1 iflag=direct status=none; }
wr_unit() {
	unit_of /tmp/B "$1" >/tmp/wr
	dd if=/tmp/wr of="$map" bs="$ss" seek="$1" count=1 oflag=direct conv=notrunc status=none
}

# Go on until both outcomes were seen, at least 2 s and 16 units in.
enough() {		# i seen-ok seen-eio t0
	[ "$1" -ge "$units" ] && return 0
	[ "$2" -gt 0 ] && [ "$3" -gt 0 ] && [ "$1" -ge 16 ] &&
		[ $((SECONDS - $4)) -ge 2 ]
}

flap() {		# who
	local who=$1 i t0 ok eio written landed=()

	set_flakey 1 0
	dd if=/tmp/A of="$map" bs=1M count=4 oflag=direct status=none

	set_flakey 1 1 error_writes
	t0=$SECONDS ok=0 eio=0
	for ((i = 0; ; i++)); do
		enough $i $ok $eio "$t0" && break
		if LAST_ERR=$(wr_unit $i 2>&1); then
			ok=$((ok + 1)) landed[i]=B
		else
			[[ $LAST_ERR == *"Input/output error"* ]] || fail "$who: unit $i: $LAST_ERR"
			eio=$((eio + 1)) landed[i]=A
		fi
		rd_unit $i || fail "$who: a read failed under error_writes"
		cmp -s /tmp/rd <(unit_of /tmp/${landed[i]} $i) ||
			fail "$who: unit $i does not hold ${landed[i]} right after its write"
	done
	[ $ok -gt 0 ] && [ $eio -gt 0 ] || fail "$who: $ok writes worked, $eio failed: flakey did not flap"
	written=$i

	# The units written, and the first one that was not.
	set_flakey 1 0
	for ((i = 0; i <= written && i < units; i++)); do
		rd_unit $i
		cmp -s /tmp/rd <(unit_of /tmp/${landed[i]:-A} $i) ||
			fail "$who: unit $i does not hold ${landed[i]:-A} once up"
	done
	log "$who: error_writes: $ok writes landed, $eio failed with EIO and changed nothing"

	set_flakey 1 1
	t0=$SECONDS ok=0 eio=0
	for ((i = 0; ; i++)); do
		enough $i $ok $eio "$t0" && break
		rm -f /tmp/rd
		if LAST_ERR=$(rd_unit $i 2>&1); then
			cmp -s /tmp/rd <(unit_of /tmp/${landed[i]:-A} $i) ||
				fail "$who: unit $i read back wrong while flapping"
			ok=$((ok + 1))
		else
			[[ $LAST_ERR == *"Input/output error"* ]] || fail "$who: unit $i: $LAST_ERR"
			[ ! -s /tmp/rd ] || fail "$who: a failed read of unit $i handed back data"
			eio=$((eio + 1))
		fi
	done
	[ $ok -gt 0 ] && [ $eio -gt 0 ] || fail "$who: $ok reads worked, $eio failed: flakey did not flap"
	log "$who: down intervals: $ok reads right, $eio failed with EIO"
}

for case in "loop 512" "vda 4096"; do
	read -r disk ss <<<"$case"
	if [ $disk = loop ]; then dev=$(make_loop 4); else dev=/dev/vda; fi
	lower=flap-$disk
	dm_create "$lower" "0 $len flakey $dev 0 1 0" >/dev/null
	crypt_then_ecsenc flap "$disk-$ss" "/dev/mapper/$lower" $len "$ss"
	dmsetup remove "$lower"
done
