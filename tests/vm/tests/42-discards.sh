#!/usr/bin/env bash
# Discards reach the backing device only with allow_discards.
. "$TESTLIB"
need blkdiscard

key=$(random_hex_key)
dev=$(make_loop 16 discback)
len=$(dev_sectors "$dev")
used_kib() { du -k /tmp/discback.img | cut -f1; }

map=$(dm_create nodisc "$(ecsenc_table "$len" "$key" 0 "$dev" 0)")
dd if=/dev/urandom of="$map" bs=1M count=8 oflag=direct status=none
before=$(used_kib)
must_fail blkdiscard "$map"
assert_eq "$(cat /sys/block/$(dm_kname nodisc)/queue/discard_max_bytes)" 0 "discard_max_bytes without allow_discards"
assert_eq "$(used_kib)" "$before" "backing usage after a refused discard"
dmsetup remove nodisc

map=$(dm_create disc "$(ecsenc_table "$len" "$key" 0 "$dev" 0 allow_discards)")
dmsetup table disc | grep -q "1 allow_discards" || fail "table: $(dmsetup table disc)"
blkdiscard "$map"
after=$(used_kib)
[ "$after" -lt $((before / 4)) ] || fail "discard did not reach the backing file ($before KiB -> $after KiB)"
log "no discards without the option ($before KiB kept); with it $before KiB -> $after KiB"
