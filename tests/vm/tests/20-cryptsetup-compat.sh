#!/usr/bin/env bash
# Byte compatibility with dm-crypt plain aes-xts-plain64, both ways, at 512
# and 4096 sector sizes, with and without iv_large_sectors, with zero and
# non-zero device offset and iv_offset.
. "$TESTLIB"

key=$(random_hex_key)
hex_to_file "$key" /tmp/key.bin
pattern_file /tmp/a.dat 4 a
pattern_file /tmp/b.dat 4 b
sha_a=$(sha_of /tmp/a.dat)
sha_b=$(sha_of /tmp/b.dat)
bytes=$((4 * 1024 * 1024))

check() {		# sector_size large(0/1) offset iv_offset
	local ss=$1 large=$2 off=$3 ivo=$4 dev len opts=() cs=() name map
	name="ss$ss-l$large-o$off-i$ivo"
	dev=$(make_loop 16)
	len=$(($(dev_sectors "$dev") - off))
	[ "$ss" != 512 ] && opts+=("sector_size:$ss") && cs+=(--sector-size "$ss")
	[ "$large" = 1 ] && opts+=(iv_large_sectors) && cs+=(--iv-large-sectors)
	cs+=(--offset "$off" --skip "$ivo")

	# ecsenc writes, dm-crypt reads.
	map=$(dm_create ec "$(ecsenc_table "$len" "$key" "$ivo" "$dev" "$off" "${opts[@]}")")
	dd if=/tmp/a.dat of="$map" bs=1M oflag=direct status=none
	dmsetup remove ec
	[ "$(sha_of "$dev" $bytes $((off * 512)))" != "$sha_a" ] ||
		fail "$name: the backing device holds plaintext"
	map=$(crypt_open cr "$dev" /tmp/key.bin "${cs[@]}")
	assert_eq "$(sha_of "$map" $bytes)" "$sha_a" "$name: dm-crypt reads what ecsenc wrote"

	# dm-crypt writes, ecsenc reads.
	dd if=/tmp/b.dat of="$map" bs=1M oflag=direct status=none
	cryptsetup close cr
	map=$(dm_create ec "$(ecsenc_table "$len" "$key" "$ivo" "$dev" "$off" "${opts[@]}")")
	assert_eq "$(sha_of "$map" $bytes)" "$sha_b" "$name: ecsenc reads what dm-crypt wrote"
	assert_eq "$(blockdev --getss "$map")" "$ss" "$name: logical block size"
	dmsetup remove ec
	log "$name: compatible both ways"
}

check 512 0 0 0
check 512 0 2048 100
check 4096 0 0 0
check 4096 0 2048 64
check 4096 1 0 0
check 4096 1 2048 64
