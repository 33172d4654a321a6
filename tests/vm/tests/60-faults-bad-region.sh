#!/usr/bin/env bash
# A bad region below the target: dm-linear around an error segment.  Every
# read or write that touches it, direct or buffered, fails with EIO and
# hands back no data; the data units right next to it, and everything
# further away (fio verify, before and after the faults), read back intact.
# On a loop device reads complete in the submitter's context; on the
# virtio disk in hard interrupt context (the tasklet decrypts them), and a
# read that straddles the edge completes there with its error.  Sector
# sizes 512 and 4096.  dm-crypt over the same stack is the anchor: it is
# checked first against the same expectations, so that they describe
# device-mapper, not ecsenc's guesses.
. "$TESTLIB"
need fio
[ -b /dev/vda ] || skip "no /dev/vda (run-vm.sh --disk)"

len=32768			# sectors: 16 MiB of the backing device
# The fio regions, 4 MiB before $fa and 4 MiB from $fb, keep 128 KiB
# margins from the bad region, which only the unit-sized I/O below touches.
fa=16128 fb=16656 fio_sectors=8192
pattern_file /tmp/margin 1 margin	# the bytes from sector $fa on

# lower name dev first-bad-sector bad-sectors
lower() {
	dmsetup create "$1" --table "0 $3 linear $2 0
$3 $4 error
$(($3 + $4)) $((len - $3 - $4)) linear $2 $(($3 + $4))"
	on_exit "dmsetup remove --retry $1"
}

# What the margin file says units [first, first + count) hold.
margin_units() {	# first count
	dd if=/tmp/margin bs="$ss" skip=$(($1 - fa / u)) count="$2" status=none
}

# Direct I/O of data units [first, first + count) in one system call, to
# or from the margin file.
rd() {
	dd if="$map" of=/tmp/rd bs=$(($2 * ss)) skip=$(($1 * ss)) count=1 \
		iflag=direct,skip_bytes status=none
}
wr() {
	margin_units "$1" "$2" >/tmp/wr
	dd if=/tmp/wr of="$map" bs=$(($2 * ss)) seek=$(($1 * ss)) count=1 \
		oflag=direct,seek_bytes conv=notrunc status=none
}
# Buffered I/O of the 4 KiB page that holds data unit $1.
page_of() { echo $(($1 * ss / 4096)); }
rd_page() { drop_page_cache; dd if="$map" of=/tmp/rd bs=4096 skip="$(page_of "$1")" count=1 status=none; }
wr_page() {
	local p
	p=$(page_of "$1")
	dd if=/tmp/margin bs=4096 skip=$((p - fa / 8)) count=1 status=none >/tmp/wr
	dd if=/tmp/wr of="$map" bs=4096 seek="$p" count=1 conv=notrunc,fsync status=none
}

# The rd above read what the margin file holds for units [first, first + count).
read_matches() {	# first count what
	cmp -s /tmp/rd <(margin_units "$1" "$2") || fail "$3: wrong data"
}

# The failed rd handed back nothing.
read_nothing() {	# what
	[ ! -s /tmp/rd ] || fail "$1: $(stat -c %s /tmp/rd) bytes came back with the error"
}

faults() {		# who: target-disk-sectorsize
	local who=$1 before after p
	before=$((bad / u - 1))
	after=$(((bad + nbad) / u))

	fio_verify_range "$map" "$who-A" $(((fa - fio_sectors) * 512)) $((fio_sectors * 512)) "$ss"
	fio_verify_range "$map" "$who-B" $((fb * 512)) $((fio_sectors * 512)) "$ss"
	wr $((fa / u)) $(((bad - fa) / u))
	wr "$after" $(((fb - bad - nbad) / u))

	# Reads: the first and the last bad unit, edges crossed either way,
	# 1 MiB across the whole region (a read that is shared out).
	for io in "$((before + 1)) 1" "$((after - 1)) 1" "$((before - 3)) 8" \
		"$((after - 1)) 4" "$(((bad - 1024) / u)) $((2048 / u))"; do
		rm -f /tmp/rd
		must_eio rd $io
		read_nothing "$who: direct read of units $io"
	done
	rm -f /tmp/rd
	must_eio rd_page $((before + 1))
	read_nothing "$who: buffered read of the page of unit $((before + 1))"

	# Writes: the same places; the good part of a straddling write
	# carries the bytes already there, so the margins stay checkable.
	for io in "$((before + 1)) 1" "$((after - 1)) 1" "$((before - 3)) 8" \
		"$((after - 1)) 4"; do
		must_eio wr $io
	done
	must_eio wr_page $((before + 1))
	drop_page_cache	# the failed page is clean, but holds what never landed

	# Right next to the region, everything works.
	rd "$before" 1
	read_matches "$before" 1 "$who: unit $before, just before"
	rd "$after" 1
	read_matches "$after" 1 "$who: unit $after, just after"
	wr "$before" 1
	wr "$after" 1
	p=$(page_of "$before")
	if [ "$p" != "$(page_of $((before + 1)))" ]; then
		rd_page "$before"
		read_matches "$before" 1 "$who: buffered page before"
		wr_page "$before"
	fi
	rd_page "$after"
	read_matches "$after" $((4096 / ss)) "$who: buffered page after"
	wr_page "$after"

	# The margins and the fio regions are as they were written.
	drop_page_cache
	rd $((fa / u)) $(((bad - fa) / u))
	read_matches $((fa / u)) $(((bad - fa) / u)) "$who: margin before"
	rd "$after" $(((fb - bad - nbad) / u))
	read_matches "$after" $(((fb - bad - nbad) / u)) "$who: margin after"
	fio_verify_range "$map" "$who-A" $(((fa - fio_sectors) * 512)) $((fio_sectors * 512)) "$ss" --verify_only
	fio_verify_range "$map" "$who-B" $((fb * 512)) $((fio_sectors * 512)) "$ss" --verify_only
}

for disk in loop vda; do
	if [ $disk = loop ]; then dev=$(make_loop 16); else dev=/dev/vda; fi
	for ss in 512 4096; do
		u=$((ss / 512))
		# At 512 the region starts and ends off any 4 KiB boundary.
		if [ "$ss" = 512 ]; then bad=16387 nbad=13; else bad=16384 nbad=16; fi
		lower "low-$disk-$ss" "$dev" $bad $nbad
		crypt_then_ecsenc faults "$disk-$ss" "/dev/mapper/low-$disk-$ss" $len "$ss"
		dmsetup remove "low-$disk-$ss"
		log "$disk, sector size $ss: dm-crypt and ecsenc fail the bad units with EIO, keep the rest"
	done
done
