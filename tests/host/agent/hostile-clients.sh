#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent bounds what hostile local clients cost it.  64 clients each
# sending 1 MiB of [{},{},...] (json-c's worst case) raise its locked
# memory (VmLck, sampled) by at most a few MiB and each get an error; a
# user it refuses is answered at once, before sending anything; 64
# clients that never read a large answer are dropped after the 2 s send
# deadline, and a well-behaved client is served meanwhile; ecsenc-ctl
# turned away as busy says so and does not die of SIGPIPE.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v node >/dev/null || { echo "SKIP: no node"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mlockall, another uid)"; exit 77; }
build_tool hostile_clients
hostile() { "$work/hostile_clients" "$work/agent.sock" "$@"; }

port=$(tcp_free_port)
(cd "$work" && exec node "$top/tests/host/agent/fake-kms.js" "$port" big) &
pids+=($!)
tcp_wait_listen $! "$port" || fail "fake KMS did not start"
start_agent "http://127.0.0.1:$port" --kms-deadline 2

kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$agent_pid/$2"; }
# Under mlockall every page the agent touches is locked: its resident
# size is its locked memory (VmLck would count address space reserved and
# never touched), and VmHWM, kept by the kernel and reset before each
# round, its peak.  VmRSS is sampled as well, to stop a runaway agent.
# sample NAME: the peak of VmRSS (kB) into $work/NAME.peak until
# $work/NAME.stop exists; an agent past $cap_kb is killed (a test must not
# lock the machine's memory).
sample() {
	local peak=0 v
	while [ ! -e "$work/$1.stop" ]; do
		v=$(kb VmRSS status 2>/dev/null)
		[ -n "$v" ] || break
		[ "$v" -gt "$peak" ] && peak=$v
		[ "$v" -gt "$cap_kb" ] && { kill -9 "$agent_pid"; break; }
		sleep 0.02
	done
	echo "$peak" >"$work/$1.peak"
}
# round NAME: start sampling, the peak reset
round() {
	echo 5 >"/proc/$agent_pid/clear_refs"
	rm -f "$work/$1.stop"
	sample "$1" &
	sampler=$!
}
# end_round NAME: stop sampling; set hwm_kb, print the peaks
end_round() {
	touch "$work/$1.stop"
	wait "$sampler"
	kill -0 "$agent_pid" 2>/dev/null ||
		fail "agent killed past $((cap_kb / 1024)) MiB locked"
	hwm_kb=$(kb VmHWM status)
	echo "    peak: VmHWM ${hwm_kb} kB (+$(((hwm_kb - base_kb) / 1024)) MiB), VmRSS sampled $(cat "$work/$1.peak") kB; after: VmRSS $(kb VmRSS status) kB"
}

base_kb=$(kb VmRSS status)
[ "$(kb VmLck status)" -gt 0 ] || fail "the agent locks no memory (mlockall?)"
cap_kb=$((base_kb + 1024 * 1024))
echo "    idle agent: VmRSS ${base_kb} kB"

log "64 clients send 1 MiB of [{},{},...] each"
round bomb
hits=$(hostile bomb 64 '"request with more than')
end_round bomb
[ "$hits" = 64 ] || fail "only $hits of 64 bombs were refused for their size"
[ $((hwm_kb - base_kb)) -le $((48 * 1024)) ] ||
	fail "64 bombs took $(((hwm_kb - base_kb) / 1024)) MiB more (limit 48 MiB)"

log "a user the agent refuses is answered before sending anything"
chmod 711 "$work"
chmod 666 "$work/agent.sock"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$work/hostile_clients" "$work/agent.sock" silent 1) || fail "stranger: $out"
echo "    $out"
grep -q '"code":"Forbidden"' <<<"$out" || fail "stranger not refused: $out"
[ "${out%% ms:*}" -lt 1000 ] || fail "a stranger was read before being refused (${out%% ms:*} ms)"
chmod 600 "$work/agent.sock"

log "64 clients ask for a large answer and never read it"
round noread
coproc NOREAD { exec "$work/hostile_clients" "$work/agent.sock" noread 64 '{"op":"kms","args":{"action":"DescribeRegions"}}'; }
pids+=("$NOREAD_PID")
read -r -t 10 ready <&"${NOREAD[0]}" && [ "$ready" = ready ] || fail "non-readers did not connect"
t0=$(date +%s%3N)
throttled=0
while :; do
	ctl describe-disks >/dev/null 2>"$work/ctl.err"
	rc=$?
	[ $rc -eq 0 ] && break
	[ $rc -ne 141 ] || fail "ecsenc-ctl died of SIGPIPE on a busy agent"
	grep -q "ecsenc-ctl: .*serving too many requests" "$work/ctl.err" ||
		fail "busy agent, ecsenc-ctl said (status $rc): $(cat "$work/ctl.err")"
	[ $rc -eq 6 ] || fail "busy agent: exit status $rc, want 6 (Throttling: try again)"
	throttled=$((throttled + 1))
	[ $(($(date +%s%3N) - t0)) -lt 12000 ] || fail "not served in 12 s while 64 clients do not read"
	sleep 0.05
done
dt=$(($(date +%s%3N) - t0))
echo "    served after ${dt} ms and $throttled busy refusals"
end_round noread
[ "$throttled" -gt 0 ] || fail "the non-readers did not fill the agent's slots"
[ "$dt" -lt 8000 ] || fail "served only after $dt ms (send deadline 2 s)"
grep -q "did not take its answer within 2 s" "$work/agent.log" || fail "no drop logged"
kill "$NOREAD_PID"
ctl describe-disks >/dev/null || fail "not served after the non-readers"
echo PASS
