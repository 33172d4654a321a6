#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
# The guest's half of tests/vm/ecs-api/rbd.sh: a one-node Ceph cluster
# (tests/vm/ceph-lib.sh) and, on its pool, the agents of the instances the
# host names in /out/env (KMS_PORT, API_PORTS, FORWARD_PORTS and INSTANCES="a:i-rbd-a b:i-rbd-b": host a is the
# network namespace hosta, b is hostb), each with its own kernel Ceph
# client, as separate hosts.  They reach ecs-api and the KMS emulator on
# the host (10.0.2.100, QEMU guestfwd) through a relay in the guest's own
# namespace (busybox nc) at 10.98.0.1, over a veth pair per host.
# Requests of the host, as files in /out (n: the host's counter):
#   ceph-<n> DISK    -> ceph-out-<n>: "lock ID" per holder of the disk's
#                       image lock, "watcher H" per watch by host H's
#                       kernel client (rbd lock ls, rbd status)
#   kill-<n> H       -> killed-<n>: host H's agent is killed (-9)
#   write-<n> H DISK -> wrote-<n>: "ok", or dd's error, of a direct write
#                       through host H's device of DISK
#   blocklist-<n>    -> blocklist-out-<n>: the addresses Ceph blocklists
#   log-<n> H        -> log-out-<n>: host H's agent log
# It ends when the host writes /out/done.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"
. /out/env
need jq
exec > >(tee /out/guest.log) 2>&1
RELAY=10.98.0.1
ceph_start

# The relay: one busybox nc server per forwarded port, in this namespace.
ip=$CEPH_BIN/ip
"$ip" addr add "$RELAY/32" dev lo
k=0
for hi in $INSTANCES; do
	h=${hi%%:*}
	k=$((k + 1))
	"$ip" link add "r$h" type veth peer name "x$h" netns "host$h"
	"$ip" addr add "10.98.$k.1/24" dev "r$h"
	"$ip" link set "r$h" up
	"on_host_$h" "$ip" addr add "10.98.$k.2/24" dev "x$h"
	"on_host_$h" "$ip" link set "x$h" up
	"on_host_$h" "$ip" route add "$RELAY/32" dev "x$h"
done
for port in $FORWARD_PORTS; do
	busybox nc -ll -p "$port" -e busybox nc 10.0.2.100 "$port" &
	on_exit "kill $! 2>/dev/null"
done

KMS_ENDPOINT=http://$RELAY:$KMS_PORT
CREDS=/out/agent-kms.creds
AGENT_REGIONS=cn-shanghai
# Agent k takes its work from server k of API_PORTS, round the list.
read -r -a api_ports <<<"$API_PORTS"
k=0
for hi in $INSTANCES; do
	h=${hi%%:*}
	port=${api_ports[$((k % ${#api_ports[@]}))]}
	k=$((k + 1))
	rbd_agent_start "$h" --instance-id "${hi#*:}" --ecs-api "http://$RELAY:$port" \
		--ecs-api-credentials "/out/${hi#*:}.key" --ecs-api-allow-http
	on_exit "cp $(_rbd_dir "$h")/agent.log /out/agent-$h.log"
done
touch /out/ready
log "agents of $INSTANCES linked to ecs-api"

image_of() { echo "cn-hangzhou.$1"; }
ceph_view() {	# DISK: lock holders and watching hosts of its image
	local img
	img=$RBD_POOL/$(image_of "$1")
	rbd_cli lock ls --format json "$img" | jq -r '.[] | "lock \(.id // .locker)"' 2>&1
	rbd_cli status --format json "$img" | jq -r '.watchers[].address' |
		while read -r a; do
			case $a in
			"$CEPH_ADDR_A":*) echo "watcher a" ;;
			"$CEPH_ADDR_B":*) echo "watcher b" ;;
			*) echo "watcher ?$a" ;;
			esac
		done
}
answer() {	# REQUEST-FILE OUT-NAME CMD...: CMD's output, once
	local req=$1 n=${1##*-} out=/out/$2
	shift 2
	[ -e "$out-$n" ] && return 0
	"$@" <"$req" >"$out-$n.tmp" 2>&1 || true
	mv "$out-$n.tmp" "$out-$n"
}
do_ceph() { local d; read -r d; ceph_view "$d"; }
do_kill() { local h; read -r h; rbd_agent_kill9 "$h"; echo killed; }
do_write() {
	local h d
	read -r h d
	if timeout 120 dd if=/dev/urandom of="/dev/mapper/ecsenc-$h-$d" bs=64k count=1 \
		oflag=direct status=none 2>/tmp/write.err; then
		echo ok
	else
		cat /tmp/write.err
	fi
}
do_blocklist() { ceph_mon_cmd '{"prefix": "osd blocklist ls", "format": "json"}' | jq -r '.[].addr'; }
do_log() { local h; read -r h; rbd_agent_log "$h"; }

for _ in $(seq 3000); do
	[ -e /out/done ] && break
	for req in /out/ceph-[0-9]*; do [ -e "$req" ] && answer "$req" ceph-out do_ceph; done
	for req in /out/kill-[0-9]*; do [ -e "$req" ] && answer "$req" killed do_kill; done
	for req in /out/write-[0-9]*; do [ -e "$req" ] && answer "$req" wrote do_write; done
	for req in /out/blocklist-[0-9]*; do [ -e "$req" ] && answer "$req" blocklist-out do_blocklist; done
	for req in /out/log-[0-9]*; do [ -e "$req" ] && answer "$req" log-out do_log; done
	sleep 0.1
done
[ -e /out/done ] || fail "the host never finished"
[ "$(cat /out/done)" = ok ] || fail "the host's story failed"
log "the host's story of shared storage passed"
