#!/usr/bin/env bash
# Bounce pages that writes give back are kept for the next writes (up to
# two maximal writes' worth, and one page per CPU), and the shrinker hands
# them back to the kernel under memory pressure: drop_caches (which runs
# every shrinker) leaves only the mempool reserve.  Data written through recycled pages
# must read back intact.
. "$TESTLIB"
need fio

reserve=256
cache_max=$((512 + $(nproc)))
dev=$(make_loop 64)
map=$(dm_create cached "$(ecsenc_table "$(dev_sectors "$dev")" "$(random_hex_key)" 0 "$dev" 0)")

bounce_now() { dmsetup status cached | awk '{print $6}'; }

[ "$(bounce_now)" -le "$reserve" ] || fail "a new device holds $(bounce_now) bounce pages"

fio --name=cache --filename="$map" --direct=1 --rw=randwrite --bs=1m \
	--ioengine=libaio --iodepth=4 --size=32M --verify=crc32c \
	--do_verify=1 --verify_fatal=1 --output=/tmp/cache.txt ||
	{ cat /tmp/cache.txt; fail "fio through the page cache"; }

held=$(bounce_now)
[ "$held" -gt "$reserve" ] || fail "no page was kept for reuse (holding $held)"
[ "$held" -le $((reserve + cache_max)) ] ||
	fail "holding $held bounce pages, more than reserve $reserve + cache $cache_max"

echo 2 >/proc/sys/vm/drop_caches
after=$(bounce_now)
[ "$after" -eq "$reserve" ] ||
	fail "after drop_caches $after bounce pages, expected the reserve ($reserve)"

# The pages come back when writes need them, and the data stays right.
fio --name=again --filename="$map" --direct=1 --rw=randwrite --bs=4k \
	--ioengine=psync --size=8M --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --output=/tmp/again.txt ||
	{ cat /tmp/again.txt; fail "fio after the shrinker ran"; }
log "kept $held bounce pages after writes, $after after drop_caches"
