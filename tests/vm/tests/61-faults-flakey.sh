#!/usr/bin/env bash
# dm-flakey below the target, held in one state at a time (up 1 s, down
# 0 s is always up; up 0 s, down 1 s is always down):
#   drop_writes   writes report success and change nothing: the old data
#                 reads back, decrypted, never the new and never garbage;
#   error_writes  writes fail with EIO, direct and buffered (at fsync),
#                 and change nothing; reads work;
#   down          every read and write fails with EIO and no data comes
#                 back;
# and once flakey is up again the old data, and what fio wrote before the
# faults, read back intact.  On a loop device and on the virtio disk (reads
# complete in hard interrupt context), at sector sizes 512 and 4096, with
# dm-crypt over the same stack as the anchor, checked first.
. "$TESTLIB"
need fio
[ -b /dev/vda ] || skip "no /dev/vda (run-vm.sh --disk)"
modprobe dm-flakey || skip "no dm-flakey in the guest"

len=16384			# sectors: 8 MiB
mib=$((1024 * 1024))
at=$((4 * mib))			# where pattern A, then B, go: 1 MiB at 4 MiB
pattern_file /tmp/A 1 flakey-a
pattern_file /tmp/B 1 flakey-b

flakey() {		# dev up-seconds down-seconds [feature]
	local t="0 $len flakey $1 0 $2 $3"
	[ $# -lt 4 ] || t="$t 1 $4"
	echo "$t"
}

set_flakey() {		# state: up, down, error_writes or drop_writes
	local t
	case $1 in
	up) t=$(flakey "$dev" 1 0) ;;
	down) t=$(flakey "$dev" 0 1) ;;
	*) t=$(flakey "$dev" 0 1 "$1") ;;
	esac
	dmsetup load "$lower" --table "$t"
	dmsetup resume "$lower"
}

fio_front() {		# name [--verify_only]: the first 4 MiB
	fio_verify_range "$map" "$1" 0 $at "$ss" "${@:2}"
}

# The 1 MiB at $at, one system call each way.
wr_direct() { dd if="$1" of="$map" bs=$mib seek=$at count=1 oflag=direct,seek_bytes conv=notrunc status=none; }
wr_buffered() { dd if="$1" of="$map" bs=$mib seek=$at count=1 oflag=seek_bytes conv=notrunc,fsync status=none; }
rd_direct() { dd if="$map" of=/tmp/rd bs=$mib skip=$at count=1 iflag=direct,skip_bytes status=none; }
rd_buffered() { drop_page_cache; dd if="$map" of=/tmp/rd bs=$mib skip=$at count=1 iflag=skip_bytes status=none; }

reads_back() {		# pattern-file what: direct and buffered reads give it
	rd_direct
	cmp -s /tmp/rd "$1" || fail "$2: direct read is not $(basename "$1")"
	rd_buffered
	cmp -s /tmp/rd "$1" || fail "$2: buffered read is not $(basename "$1")"
}

faults() {		# who
	local who=$1 rd

	set_flakey up
	fio_front "$who"
	wr_direct /tmp/A
	reads_back /tmp/A "$who, up"

	set_flakey drop_writes
	wr_direct /tmp/B
	wr_buffered /tmp/B
	drop_page_cache	# the page cache holds B, which never landed
	reads_back /tmp/A "$who, drop_writes"

	set_flakey error_writes
	must_eio wr_direct /tmp/B
	must_eio wr_buffered /tmp/B
	drop_page_cache
	reads_back /tmp/A "$who, error_writes"

	set_flakey down
	for rd in rd_direct rd_buffered; do
		rm -f /tmp/rd
		must_eio $rd
		[ ! -s /tmp/rd ] || fail "$who, down: $rd handed back $(stat -c %s /tmp/rd) bytes"
	done
	must_eio wr_direct /tmp/B
	must_eio wr_buffered /tmp/B
	drop_page_cache

	set_flakey up
	reads_back /tmp/A "$who, up again"
	fio_front "$who" --verify_only
	wr_direct /tmp/B
	reads_back /tmp/B "$who, up again"
}

for disk in loop vda; do
	if [ $disk = loop ]; then dev=$(make_loop 8); else dev=/dev/vda; fi
	for ss in 512 4096; do
		lower=fl-$disk-$ss
		dm_create "$lower" "$(flakey "$dev" 1 0)" >/dev/null
		crypt_then_ecsenc faults "$disk-$ss" "/dev/mapper/$lower" $len "$ss"
		dmsetup remove "$lower"
		log "$disk, sector size $ss: dm-crypt and ecsenc agree on drop_writes, error_writes and down"
	done
done
