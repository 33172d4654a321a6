#!/usr/bin/env bash
# A hex key and the same key as a logon key in the keyring give the same
# data; no table or status output ever shows key bytes; bad keyring
# references are refused.
. "$TESTLIB"
need keyctl

key=$(random_hex_key)
hex_to_file "$key" /tmp/key.bin
keyctl link @u @s
id=$(keyctl padd logon ecsenc:kr-test @u </tmp/key.bin)
on_exit "keyctl unlink $id @u"

dev=$(make_loop 8)
len=$(dev_sectors "$dev")
pattern_file /tmp/a.dat 2 kr
map=$(dm_create hex "$(ecsenc_table "$len" "$key" 0 "$dev" 0)")
dd if=/tmp/a.dat of="$map" bs=1M oflag=direct status=none
dmsetup remove hex

map=$(dm_create kr "$(ecsenc_table "$len" :64:logon:ecsenc:kr-test 0 "$dev" 0 sector_size:512)")
assert_eq "$(sha_of "$map" $((2 * 1024 * 1024)))" "$(sha_of /tmp/a.dat)" "keyring key reads hex-key data"

table=$(dmsetup table kr)
echo "$table" | grep -q ' :64:logon:ecsenc:kr-test 0 ' || fail "table lacks the keyring reference: $table"
map2=$(dm_create hex2 "$(ecsenc_table "$len" "$key" 0 "$dev" 0)")
table2=$(dmsetup table hex2)
echo "$table2" | grep -q ' aes-xts-plain64 - 0 ' || fail "hex key not masked: $table2"

# No 16-digit piece of the key anywhere dm shows.
out=$(dmsetup table; dmsetup table --showkeys; dmsetup status; dmsetup info -c; cat /proc/keys)
for i in 0 16 32 48 64 80 96 112; do
	piece=${key:$i:16}
	! echo "$out" | grep -qi "$piece" || fail "key bytes visible: $piece"
done
log "tables and status show only: $table / $table2"

# Bad references are refused with a precise error.
expect_refused() {	# keyspec expected-error
	must_fail dmsetup create badkey --table "$(ecsenc_table "$len" "$1" 0 "$dev" 0)"
	dmesg | tail -n 3 | grep -q "$2" || fail "no '$2' in: $(dmesg | tail -n 3)"
	! dmsetup info badkey >/dev/null 2>&1 || fail "badkey exists"
}
id=$(keyctl padd user ecsenc:user-key @u </tmp/key.bin)
on_exit "keyctl unlink $id @u"
id=$(head -c 32 /tmp/key.bin | keyctl padd logon ecsenc:short @u)
on_exit "keyctl unlink $id @u"
expect_refused :64:logon:ecsenc:missing "Keyring key not found"
expect_refused :64:user:ecsenc:user-key "only logon keys are accepted"
expect_refused :64:logon:ecsenc:short "Keyring key payload is not 64 bytes"
expect_refused :32:logon:ecsenc:short "AES-128 refused"
expect_refused :64:logon: "empty description"
expect_refused :64 "expected :64:logon:<description>"
