#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
# The guest's half of tests/vm/ecs-api/region.sh: a one-node Ceph cluster
# (tests/vm/ceph-lib.sh) on host a and, on its pool, the agents of the
# instances the host names in /out/env (INSTANCES="a:ID b:ID c:ID", and
# d:ID for the benchmark), each in a network namespace of its own (hosts
# c and d, 10.99.0.3 and .4, are joined to host a by a veth pair each),
# each given every ecs-api server of API_PORTS.  They reach ecs-api and the KMS emulator on the host
# (10.0.2.100, QEMU guestfwd) through a relay in the guest's own namespace
# (busybox nc) at 10.98.0.1, host h over the veth r<h>.
# The host asks by files /out/req-<n> ("OP ARGS"); the answer is
# /out/res-<n>:
#   ceph DISK        "lock ID" per holder of the image's lock, "watcher H"
#                    per watch by host H's kernel client
#   write H DISK     "ok", or dd's error, of a direct write through H's device
#   blocklist        the addresses Ceph blocklists
#   log H            host H's agent log
#   cut H / join H   host H's link to the relay (ecs-api, KMS) down / up
#   capture-start    tcpdump of the agents' traffic with ecs-api and the
#                    KMS (every interface of this namespace: the relay's
#                    both sides) and of hosts b and c with Ceph
#   capture-stop     "packets bytes" of each capture
#   keys DISK...     per disk "DISK ecs-api:E kms:E": how its data key
#                    (KMS Decrypt of the image's header, disk_key) is in
#                    the capture of the agents' traffic with the servers
#                    and with the KMS (E: ",absent" or the encodings
#                    found, key_in), and "control raw" when the search
#                    finds it in the first with the key appended;
#                    "calls N M": the agents' calls in each; "blobs N": the CiphertextBlob
#                    fields (wrapped keys) in the KMS traffic
#   wire H DISK      a 4 MiB marker written through H's device of DISK and
#                    read back, captured on H's link to Ceph:
#                    "packets bytes markers"
#   ceph-stop        the cluster's mon and OSD killed (-9)
#   ceph-start       both started again, once the OSD is up: "started"
#   images           the pool's image names
# It ends when the host writes /out/done.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"
. /out/env
need jq disk_key
exec > >(tee /out/guest.log) 2>&1
RELAY=10.98.0.1
CEPH_ADDR_C=10.99.0.3 CEPH_ADDR_D=10.99.0.4
ceph_start
need tcpdump
ip=$CEPH_BIN/ip

# Hosts c and d (when INSTANCES names them): a namespace each, on a
# point-to-point link of its own to host a (10.99.0.3, 10.99.0.4).
for hi in $INSTANCES; do
	h=${hi%%:*}
	case $h in c) addr=$CEPH_ADDR_C ;; d) addr=$CEPH_ADDR_D ;; *) continue ;; esac
	"$ip" netns add "host$h"
	"$ip" link add "veth-a$h" netns hosta type veth peer name "veth-$h" netns "host$h"
	"$ip" netns exec "host$h" "$ip" link set lo up
	"$ip" netns exec "host$h" "$ip" addr add "$addr/32" dev "veth-$h"
	"$ip" netns exec "host$h" "$ip" link set "veth-$h" up
	on_host_a "$ip" link set "veth-a$h" up
	"$ip" netns exec "host$h" "$ip" route add "$CEPH_ADDR_A/32" dev "veth-$h"
	on_host_a "$ip" route add "$addr/32" dev "veth-a$h"
done
on_host_c() { "$ip" netns exec hostc "$@"; }
on_host_d() { "$ip" netns exec hostd "$@"; }

# The relay: one busybox nc server per forwarded port, in this namespace.
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
# Short librados timeouts (as test 75), in a copy of ceph.conf only the
# agents read, so that requests fail within seconds while Ceph is down.
conf=$ECSENC_WORK/region/ceph.conf
mkdir -p "${conf%/*}"
sed -e 's/^client mount timeout = .*/client mount timeout = 8/' \
	-e 's/^rados mon op timeout = .*/rados mon op timeout = 8/' \
	-e 's/^rados osd op timeout = .*/rados osd op timeout = 8/' \
	/etc/ceph/ceph.conf >"$conf"
# Every agent is given every server: the next when one does not answer.
urls=
for port in $API_PORTS; do urls=${urls:+$urls,}http://$RELAY:$port; done
for hi in $INSTANCES; do
	h=${hi%%:*}
	rbd_agent_start "$h" --instance-id "${hi#*:}" --ecs-api "$urls" \
		--ecs-api-credentials "/out/${hi#*:}.key" --ecs-api-allow-http --ceph-conf "$conf" \
		--verbose
	on_exit "cp $(_rbd_dir "$h")/agent.log /out/agent-$h.log"
done
touch /out/ready
log "agents of $INSTANCES linked to ecs-api at $urls"

ceph_view() {	# DISK: lock holders and watching hosts of its image
	local img=$RBD_POOL/cn-hangzhou.$1
	rbd_cli lock ls --format json "$img" | jq -r '.[] | "lock \(.id // .locker)"' 2>&1
	rbd_cli status --format json "$img" | jq -r '.watchers[].address' |
		while read -r a; do
			case $a in
			"$CEPH_ADDR_A":*) echo "watcher a" ;;
			"$CEPH_ADDR_B":*) echo "watcher b" ;;
			"$CEPH_ADDR_C":*) echo "watcher c" ;;
			"$CEPH_ADDR_D":*) echo "watcher d" ;;
			*) echo "watcher ?$a" ;;
			esac
		done
}
do_write() {
	if timeout 120 dd if=/dev/urandom of="/dev/mapper/ecsenc-$1-$2" bs=64k count=1 \
		oflag=direct status=none 2>/tmp/write.err; then
		echo ok
	else
		cat /tmp/write.err
	fi
}
ceph_link() { [ "$1" = b ] && echo veth-b || echo "veth-$1"; }
cap_pids=()
tcpdump_start() {	# PCAP [netns] IFACE: in the background, once listening
	local pcap=$1 out=$1.out
	shift
	if [ $# -eq 2 ]; then
		"$ip" netns exec "$1" tcpdump -Z root -i "$2" -s 0 -B 16384 -U -w "$pcap" tcp >"$out" 2>&1 &
	else
		tcpdump -Z root -i "$1" -s 0 -B 16384 -U -w "$pcap" tcp >"$out" 2>&1 &
	fi
	cap_pids+=("$!")
	on_exit "kill $! 2>/dev/null"
	for _ in $(seq 50); do grep -q 'listening on' "$out" && return 0; sleep 0.2; done
	cat "$out"; return 1
}
tcpdump_stop() {	# prints "packets bytes" of each
	local p f
	sleep 1
	for p in "${cap_pids[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	cap_pids=()
	for f in "$@"; do
		echo "$(awk '/packets captured/ {print $1}' "$f.out") $(stat -c %s "$f")"
	done
}
do_capture_start() {
	rm -f /tmp/api.pcap* /tmp/ceph-*.pcap*
	tcpdump_start /tmp/api.pcap any &&
		tcpdump_start /tmp/ceph-b.pcap hostb veth-b &&
		tcpdump_start /tmp/ceph-c.pcap hostc veth-c && echo started
}
hex_of() { od -An -v -tx1 | tr -d ' \n'; }
# The encodings of a data key (base64 KEY) found in PCAP: "absent" or a
# list of raw, hex, base64, base64-json (JSON's "\/"), base64-url (%2F...).
key_in() {	# PCAP KEY
	local hex found=
	hex=$(printf '%s' "$2" | base64 -d | hex_of)
	hex_of <"$1" | grep -q "$hex" && found="$found raw"
	grep -a -q -i -F "$hex" "$1" && found="$found hex"
	grep -a -q -F "$2" "$1" && found="$found base64"
	grep -a -q -F "${2//\//\\/}" "$1" && found="$found base64-json"
	grep -a -q -i -F "$(printf '%s' "$2" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')" "$1" &&
		found="$found base64-url"
	echo "${found:- absent}"
}
do_keys() {
	local d key
	tcpdump -Z root -r /tmp/api.pcap -w /tmp/ecs.pcap "not port $KMS_PORT" 2>/dev/null
	tcpdump -Z root -r /tmp/api.pcap -w /tmp/kms.pcap "port $KMS_PORT" 2>/dev/null
	for d in "$@"; do
		rbd_cli export "$RBD_POOL/cn-hangzhou.$d" - 2>/dev/null | head -c 1048576 >/tmp/hdr.img
		key=$(disk_key /tmp/hdr.img "http://127.0.0.1:$KMS_PORT" "$CREDS") ||
			{ echo "$d no key"; continue; }
		echo "$d ecs-api:$(key_in /tmp/ecs.pcap "$key" | tr ' ' ,) kms:$(key_in /tmp/kms.pcap "$key" | tr ' ' ,)"
		# The control: the same search finds the key once it is there.
		{ cat /tmp/ecs.pcap; printf '%s' "$key" | base64 -d; } >/tmp/control.pcap
		echo "control$(key_in /tmp/control.pcap "$key")"
	done
	echo "calls $(grep -a -c 'Action=Agent' /tmp/ecs.pcap) $(grep -a -c 'Action=' /tmp/kms.pcap)"
	echo "blobs $(grep -a -o -F CiphertextBlob /tmp/kms.pcap | wc -l)"
}
do_wire() {	# H DISK
	local marker=ECSENC-REGION-MARKER-$RANDOM$RANDOM dev=/dev/mapper/ecsenc-$1-$2 n
	{ yes "$marker" || true; } | head -c $((4 * 1024 * 1024)) >/tmp/marker.dat
	rm -f /tmp/wire.pcap*
	tcpdump_start /tmp/wire.pcap "host$1" "$(ceph_link "$1")" || return 0
	dd if=/tmp/marker.dat of="$dev" bs=1M oflag=direct status=none || echo "write failed"
	cmp -n $((4 * 1024 * 1024)) /tmp/marker.dat <(dd if="$dev" bs=1M count=4 iflag=direct status=none) ||
		echo "read back differs"
	set -- $(tcpdump_stop /tmp/wire.pcap)
	n=$({ grep -a -o -F "$marker" /tmp/wire.pcap || true; } | wc -l)
	echo "$1 $2 $n"
}
ceph_up() {
	pidof ceph-mon >/dev/null || on_host_a ceph-mon -i a >>/tmp/ceph-mon.out 2>&1
	pidof ceph-osd >/dev/null || on_host_a ceph-osd -i 0 >>/tmp/ceph-osd.out 2>&1
}
# Whatever happens here, the cluster is left running for the agents' exit.
on_exit ceph_up
do_ceph_start() {
	ceph_up
	for _ in $(seq 300); do
		_ceph_osd_up 2>/dev/null && { echo started; return 0; }
		sleep 0.5
	done
	echo "the OSD is not up"
}
do_op() {
	local op
	read -r op args
	# shellcheck disable=SC2086
	set -- $args
	case $op in
	ceph) ceph_view "$1" ;;
	write) do_write "$1" "$2" ;;
	blocklist) ceph_mon_cmd '{"prefix": "osd blocklist ls", "format": "json"}' | jq -r '.[].addr' ;;
	log) rbd_agent_log "$1" ;;
	cut) "$ip" link set "r$1" down && echo cut ;;
	join) "$ip" link set "r$1" up && echo joined ;;
	capture-start) do_capture_start ;;
	capture-stop) tcpdump_stop /tmp/api.pcap /tmp/ceph-b.pcap /tmp/ceph-c.pcap ;;
	keys) do_keys "$@" ;;
	wire) do_wire "$1" "$2" ;;
	ceph-stop) kill -9 $(pidof ceph-mon) $(pidof ceph-osd) && echo stopped ;;
	ceph-start) do_ceph_start ;;
	images) pool_images ;;
	*) echo "unknown request $op" ;;
	esac
}

for _ in $(seq 6000); do
	[ -e /out/done ] && break
	for req in /out/req-[0-9]*; do
		[ -e "$req" ] || continue
		n=${req##*-}
		[ -e "/out/res-$n" ] && continue
		do_op <"$req" >"/tmp/res-$n" 2>&1 || true
		mv "/tmp/res-$n" "/out/res-$n"
	done
	sleep 0.1
done
[ -e /out/done ] || fail "the host never finished"
[ "$(cat /out/done)" = ok ] || fail "the host's story failed"
log "the host's story of the region passed"
