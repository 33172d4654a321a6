#!/usr/bin/env bash
# The paths for ciphers that complete asynchronously: the test-only cipher
# capi:cryptd(xts(ecb(aes-generic)))-plain64 is AES-XTS whose every
# request cryptd completes later, from its own worker.  Writes in ->map and reads on a
# loop device wait for it; reads that complete in interrupt context on the
# virtio disk hand each unit over and carry on from the completion
# callback; large bios wait in the crypt workers.  The bytes must be
# exactly dm-crypt's aes-xts-plain64, both ways, at both sector sizes.
. "$TESTLIB"
need cryptsetup

param=/sys/module/dm_ecsenc/parameters/allow_test_ciphers
key=$(random_hex_key)
keyfile=/tmp/async.key
hex_to_file "$key" "$keyfile"
mb=16
sectors=$((mb * 2048))

async_table() {		# dev [opts...]
	local dev=$1 t
	shift
	t="0 $sectors ecsenc capi:cryptd(xts(ecb(aes-generic)))-plain64 $key 0 $dev 0"
	[ $# -gt 0 ] && t="$t $# $*"
	echo "$t"
}

read_sha() {		# dev bs
	dd if="$1" bs="$2" count=$((mb * 1024 * 1024)) iflag=direct,count_bytes \
		status=none | sha256sum | cut -d' ' -f1
}

must_fail dmsetup create async0 --table "$(async_table "$(make_loop $mb)")"
echo 1 >$param
on_exit "echo 0 >$param"

devs=$(make_loop $mb)
[ -b /dev/vda ] && devs="$devs /dev/vda" || log "no /dev/vda: loop device only"
n=0
for dev in $devs; do
	for ss in 512 4096; do
		n=$((n + 1))
		opts=()
		[ $ss = 512 ] || opts=(sector_size:$ss)
		pattern_file /tmp/p1 $mb "a$n"
		pattern_file /tmp/p2 $mb "b$n"

		# dm-crypt writes; the asynchronous ecsenc reads it back.
		crypt=$(crypt_open "ac$n" "$dev" "$keyfile" --sector-size $ss)
		dd if=/tmp/p1 of="$crypt" bs=1M oflag=direct status=none
		map=$(dm_create "as$n" "$(async_table "$dev" "${opts[@]}")")
		dmsetup status "as$n" | grep -q " cryptd(" ||
			fail "not running on cryptd: $(dmsetup status "as$n")"
		for bs in 4K 1M; do
			assert_eq "$(read_sha "$map" $bs)" "$(sha_of /tmp/p1)" \
				"$dev ss=$ss: dm-crypt's data through the async cipher, $bs reads"
		done

		# The asynchronous ecsenc writes, in small and large bios.
		dd if=/tmp/p2 of="$map" bs=4K count=1024 oflag=direct status=none
		dd if=/tmp/p2 of="$map" bs=1M skip=4 seek=4 oflag=direct status=none
		assert_eq "$(read_sha "$crypt" 1M)" "$(sha_of /tmp/p2)" \
			"$dev ss=$ss: the async cipher's data through dm-crypt"
		dmsetup remove "as$n"
		cryptsetup close "ac$n"
		log "$dev ss=$ss: the async cipher matches dm-crypt both ways"
	done
done
log "asynchronous cipher paths verified"
