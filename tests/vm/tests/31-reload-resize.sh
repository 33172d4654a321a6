#!/usr/bin/env bash
# A table reload keeps the data; growing and shrinking the mapping works.
. "$TESTLIB"

key=$(random_hex_key)
dev=$(make_loop 32)
pattern_file /tmp/a.dat 4 rl
sha_a=$(sha_of /tmp/a.dat)
map=$(dm_create rl "$(ecsenc_table 16384 "$key" 0 "$dev" 0)")
assert_eq "$(blockdev --getsz "$map")" 16384 "initial size"
dd if=/tmp/a.dat of="$map" bs=1M oflag=direct status=none

dmsetup load rl --table "$(ecsenc_table 65536 "$key" 0 "$dev" 0)"
dmsetup resume rl
assert_eq "$(blockdev --getsz "$map")" 65536 "size after growing"
assert_eq "$(sha_of "$map" $((4 * 1024 * 1024)))" "$sha_a" "data after growing"
dd if=/tmp/a.dat of="$map" bs=1M seek=28 oflag=direct status=none
assert_eq "$(sha_of "$map" $((4 * 1024 * 1024)) $((28 * 1024 * 1024)))" "$sha_a" "data in the new area"

dmsetup load rl --table "$(ecsenc_table 8192 "$key" 0 "$dev" 0)"
dmsetup resume rl
assert_eq "$(blockdev --getsz "$map")" 8192 "size after shrinking"
assert_eq "$(sha_of "$map" $((4 * 1024 * 1024)))" "$sha_a" "data after shrinking"
must_fail dd if=/dev/zero of="$map" bs=4k seek=1024 count=1 oflag=direct status=none

# A reload with a bad line leaves the live table alone.
must_fail dmsetup load rl --table "$(ecsenc_table 8192 "${key:0:64}" 0 "$dev" 0)"
dmsetup resume rl
assert_eq "$(sha_of "$map" $((4 * 1024 * 1024)))" "$sha_a" "data after a refused reload"
log "reload, grow, shrink and a refused reload keep the data"
