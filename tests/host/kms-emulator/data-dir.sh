#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The data directory is private: 0700, and every state file in it (the
# database with its WAL and SHM files, the root key, the lock) 0600, even
# under a permissive umask or in a directory made 0755; one emulator owns
# it at a time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
umask 022
chmod 755 "$KMS_TMP/data"
kms_start
# A write, so that the WAL and SHM files exist.
[ "$(kms_post "$(kms_sign Action=CreateKey)")" = "200 OK" ]

mode_of() { stat -c %a "$1"; }
[ "$(mode_of "$KMS_TMP/data")" = 700 ] || { echo "data dir mode $(mode_of "$KMS_TMP/data")"; exit 1; }
for f in kms.db kms.db-wal kms.db-shm root.key; do
	[ -f "$KMS_TMP/data/$f" ] || { echo "no $f"; exit 1; }
done
for f in "$KMS_TMP"/data/*; do
	[ "$(mode_of "$f")" = 600 ] || { echo "${f##*/} mode $(mode_of "$f")"; exit 1; }
done

# A second emulator on the same data dir refuses to start, and says why.
port=$(tcp_free_port)
rc=0
timeout 10 "$EMU" --listen "127.0.0.1:$port" --data-dir "$KMS_TMP/data" \
	--credentials "$KMS_TMP/creds" >"$KMS_TMP/second.log" 2>&1 || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "second emulator: status $rc"; exit 1; }
grep -q "in use by kms-emulator pid $KMS_PID" "$KMS_TMP/second.log" ||
	{ cat "$KMS_TMP/second.log"; exit 1; }
# The first one still serves.
[ "$(kms_post "$(kms_sign Action=DescribeRegions)")" = "200 OK" ]

# An old data dir whose files are 0644 is made private at the next start.
kms_stop
chmod 644 "$KMS_TMP"/data/*
chmod 755 "$KMS_TMP/data"
kms_start
[ "$(kms_post "$(kms_sign Action=DescribeRegions)")" = "200 OK" ]
for f in "$KMS_TMP"/data/*; do
	[ "$(mode_of "$f")" = 600 ] || { echo "after restart: ${f##*/} mode $(mode_of "$f")"; exit 1; }
done
[ "$(mode_of "$KMS_TMP/data")" = 700 ]
# --print-metering reads a stopped emulator's dir.
kms_stop
"$EMU" --data-dir "$KMS_TMP/data" --print-metering | jq -e '.TotalCount >= 3' >/dev/null
echo "data dir checks passed"
