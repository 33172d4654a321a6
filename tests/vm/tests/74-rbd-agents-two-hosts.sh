#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
# Two hosts, one pool, one KMS: host A's and host B's agents (network
# namespaces of one guest; B reaches the storage only over veth-b).
#   - B, with an empty catalog, lists and describes what A created, with
#     A's attachment as Ceph records it; a disk A makes later is listed on
#     B without rebuild-catalog, and forgotten once A deletes it;
#   - an ordinary disk is attached on one host at a time: B's attach fails
#     naming host-a;
#   - shared block storage (san_ssd) attaches on both, each host unwrapping
#     the key itself, and O_DIRECT writes on one read back on the other;
#   - only ciphertext crosses veth-b for an encrypted disk attached on B,
#     plaintext for an unencrypted one (the control);
#   - Ceph unreachable from B at attach: an error, no half-made device;
#   - A dies holding a disk: B takes it with --force, which fences A, whose
#     writes then fail; A's agent, restarted, removes its stale device of
#     the disk B holds rather than keep it.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"
need jq
default_kernel_only
ceph_start
rbd_kms_start
rbd_agent_start a
rbd_agent_start b
four=$((4 * 1024 * 1024))
pattern_file a.dat 4 a
pattern_file b.dat 4 b

log "host A creates and attaches; host B learns both from the pool"
d=$(ctl_a create-disk --size 32M --category cloud_ssd --encrypted)
deva=$(ctl_a attach-disk "$d")
dd if=a.dat of="$deva" bs=1M oflag=direct status=none || fail "host A write"
ctl_b rebuild-catalog >/dev/null
ctl_b --json describe-disks "$d" >desc.json
assert_eq "$(jq -r '.Disks[0].Status' desc.json)" In_use "Status on host B"
assert_eq "$(jq -r '.Disks[0].Attachments | length' desc.json)" 1 "attachments"
assert_eq "$(jq -r '.Disks[0].Attachments[0].InstanceId' desc.json)" host-a "InstanceId on host B"
assert_eq "$(jq -r '.Disks[0].Attachments[0].Device' desc.json)" "$deva" "Device on host B"

log "the pool is the truth: B lists a disk A made after B started, and forgets it once A deletes it"
late=$(ctl_a create-disk --size 8M --category cloud)
ctl_b describe-disks | grep -q "^$late" || fail "host B does not list $late without rebuild-catalog"
ctl_a delete-disk "$late" || fail "host A delete-disk $late"
ctl_b describe-disks | grep -q "^$late" && fail "host B still lists $late, deleted by host A"

log "an ordinary disk: host B's attach names the host that holds it"
must_fail --error "disk $d is attached on host-a since 20" ctl_b attach-disk "$d"
{ ctl_b --json attach-disk "$d" || true; } | jq -e '.Code == "IncorrectDiskStatus"' >/dev/null ||
	fail "no IncorrectDiskStatus code"
[ -e "/dev/mapper/ecsenc-b-$d" ] && fail "host B made a device for a disk it does not hold"
must_fail --error "attached on host-a" ctl_b delete-disk "$d"

log "shared block storage: attached on both hosts, each unwrapping the key"
s=$(ctl_a create-disk --size 32M --category san_ssd --encrypted)
sa=$(ctl_a attach-disk "$s")
attach_calls() { ctl_b --json describe-kms-usage | jq -r '.Regions["cn-hangzhou"].Operations.AttachDisk.KmsCalls // 0'; }
assert_eq "$(attach_calls)" 0 "host B's KMS calls for attaches it was refused"
sb=$(ctl_b attach-disk "$s")
ctl_b --json describe-disks "$s" | jq -r '.Disks[0].Attachments[].InstanceId' | sort >att.txt
assert_eq "$(paste -sd, att.txt)" host-a,host-b "attachments of the shared disk"
assert_eq "$(attach_calls)" 1 "host B unwrapped the shared disk's key itself (one Decrypt)"
dd if=a.dat of="$sa" bs=1M oflag=direct status=none || fail "shared: host A write"
assert_eq "$(sha_of "$sb" $four)" "$(sha_of a.dat)" "host B reads what host A wrote"
dd if=b.dat of="$sb" bs=1M oflag=direct status=none || fail "shared: host B write"
assert_eq "$(sha_of "$sa" $four)" "$(sha_of b.dat)" "host A reads what host B wrote"
ctl_a detach-disk "$s" >/dev/null
ctl_b detach-disk "$s" >/dev/null

log "only ciphertext on the wire between host B and the storage"
marker="ECSENC-AGENT-WIRE-$RANDOM$RANDOM"
{ yes "$marker" || true; } | head -c $four >marker.dat
wire() {	# disk pcap: host B attaches, writes and reads the marker
	local dev
	dev=$(ctl_b attach-disk "$1")
	"$CEPH_BIN/ip" netns exec hostb tcpdump -Z root -i veth-b -s 0 -B 16384 -U \
		-w "$2" tcp >tcpdump.out 2>&1 &
	local pid=$!
	for _ in $(seq 50); do grep -q 'listening on' tcpdump.out && break; sleep 0.2; done
	dd if=marker.dat of="$dev" bs=1M oflag=direct status=none || fail "write the marker"
	assert_eq "$(sha_of "$dev" $four)" "$(sha_of marker.dat)" "marker read back"
	sleep 1
	kill -INT $pid
	wait $pid || true
	grep -q '^0 packets dropped by kernel' tcpdump.out || fail "tcpdump dropped packets: $(cat tcpdump.out)"
	ctl_b detach-disk "$1" >/dev/null
}
markers_in() { { grep -a -o -F "$marker" "$1" || true; } | wc -l; }
e=$(ctl_b create-disk --size 32M --category cloud_ssd --encrypted)
p=$(ctl_b create-disk --size 32M --category cloud_efficiency)
wire "$p" plain.pcap
n=$(markers_in plain.pcap)
[ "$n" -gt 1000 ] || fail "the capture of an unencrypted disk holds only $n markers"
log "unencrypted disk: $n copies of the marker on veth-b"
wire "$e" enc.pcap
assert_eq "$(markers_in enc.pcap)" 0 "copies of the marker on the wire for the encrypted disk"
log "encrypted disk: 0 copies in $(stat -c %s enc.pcap) bytes of capture"

log "Ceph unreachable from host B at attach: an error, nothing half-made"
on_host_b "$CEPH_BIN/ip" link set veth-b down
t0=$(date +%s)
must_fail --error "$e" ctl_b attach-disk "$e"
log "refused in $(($(date +%s) - t0)) s: $LAST_ERR"
on_host_b "$CEPH_BIN/ip" link set veth-b up
[ -e "/dev/mapper/ecsenc-b-$e" ] && fail "a dm device was left by the failed attach"
for m in "$(_rbd_dir b)"/state/rbd-maps/*; do
	[ -e "$m" ] && fail "a mapping was left by the failed attach: $(cat "$m")"
done
dev=$(ctl_b attach-disk "$e") || fail "attach once Ceph is back"
assert_eq "$(sha_of "$dev" $four)" "$(sha_of marker.dat)" "the data once Ceph is back"
ctl_b detach-disk "$e" >/dev/null

log "host A dies holding $d; host B takes it with --force and A is fenced"
rbd_agent_kill9 a
must_fail --error "attached on host-a" ctl_b attach-disk "$d"
devb=$(ctl_b attach-disk --force "$d")
assert_eq "$(sha_of "$devb" $four)" "$(sha_of a.dat)" "host B reads host A's last write"
ctl_b --json describe-disks "$d" >desc.json
assert_eq "$(jq -r '[.Disks[0].Attachments[].InstanceId] | join(",")' desc.json)" host-b \
	"attachments after the takeover"
grep -q "fenced host-a: its kernel client .* is blocklisted" "$(_rbd_dir b)/agent.log" ||
	fail "no fencing in host B's log"
t0=$(date +%s)
if timeout 120 dd if=b.dat of="$deva" bs=1M count=1 oflag=direct status=none 2>fenced.err; then
	fail "host A wrote to $d after being fenced"
fi
grep -q 'Input/output error' fenced.err || fail "host A's write failed, but not with EIO: $(cat fenced.err)"
log "host A's write after fencing failed with EIO in $(($(date +%s) - t0)) s"
log "host A comes back: its device of $d, which host B holds now, goes"
[ -e "/dev/mapper/ecsenc-a-$d" ] || fail "host A's device of $d is gone before its agent restarts"
rbd_agent_start a
[ -e "/dev/mapper/ecsenc-a-$d" ] && fail "host A kept its device of $d, which host B holds"
grep -q "reconcile: $d is held by host-b, not this host (host-a): removed ecsenc-a-$d" "$(_rbd_dir a)/agent.log" ||
	fail "host A's log does not say why its device went"
assert_eq "$(ctl_a --json describe-disks "$d" | jq -r '[.Disks[0].Attachments[].InstanceId] | join(",")')" host-b \
	"attachments seen by host A after its restart"
must_fail --error "attached on host-b" ctl_a attach-disk "$d"
dd if=b.dat of="$devb" bs=1M oflag=direct status=none || fail "host B write after the takeover"
assert_eq "$(sha_of "$devb" $four)" "$(sha_of b.dat)" "host B's own write"
ctl_b detach-disk "$d" >/dev/null
log "two hosts on one pool: ok"
