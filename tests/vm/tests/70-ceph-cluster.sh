#!/usr/bin/env bash
# needs: ceph
# A one-node Ceph cluster (real ceph-mon and ceph-osd, bluestore on a virtio
# disk, cephx) comes up within its deadline; a client without the right key
# is refused; the kernel rbd client on host B maps an image across the veth
# pair, and the same map from the guest's own namespace, which has no route
# to the storage, fails: the kernel client connects from the network
# namespace of the process that writes /sys/bus/rbd/add_single_major.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"

t0=$(date +%s)
ceph_start
log "ceph_start took $(($(date +%s) - t0)) s"
for d in ceph-mon ceph-osd; do
	pid=$(pidof "$d") || fail "$d is not running"
	log "$d: pid $pid, $(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status) resident"
done
free -m | sed 's/^/    /'

# cephx: a wrong key is refused.
pools=$(ceph_mon_cmd '{"prefix": "osd pool ls", "format": "json"}')
for p in rbd "$RBD_POOL"; do
	echo "$pools" | jq -e --arg p "$p" 'index($p) != null' >/dev/null ||
		fail "pool $p missing: $pools"
done
sed "s|key = .*|key = $(ceph-authtool --gen-print-key)|" \
	/etc/ceph/ceph.client.admin.keyring >/tmp/wrong.keyring
must_fail on_host_a env CEPH_ARGS="--keyring /tmp/wrong.keyring" \
	timeout 60 ceph-mon-command '{"prefix": "osd pool ls"}'
log "a client with a wrong cephx key is refused: $(echo "$LAST_ERR" | tail -n 1)"

rbd_create probe 16
dev=$(rbd_map b probe) || fail "host B cannot map $RBD_POOL/probe"
assert_eq "$(dev_sectors "$dev")" $((16 * 2048)) "size of $dev"
head -c $((1024 * 1024)) /dev/urandom >/tmp/probe
dd if=/tmp/probe of="$dev" bs=1M oflag=direct status=none || fail "write to $dev"
assert_eq "$(sha_of "$dev" $((1024 * 1024)))" "$(sha_of /tmp/probe)" "read back from $dev"
log "host B mapped $dev across veth-b and read back what it wrote"
on_host_b cat /proc/net/dev | grep veth-b | sed 's/^/    /'

# The guest's own namespace has only its loopback: the same map from there
# must fail (mount_timeout bounds the wait).
t1=$(date +%s)
if printf '%s' "$CEPH_MON name=admin,secret=$(ceph_admin_key),mount_timeout=10 $RBD_POOL probe -" \
	>/sys/bus/rbd/add_single_major 2>/tmp/map.err; then
	fail "mapped from a namespace without a route to the monitor"
fi
log "map from the guest's own namespace refused after $(($(date +%s) - t1)) s: $(cat /tmp/map.err)"
