#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A SignatureNonce is accepted once, and that holds across a clean restart
# and a kill -9; a fresh request whose Timestamp is a little in the past
# (before the emulator started) is served.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
kms_start

expect() {	# what body
	local got
	got=$(kms_post "$2")
	[ "$got" = "$1" ] || { echo "want $1, got $got: $(cat "$KMS_TMP/answer.json")"; exit 1; }
}

old=$(kms_sign -t -120 Action=DescribeRegions)
expect "200 OK" "$old"
expect "400 SignatureNonceUsed" "$old"
expect "400 IllegalTimestamp" "$(kms_sign -t -1000 Action=DescribeRegions)"

kms_stop
kms_start
expect "400 SignatureNonceUsed" "$old"
second=$(kms_sign -t -60 Action=DescribeRegions)
expect "200 OK" "$second"

# A write and a read, then kill -9: neither request can be replayed.
write=$(kms_sign -t -30 Action=CreateKey)
expect "200 OK" "$write"
read=$(kms_sign Action=DescribeRegions)
expect "200 OK" "$read"
kms_stop KILL
kms_start
for body in "$old" "$second" "$write" "$read"; do
	expect "400 SignatureNonceUsed" "$body"
done
# The same nonce under another access key is another nonce.
nonce=$(sed -n 's/.*SignatureNonce=\([^&]*\).*/\1/p' <<<"$read")
expect "200 OK" "$(KMS_AK=other KMS_SECRET=otherSecret kms_sign -n "$nonce" Action=DescribeRegions)"
echo "replay checks passed"
