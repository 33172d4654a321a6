#!/usr/bin/env bash
# key wipe / key set are accepted only while suspended; resume is refused
# while no key is loaded; a wrong key reads garbage; the right key brings
# the data back; a bad key message changes nothing.
. "$TESTLIB"

key=$(random_hex_key)
other=$(random_hex_key)
dev=$(make_loop 8)
len=$(dev_sectors "$dev")
pattern_file /tmp/a.dat 1 msg
sha_a=$(sha_of /tmp/a.dat)
map=$(dm_create km "$(ecsenc_table "$len" "$key" 0 "$dev" 0)")
dd if=/tmp/a.dat of="$map" bs=1M oflag=direct status=none

must_fail dmsetup message km 0 key wipe
dmesg | tail -n 1 | grep -q "only while suspended" || fail "no reason given"

dmsetup suspend km
dmsetup message km 0 key wipe
dmsetup status km | grep -q " nokey " || fail "status after wipe: $(dmsetup status km)"
must_fail dmsetup resume km
dmesg | tail -n 2 | grep -q "resume refused: no key is loaded" || fail "resume refusal not explained"
dmsetup info km | grep -q SUSPENDED || fail "device should still be suspended"

must_fail dmsetup message km 0 key set 1234
must_fail dmsetup message km 0 key set "${key:0:127}x"
must_fail dmsetup message km 0 key frobnicate
must_fail dmsetup resume km
log "wipe refused while live; resume refused without key; bad keys refused"

dmsetup message km 0 key set "$other"
dmsetup resume km
[ "$(sha_of "$map" $((1024 * 1024)))" != "$sha_a" ] || fail "wrong key read plaintext"

dmsetup suspend km
dmsetup message km 0 key wipe
dmsetup message km 0 key set "$key"
# "-" is what dmsetup table shows for a hex key; the key stays.
must_fail dmsetup message km 0 key set -
dmesg | tail -n 1 | grep -q "key set: Key not shown: a table read back hides its key" ||
	fail "key set - not explained: $(dmesg | tail -n 1)"
dmsetup resume km
dmsetup status km | grep -q " key " || fail "status after set: $(dmsetup status km)"
assert_eq "$(sha_of "$map" $((1024 * 1024)))" "$sha_a" "data after key set"

# Keyring key through the message, too.
hex_to_file "$key" /tmp/key.bin
keyctl link @u @s
id=$(keyctl padd logon ecsenc:msg @u </tmp/key.bin)
on_exit "keyctl unlink $id @u"
dmsetup suspend km
dmsetup message km 0 key wipe
dmsetup message km 0 key set :64:logon:ecsenc:msg
dmsetup resume km
assert_eq "$(sha_of "$map" $((1024 * 1024)))" "$sha_a" "data after keyring key set"
dmsetup table km | grep -q ":64:logon:ecsenc:msg" || fail "table lacks the new key reference"
log "wrong key garbles, right key (hex or keyring) restores"
