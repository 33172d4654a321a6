#!/usr/bin/env bash
# needs: ceph
# Two kernel rbd clients on one image, the mechanisms multi-host attach and
# forced takeover stand on:
#   - with only the layering feature, host B reads back (O_DIRECT, through
#     dm-ecsenc with the same key) what host A wrote, and the other way;
#   - an image with exclusive-lock mapped with -o exclusive on host A
#     refuses the same mapping on host B, until A lets go;
#   - a client fenced with "osd blocklist add" can no longer write (its
#     writes fail with an error), and another host takes the image over.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
ceph_start

mb=32
len=$((mb * 2048))
key=$(random_hex_key)
pattern_file /tmp/a.dat 4 a
pattern_file /tmp/b.dat 4 b
four=$((4 * 1024 * 1024))

# --- shared: both hosts at once -----------------------------------------
rbd_create shared $mb layering
dev_a=$(rbd_map a shared)
dev_b=$(rbd_map b shared)
[ "$dev_a" != "$dev_b" ] || fail "one device for two mappings"
map_a=$(dm_create shared-a "$(ecsenc_table $len "$key" 0 "$dev_a" 0)")
map_b=$(dm_create shared-b "$(ecsenc_table $len "$key" 0 "$dev_b" 0)")
dd if=/tmp/a.dat of="$map_a" bs=1M oflag=direct status=none || fail "host A write"
assert_eq "$(sha_of "$map_b" $four)" "$(sha_of /tmp/a.dat)" "host B reads what host A wrote"
dd if=/tmp/b.dat of="$map_b" bs=1M oflag=direct status=none || fail "host B write"
assert_eq "$(sha_of "$map_a" $four)" "$(sha_of /tmp/b.dat)" "host A reads what host B wrote"
log "shared image: $dev_a on host A and $dev_b on host B see each other's writes through dm-ecsenc"
dmsetup remove shared-a
dmsetup remove shared-b
rbd_unmap "$dev_a"
rbd_unmap "$dev_b"

# --- exclusive: one host at a time ---------------------------------------
rbd_create excl $mb layering,exclusive-lock
dev_a=$(rbd_map a excl exclusive) || fail "host A: exclusive map"
if dev_b=$(rbd_map b excl exclusive,lock_timeout=30 2>/tmp/excl.err); then
	fail "host B mapped $dev_b exclusively while host A holds the lock"
fi
grep -q 'Read-only file system' /tmp/excl.err ||
	fail "host B's exclusive map failed, but not with EROFS: $(cat /tmp/excl.err)"
log "host B's exclusive map refused (EROFS) while host A holds the lock"
rbd_unmap "$dev_a"
dev_b=$(rbd_map b excl exclusive) || fail "host B: exclusive map once host A let go"
log "host B maps it exclusively once host A has unmapped ($dev_b)"
rbd_unmap "$dev_b"

# --- fencing: a blocklisted client cannot write --------------------------
rbd_create fence $mb layering
dev_b=$(rbd_map b fence)
id=${dev_b#/dev/rbd}
addr=$(cat /sys/bus/rbd/devices/$id/client_addr)
dd if=/tmp/a.dat of="$dev_b" bs=1M oflag=direct status=none || fail "host B write before fencing"
ceph_mon_cmd "{\"prefix\": \"osd blocklist\", \"blocklistop\": \"add\", \"addr\": \"$addr\"}" ||
	fail "osd blocklist add $addr"
on_exit "ceph_mon_cmd '{\"prefix\": \"osd blocklist\", \"blocklistop\": \"rm\", \"addr\": \"$addr\"}'"
log "host B's client $addr blocklisted"
t0=$(date +%s)
if timeout 120 dd if=/tmp/b.dat of="$dev_b" bs=1M count=1 oflag=direct status=none \
	2>/tmp/fenced.err; then
	fail "host B wrote after being blocklisted"
fi
grep -q 'Input/output error' /tmp/fenced.err ||
	fail "host B's write failed, but not with EIO: $(cat /tmp/fenced.err)"
log "host B's write after fencing failed with EIO in $(($(date +%s) - t0)) s"
dmesg | grep -E 'rbd|libceph' | tail -n 5 | sed 's/^/    /'
rbd_unmap "$dev_b"

# Host A takes over: its new client is not fenced.
dev_a=$(rbd_map a fence)
assert_eq "$(sha_of "$dev_a" $four)" "$(sha_of /tmp/a.dat)" "host A reads the fenced host's last good write"
dd if=/tmp/b.dat of="$dev_a" bs=1M oflag=direct status=none || fail "host A write after taking over"
assert_eq "$(sha_of "$dev_a" $four)" "$(sha_of /tmp/b.dat)" "host A's own write"
log "host A took the image over and writes"
