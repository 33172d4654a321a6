#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The QD1 cells in instruction-time (run by `make bench-icount` and by
# tests/bench/icount-check.sh through `tests/vm/run-vm.sh --icount`): one
# vCPU whose clock counts instructions, so that a latency is a count of
# guest instructions (1 ns = 1 instruction) and the same run gives the
# same figure in every boot, whatever the host is doing.
#
# On a brd ramdisk, at each sector size, these mappings of the same bytes
# with the same key:
#   linear        dm-linear: what any device-mapper device costs
#   dmcrypt       dm-crypt, default (kcryptd and write thread)
#   dmcrypt-nowq  dm-crypt with no_read_workqueue no_write_workqueue
#   dmcrypt-hp    dm-crypt with high_priority (kernels from 6.10)
#   ecsenc        dm-ecsenc
#   ecsenc-null   dm-ecsenc with the test-only null cipher
# each run with fio, 4 KiB random reads and then writes, psync, QD1: a
# warm-up of ICOUNT_WARMUP I/Os, then ICOUNT_IOS I/Os whose mean latency
# is kept.  Then the crypto alone, in the same unit: tcrypt's xts(aes)
# (`modprobe tcrypt mode=500 sec=0`: cycles of one request per block
# size; the TSC runs at 1000 MHz, so a cycle is an instruction) and
# ecsenc_xts_speed.ko's (the 512-byte request, which tcrypt lacks).
#
# Results go to $OUT/raw/:
#   icount.tsv   ss workload config ios lat_mean_ns lat_p50_ns
#   crypto.tsv   tool unit enc_ns dec_ns    (ns per 4 KiB: per request times
#                                            4096 / unit)
#   meta.txt     the boot
# Knobs, from $OUT/bench.env: ICOUNT_CONFIGS (default all of the above),
# ICOUNT_SIZES ("512 4096"), ICOUNT_WORKLOADS ("rr4k-qd1 rw4k-qd1"),
# ICOUNT_IOS (2000), ICOUNT_WARMUP (200), ICOUNT_CRYPTO (1; 0 skips the
# crypto measurements).

. "$TESTLIB"
set -u

if grep -q " /out " /proc/mounts; then OUT=/out; else fail "needs --out"; fi
# shellcheck disable=SC1091
[ -r "$OUT/bench.env" ] && . "$OUT/bench.env"
CONFIGS=${ICOUNT_CONFIGS:-"linear dmcrypt dmcrypt-nowq dmcrypt-hp ecsenc ecsenc-null"}
SIZES=${ICOUNT_SIZES:-"512 4096"}
WORKLOADS=${ICOUNT_WORKLOADS:-"rr4k-qd1 rw4k-qd1"}
IOS=${ICOUNT_IOS:-2000}
WARMUP=${ICOUNT_WARMUP:-200}
CRYPTO=${ICOUNT_CRYPTO:-1}
MB=64

RAW=$OUT/raw
mkdir -p "$RAW"
# Written to the guest's tmpfs while fio runs (nothing reaches the host
# between runs but a line on the console), copied out at the end.
TSV=/tmp/icount.tsv
CRYPTO_TSV=/tmp/crypto.tsv
META=/tmp/meta.txt
printf 'ss\tworkload\tconfig\tios\tlat_mean_ns\tlat_p50_ns\n' >"$TSV"
printf 'tool\tunit\tenc_ns\tdec_ns\n' >"$CRYPTO_TSV"
: >"$META"
meta() { echo "$*" >>"$META"; }

meta "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta "kernel: $(uname -r)"
meta "cpus: $(nproc)"
meta "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
meta "fio: $(fio --version)"
meta "ios: $IOS (warm-up $WARMUP)"
meta "dm-ecsenc.ko md5: $(md5sum /lib/modules/*/extra/dm-ecsenc.ko | cut -d" " -f1)"

# shellcheck source=tests/bench/workloads.sh
. "${BASH_SOURCE[0]%/*}/workloads.sh"

fio_qd1() {		# dev workload ios -> "mean_ns p50_ns"
	# shellcheck disable=SC2046
	fio --name=ic --filename="$1" --direct=1 $(bench_fio_args "$2") \
		--size="${MB}M" --number_ios="$3" --randrepeat=1 --norandommap \
		--clocksource=clock_gettime --output-format=json 2>/tmp/fio.err |
		jq -r '.jobs[0] | (if .read.io_bytes > 0 then .read else .write end) |
			"\(.lat_ns.mean) \(.clat_ns.percentile["50.000000"])"' ||
		{ cat /tmp/fio.err; fail "fio $2 on $1"; }
}

declare -A DEVS
opts() {		# opt... -> "" or " <n> opt..."
	[ $# = 0 ] || echo " $# $*"
}

make_maps() {		# dev ss
	local dev=$1 ss=$2 len ss_opt="" t
	len=$(blockdev --getsz "$dev")
	[ "$ss" = 512 ] || ss_opt=sector_size:$ss
	DEVS=()
	for cfg in $CONFIGS; do
		# shellcheck disable=SC2086
		case $cfg in
		linear) t="0 $len linear $dev 0" ;;
		dmcrypt) t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0$(opts $ss_opt)" ;;
		dmcrypt-nowq) t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0$(opts no_read_workqueue no_write_workqueue $ss_opt)" ;;
		dmcrypt-hp) t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0$(opts high_priority $ss_opt)" ;;
		ecsenc) t="0 $len ecsenc aes-xts-plain64 $KEY 0 $dev 0$(opts $ss_opt)" ;;
		ecsenc-null)
			echo 1 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers
			t="0 $len ecsenc capi:ecb(cipher_null)-plain64 - 0 $dev 0$(opts $ss_opt)" ;;
		*) fail "unknown config $cfg" ;;
		esac
		if dmsetup create "ic-$cfg" --table "$t" 2>/tmp/dm.err; then
			DEVS[$cfg]=/dev/mapper/ic-$cfg
		else
			[ "$cfg" = dmcrypt-hp ] || fail "$cfg: $(cat /tmp/dm.err)"
			grep -q "^$cfg: refused" "$META" ||
				meta "$cfg: refused by this kernel: $(tr '\n' ' ' </tmp/dm.err)"
		fi
	done
	dmsetup mknodes >/dev/null 2>&1 || true
}

remove_maps() {
	local cfg
	for cfg in "${!DEVS[@]}"; do
		dmsetup remove --retry "ic-$cfg" || fail "remove ic-$cfg"
	done
}

modprobe crypto_null 2>/dev/null || true
rmmod brd 2>/dev/null || true
modprobe brd rd_nr=1 rd_size=$((MB * 1024)) || fail "brd"
dd if=/dev/zero of=/dev/ram0 bs=1M count="$MB" oflag=direct status=none ||
	fail "prefill /dev/ram0"
KEY=$(random_hex_key)

for ss in $SIZES; do
	make_maps /dev/ram0 "$ss"
	for wl in $WORKLOADS; do
		for cfg in $CONFIGS; do
			[ -n "${DEVS[$cfg]:-}" ] || continue
			fio_qd1 "${DEVS[$cfg]}" "$wl" "$WARMUP" >/dev/null
			read -r mean p50 < <(fio_qd1 "${DEVS[$cfg]}" "$wl" "$IOS")
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ss" "$wl" "$cfg" "$IOS" \
				"$mean" "$p50" >>"$TSV"
			printf 'icount %4s %-8s %-13s %10.1f ns mean %8s ns p50\n' \
				"$ss" "$wl" "$cfg" "$mean" "$p50"
		done
	done
	remove_maps
done

# tcrypt: "test 7 (512 bit key, 4096 byte blocks): 1 operation in 9641
# cycles (4096 bytes)" after "testing speed of async xts(aes) (<driver>)
# encryption"; every block size it has, per 4 KiB.
tcrypt_xts() {
	dmesg -c >/dev/null
	modprobe tcrypt mode=500 sec=0 2>/dev/null || true	# -EAGAIN by design
	dmesg | awk '
		/testing speed of .*xts\(aes\)/ {
			xts = 1; dir = ($0 ~ /decryption/) ? "dec" : "enc"
			if (match($0, /\(xts[^)]*\)\)? *(en|de)cryption/)) drv = $0
			next
		}
		/testing speed of/ { xts = 0; next }
		xts && /512 bit key/ && /operation in/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "byte" && $(i + 1) ~ /^blocks/) bs = $(i - 1)
				if ($i == "in") c = $(i + 1)
			}
			v[bs, dir] = c; sizes[bs] = 1
		}
		END {
			for (bs in sizes)
				printf "tcrypt\t%d\t%.0f\t%.0f\n", bs,
					v[bs, "enc"] * 4096 / bs, v[bs, "dec"] * 4096 / bs
		}' | sort -t"$(printf '\t')" -k2,2n >>"$CRYPTO_TSV"
	dmesg | grep -m2 'testing speed of async xts(aes)' | sed 's/^.*testing/tcrypt: testing/' >>"$META" || true
}

# ecsenc_xts_speed.ko: MiB/s (one decimal) on one CPU, in place (enc/dec,
# as tcrypt), out of place (a write into its bounce page), the null cipher.
xts_speed() {
	local ko=/ecsenc/bin/ecsenc_xts_speed.ko
	[ -e "$ko" ] || { meta "no ecsenc_xts_speed.ko in the guest"; return 0; }
	dmesg -c >/dev/null
	insmod "$ko" msecs=100 2>/dev/null || true	# -EAGAIN by design
	dmesg | sed -n -e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus 1 unit \([0-9]*\) enc \([0-9.]*\) dec \([0-9.]*\)$/xts-speed \2 \3 \4/p' \
		-e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus 1 unit \([0-9]*\) enc-copy \([0-9.]*\)$/xts-speed-copy \2 \3 \3/p' \
		-e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus 1 unit \([0-9]*\) copy \([0-9.]*\) inplace \([0-9.]*\)$/null \2 \3 \4/p' |
		while read -r tool u e d; do
			awk -v tool="$tool" -v u="$u" -v e="$e" -v d="$d" 'BEGIN {
				printf "%s\t%s\t%.0f\t%.0f\n", tool, u,
					4096e3 / (e * 1.048576), 4096e3 / (d * 1.048576) }'
		done >>"$CRYPTO_TSV"
}

if [ "$CRYPTO" = 1 ]; then
	tcrypt_xts
	xts_speed
	sed 's/^/crypto /' "$CRYPTO_TSV"
fi
grep -A4 '^name *: xts(aes)' /proc/crypto | grep -E 'driver' | head -n1 | sed 's/^/xts(aes) /' >>"$META" || true
cp "$TSV" "$CRYPTO_TSV" "$META" "$RAW/"
echo PASS
