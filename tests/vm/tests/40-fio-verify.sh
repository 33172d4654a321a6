#!/usr/bin/env bash
# fio writes mixed block sizes with crc32c verification headers, then reads
# everything back and checks it, through both sector sizes and both
# synchronous and queued I/O.
. "$TESTLIB"
need fio

key=$(random_hex_key)
run_fio() {		# map name bsrange engine depth
	fio --name="$2" --filename="$1" --direct=1 --rw=randwrite \
		--bsrange="$3" --ioengine="$4" --iodepth="$5" --size=24M \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=0 \
		--output=/tmp/fio-$2.txt || { cat /tmp/fio-$2.txt; fail "fio $2"; }
	grep -q "err= 0" /tmp/fio-$2.txt || { cat /tmp/fio-$2.txt; fail "fio $2 reported errors"; }
	log "fio $2 ($3, $4 depth $5) verified"
}

dev=$(make_loop 32)
map=$(dm_create fio512 "$(ecsenc_table "$(dev_sectors "$dev")" "$key" 0 "$dev" 0)")
run_fio "$map" s512-sync 512-64k psync 1
run_fio "$map" s512-aio 512-128k libaio 16
dmsetup remove fio512

map=$(dm_create fio4k "$(ecsenc_table "$(dev_sectors "$dev")" "$key" 8 "$dev" 0 sector_size:4096 iv_large_sectors)")
run_fio "$map" s4096-sync 4k-64k psync 1
run_fio "$map" s4096-aio 4k-1m libaio 16
