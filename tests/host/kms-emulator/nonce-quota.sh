#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Each access key holds at most its quota of live signature nonces: a key
# that signs requests as fast as it can is refused alone, with 429
# Rejected.Throttling, while the other keys keep being served; the quota
# holds across a restart.  By default the 2 000 000 nonces of the store are
# shared equally by the access keys.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
kms_build_signer
quota=100
kms_start --quiet --max-nonces-per-key $quota

# flood AK SECRET N: N signed requests on one keep-alive connection;
# prints how many were served before the first refusal and that refusal's
# HTTP status (the answer of the last request is in answer.json).
flood() {
	local i
	: >"$KMS_TMP/flood.cfg"
	for i in $(seq "$3"); do
		[ "$i" = 1 ] || echo next >>"$KMS_TMP/flood.cfg"
		printf 'url = "%s/"\ndata-binary = "%s"\noutput = "%s"\nwrite-out = "%%{http_code}\\n"\n' "$KMS_ENDPOINT" \
			"$("$KMS_TMP/sign-request" "$1" "$2" Action=DescribeRegions)" \
			"$KMS_TMP/answer.json" >>"$KMS_TMP/flood.cfg"
	done
	curl -s -m 60 -K "$KMS_TMP/flood.cfg" |
		awk '$1 != 200 { print n, $1; found = 1; exit } { n++ } END { if (!found) print n, "none" }'
}

start=$(date +%s%N)
read -r served refusal < <(flood "$KMS_AK" "$KMS_SECRET" $((quota + 20)))
ms=$((($(date +%s%N) - start) / 1000000))
[ "$served" = $quota ] || { echo "served $served requests of $KMS_AK before a refusal, quota $quota"; exit 1; }
[ "$refusal $(jq -r .Code "$KMS_TMP/answer.json")" = "429 Rejected.Throttling" ] ||
	{ echo "refusal: $refusal $(cat "$KMS_TMP/answer.json")"; exit 1; }
grep -q "access key $KMS_AK holds $quota signature nonces" "$KMS_TMP/answer.json" ||
	{ echo "message: $(cat "$KMS_TMP/answer.json")"; exit 1; }
echo "$KMS_AK: $served requests served, then 429 Rejected.Throttling (${ms} ms on loopback)"

# The other keys are served as before; the flooding key stays refused.
for i in 1 2 3; do
	[ "$(kms_post "$("$KMS_TMP/sign-request" other otherSecret Action=DescribeRegions)")" = "200 OK" ] ||
		{ echo "access key other refused: $(cat "$KMS_TMP/answer.json")"; exit 1; }
	[ "$(kms_post "$(KMS_AK=$KMS_ADMIN_AK KMS_SECRET=$KMS_ADMIN_SECRET kms_sign Action=CreateKey)")" = "200 OK" ] ||
		{ echo "access key $KMS_ADMIN_AK refused: $(cat "$KMS_TMP/answer.json")"; exit 1; }
	[ "$(kms_post "$(kms_sign Action=DescribeRegions)")" = "429 Rejected.Throttling" ] ||
		{ echo "$KMS_AK served again: $(cat "$KMS_TMP/answer.json")"; exit 1; }
done
# The other key has its own quota, no more.
read -r served _ < <(flood other otherSecret $((quota + 20)))
[ "$served" = $((quota - 3)) ] || { echo "other: $served more requests served, quota $quota"; exit 1; }

# The quota holds across a restart (the nonces are on disk).
kms_stop
kms_start --quiet --max-nonces-per-key $quota
[ "$(kms_post "$(kms_sign Action=DescribeRegions)")" = "429 Rejected.Throttling" ] ||
	{ echo "$KMS_AK served after a restart: $(cat "$KMS_TMP/answer.json")"; exit 1; }
[ "$(kms_post "$(KMS_AK=$KMS_ADMIN_AK KMS_SECRET=$KMS_ADMIN_SECRET kms_sign Action=DescribeRegions)")" = "200 OK" ]

# Without the option: 2 000 000 / 3 access keys each.
kms_stop
rc=0
"$EMU" --listen 127.0.0.1:1 --data-dir "$KMS_TMP/data" --credentials "$KMS_TMP/creds" \
	--max-nonces-per-key 0 >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || { echo "--max-nonces-per-key 0: exit status $rc"; exit 1; }
kms_start
grep -q "666666 nonces per access key" "$KMS_TMP/emulator.log" ||
	{ echo "default quota: $(grep listening "$KMS_TMP/emulator.log")"; exit 1; }
echo "nonce quota checks passed"
