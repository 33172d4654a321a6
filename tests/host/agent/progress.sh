#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Long operations say what they are doing: on a terminal, ecsenc-ctl shows
# the agent's progress of a snapshot that copies its data and of a create
# that waits for an absent KMS; with --no-progress, --json or no terminal
# it shows none, and the request carries no "progress".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }

# on_tty CMD...: CMD with its stdout and stderr on a pseudo-terminal.
on_tty() { script -qec "$(printf '%q ' "$@")" /dev/null; }

start_agent "http://127.0.0.1:$(tcp_free_port)" --kms-deadline 1

log "a snapshot that copies 96 MiB of data shows its progress"
d=$(ctl create-disk --size 128M --category cloud) || fail "create-disk"
img=$work/state/cn-hangzhou/$d.img
# Data, not holes: the copy has something to do (no reflink on this fs, or
# the copy is shared at once and shows no progress: then nothing to check).
head -c $((96 << 20)) /dev/urandom |
	dd of="$img" bs=1M seek=1 conv=notrunc status=none
out=$(on_tty "$CTL_BIN" --socket "$work/agent.sock" create-snapshot "$d") ||
	fail "create-snapshot on a terminal: $out"
s=$(tr -d '\r' <<<"$out" | grep -o 's-[a-z0-9]*' | tail -n 1)
[ -n "$s" ] || fail "no snapshot id in: $out"
how=$(ctl --json describe-snapshots | jq -r ".Snapshots[] | select(.SnapshotId == \"$s\") | .CopyMethod")
if [ "$how" = copy ]; then
	grep -q "copying the data \[#*" <<<"$out" || fail "no progress of the copy: $out"
else
	log "    (the snapshot was $how: no copy to show)"
fi

log "a create while the KMS is down says that it waits for the KMS"
out=$(on_tty "$CTL_BIN" --socket "$work/agent.sock" create-disk --size 8M \
	--category cloud --encrypted) && fail "create-disk without a KMS succeeded"
grep -q "waiting for the KMS \[" <<<"$out" || fail "no progress while the KMS is down: $out"
grep -q "the KMS of region cn-hangzhou is unavailable" <<<"$out" || fail "no error after the wait: $out"

log "no progress with --no-progress, with --json, or without a terminal"
out=$(on_tty "$CTL_BIN" --socket "$work/agent.sock" --no-progress create-disk \
	--size 8M --category cloud --encrypted)
grep -q "waiting for the KMS" <<<"$out" && fail "progress despite --no-progress: $out"
out=$(on_tty "$CTL_BIN" --socket "$work/agent.sock" --json create-disk \
	--size 8M --category cloud --encrypted)
grep -q "waiting for the KMS" <<<"$out" && fail "progress despite --json: $out"
out=$(ctl create-disk --size 8M --category cloud --encrypted 2>&1)
grep -q "waiting for the KMS" <<<"$out" && fail "progress without a terminal: $out"
echo PASS
