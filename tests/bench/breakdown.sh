#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where a 4 KiB QD1 I/O's time goes (`make bench-breakdown`): ecsenc with
# the test-only null cipher against dm-linear on a brd ramdisk, traced with
# ftrace's function_graph tracer (tracefs; Debian's kernels have no
# function profiler), graph roots dm_submit_bio and brd_submit_bio, to a
# depth of BREAKDOWN_DEPTH (default 3), over dm-ecsenc's functions and the
# few of the block layer, dm and crypto that it calls (set_ftrace_filter).  For BREAKDOWN_IOS I/Os (default
# 2000) of each of randread and randwrite, the mean time per I/O of every
# function at each depth is printed, ecsenc-null and linear side by side.
# The tracer's own cost inflates every number (more for deeper, busier
# trees): compare the two columns, not against untraced latencies.  fio
# runs untraced first, for the untraced ratio.
# Writes $OUT/breakdown.txt.

. "$TESTLIB"
set -u

if grep -q " /out " /proc/mounts; then OUT=/out; else OUT=/tmp/breakdown-out; fi
# shellcheck disable=SC1091
[ -r "$OUT/bench.env" ] && . "$OUT/bench.env"
IOS=${BREAKDOWN_IOS:-2000}
DEPTH=${BREAKDOWN_DEPTH:-3}
SS=${BREAKDOWN_SS:-512}
mkdir -p "$OUT/raw"
rep=$OUT/breakdown.txt
: >"$rep"
say() { echo "$*" | tee -a "$rep"; }

T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null ||
	mount -t tracefs nodev /sys/kernel/tracing || skip "no tracefs"
[ -e "$T/available_tracers" ] || skip "no tracefs"
grep -qw function_graph "$T/available_tracers" || skip "no function_graph tracer"

rmmod brd 2>/dev/null || true
modprobe brd rd_nr=1 rd_size=$((64 * 1024)) || fail "brd"
dd if=/dev/zero of=/dev/ram0 bs=1M count=64 oflag=direct status=none
len=$(blockdev --getsz /dev/ram0)
echo 1 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers
ss=""
[ "$SS" = 512 ] || ss=" 1 sector_size:$SS"
dmsetup create bd-lin --table "0 $len linear /dev/ram0 0"
dmsetup create bd-null --table "0 $len ecsenc capi:ecb(cipher_null)-plain64 - 0 /dev/ram0 0$ss"
dmsetup mknodes >/dev/null 2>&1 || true

say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "kernel: $(uname -r)"
say "dm-ecsenc.ko md5: $(md5sum /lib/modules/*/extra/dm-ecsenc.ko | cut -d" " -f1)"
say "loadavg before (the guest's; the host is shared): $(cat /proc/loadavg)"
say "sector_size $SS; $IOS I/Os traced per run; graph depth $DEPTH"

fio_run() {		# dev rw [number_ios] -> IOPS
	local amount=(--time_based --runtime=3)
	[ $# -lt 3 ] || amount=(--number_ios="$3")
	fio --name=b --filename="$1" --direct=1 --rw="$2" --bs=4k \
		--ioengine=psync --iodepth=1 --size=64M --randrepeat=0 \
		--norandommap "${amount[@]}" --output-format=json 2>/dev/null |
		jq '.jobs[0] | (.read.iops + .write.iops) | floor'
}

say ""
say "untraced, IOPS (3 s each, alternating, median of 3):"
for rw in randread randwrite; do
	for d in lin null; do : >"/tmp/bd-$d-$rw"; done
	for r in 1 2 3; do
		for d in lin null; do
			fio_run "/dev/mapper/bd-$d" "$rw" >>"/tmp/bd-$d-$rw"
		done
	done
	l=$(sort -n "/tmp/bd-lin-$rw" | sed -n 2p)
	n=$(sort -n "/tmp/bd-null-$rw" | sed -n 2p)
	say "  $rw: linear $l, ecsenc-null $n, ratio $(awk -v a="$n" -v b="$l" 'BEGIN { printf "%.3f", a / b }')"
done

trace_run() {		# dev rw tag
	echo 0 >"$T/tracing_on"
	# Only these are patched: tracing every function of the kernel
	# under TCG stalls the guest for many seconds.
	echo ':mod:dm_ecsenc' >"$T/set_ftrace_filter" || fail "cannot trace dm_ecsenc"
	for f in dm_submit_bio brd_submit_bio submit_bio_noacct bio_endio \
		mempool_alloc mempool_free bio_alloc_bioset bio_put \
		crypto_skcipher_encrypt crypto_skcipher_decrypt dm_io_acct \
		__map_bio linear_map dm_accept_partial_bio; do
		echo "$f" >>"$T/set_ftrace_filter" 2>/dev/null || true
	done
	echo function_graph >"$T/current_tracer"
	echo "$DEPTH" >"$T/max_graph_depth"
	echo dm_submit_bio >"$T/set_graph_function" || fail "cannot trace dm_submit_bio"
	echo brd_submit_bio >>"$T/set_graph_function" || fail "cannot trace brd_submit_bio"
	echo 8192 >"$T/buffer_size_kb"
	echo nofuncgraph-irqs >"$T/trace_options" 2>/dev/null || true
	echo funcgraph-tail >"$T/trace_options" 2>/dev/null || true
	: >"$T/trace"
	echo 1 >"$T/tracing_on"
	fio_run "$1" "$2" "$IOS" >/dev/null
	echo 0 >"$T/tracing_on"
	cp "$T/trace" "$OUT/raw/breakdown-$3.trace"
	echo nop >"$T/current_tracer"
	: >"$T/set_ftrace_filter"
	# "CPU)  duration  |  indent name();" or "... } /* name */": the
	# depth is the indent (two spaces a level), the time the duration.
	awk -v ios="$IOS" -v tag="$3" '
	/\|/ {
		split($0, h, "|")
		body = h[2]
		d = h[1]; gsub(/[^0-9.]/, " ", d)
		n = split(d, f, " ")
		dur = (n >= 2) ? f[n] : ""
		if (body ~ /} \/\* /) {
			name = body; sub(/.*\/\* /, "", name); sub(/ \*\/.*/, "", name)
			ind = body; sub(/}.*/, "", ind)
		} else if (body ~ /\(\);/) {
			name = body; sub(/^ */, "", name); sub(/\(\);.*/, "", name)
			ind = body; sub(/[^ ].*/, "", ind)
		} else next
		if (dur == "") next
		lvl = int((length(ind) - 1) / 2)
		k = lvl "\t" name
		t[k] += dur; c[k]++
	}
	END { for (k in t) printf "%s\t%s\t%.3f\t%.2f\n", tag, k, t[k] / ios, c[k] / ios }' \
		"$OUT/raw/breakdown-$3.trace" >>/tmp/bd.tsv
}

: >/tmp/bd.tsv
for rw in randread randwrite; do
	trace_run /dev/mapper/bd-lin "$rw" "linear-$rw"
	trace_run /dev/mapper/bd-null "$rw" "null-$rw"
done
cp /tmp/bd.tsv "$OUT/raw/breakdown.tsv"

for rw in randread randwrite; do
	say ""
	say "$rw: mean us per I/O under function_graph (calls per I/O), by depth"
	say "$(printf '  %-5s %-36s %12s %12s' depth function linear ecsenc-null)"
	awk -F'\t' -v rw="$rw" '
	$1 ~ "-" rw "$" {
		split($1, p, "-"); k = $2 "\t" $3
		v[k, p[1]] = sprintf("%.2f (%.1f)", $4, $5); keys[k] = 1
	}
	END {
		for (k in keys) {
			split(k, q, "\t")
			printf "  %-5s %-36s %12s %12s\n", q[1], q[2],
				((k, "linear") in v ? v[k, "linear"] : "-"),
				((k, "null") in v ? v[k, "null"] : "-")
		}
	}' /tmp/bd.tsv | sort -k1,1n -k3,3r | tee -a "$rep"
done

dmsetup remove bd-null
dmsetup remove bd-lin
echo 0 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers
rmmod brd 2>/dev/null || true
say "loadavg after: $(cat /proc/loadavg)"
echo "PASS"
