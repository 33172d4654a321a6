#!/usr/bin/env bash
# Through a virtio disk, whose completions arrive in hard interrupt context
# (decrypted in bottom-half context: a BH workqueue item from 6.9, a
# per-CPU tasklet before; both run as TASKLET softirqs) or, when the
# interrupt lands on another CPU, in soft interrupt context; large reads
# are shared out among the CPUs from there.  fio verifies what it wrote at QD1 and QD16 with 4 KiB to
# 1 MiB blocks, and the bytes on the disk match what dm-crypt makes of the
# same plaintext, read back through ecsenc in 4 KiB and 1 MiB reads.
. "$TESTLIB"
need fio
need cryptsetup
[ -b /dev/vda ] || skip "no /dev/vda (run-vm.sh --disk)"

mb=48
sectors=$((mb * 2048))
key=$(random_hex_key)
keyfile=/tmp/vda.key
hex_to_file "$key" "$keyfile"

softirqs() {		# TASKLET (tasklets, BH work) + BLOCK softirqs so far, all CPUs
	awk '$1 == "TASKLET:" || $1 == "BLOCK:" {for (i = 2; i <= NF; i++) n += $i} END {print n}' /proc/softirqs
}

run_fio() {		# map name bsrange engine depth
	fio --name="$2" --filename="$1" --direct=1 --rw=randwrite \
		--bsrange="$3" --ioengine="$4" --iodepth="$5" --size=${mb}M \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --randrepeat=0 \
		--output=/tmp/fio-$2.txt || { cat /tmp/fio-$2.txt; fail "fio $2"; }
	grep -q "err= 0" /tmp/fio-$2.txt || { cat /tmp/fio-$2.txt; fail "fio $2 reported errors"; }
	log "fio $2 ($3, $4 depth $5) verified"
}

for ss in 512 4096; do
	opts=()
	[ $ss = 512 ] || opts=(sector_size:$ss)
	map=$(dm_create "vda$ss" "$(ecsenc_table $sectors "$key" 0 /dev/vda 0 "${opts[@]}")")
	before=$(softirqs)
	run_fio "$map" "vda$ss-sync" "$ss-64k" psync 1
	run_fio "$map" "vda$ss-aio" "$ss-1m" libaio 16
	log "ss=$ss: $(($(softirqs) - before)) tasklet and block softirqs ran"
	dmsetup remove "vda$ss"
done

# dm-crypt writes, ecsenc reads (small and shared-out large reads) ...
pattern_file /tmp/plain $mb 43
want=$(sha_of /tmp/plain)
crypt=$(crypt_open vdacrypt /dev/vda "$keyfile" --sector-size 4096)
dd if=/tmp/plain of="$crypt" bs=1M oflag=direct status=none
cryptsetup close vdacrypt
map=$(dm_create vdaread "$(ecsenc_table $sectors "$key" 0 /dev/vda 0 sector_size:4096)")
for bs in 4K 1M; do
	got=$(dd if="$map" bs=$bs count=$((mb * 1024 * 1024)) iflag=direct,count_bytes \
		status=none | sha256sum | cut -d' ' -f1)
	assert_eq "$want" "$got" "dm-crypt's data read through ecsenc in $bs reads"
done

# ... and ecsenc writes, dm-crypt reads.
pattern_file /tmp/plain2 $mb 44
dd if=/tmp/plain2 of="$map" bs=1M oflag=direct status=none
dmsetup remove vdaread
crypt=$(crypt_open vdacrypt2 /dev/vda "$keyfile" --sector-size 4096)
assert_eq "$(sha_of /tmp/plain2)" "$(sha_of "$crypt" $((mb * 1024 * 1024)))" \
	"ecsenc's data read through dm-crypt"
log "virtio disk: data verified both ways with dm-crypt at 4096"
