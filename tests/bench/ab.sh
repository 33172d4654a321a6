#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a change to the module buys (`make bench-ab`): two builds of
# dm-ecsenc, base and head ($OUT/ab/base.ko, $OUT/ab/head.ko), loaded in
# turn in one boot, each round in the opposite order to the last, on the
# same brd ramdisk.  Each load runs the workloads of AB_WORKLOADS
# (default 4 KiB psync QD1 random reads and writes, rr4k-qd1 rw4k-qd1;
# also rr4k-qd32 rw4k-qd32, libaio QD32, and sr1m sw1m, 1 MiB sequential
# at libaio QD4, as in bench.sh), each
# AB_RUNTIME seconds, through the null cipher, xts(aes) and dm-linear, at
# sector sizes 512 and 4096, and keeps each run's median latency.  One
# boot, paired rounds and medians: a difference of a few microseconds
# shows through a host whose speed wanders by tens of percent from one
# run to the next.  Writes $OUT/ab.txt.

. "$TESTLIB"
set -u

if grep -q " /out " /proc/mounts; then OUT=/out; else fail "needs --out"; fi
# shellcheck disable=SC1091
[ -r "$OUT/bench.env" ] && . "$OUT/bench.env"
ROUNDS=${AB_ROUNDS:-5}
RUNTIME=${AB_RUNTIME:-3}
WORKLOADS=${AB_WORKLOADS:-"rr4k-qd1 rw4k-qd1"}
rep=$OUT/ab.txt
tsv=$OUT/ab.tsv
: >"$rep"
: >"$tsv"
say() { echo "$*" | tee -a "$rep"; }

for v in base head; do
	[ -r "$OUT/ab/$v.ko" ] || fail "no $OUT/ab/$v.ko"
done
rmmod dm_ecsenc 2>/dev/null || true
modprobe crypto_null 2>/dev/null || true
len=$(blockdev --getsz /dev/ram0) || fail "no brd"
dd if=/dev/zero of=/dev/ram0 bs=1M count=$((len / 2048)) oflag=direct status=none
KEY=$(random_hex_key)

say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "kernel: $(uname -r)"
tee -a "$rep" <"$OUT/ab/what.txt"
say "rounds: $ROUNDS, ${RUNTIME} s per run; loadavg before: $(cat /proc/loadavg)"

# shellcheck source=tests/bench/workloads.sh
. "${BASH_SOURCE[0]%/*}/workloads.sh"
# One job each: the report reads the first job's latency.
for w in $WORKLOADS; do
	case $w in
	rr4k-qd1 | rw4k-qd1 | rr4k-qd32 | rw4k-qd32 | sr1m | sw1m) ;;
	*) fail "AB_WORKLOADS: $w is not one of rr4k-qd1 rw4k-qd1 rr4k-qd32 rw4k-qd32 sr1m sw1m" ;;
	esac
done

fio_run() {		# dev workload -> "IOPS p50-latency-us"
	# shellcheck disable=SC2046
	fio --name=ab --filename="$1" --direct=1 $(bench_fio_args "$2") \
		--size=64M --randrepeat=0 \
		--norandommap --time_based --runtime="$RUNTIME" \
		--output-format=json 2>/dev/null |
		jq -r '.jobs[0] | (if .read.io_bytes > 0 then .read else .write end) |
			"\(.iops | floor) \(.clat_ns.percentile["50.000000"] / 1000)"'
}

measure() {		# build round ss
	local opt="" m rw iops p50
	[ "$3" = 512 ] || opt=" 1 sector_size:$3"
	insmod "$OUT/ab/$1.ko" || fail "insmod $1"
	echo 1 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers
	dmsetup create ab-lin --table "0 $len linear /dev/ram0 0"
	dmsetup create ab-null --table "0 $len ecsenc capi:ecb(cipher_null)-plain64 - 0 /dev/ram0 0$opt"
	dmsetup create ab-aes --table "0 $len ecsenc aes-xts-plain64 $KEY 0 /dev/ram0 0$opt"
	for rw in $WORKLOADS; do
		for m in lin null aes; do
			read -r iops p50 < <(fio_run /dev/mapper/ab-$m "$rw")
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$3" "$rw" "$m" "$1" "$2" \
				"$iops" "$p50" >>"$tsv"
		done
	done
	dmsetup remove ab-aes
	dmsetup remove ab-null
	dmsetup remove ab-lin
	rmmod dm_ecsenc || fail "rmmod $1"
}

for ss in 512 4096; do
	for r in $(seq 1 "$ROUNDS"); do
		if [ $((r % 2)) = 1 ]; then order="base head"; else order="head base"; fi
		for v in $order; do measure "$v" "$r" "$ss"; done
	done
done

# Per I/O, the median latency (p50) of each run: the host's hiccups
# stretch the mean and the tail, not the median.  Per build, the median
# over the rounds; head - base, the median of the per-round differences;
# and what the target adds over dm-linear in the same load.
say ""
say "p50 latency in us, medians over the rounds (IOPS in brackets; 1 MiB: MiB/s)"
awk -F'\t' '
function med(s,   n, a, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 "\t" $2 "\t" $3
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	lat[k, $4] = lat[k, $4] " " $7; iops[k, $4] = iops[k, $4] " " $6
	x[k, $4, $5] = $7; rounds[$5] = 1
	g = $1 "\t" $2 "\t" $4 "\t" $5
	if ($3 == "lin") lin[g] = $7; else own[$1 "\t" $2 "\t" $3 "\t" $4, $5] = $7
}
END {
	printf "  %-5s %-10s %-5s %18s %18s %11s\n", "ss", "rw", "map", "base", "head", "head-base"
	for (i = 1; i <= nk; i++) {
		k = order[i]; d = ""
		for (r in rounds)
			if ((k, "base", r) in x && (k, "head", r) in x)
				d = d " " x[k, "head", r] - x[k, "base", r]
		split(k, p, "\t")
		printf "  %-5s %-10s %-5s %7.1f (%8.0f) %7.1f (%8.0f) %+11.1f\n", p[1], p[2], p[3],
			med(lat[k, "base"]), med(iops[k, "base"]),
			med(lat[k, "head"]), med(iops[k, "head"]), med(d)
	}
	print ""
	print "  what ecsenc adds over dm-linear in the same load, us (median over rounds)"
	printf "  %-5s %-10s %-5s %8s %8s\n", "ss", "rw", "map", "base", "head"
	for (i = 1; i <= nk; i++) {
		k = order[i]
		split(k, p, "\t")
		if (p[3] == "lin") continue
		line = sprintf("  %-5s %-10s %-5s", p[1], p[2], p[3])
		split("base head", b, " ")
		for (j = 1; j <= 2; j++) {
			d = ""
			for (r in rounds) {
				g = p[1] "\t" p[2] "\t" b[j] "\t" r
				if ((g in lin) && ((p[1] "\t" p[2] "\t" p[3] "\t" b[j], r) in own))
					d = d " " own[p[1] "\t" p[2] "\t" p[3] "\t" b[j], r] - lin[g]
			}
			line = line sprintf(" %8.1f", med(d))
		}
		print line
	}
}' "$tsv" | tee -a "$rep"

# The null cipher by itself in this boot: its copy of 4 KiB (writes) and
# its in-place requests (reads), the part of the null rows above that no
# target avoids.
if [ -e /ecsenc/bin/ecsenc_xts_speed.ko ]; then
	dmesg -c >/dev/null
	insmod /ecsenc/bin/ecsenc_xts_speed.ko msecs=1000 2>/dev/null || true
	say ""
	say "the null cipher alone, one CPU, us per 4 KiB (ecsenc_xts_speed.ko):"
	dmesg | sed -n 's/.*ecsenc_xts_speed: \([^ ]*null[^ ]*\) cpus 1 unit \([0-9]*\) copy \([0-9.]*\) inplace \([0-9.]*\)$/\2 \3 \4/p' |
		while read -r u c i; do
			awk -v u="$u" -v c="$c" -v i="$i" 'BEGIN {
				printf "  unit %4d: out of place (a write) %.1f us, in place (a read) %.1f us\n",
					u, 4096 / (c * 1.048576), 4096 / (i * 1.048576) }'
		done | tee -a "$rep"
fi
say "loadavg after: $(cat /proc/loadavg)"
echo "PASS"
