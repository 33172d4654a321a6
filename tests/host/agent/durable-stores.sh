#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The local backend makes its renames and unlinks durable: after a new
# store is renamed into place, and after a store is removed, the agent
# syncs the directory that holds it, so that a crash cannot bring back the
# old name (traced with strace on the running agent).
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }

start_agent http://127.0.0.1:9 --kms-deadline 1
dir=$work/state/cn-hangzhou
trace=$work/trace.txt
strace -f -qq -e trace=openat,rename,renameat,renameat2,unlink,unlinkat,fsync \
	-o "$trace" -p "$agent_pid" 2>/dev/null &
tracer=$!
pids+=("$tracer")
sleep 0.5

d=$(ctl create-disk --size 8M --category cloud) || fail "create-disk"
ctl delete-disk "$d" || fail "delete-disk"
sleep 0.2
kill "$tracer"; wait "$tracer" 2>/dev/null

# fd numbers of the directory opened for syncing, each followed by its fsync.
synced_after() {	# event-regex
	awk -v ev="$1" -v dir="\"$dir\"" '
		$0 ~ ev { seen = 1; next }
		seen && index($0, dir ", O_RDONLY") && index($0, "O_DIRECTORY") {
			match($0, /= [0-9]+$/); fd = substr($0, RSTART + 2); next }
		seen && fd != "" && $0 ~ ("fsync\\(" fd "\\)") { print "yes"; exit }' "$trace"
}
[ "$(synced_after "rename.*$d.img.new")" = yes ] ||
	fail "no fsync of $dir after renaming $d.img into place: $(grep -E 'rename|fsync|O_DIRECTORY' "$trace" | head)"
[ "$(synced_after "unlink.*$d.img\"")" = yes ] ||
	fail "no fsync of $dir after removing $d.img: $(grep -E 'unlink|fsync|O_DIRECTORY' "$trace" | tail)"
echo PASS
