# SPDX-License-Identifier: GPL-2.0
#
# A one-node Ceph cluster and two "hosts" inside the test guest, for tests
# that declare "# needs: ceph" (tests/vm/run-vm.sh then adds the payload of
# tests/vm/ceph/payload.sh).  Source it after lib.sh:
#   . "$TESTLIB"; . "${TESTLIB%/*}/ceph-lib.sh"
#
#   ceph_start            the cluster up (once per boot; later calls reuse it)
#   on_host_a CMD...      run CMD on host A: the network namespace of the
#                         storage (mon and osd), 10.99.0.1
#   on_host_b CMD...      run CMD on host B, the second host, 10.99.0.2; its
#                         only way to the storage is the veth pair
#                         veth-b <-> veth-a, the wire tests capture
#   ceph_mon_cmd JSON     one monitor command (librados), answer on stdout
#   rbd_cli ARGS...       Debian's rbd CLI, on host A
#   rbd_create NAME MB [FEATURES]   an image in pool $RBD_POOL, removed at exit
#   rbd_map HOST NAME [OPTS]        kernel-map it from host a or b through
#                         /sys/bus/rbd/add_single_major; prints /dev/rbdN
#   rbd_unmap DEV
#
# Layout: /opt/ceph the tools disk (read-only), /etc/ceph the config and
# keyrings, /var/lib/ceph the mon store (tmpfs) and the OSD's small data dir,
# whose bluestore block device is the virtio disk with serial ecsenc-osd;
# logs in /var/log/ceph.  cephx is on everywhere.

CEPH_BIN=/opt/ceph/bin
CEPH_ADDR_A=10.99.0.1
CEPH_ADDR_B=10.99.0.2
CEPH_MON="$CEPH_ADDR_A:6789"
CEPH_START_TIMEOUT=${CEPH_START_TIMEOUT:-180}
RBD_POOL=${RBD_POOL:-ecsenc}
CEPH_LOG=/var/log/ceph
export PATH=$PATH:$CEPH_BIN

_ceph_disk() {		# serial -> /dev/vdX
	local s
	for s in /sys/block/vd*/serial; do
		s=${s%/serial}
		[ "$(cat "$s/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${s##*/}"; return 0; }
	done
	return 1
}

# Skip the test when the guest was booted without the payload.
ceph_need() {
	local dev
	dev=$(_ceph_disk ecsenc-ceph) || skip "no Ceph in this guest (tests/vm/run-vm.sh --ceph)"
	if ! grep -q ' /opt/ceph ' /proc/mounts; then
		mkdir -p /opt/ceph
		mount -t ext4 -o ro "$dev" /opt/ceph || fail "cannot mount the Ceph tools disk $dev"
	fi
	_ceph_disk ecsenc-osd >/dev/null || fail "no OSD disk (serial ecsenc-osd)"
	modprobe rbd || fail "modprobe rbd"
	modprobe veth || fail "modprobe veth"
}

on_host_a() { "$CEPH_BIN/ip" netns exec hosta "$@"; }
on_host_b() { "$CEPH_BIN/ip" netns exec hostb "$@"; }

# Two network namespaces and a veth pair between them; the guest's own
# namespace keeps only its loopback.
_ceph_net() {
	local ip=$CEPH_BIN/ip h
	[ -e /run/netns/hostb ] && return 0
	"$ip" netns add hosta
	"$ip" netns add hostb
	"$ip" link add veth-a netns hosta type veth peer name veth-b netns hostb
	on_host_a "$ip" addr add "$CEPH_ADDR_A/24" dev veth-a
	on_host_b "$ip" addr add "$CEPH_ADDR_B/24" dev veth-b
	for h in a b; do
		"on_host_$h" "$ip" link set lo up
		"on_host_$h" "$ip" link set "veth-$h" up
	done
}

_ceph_conf() {		# fsid osd-device
	mkdir -p /etc/ceph "$CEPH_LOG" /run/ceph /var/lib/ceph/mon/ceph-a \
		/var/lib/ceph/osd/ceph-0
	cat >/etc/ceph/ceph.conf <<EOF
[global]
fsid = $1
mon host = [v2:$CEPH_ADDR_A:3300,v1:$CEPH_ADDR_A:6789]
mon initial members = a
public network = 10.99.0.0/24
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
log file = $CEPH_LOG/\$name.log
run dir = /run/ceph
admin socket = /run/ceph/\$name.asok
plugin dir = /opt/ceph/lib/ceph
erasure code dir = /opt/ceph/lib/ceph/erasure-code
osd class dir = /opt/ceph/lib/rados-classes
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
ms async op threads = 1
client mount timeout = 30
rados mon op timeout = 30
rados osd op timeout = 60
mon data avail warn = 1
mon data avail crit = 0

[client]
keyring = /etc/ceph/\$cluster.\$name.keyring
# Agents and the CLI are all client.admin: a socket each.
admin socket = /run/ceph/\$name.\$pid.asok

[mon]
mon data = /var/lib/ceph/mon/ceph-\$id

[osd]
osd data = /var/lib/ceph/osd/ceph-\$id
osd objectstore = bluestore
bluestore block path = $2
bluestore cache autotune = false
bluestore cache size = 67108864
bluestore rocksdb options = compression=kNoCompression,max_write_buffer_number=2,min_write_buffer_number_to_merge=1,recycle_log_file_num=2,write_buffer_size=16777216
osd memory target = 939524096
osd op num shards = 1
osd op num threads per shard = 1
osd crush update on start = true
EOF
}

_ceph_fail() {		# message: with the daemons' own words
	local f
	echo "ceph_start: $*" >&2
	for f in "$CEPH_LOG"/*.log /tmp/ceph-*.out; do
		[ -s "$f" ] || continue
		echo "--- tail of $f" >&2
		tail -n 25 "$f" >&2
	done
	fail "ceph_start: $*"
}

# Ceph's clients run on host A, where the storage is: the guest's own
# namespace has no route to it.
ceph_mon_cmd() { on_host_a timeout 60 ceph-mon-command "$1"; }
rbd_cli() { on_host_a timeout 120 rbd "$@"; }

# Wait (within the start deadline) until CMD succeeds.
_ceph_wait() {		# what cmd...
	local what=$1
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_ceph_deadline" ] ||
			_ceph_fail "no $what after ${CEPH_START_TIMEOUT}s"
		sleep 1
	done
}

_ceph_osd_up() {
	[ "$(ceph_mon_cmd '{"prefix": "osd dump", "format": "json"}' |
		jq -r '.osds[0].up')" = 1 ]
}

_ceph_pool() {		# name: created and initialised for rbd
	ceph_mon_cmd "{\"prefix\": \"osd pool create\", \"pool\": \"$1\", \"pg_num\": 8, \"pgp_num\": 8}" \
		>/dev/null 2>/tmp/ceph-pool.out || _ceph_fail "osd pool create $1"
	# rbd pool init writes to the pool: it returns once its PGs are active.
	rbd_cli pool init "$1" 2>>/tmp/ceph-pool.out || _ceph_fail "rbd pool init $1"
}

ceph_start() {
	local fsid osd_dev uuid t0 k
	ceph_need
	_ceph_net
	if [ -e /run/ceph/started ]; then
		_ceph_osd_up || _ceph_fail "the cluster of an earlier test is down"
		return 0
	fi
	t0=$(date +%s)
	_ceph_deadline=$((t0 + CEPH_START_TIMEOUT))
	osd_dev=$(_ceph_disk ecsenc-osd)
	fsid=$(cat /proc/sys/kernel/random/uuid)
	_ceph_conf "$fsid" "$osd_dev"

	# Keys: the monitors', the admin's and osd.0's, all in the mon store
	# from the start.
	k=/etc/ceph
	{
		ceph-authtool $k/ceph.mon.keyring --create-keyring --gen-key -n mon. \
			--cap mon 'allow *' &&
		ceph-authtool $k/ceph.client.admin.keyring --create-keyring --gen-key \
			-n client.admin --cap mon 'allow *' --cap osd 'allow *' \
			--cap mgr 'allow *' &&
		ceph-authtool /var/lib/ceph/osd/ceph-0/keyring --create-keyring \
			--gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' &&
		ceph-authtool $k/ceph.mon.keyring --import-keyring $k/ceph.client.admin.keyring &&
		ceph-authtool $k/ceph.mon.keyring --import-keyring /var/lib/ceph/osd/ceph-0/keyring
	} >/tmp/ceph-keys.out 2>&1 || _ceph_fail "ceph-authtool"
	monmaptool --create --addv a "[v2:$CEPH_ADDR_A:3300,v1:$CEPH_ADDR_A:6789]" \
		--fsid "$fsid" /tmp/monmap >/tmp/ceph-monmap.out 2>&1 ||
		_ceph_fail "monmaptool"

	on_host_a ceph-mon --mkfs -i a --monmap /tmp/monmap --keyring $k/ceph.mon.keyring \
		>/tmp/ceph-mon-mkfs.out 2>&1 || _ceph_fail "ceph-mon --mkfs"
	on_host_a ceph-mon -i a >/tmp/ceph-mon.out 2>&1 || _ceph_fail "ceph-mon"
	_ceph_wait "monitor quorum" ceph_mon_cmd '{"prefix": "mon stat"}'
	log "ceph: mon up at $(($(date +%s) - t0)) s"

	uuid=$(cat /proc/sys/kernel/random/uuid)
	ceph_mon_cmd "{\"prefix\": \"osd new\", \"uuid\": \"$uuid\"}" \
		>/tmp/ceph-osd-new.out 2>&1 || _ceph_fail "osd new"
	on_host_a ceph-osd -i 0 --mkfs --osd-uuid "$uuid" >/tmp/ceph-osd-mkfs.out 2>&1 ||
		_ceph_fail "ceph-osd --mkfs"
	on_host_a ceph-osd -i 0 >/tmp/ceph-osd.out 2>&1 || _ceph_fail "ceph-osd"
	_ceph_wait "osd.0 up" _ceph_osd_up
	log "ceph: osd.0 up at $(($(date +%s) - t0)) s"

	_ceph_pool rbd
	_ceph_pool "$RBD_POOL"
	touch /run/ceph/started
	log "ceph: cluster up, pools rbd and $RBD_POOL ready in $(($(date +%s) - t0)) s" \
		"(guest uptime $(cut -d. -f1 /proc/uptime) s)"
}

# The admin's cephx key (base64), for the kernel client's secret= option.
ceph_admin_key() {
	ceph-authtool -p -n client.admin /etc/ceph/ceph.client.admin.keyring
}

rbd_create() {		# name size_mb [features]
	rbd_cli create --size "$2" --image-feature "${3:-layering}" "$RBD_POOL/$1" ||
		fail "rbd create $RBD_POOL/$1"
	on_exit "rbd_cli rm --no-progress $RBD_POOL/$1"
}

# Map through sysfs from host a or b: the kernel client connects from the
# network namespace of the process that writes add_single_major.  No rbd
# CLI (it waits for udev here), and the key goes through a pipe, never an
# argv.
rbd_map() {		# a|b image [options]
	local host=$1 img=$2 opts="name=admin,secret=$(ceph_admin_key)" before id
	[ -n "${3:-}" ] && opts="$opts,$3"
	before=$(ls /sys/bus/rbd/devices)
	printf '%s' "$CEPH_MON $opts $RBD_POOL $2 -" |
		"on_host_$host" sh -c 'cat >/sys/bus/rbd/add_single_major' ||
		fail "rbd_map: host $host cannot map $RBD_POOL/$2${3:+ with $3}"
	for id in $(ls /sys/bus/rbd/devices); do
		case " $(echo $before) " in *" $id "*) continue ;; esac
		on_exit "rbd_unmap /dev/rbd$id"
		echo "/dev/rbd$id"
		return 0
	done
	fail "rbd_map: no new device after mapping $2"
}

rbd_unmap() {		# /dev/rbdN
	local id=${1#/dev/rbd}
	[ -e "/sys/bus/rbd/devices/$id" ] || return 0
	echo "$id" >/sys/bus/rbd/remove_single_major || fail "rbd_unmap $1"
}
