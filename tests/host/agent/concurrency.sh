#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Requests are served concurrently: with the KMS stopped (it accepts
# connections and never answers), an encrypted create-disk waits for it
# while describe-disks and an unencrypted create-disk answer within 1 s;
# idle connections that send nothing hold nobody up and are dropped after
# the receive deadline; many clients at once all get their answer;
# malformed requests (truncated, unknown op, wrong types, 1 MiB of
# garbage) each get an error and the agent goes on serving.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

# raw SOCKET SEND HOLD [eof]: connect, send SEND (and end of file with
# "eof"), wait HOLD s for a reply, print it.
raw() {
	python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
data = sys.argv[2].encode()
if data.startswith(b"@"):		# @FILE: send the file's bytes
    data = open(data[1:], "rb").read()
try:
    s.sendall(data)
    if len(sys.argv) > 4:
        s.shutdown(socket.SHUT_WR)
except OSError:
    pass		# the agent stopped reading (too big): read its answer

s.settimeout(float(sys.argv[3]))
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except (socket.timeout, ConnectionResetError):
    pass
print(out.decode(errors="replace"))
PY
}

start_emulator
kms=$kms_pid
# A stopped emulator ignores the TERM of the cleanup: continue it first.
eval "lib_$(declare -f fail)"
fail() { kill -CONT "$kms" 2>/dev/null; lib_fail "$@"; }
start_agent "$kms_url" --kms-deadline 30

ms() { date +%s%3N; }
# within LIMIT_MS CMD...: CMD succeeds within LIMIT_MS milliseconds.
within() {
	local limit=$1 t0 dt
	shift
	t0=$(ms)
	"$@" >/dev/null || fail "'$*' failed"
	dt=$(($(ms) - t0))
	echo "    $* answered in ${dt} ms"
	[ $dt -le "$limit" ] || fail "'$*' took $dt ms (limit $limit ms)"
}

ctl create-disk --size 16M --category cloud >/dev/null || fail "create-disk"
ctl create-disk --size 16M --category cloud_ssd --encrypted >/dev/null ||
	fail "create-disk --encrypted with the KMS up"

log "KMS stopped: an encrypted create waits for it"
kill -STOP $kms
t0=$(ms)
ctl create-disk --size 16M --category cloud_ssd --encrypted \
	>"$work/blocked.out" 2>"$work/blocked.err" &
blocked=$!
sleep 0.5
kill -0 $blocked 2>/dev/null || fail "the encrypted create did not wait for the KMS"

log "meanwhile other requests answer at once"
within 1000 ctl describe-disks
within 1000 ctl describe-snapshots
within 1000 ctl describe-kms-usage
within 1000 ctl create-disk --size 16M --category cloud

log "idle connections (connect, send nothing) hold nobody up"
idle=()
for i in $(seq 10); do
	raw "$work/agent.sock" "" 30 >/dev/null &
	idle+=($!)
done
sleep 0.3
# Well under the 5 s receive deadline the idle ones are held to.
within 2500 ctl describe-disks
for p in "${idle[@]}"; do kill "$p" 2>/dev/null; done

log "a client that sends half a request gets an error after the deadline"
t0i=$(ms)
reply=$(raw "$work/agent.sock" '{"op": "describe-' 20)
dt=$(($(ms) - t0i))
grep -q "deadline" <<<"$reply" || fail "no deadline error for a half request: $reply"
[ $dt -lt 15000 ] || fail "half request held $dt ms (the client waits 20 s)"
echo "    half request answered after $dt ms"

log "32 clients at once: every one is answered"
for i in $(seq 32); do
	ctl describe-disks >"$work/many.$i" 2>&1 &
	idle+=($!)
done
ok=0
for i in $(seq 32); do wait "${idle[$((i + 9))]}" && ok=$((ok + 1)); done
[ $ok -eq 32 ] || fail "only $ok of 32 concurrent describes answered"

log "malformed requests each get an error, and the agent keeps serving"
head -c 1048700 /dev/urandom >"$work/garbage"
for req in '{"op": "describe-di' '{"op": "no-such-op"}' '[1, 2]' \
	'{"op": "attach-disk", "args": {"disk_id": 7}}' \
	'{"op": "create-disk", "args": {"size": "big", "encrypted": "yes"}}' \
	"@$work/garbage"; do
	reply=$(raw "$work/agent.sock" "$req" 10 eof)
	[ -n "$reply" ] && jq -e '.ok == false and (.error | length > 0)' <<<"$reply" >/dev/null ||
		fail "no error for '${req:0:40}': ${reply:0:200}"
done
within 1000 ctl describe-disks

log "KMS back: the waiting create finishes"
kill -CONT $kms
wait $blocked || fail "the encrypted create failed: $(cat "$work/blocked.err")"
echo "    the encrypted create took $(($(ms) - t0)) ms"
[ "$(ctl --json describe-disks | jq '.Disks | length')" = 4 ] || fail "want 4 disks"
kill -0 "$agent_pid" || fail "agent died"
