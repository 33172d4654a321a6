#!/usr/bin/env bash
# IEEE 1619 XTS-AES-256 vectors 10 (data unit 0xff) and 11 (0xffff): the
# plaintext 00..ff twice written to sector 0 of the mapping, with iv_offset
# set to the data unit number, must land on the backing device as exactly
# the published ciphertext; and read back as the plaintext.
. "$TESTLIB"

for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done >/tmp/half
cat /tmp/half /tmp/half >/tmp/plain
plain_sha=$(sha_of /tmp/plain)

check_vector() {	# data_unit expected_sha
	local dev map
	dev=$(make_loop 1)
	map=$(dm_create ieee$1 "$(ecsenc_table 2048 "$IEEE_KEY" "$1" "$dev" 0)")
	dd if=/tmp/plain of="$map" bs=512 count=1 oflag=direct status=none
	assert_eq "$(sha_of "$dev" 512)" "$2" "ciphertext of data unit $1"
	assert_eq "$(sha_of "$map" 512)" "$plain_sha" "plaintext read back (unit $1)"
	log "data unit $1: ciphertext matches IEEE 1619"
}

check_vector 255 e97e974fa393af794f7a4684395814cf820de60a01eaec677d87b452e316b364
check_vector 65535 def4fad29e95dfe1a24b1ad4620f86d7be094cced5b19e0b121aa82d9e6baf98
