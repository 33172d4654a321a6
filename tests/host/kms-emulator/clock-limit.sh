#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The emulator clock (AdvanceClock) stops before year 9999 ends: every time
# an answer carries has the form yyyy-MM-ddTHH:mm:ssZ, and a step past the
# limit is refused without moving the clock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
kms_build_emulator
kms_setup
# Start in 9995 (the stored clock offset), then step a year at a time.
kms_start --quiet
kms_stop
sqlite3 "$KMS_TMP/data/kms.db" "INSERT OR REPLACE INTO meta (name, value) VALUES
	('clock_offset', $(date -u -d 9995-01-01 +%s) - $(date +%s))"
kms_start --quiet

stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
admin() { KMS_AK=$KMS_ADMIN_AK KMS_SECRET=$KMS_ADMIN_SECRET kms_sign "$@"; }
step=$((366 * 24 * 3600))

steps=0 got=
while :; do
	got=$(kms_post "$(admin Action=AdvanceClock Seconds=$step)")
	[ "$got" = "200 OK" ] || break
	now=$(kms_answer Now)
	[[ $now =~ $stamp ]] || { echo "AdvanceClock answered Now=\"$now\" after $steps steps"; exit 1; }
	steps=$((steps + 1))
	[ $steps -lt 10 ] || { echo "the clock passed $now and kept going"; exit 1; }
done
[ "$got" = "400 InvalidParameter" ] || { echo "a step past the limit: $got $(cat "$KMS_TMP/answer.json")"; exit 1; }
grep -q "past 9998-12-29T23:59:59Z" "$KMS_TMP/answer.json" || { echo "message: $(cat "$KMS_TMP/answer.json")"; exit 1; }
[[ $now =~ ^999[89]- ]] || { echo "stopped early, at $now"; exit 1; }

# The refused step changed nothing; a key made now has well-formed dates.
[ "$(kms_post "$(admin Action=AdvanceClock Seconds=0)")" = "200 OK" ]
[ "$(kms_answer Now | cut -c1-4)" = "${now:0:4}" ] || { echo "refused step moved the clock: $(kms_answer Now)"; exit 1; }
[ "$(kms_post "$(kms_sign Action=CreateKey)")" = "200 OK" ]
key=$(kms_answer KeyMetadata.KeyId)
[[ $(kms_answer KeyMetadata.CreationDate) =~ $stamp ]] || { echo "CreationDate: $(cat "$KMS_TMP/answer.json")"; exit 1; }
[ "$(kms_post "$(kms_sign Action=ScheduleKeyDeletion KeyId="$key" PendingWindowInDays=366)")" = "200 OK" ]
[ "$(kms_post "$(kms_sign Action=DescribeKey KeyId="$key")")" = "200 OK" ]
[[ $(kms_answer KeyMetadata.DeleteDate) =~ $stamp ]] || { echo "DeleteDate: $(cat "$KMS_TMP/answer.json")"; exit 1; }
echo "clock limit checks passed ($steps steps of a year from 9995, stopped at $now)"
