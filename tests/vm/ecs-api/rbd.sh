#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ECS cloud disks on shared storage, through the official SDK: ecs-api and
# the KMS emulator run on the host's loopback; the guest (rbd-guest.sh)
# runs a one-node Ceph cluster and the agents of instances i-rbd-a and
# i-rbd-b on its pool, each in a network namespace of its own (its own
# kernel Ceph client), as two hosts.  It asserts:
#   - AttachDisk to i-rbd-a: In_use with the device in i-rbd-a, and Ceph
#     agrees (the image's lock is i-rbd-a's, host a's client watches it);
#   - AttachDisk of that disk to i-rbd-b: IncorrectDiskStatus (403), and
#     with Force=true too while i-rbd-a is Running;
#   - a MultiAttach disk (san_ssd, Enabled) In_use on both at once, the
#     Attachments as Ceph's locks and watchers say;
#   - i-rbd-a's agent killed: i-rbd-a is Stopped within --agent-silence;
#     then Force=true to i-rbd-b takes the disk, i-rbd-a's client is
#     blocklisted and its writes fail, and Attachments, locks and watchers
#     name i-rbd-b only; DetachDisk and DeleteDisk then work with
#     i-rbd-a still Stopped.
#
#   tests/vm/ecs-api/rbd.sh [--servers N]     (after make programs modules)
#
# --servers N runs N ecs-api servers on one store (ECS_API_DATABASE, their
# --database); agent k takes its work from server k (round the list), the
# SDK talks to the first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/tests/host/ecs-api/lib.sh"
servers=1
while [ $# -gt 0 ]; do
	case $1 in
	--servers) servers=$2; shift 2 ;;
	*) echo "usage: $0 [--servers N]" >&2; exit 2 ;;
	esac
done
need_bins
[ -e "$top/kms-agent/rbd/backend-rbd.so" ] || { echo "SKIP: the rbd backend is not built"; exit 77; }
node_deps
write_creds
A=i-rbd-a B=i-rbd-b
add_instance $A
add_instance $B
start_kms
SILENCE=${SILENCE:-8}
start_api_servers "$servers"
out=$T/out
mkdir -p "$out"
cp "$T/agent-kms.creds" "$T/$A.key" "$T/$B.key" "$out/"
cat >"$out/env" <<EOF2
KMS_PORT=$KMS_PORT
API_PORTS="${API_PORTS[*]}"
FORWARD_PORTS="$KMS_PORT ${API_PORTS[*]}"
INSTANCES="a:$A b:$B"
EOF2
fwd=()
for p in "$KMS_PORT" "${API_PORTS[@]}"; do fwd+=(--guestfwd "$p"); done
t_start=$(date +%s)
"$top/tests/vm/run-vm.sh" --script "$here/rbd-guest.sh" --out "$out" "${fwd[@]}" \
	--timeout 600 >"$T/vm.log" 2>&1 &
vm=$!
PIDS+=("$vm")

step() { sdk steps.js "$@"; }
# ask runs in command substitutions (subshells): its counter is a file.
echo 0 >"$T/asked"
ask() {		# WHAT ANSWER [LINE]: the guest's answer to a request, on stdout
	local n
	n=$(($(cat "$T/asked") + 1))
	echo "$n" >"$T/asked"
	printf '%s\n' "${3:-}" >"$out/$1-$n.tmp"
	mv "$out/$1-$n.tmp" "$out/$1-$n"
	for _ in $(seq 1500); do
		# The share can show the renamed file before its bytes.
		if [ -e "$out/$2-$n" ]; then sleep 0.2; cat "$out/$2-$n"; return 0; fi
		kill -0 "$vm" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: the guest did not answer $1-$n" >&2; return 1
}
# The story runs in a subshell: a failure ends it.
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
wait_for() {	# WHAT WANT CMD...: until CMD prints WANT (60 s)
	local what=$1 want=$2 got="" end=$(($(date +%s) + 60))
	shift 2
	while [ "$(date +%s)" -lt $end ]; do
		got=$("$@" 2>&1) || true
		[ "$got" = "$want" ] && return 0
		case $got in ERROR*) break ;; esac
		sleep 0.2
	done
	fail "$what is '$got', not '$want'"
}
new_disk() {	# CATEGORY [MultiAttach]: its id, once Available
	local id
	id=$(step create-disk-of "$@") || fail "CreateDisk $*: $id"
	wait_for "$id" "Available -" step attachments "$id"
	echo "$id"
}
dev_of() { step attachments "$1" | tr ' ,' '\n\n' | sed -n "s/^$2=//p"; }
# Ceph's view of a disk as "lock A lock B watcher a ...", sorted.
ceph_of() { ask ceph ceph-out "$1" | sort | paste -sd' '; }

story() {
	local d s got t0 dev
	for _ in $(seq 1800); do [ -e "$out/ready" ] && break; kill -0 "$vm" 2>/dev/null || break; sleep 0.2; done
	[ -e "$out/ready" ] || fail "the guest's agents never came up"
	echo "guest ready (Ceph up, agents linked) in $(($(date +%s) - t_start)) s"
	wait_for "$A" Running step instance-status $A
	wait_for "$B" Running step instance-status $B

	d=$(new_disk cloud_ssd) || exit 1
	[ "$(step try-attach "$d" $A)" = ok ] || fail "attach $d to $A"
	wait_for "$d" "In_use $A=/dev/mapper/ecsenc-a-$d" step attachments "$d"
	got=$(ceph_of "$d")
	[ "$got" = "lock $A watcher a" ] || fail "Ceph's view of $d: '$got'"
	ok "AttachDisk to $A: In_use with the device in $A; Ceph: $got"

	got=$(step try-attach "$d" $B)
	[ "$got" = "IncorrectDiskStatus 403 The disk $d is In_use." ] || fail "attach to $B: '$got'"
	got=$(step try-attach "$d" $B force)
	[ "$got" = "IncorrectDiskStatus 403 The disk $d is In_use." ] ||
		fail "Force=true with $A Running: '$got'"
	wait_for "$d" "In_use $A=/dev/mapper/ecsenc-a-$d" step attachments "$d"
	ok "AttachDisk to $B refused: IncorrectDiskStatus (403), with Force=true too while $A is Running"

	s=$(new_disk san_ssd Enabled) || exit 1
	[ "$(step try-attach "$s" $A)" = ok ] || fail "attach $s to $A"
	wait_for "$s" "In_use $A=/dev/mapper/ecsenc-a-$s" step attachments "$s"
	[ "$(step try-attach "$s" $B)" = ok ] || fail "attach $s to $B"
	wait_for "$s" "In_use $A=/dev/mapper/ecsenc-a-$s,$B=/dev/mapper/ecsenc-b-$s" \
		step attachments "$s"
	got=$(ceph_of "$s")
	[ "$got" = "lock $A lock $B watcher a watcher b" ] || fail "Ceph's view of $s: '$got'"
	ok "MultiAttach disk In_use on $A and $B; Ceph: $got"
	[ "$(step detach-disk "$s" $B)" = ok ] || fail "detach $s from $B"
	wait_for "$s" "In_use $A=/dev/mapper/ecsenc-a-$s" step attachments "$s"
	got=$(ceph_of "$s")
	[ "$got" = "lock $A watcher a" ] || fail "Ceph's view of $s after the detach from $B: '$got'"
	ok "DetachDisk from $B leaves $A's attachment; Ceph: $got"

	[ "$(ask write wrote "a $d")" = ok ] || fail "$A cannot write to $d before the fencing"
	[ "$(ask kill killed a)" = killed ] || fail "kill $A's agent"
	t0=$(date +%s)
	wait_for "$A" Stopped step instance-status $A
	ok "$A's agent killed: $A Stopped after $(($(date +%s) - t0)) s (--agent-silence $SILENCE)"
	[ "$(step try-attach "$d" $B)" = "IncorrectDiskStatus 403 The disk $d is In_use." ] ||
		fail "attach without Force while $A is Stopped"
	[ "$(step try-attach "$d" $B force)" = ok ] || fail "Force=true attach to $B"
	wait_for "$d" "In_use $B=/dev/mapper/ecsenc-b-$d" step attachments "$d"
	got=$(ceph_of "$d")
	[ "$got" = "lock $B watcher b" ] || fail "Ceph's view of $d after the takeover: '$got'"
	ok "Force=true to $B with $A Stopped: In_use in $B only; Ceph: $got"
	ask log log-out b | grep -q "fenced $A: its kernel client .* is blocklisted" ||
		fail "$B's agent did not fence $A"
	got=$(ask blocklist blocklist-out)
	echo "$got" | grep -q '^10\.99\.0\.1:' || fail "no client of host a on the blocklist: $got"
	got=$(ask write wrote "a $d")
	case $got in *"Input/output error"*) ;; *) fail "$A's write after the fencing: '$got'" ;; esac
	ok "$A's client is blocklisted and its write fails: $got"

	# The disk's store work goes to a Running rbd agent when its host is not.
	[ "$(step detach-disk "$d" $B)" = ok ] || fail "detach $d from $B"
	wait_for "$d" "Available -" step attachments "$d"
	[ "$(step delete-disk "$d")" = ok ] || fail "delete $d"
	wait_for "$d" gone step attachments "$d"
	ok "DetachDisk from $B and DeleteDisk with $A Stopped: gone"
}

rc=0
(story) || rc=1
[ $rc -eq 0 ] && echo ok >"$out/done" || echo failed >"$out/done"
wait "$vm" || rc=1
grep -E '^(RESULT|FAIL)' "$T/vm.log" || tail -n 30 "$T/vm.log"
echo "run time: $(($(date +%s) - t_start)) s"
if [ $rc -ne 0 ]; then
	mkdir -p "$top/build/ecs-api-rbd-vm"
	cp "$T"/*.log "$out"/*.log "$top/build/ecs-api-rbd-vm/" 2>/dev/null || true
	echo "logs in build/ecs-api-rbd-vm/"
fi
exit $rc
