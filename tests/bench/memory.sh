#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory under heavy random writes (`make bench-memory`: a 256 MiB guest,
# run-vm.sh --lean, with a virtio disk).  For MEM_RUNTIME seconds (default
# 60), through ecsenc on /dev/vda:
#   - 2 jobs of direct random writes, 4 KiB to 1 MiB, libaio QD64, and
#   - 2 jobs of buffered random writes (page-cache writeback) 4-64 KiB,
# at once.  Pass: fio finishes in time (no hang), the kernel says nothing
# about OOM, hung tasks or allocation failures, and the bounce-page peak in
# `dmsetup status` stays within the target's cap (1/16 of RAM, at least two
# maximal writes) plus the mempool reserve.  Writes $OUT/memory.txt.

. "$TESTLIB"

RUNTIME=${MEM_RUNTIME:-60}
[ -b /dev/vda ] || skip "no /dev/vda: run with run-vm.sh --disk"
if grep -q " /out " /proc/mounts; then OUT=/out; else OUT=/tmp; fi
rep=$OUT/memory.txt
: >"$rep"
say() { echo "$*" | tee -a "$rep"; }

echo 120 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null || true
dmesg -c >/dev/null

key=$(random_hex_key)
len=$(blockdev --getsz /dev/vda)
# MEM_TARGET=crypt runs the same load on dm-crypt: the control experiment.
if [ "${MEM_TARGET:-ecsenc}" = crypt ]; then
	dev=$(dm_create memtest "0 $len crypt aes-xts-plain64 $key 0 /dev/vda 0")
else
	dev=$(dm_create memtest "$(ecsenc_table "$len" "$key" 0 /dev/vda 0)")
fi

mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
pages=$((mem_kib / 4))
cap=$((pages / 16))
[ "$cap" -ge 512 ] || cap=512
reserve=256
say "dm-ecsenc.ko md5: $(md5sum /lib/modules/*/extra/dm-ecsenc.ko | cut -d" " -f1)"
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "guest MemTotal: $mem_kib KiB ($pages pages); disk $((len / 2048)) MiB"
say "MemAvailable at start: $(awk '/MemAvailable/ {print $2}' /proc/meminfo) KiB"
# The initramfs stays in RAM for good: how much of the guest it takes.
say "initramfs files in RAM: $(du -skx / | cut -f1) KiB"
say "bounce cap: $cap pages (1/16 of RAM, at least 512) + $reserve reserve"
say "before: $(dmsetup status memtest)"

# Sample the pool and free memory every second while fio runs.
(
	while sleep 1; do
		echo "$(date +%s) $(dmsetup status memtest | awk '{print $6, $7}') $(awk '/MemFree|^Dirty|Writeback:/ {printf "%s %s ", $1, $2}' /proc/meminfo)"
	done
) >/tmp/samples.txt 2>/dev/null &
sampler=$!
on_exit "kill $sampler"

t0=$(date +%s)
set +e
timeout $((RUNTIME * 3 + 60)) fio --filename="$dev" --output=/tmp/fio.txt \
	--time_based --runtime="$RUNTIME" --randrepeat=0 --norandommap \
	--name=direct --rw=randwrite --direct=1 --ioengine=libaio --iodepth=64 \
	--bsrange=4k-1m --numjobs=2 \
	--name=buffered --rw=randwrite --direct=0 --ioengine=psync \
	--bsrange=4k-64k --numjobs=2
rc=$?
sync
set -e
t1=$(date +%s)
kill "$sampler" 2>/dev/null || true

status=$(dmsetup status memtest)
peak=$(echo "$status" | awk '{print ($3 == "ecsenc" ? $7 : 0)}')
say "after:  $status"
say "fio exit $rc after $((t1 - t0)) s (runtime $RUNTIME s)"
grep -E 'WRITE:|IOPS' /tmp/fio.txt | sed 's/^ */fio: /' | tee -a "$rep"
say "lowest MemFree seen: $(awk '{for (i = 4; i < NF; i += 2) if ($i == "MemFree:") print $(i + 1)}' /tmp/samples.txt | sort -n | head -n 1) KiB"
say "most bounce pages in use at a 1 s sample: $(awk '{print $2}' /tmp/samples.txt | sort -n | tail -n 1)"
say "bounce peak: $peak pages ($((peak * 4)) KiB), cap $cap + reserve $reserve"

dmesg >/tmp/dmesg.txt
bad=$(grep -Ec 'Out of memory|oom-kill|invoked oom-killer|blocked for more than|page allocation failure' /tmp/dmesg.txt || true)
grep -E 'Out of memory|oom-kill|invoked oom-killer|blocked for more than|page allocation failure' /tmp/dmesg.txt | head -n 5 | sed 's/^/dmesg: /' | tee -a "$rep" || true

[ "$rc" = 0 ] || fail "fio did not finish cleanly (exit $rc): a hang or an error"
[ "$bad" = 0 ] || fail "the kernel reported OOM, a hung task or an allocation failure"
[ "$peak" -le $((cap + reserve)) ] || fail "bounce peak $peak above cap $cap + $reserve"
say "PASS: no OOM, no hang, bounce peak $peak <= $((cap + reserve)) pages"
