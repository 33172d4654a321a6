#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A region: ecs-api servers and the KMS emulator on the host's loopback;
# in the guest (region-guest.sh) a one-node Ceph cluster and the agents
# of three instances on its pool, each on a host (network namespace) of
# its own, each given every server.  Through the official SDK it asserts:
#   - a disk created through the first server and attached through the
#     last is In_use, and DescribeDisks' Attachments are Ceph's (the
#     image's lock owner and watcher), for a disk on each instance;
#   - a capture of the agents' traffic with ecs-api and the KMS while
#     disks are created, attached and snapshotted holds no data key (raw,
#     hex or base64), and one of a host's traffic with Ceph no plaintext;
#   - a host cut off from the relay (its veth down): its instance Stopped
#     within --agent-silence, its disk still In_use; back on the network:
#     Running, the disk still its own and writable;
#   - a host cut off and its disk taken with Force=true by another
#     instance: fenced (Ceph blocklists it), its writes fail; back on the
#     network it is Running and holds nothing;
#   - Ceph down (mon and OSD killed): AttachDisk and CreateDisk end Failed
#     with ServiceUnavailable, nothing half-done (no image of the failed
#     disk, no lock of the failed attach); with Ceph back, the state is
#     Ceph's and the attach works;
#   - with two servers (on PostgreSQL): the server the agents are parked
#     on killed (-9) just after it answered an AttachDisk: the agents move
#     to the other, which completes it: In_use with its device.
#
#   tests/vm/ecs-api/region.sh [--servers N] [--demo] [--bench N]
#
# --servers N > 1 runs N servers on one PostgreSQL (ECS_API_DATABASE, or a
# throwaway cluster of start_pg); the default is 2 when PostgreSQL's
# server binaries are installed, else 1 (SQLite); --demo narrates.  --bench N (make
# bench-region-attach; not a test) runs no story: four instances, the KMS
# answering 50 ms late (kms-emulator --delay), N AttachDisks at once
# through the servers in turn (node/region-bench.js), timed end to end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/tests/host/ecs-api/lib.sh"
# Two servers on PostgreSQL where its server binaries are, else one on SQLite.
servers=1 demo=0 bench=0
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && servers=2
while [ $# -gt 0 ]; do
	case $1 in
	--servers) servers=$2; shift 2 ;;
	--demo) demo=1; shift ;;
	--bench) bench=$2; shift 2 ;;
	*) echo "usage: $0 [--servers N] [--demo] [--bench N]" >&2; exit 2 ;;
	esac
done
need_bins
[ -e "$top/kms-agent/rbd/backend-rbd.so" ] || { echo "SKIP: the rbd backend is not built"; exit 77; }
[ -x "$top/build/disk_key" ] || { echo "SKIP: build/disk_key is not built (make test-tools)"; exit 77; }
node_deps
write_creds
A=i-region-a B=i-region-b C=i-region-c D=i-region-d
for i in $A $B $C $D; do add_instance $i; done
instances="a:$A b:$B c:$C"
if [ "$bench" -gt 0 ]; then
	instances="$instances d:$D"
	start_kms --delay 50
else
	start_kms
fi
SILENCE=${SILENCE:-8}
[ "$servers" -le 1 ] || [ -n "${ECS_API_DATABASE:-}" ] || start_pg
start_api_servers "$servers"
out=$T/out
mkdir -p "$out"
cp "$T/agent-kms.creds" "$T/$A.key" "$T/$B.key" "$T/$C.key" "$T/$D.key" "$out/"
cat >"$out/env" <<EOF2
KMS_PORT=$KMS_PORT
API_PORTS="${API_PORTS[*]}"
FORWARD_PORTS="$KMS_PORT ${API_PORTS[*]}"
INSTANCES="$instances"
EOF2
fwd=()
for p in "$KMS_PORT" "${API_PORTS[@]}"; do fwd+=(--guestfwd "$p"); done
t_start=$(date +%s)
"$top/tests/vm/run-vm.sh" --script "$here/region-guest.sh" --out "$out" "${fwd[@]}" \
	--timeout $((900 + bench * 10)) >"$T/vm.log" 2>&1 &
vm=$!
PIDS+=("$vm")

say() { [ $demo -eq 0 ] || printf '\n--- %s\n' "$*"; }
# step K STEP ARGS: an SDK step through server K (1-based).
on() { local k=$1; shift; API_PORT=${API_PORTS[$((k - 1))]} sdk steps.js "$@"; }
# The SDK's server: the first, the last once the first is killed.
echo 1 >"$T/sdk-server"
step() { on "$(cat "$T/sdk-server")" "$@"; }
last=${#API_PORTS[@]}
echo 0 >"$T/asked"
guest() {	# OP [ARGS]: the guest's answer, on stdout
	local n
	n=$(($(cat "$T/asked") + 1))
	echo "$n" >"$T/asked"
	printf '%s\n' "$*" >"$out/req-$n.tmp"
	mv "$out/req-$n.tmp" "$out/req-$n"
	for _ in $(seq 3000); do
		# The share can show the renamed file before its bytes.
		if [ -e "$out/res-$n" ]; then sleep 0.2; cat "$out/res-$n"; return 0; fi
		kill -0 "$vm" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: the guest did not answer $*" >&2; return 1
}
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
wait_for() {	# WHAT WANT CMD...: until CMD prints WANT (90 s)
	local what=$1 want=$2 got="" end=$(($(date +%s) + 90))
	shift 2
	while [ "$(date +%s)" -lt $end ]; do
		got=$("$@" 2>&1) || true
		[ "$got" = "$want" ] && return 0
		case $got in ERROR*) break ;; esac
		sleep 0.2
	done
	fail "$what is '$got', not '$want'"
}
new_disk() {	# K: a disk created through server K, once Available
	local id
	id=$(on "$1" create-disk-of cloud_ssd) || fail "CreateDisk: $id"
	wait_for "$id" "Available -" step attachments "$id"
	echo "$id"
}
ceph_of() { guest ceph "$1" | sort | paste -sd' '; }
attached() {	# DISK ID H: In_use on ID only, Ceph agreeing
	local got
	wait_for "$1" "In_use $2=/dev/mapper/ecsenc-$3-$1" step attachments "$1"
	got=$(ceph_of "$1")
	[ "$got" = "lock $2 watcher $3" ] || fail "Ceph's view of $1: '$got', not 'lock $2 watcher $3'"
}

story() {
	local d1 d2 d3 d4 d5 d6 snap got got2 t0 n m bytes markers blobs
	for _ in $(seq 3000); do [ -e "$out/ready" ] && break; kill -0 "$vm" 2>/dev/null || break; sleep 0.2; done
	[ -e "$out/ready" ] || fail "the guest's agents never came up"
	echo "guest ready (Ceph up, 3 agents linked to $servers server(s)) in $(($(date +%s) - t_start)) s"
	for i in $A $B $C; do wait_for "$i" Running step instance-status $i; done

	say "Three instances, each on a host of its own, share one Ceph pool; every agent is given every ecs-api server.  The capture of the agents' traffic starts."
	[ "$(guest capture-start)" = started ] || fail "the captures did not start"
	d1=$(new_disk 1) || exit 1
	[ "$(on "$last" try-attach "$d1" $A)" = ok ] || fail "attach $d1 to $A through server $last"
	attached "$d1" $A a
	ok "CreateDisk through server 1, AttachDisk through server $last: In_use on $A; Ceph: lock $A watcher a"
	d2=$(new_disk "$last") || exit 1
	[ "$(step try-attach "$d2" $B)" = ok ] || fail "attach $d2 to $B"
	d3=$(new_disk 1) || exit 1
	[ "$(on "$last" try-attach "$d3" $C)" = ok ] || fail "attach $d3 to $C"
	attached "$d2" $B b
	attached "$d3" $C c
	ok "a disk on each of $B and $C: Attachments and Ceph's locks and watchers agree"
	snap=$(on "$last" create-snapshot "$d1") || fail "CreateSnapshot of $d1: $snap"
	wait_for "$snap" accomplished step snapshot-status "$snap"
	ok "CreateSnapshot of $d1: $snap accomplished"
	got=$(guest capture-stop)
	read -r n _ <<<"$got"
	[ "${n:-0}" -gt 50 ] || fail "the capture of the agents' traffic is too small: $got"
	got=$(guest keys "$d1" "$d2" "$d3")
	[ "$(grep -c ' ecs-api:,absent ' <<<"$got")" = 3 ] || fail "data keys between ecs-api and the agents: $got"
	[ "$(grep -c '^control raw' <<<"$got")" = 3 ] || fail "the search does not find a key: $got"
	# KMS Decrypt answers the data key itself (Plaintext, base64 in JSON):
	# over this lab's plain http it is on the wire, in production TLS
	# (the agent refuses http to a KMS off loopback without --kms-allow-http).
	[ "$(grep -c ' kms:,.*base64' <<<"$got")" = 3 ] || fail "the KMS leg without the Decrypt answers: $got"
	read -r _ n m <<<"$(grep '^calls ' <<<"$got")"
	[ "${n:-0}" -gt 0 ] && [ "${m:-0}" -gt 0 ] || fail "the captures hold no calls of the agents: $got"
	blobs=$(sed -n 's/^blobs //p' <<<"$got")
	[ "${blobs:-0}" -gt 0 ] || fail "no wrapped key (CiphertextBlob) in the capture: $got"
	ok "capture agents <-> ecs-api ($n Agent* calls): no data key of $d1 $d2 $d3, raw, hex, base64 (plain, JSON, URL); agents <-> KMS ($m calls, $blobs CiphertextBlob): each key in Decrypt's answer (plain http here, TLS in production)"
	got=$(guest wire b "$d2")
	read -r n bytes markers <<<"$got"
	[ "${bytes:-0}" -gt $((4 * 1024 * 1024)) ] && [ "$markers" = 0 ] ||
		fail "capture of host b with Ceph: '$got' (packets bytes markers)"
	ok "capture of host b <-> Ceph while 4 MiB of a marker are written and read: $n packets, $bytes bytes, no marker"

	say "Host b loses the network (its veth to the relay down), then comes back."
	[ "$(guest cut b)" = cut ] || fail "cut b"
	t0=$(date +%s)
	wait_for "$B" Stopped step instance-status $B
	n=$(($(date +%s) - t0))
	[ $n -le $((SILENCE + 4)) ] || fail "$B Stopped after $n s, --agent-silence $SILENCE"
	wait_for "$d2" "In_use $B=/dev/mapper/ecsenc-b-$d2" step attachments "$d2"
	ok "host b cut off: $B Stopped after $n s (--agent-silence $SILENCE), $d2 still In_use on $B"
	[ "$(guest join b)" = joined ] || fail "join b"
	wait_for "$B" Running step instance-status $B
	attached "$d2" $B b
	[ "$(guest write b "$d2")" = ok ] || fail "$B cannot write to $d2 after its return"
	ok "host b back: $B Running, $d2 In_use on $B and writable"

	say "Host c loses the network for good; its disk is taken with Force=true by $A."
	[ "$(guest cut c)" = cut ] || fail "cut c"
	wait_for "$C" Stopped step instance-status $C
	[ "$(step try-attach "$d3" $A)" = "IncorrectDiskStatus 403 The disk $d3 is In_use." ] ||
		fail "attach of $d3 without Force while $C is Stopped"
	[ "$(on "$last" try-attach "$d3" $A force)" = ok ] || fail "Force=true attach of $d3 to $A"
	attached "$d3" $A a
	got=$(guest blocklist)
	grep -q '^10\.99\.0\.3:' <<<"$got" || fail "no client of host c on the blocklist: $got"
	got=$(guest write c "$d3")
	case $got in *"Input/output error"*) ;; *) fail "$C's write after the fencing: '$got'" ;; esac
	ok "$C Stopped, Force=true to $A: In_use on $A, host c blocklisted, its write fails"
	[ "$(guest join c)" = joined ] || fail "join c"
	wait_for "$C" Running step instance-status $C
	attached "$d3" $A a
	ok "host c back: $C Running, $d3 stays $A's"



	say "Ceph goes down (its mon and OSD killed): requests end with ECS codes, nothing half-done; then it comes back."
	d5=$(new_disk 1) || exit 1
	[ "$(guest ceph-stop)" = stopped ] || fail "ceph-stop"
	t0=$(date +%s)
	[ "$(on "$last" try-attach "$d5" $B)" = ok ] || fail "AttachDisk of $d5 with Ceph down"
	d6=$(on 1 create-disk-of cloud_ssd) || fail "CreateDisk with Ceph down: $d6"
	wait_for "$d5" "Available -" step attachments "$d5"
	wait_for "CreateDisk $d6" gone step attachments "$d6"
	# The disk is there, Ceph did not answer: ServiceUnavailable, never
	# InvalidDiskId.NotFound.
	got=$(step task-outcome "$d5" AttachDisk)
	[ "$got" = "Failed ServiceUnavailable" ] || fail "AttachDisk task of $d5 with Ceph down: '$got'"
	got2=$(step task-outcome "$d6" CreateDisk)
	[ "$got2" = "Failed ServiceUnavailable" ] || fail "CreateDisk task of $d6 with Ceph down: '$got2'"
	wait_for "$d1" "In_use $A=/dev/mapper/ecsenc-a-$d1" step attachments "$d1"
	wait_for "$A" Running step instance-status $A
	ok "Ceph down: AttachDisk of $d5 $got, CreateDisk $d6 $got2 (both within $(($(date +%s) - t0)) s); $d5 Available, $d6 gone, $d1 still In_use, $A Running"
	[ "$(guest ceph-start)" = started ] || fail "Ceph did not come back"
	got=$(guest images)
	! grep -q "$d6" <<<"$got" || fail "the failed CreateDisk left image $d6: $got"
	grep -q "cn-hangzhou.$d5\$" <<<"$got" || fail "no image of $d5 after the outage: $got"
	got=$(ceph_of "$d5")
	[ -z "$got" ] || fail "Ceph holds $d5 after its failed attach: '$got'"
	[ "$(on "$last" try-attach "$d5" $B)" = ok ] || fail "AttachDisk of $d5 after the outage"
	attached "$d5" $B b
	attached "$d1" $A a
	ok "Ceph back: no image of $d6, none of $d5 held; $d5 attaches to $B, $d1 still $A's, Ceph agreeing"

	if [ "$servers" -gt 1 ]; then
		say "Server 1, where the agents are parked, answers an AttachDisk and is killed (-9) at once; the agents go on with server $last."
		d4=$(new_disk 1) || exit 1
		[ "$(on 1 try-attach "$d4" $B)" = ok ] || fail "attach $d4 to $B through server 1"
		kill -9 "${API_PIDS[0]}"
		echo "$last" >"$T/sdk-server"
		attached "$d4" $B b
		guest log b | grep -q "ecs-api: no answer to .*; trying http://10.98.0.1:${API_PORTS[$((last - 1))]}" ||
			fail "$B's agent did not move to server $last"
		for i in $A $B $C; do wait_for "$i" Running step instance-status $i; done
		[ "$(guest write b "$d4")" = ok ] || fail "$B cannot write to $d4"
		ok "server 1 killed (-9) just after it answered AttachDisk: the agents moved to server $last, which completed it: $d4 In_use on $B with its device, every instance Running"
	fi
}

# The agents' KMS Decrypts so far (the agents share one AccessKeyId).
decrypts() { step metering | awk -v ak="$KMS_AGENT_AK" '$1 == ak && $2 == "Decrypt" {print $3}'; }

bench_attach() {
	local ends=() p before after
	for _ in $(seq 3000); do [ -e "$out/ready" ] && break; kill -0 "$vm" 2>/dev/null || break; sleep 0.2; done
	[ -e "$out/ready" ] || fail "the guest's agents never came up"
	for i in $A $B $C $D; do wait_for "$i" Running step instance-status $i; done
	for p in "${API_PORTS[@]}"; do ends+=("127.0.0.1:$p"); done
	before=$(decrypts)
	sdk region-bench.js "$(IFS=,; echo "${ends[*]}")" "$A,$B,$C,$D" "$bench" | tee "$T/bench.out"
	grep -q '^RESULT ' "$T/bench.out" || fail "the benchmark did not finish"
	after=$(decrypts)
	echo "KMS: $((${after:-0} - ${before:-0})) Decrypts by the agents, 50 ms each:" \
		"$(((${after:-0} - ${before:-0}) * 50)) ms in all, $(((${after:-0} - ${before:-0}) * 50 / 4)) ms per agent if each unwraps one at a time"
	# Each agent's own time on its attach tasks ("task N done in MS ms"
	# of the RequestIds of its attach-disk lines).
	for h in a b c d; do
		guest log "$h" | awk -v h="$h" '
			/: attach-disk / { sub(/:$/, "", $5); att[$5] = 1 }
			/: task [0-9]+ done in / { r = $5; sub(/:$/, "", r); if (r in att) { n++; t += $(NF - 1); if ($(NF - 1) > m) m = $(NF - 1) } }
			END { printf "agent %s: %d attach tasks, %d ms of work in all (max %d ms one)\n", h, n, t, m }'
		# Where an attach's time goes (core_map's debug line), on average.
		guest log "$h" | awk -v h="$h" '
			/: attach: header / { n++; for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^ms,?$/) s[$(i - 1)] += $i }
			END { if (n) printf "agent %s: per attach: header %d, store %d, KMS %d, table %d, node %d ms\n", h, s["header"] / n, s["store"] / n, s["KMS"] / n, s["table"] / n, s["node"] / n }'
	done
}

rc=0
if [ "$bench" -gt 0 ]; then
	(bench_attach) || rc=1
	[ $rc -eq 0 ] && echo ok >"$out/done" || echo failed >"$out/done"
	wait "$vm" || rc=1
	echo "run time: $(($(date +%s) - t_start)) s"
	exit $rc
fi
(story) || rc=1
[ $rc -eq 0 ] && echo ok >"$out/done" || echo failed >"$out/done"
wait "$vm" || rc=1
grep -E '^(RESULT|FAIL)' "$T/vm.log" || tail -n 30 "$T/vm.log"
echo "run time: $(($(date +%s) - t_start)) s"
if [ $rc -ne 0 ]; then
	mkdir -p "$top/build/ecs-api-region-vm"
	cp "$T"/*.log "$out"/*.log "$top/build/ecs-api-region-vm/" 2>/dev/null || true
	echo "logs in build/ecs-api-region-vm/"
fi
exit $rc
