#!/usr/bin/env bash
# The null cipher that benchmarks use to measure the target's own cost is
# refused unless the module parameter allow_test_ciphers is set, and it
# then stores plaintext (it is a copy, not a cipher).
. "$TESTLIB"

param=/sys/module/dm_ecsenc/parameters/allow_test_ciphers
dev=$(make_loop 4)
null_line="0 8192 ecsenc capi:ecb(cipher_null)-plain64 - 0 $dev 0"

assert_eq "$(cat $param)" N "allow_test_ciphers by default"
must_fail dmsetup create null1 --table "$null_line"
dmesg | tail -n 2 | grep -q "Test-only cipher" || fail "refusal not explained: $(dmesg | tail -n 2)"

echo 1 >$param
on_exit "echo 0 >$param"
must_fail dmsetup create null2 --table "0 8192 ecsenc capi:ecb(cipher_null)-plain64 $(random_hex_key) 0 $dev 0"
map=$(dm_create null3 "$null_line")
pattern_file /tmp/a.dat 1 null
dd if=/tmp/a.dat of="$map" bs=1M oflag=direct status=none
assert_eq "$(sha_of "$dev" $((1024 * 1024)))" "$(sha_of /tmp/a.dat)" "null cipher stores the plaintext"
dmsetup table null3 | grep -q "capi:ecb(cipher_null)-plain64 - 0 " || fail "table: $(dmsetup table null3)"
# For this cipher "-" is the key argument itself: the table reads back.
dmsetup table null3 | dmsetup load null3
dmsetup resume null3
assert_eq "$(sha_of "$map" $((1024 * 1024)))" "$(sha_of /tmp/a.dat)" "null cipher after a reload of its table"
dmsetup remove null3
echo 0 >$param
must_fail dmsetup create null4 --table "$null_line"
log "null cipher refused by default, works as a copy only with allow_test_ciphers=1"
