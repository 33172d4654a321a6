#!/usr/bin/env bash
# Every malformed table line is refused with its own precise error, leaves
# no device behind, and makes the kernel complain about nothing (the
# harness fails the test on any WARNING or oops).
. "$TESTLIB"

dev=$(make_loop 4)
key=$(random_hex_key)
hexjunk=$(printf 'zz%.0s' $(seq 64))
n=0

refused() {		# expected-error table...
	local want=$1
	shift
	n=$((n + 1))
	dmesg -c >/dev/null
	must_fail dmsetup create bad$n --table "$*"
	dmesg | grep -q "ecsenc: .*$want" ||
		fail "line '$*': expected '$want', kernel said: $(dmesg | tail -n 2)"
	! dmsetup info bad$n >/dev/null 2>&1 || fail "bad$n was left behind"
}

refused "Not enough arguments" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev"
refused "Unsupported cipher" "0 8192 ecsenc aes-cbc-essiv:sha256 $key 0 $dev 0"
refused "Unsupported cipher" "0 8192 ecsenc aes-xts-plain $key 0 $dev 0"
refused "AES-128 refused" "0 8192 ecsenc aes-xts-plain64 ${key:0:64} 0 $dev 0"
refused "Invalid key size" "0 8192 ecsenc aes-xts-plain64 ${key}00 0 $dev 0"
refused "odd number of hex digits" "0 8192 ecsenc aes-xts-plain64 ${key:0:127} 0 $dev 0"
refused "not a hexadecimal string" "0 8192 ecsenc aes-xts-plain64 $hexjunk 0 $dev 0"
refused "Invalid iv_offset" "0 8192 ecsenc aes-xts-plain64 $key abc $dev 0"
refused "Invalid iv_offset" "0 8192 ecsenc aes-xts-plain64 $key -1 $dev 0"
refused "Invalid iv_offset" "0 8192 ecsenc aes-xts-plain64 $key 18446744073709551616 $dev 0"
refused "Invalid device offset" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 1x"
refused "Invalid device offset" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 18446744073709551617"
refused "Device lookup failed" "0 8192 ecsenc aes-xts-plain64 $key 0 /dev/nonexistent 0"
refused "Invalid number of optional parameters" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 2 allow_discards"
refused "Invalid number of optional parameters" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 4 a b c d"
refused "Unknown optional parameter" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 same_cpu_crypt"
refused "Too many arguments" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 allow_discards extra"
refused "Duplicate optional parameter" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 2 allow_discards allow_discards"
refused "Duplicate optional parameter" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 3 sector_size:4096 iv_large_sectors iv_large_sectors"
refused "Duplicate optional parameter" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 2 sector_size:4096 sector_size:512"
refused "Invalid sector_size" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 sector_size:1000"
refused "Invalid sector_size" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 sector_size:8192"
refused "Invalid sector_size" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 sector_size:256"
refused "iv_offset is not a multiple of sector_size" "0 8192 ecsenc aes-xts-plain64 $key 7 $dev 0 1 sector_size:4096"
refused "Device offset is not a multiple of sector_size" "0 8184 ecsenc aes-xts-plain64 $key 0 $dev 3 1 sector_size:4096"
refused "Mapping length is not a multiple of sector_size" "0 8191 ecsenc aes-xts-plain64 $key 0 $dev 0 1 sector_size:4096"
refused "iv_large_sectors needs a sector_size above 512" "0 8192 ecsenc aes-xts-plain64 $key 0 $dev 0 1 iv_large_sectors"
log "$n malformed table lines refused, each with its own error"

# dmsetup table shows a hex key as "-": the line read back is refused for
# that reason, and a failed reload leaves the live table and its key alone.
hidden="Key not shown: a table read back hides its key"
dm_create live "$(ecsenc_table 8192 "$key" 0 "$dev" 0)" >/dev/null
readback=$(dmsetup table live)
[[ $readback == *" aes-xts-plain64 - 0 "* ]] || fail "hex key not shown as -: $readback"
refused "$hidden" "$readback"
dmesg -c >/dev/null
if dmsetup table live | dmsetup load live 2>/dev/null; then
	fail "a table read back loaded again: $readback"
fi
dmesg | grep -q "ecsenc: .*$hidden" ||
	fail "reload of '$readback': expected '$hidden', kernel said: $(dmesg | tail -n 2)"
dmsetup info live | grep -q "^Tables present: *LIVE$" || fail "reload left: $(dmsetup info live)"
dmsetup status live | grep -q " ecsenc key " || fail "key lost: $(dmsetup status live)"
log "a hex-key table read back refused: $hidden"

# Misaligned I/O on a 4096-byte mapping is refused by the block layer.
map=$(dm_create al "$(ecsenc_table 8192 "$key" 0 "$dev" 0 sector_size:4096)")
for rw in write read; do
	must_fail fio --name=misaligned --filename="$map" --direct=1 --rw=$rw \
		--bs=512 --offset=512 --size=512 --ioengine=psync
done
log "512-byte I/O on a 4096-byte mapping refused"
