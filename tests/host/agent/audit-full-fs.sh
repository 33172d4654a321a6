#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A KMS call whose audit record cannot be written is not made: with the
# state dir's file system full, key-management calls fail
# before reaching the KMS, and no torn record is left behind.  Once space
# is back the log verifies and the chain goes on, before and after a
# restart.  The state dir is a small tmpfs (needs root and mount).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }

mkdir -p "$work/state"
mount -t tmpfs -o size=4m,mode=0700 ecsenc-test "$work/state" 2>/dev/null ||
	{ echo "SKIP: cannot mount a tmpfs here (needs root and mount rights)"; exit 77; }
unmount_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	umount "$work/state" 2>/dev/null || umount -l "$work/state"
	cleanup
}
trap unmount_cleanup EXIT

audit=$work/state/audit.log
key_state() { ctl kms DescribeKey KeyId="$cmk" | jq -r .KeyMetadata.KeyState; }
keys() { ctl kms ListKeys PageSize=100 | jq '.Keys.Key | length'; }

start_emulator
start_agent "$kms_url" --kms-deadline 2
cmk=$(ctl kms CreateKey Description=full | jq -r .KeyMetadata.KeyId)
ctl create-disk --size 1M --category cloud --encrypted >/dev/null || fail "create-disk"
nkeys=$(keys)
ctl verify-audit-log >/dev/null || fail "verify before"

log "the file system full: no KMS call goes out"
cat /dev/zero >"$work/state/fill" 2>/dev/null
# Records shorter than any below may still fit in the log's last page.
for i in $(seq 40); do ctl kms ListKeys >/dev/null 2>&1 || break; done
[ "$i" -lt 40 ] || fail "the KMS is still called with the file system full"
echo "calls made before the first refusal: $((i - 1))"
records=$(wc -l <"$audit")
for call in "DisableKey KeyId=$cmk" "EnableKey KeyId=$cmk" "ScheduleKeyDeletion KeyId=$cmk PendingWindowInDays=7" \
	"CreateKey Description=lost" "DisableKey KeyId=$cmk" "DescribeKey KeyId=$cmk"; do
	# shellcheck disable=SC2086
	must_fail --error "KMS .* not sent: its audit record cannot be written (No space left on device)" ctl kms $call
done
assert_eq "$(wc -l <"$audit")" "$records" "records written with the file system full"
[ "$(tail -c 1 "$audit" | od -An -c | tr -d ' ')" = '\n' ] || fail "a torn record was left"

log "space back: verified, the KMS saw none of those calls, the chain goes on"
rm "$work/state/fill"
ctl verify-audit-log >/dev/null || fail "verify once space is back"
assert_eq "$(key_state)" Enabled "state of the key (DisableKey must not have been sent)"
assert_eq "$(keys)" "$nkeys" "keys (CreateKey must not have been sent)"
ctl kms DisableKey KeyId="$cmk" >/dev/null || fail "DisableKey once space is back"
stop_agent
start_agent "$kms_url" --kms-deadline 2
ctl verify-audit-log >/dev/null || fail "verify after a restart"
assert_eq "$(key_state)" Disabled "state of the key"
assert_eq "$(tail -n 1 "$audit" | jq .Seq)" "$(wc -l <"$audit")" "Seq of the last record"
echo "PASS"
