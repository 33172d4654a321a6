#!/usr/bin/env bash
# needs: ceph
# Only ciphertext crosses the network.  Host B maps an image from the
# storage (host A) with the kernel rbd client; tcpdump on veth-b, the only
# interface between them, captures the traffic while a marker is written
# through dm-ecsenc over /dev/rbdN and read back with O_DIRECT: no copy of
# the marker on the wire.  The same write to a plain mapped image puts it
# there many times (the capture works), and dm-crypt over the rbd device
# reads back what ecsenc wrote (byte compatibility over RBD).
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
need cryptsetup
ceph_start

marker="ECSENC-WIRE-MARKER-$RANDOM$RANDOM"
# 4 MiB of the marker, repeated (so that TCP segmenting cannot hide it).
{ yes "$marker" || true; } | head -c $((4 * 1024 * 1024)) >/tmp/marker.dat
mb=32
key=$(random_hex_key)
hex_to_file "$key" /tmp/key.bin

capture_start() {	# pcap
	# Not through on_host_b: $! must be tcpdump itself (ip netns exec execs it).
	"$CEPH_BIN/ip" netns exec hostb tcpdump -Z root -i veth-b -s 0 -B 16384 -U -w "$1" tcp >/tmp/tcpdump.out 2>&1 &
	_tcpdump=$!
	on_exit "kill $_tcpdump"
	for _ in $(seq 50); do
		grep -q 'listening on' /tmp/tcpdump.out && return 0
		sleep 0.2
	done
	cat /tmp/tcpdump.out >&2
	fail "tcpdump did not start"
}

capture_stop() {	# sets pkts: how many packets it kept; none dropped
	sleep 1
	kill -INT "$_tcpdump"
	wait "$_tcpdump" || true
	grep -q '^0 packets dropped by kernel' /tmp/tcpdump.out ||
		{ cat /tmp/tcpdump.out >&2; fail "tcpdump dropped packets"; }
	pkts=$(awk '/packets captured/ {print $1}' /tmp/tcpdump.out)
}

markers_in() { { grep -a -o -F "$marker" "$1" || true; } | wc -l; }

write_and_read() {	# dev: the marker out and back, O_DIRECT
	dd if=/tmp/marker.dat of="$1" bs=1M oflag=direct status=none || fail "write to $1"
	assert_eq "$(sha_of "$1" $((4 * 1024 * 1024)))" "$(sha_of /tmp/marker.dat)" \
		"marker read back from $1"
}

# The control: a plain image.
rbd_create wire-plain $mb
dev=$(rbd_map b wire-plain)
capture_start /tmp/plain.pcap
write_and_read "$dev"
capture_stop
n=$(markers_in /tmp/plain.pcap)
log "plain image: $pkts packets, $n copies of the marker on the wire"
[ "$n" -gt 1000 ] || fail "the capture of a plain image holds only $n markers"
rbd_unmap "$dev"

# The same through dm-ecsenc.
rbd_create wire-enc $mb
dev=$(rbd_map b wire-enc)
map=$(dm_create wire-enc "$(ecsenc_table "$(dev_sectors "$dev")" "$key" 0 "$dev" 0)")
capture_start /tmp/enc.pcap
write_and_read "$map"
capture_stop
n=$(markers_in /tmp/enc.pcap)
bytes=$(stat -c %s /tmp/enc.pcap)
log "through dm-ecsenc: $pkts packets ($bytes bytes), $n copies of the marker on the wire"
[ "$pkts" -gt 100 ] && [ "$bytes" -gt $((8 * 1024 * 1024)) ] ||
	fail "the capture is too small to mean anything ($pkts packets, $bytes bytes)"
assert_eq "$n" 0 "copies of the marker on the wire through dm-ecsenc"
dmsetup remove wire-enc

# On the image: ciphertext, the one dm-crypt makes of it.
[ "$(sha_of "$dev" $((4 * 1024 * 1024)))" != "$(sha_of /tmp/marker.dat)" ] ||
	fail "the image holds plaintext"
crypt=$(crypt_open wire-crypt "$dev" /tmp/key.bin)
assert_eq "$(sha_of "$crypt" $((4 * 1024 * 1024)))" "$(sha_of /tmp/marker.dat)" \
	"dm-crypt reads what ecsenc wrote over RBD"
log "dm-crypt aes-xts-plain64 over $dev reads back what dm-ecsenc wrote"
