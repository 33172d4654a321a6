#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The regression check of ecsenc's QD1 latency in instruction-time, run by
# tests/run-all.sh (make check) once per kernel:
#   tests/bench/icount-check.sh            KVER's kernel (scripts/kver.sh)
#   tests/bench/icount-check.sh --update   rewrite its baseline instead
#                                          (make icount-baseline: every kernel)
#
# One boot under qemu -icount (tests/bench/icount.sh with dm-linear and
# ecsenc only, no crypto measurements: about a minute) runs the QD1 cells:
# 4 KiB psync random reads and writes on brd, sector sizes 512 and 4096.
# A latency there is a count of guest instructions and repeats from boot
# to boot to well under 0.1 %, so the check can be tight: it fails when
# ecsenc's mean latency in any cell exceeds the committed figure for that
# kernel, tests/bench/icount-baseline/<release>.tsv, by more than
# ICOUNT_TOLERANCE percent (2).  dm-linear's cells are printed beside them:
# when they moved too, the kernel or the machine model changed, not the
# target.  The last line is "RESULT icount-check PASS|FAIL|SKIP <seconds>"
# (SKIP: no baseline for this kernel yet).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
update=0
case "${1:-}" in
--update) update=1 ;;
"") ;;
*) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac
kver=$("$top/scripts/kver.sh")
base=$top/tests/bench/icount-baseline/$kver.tsv
tol=${ICOUNT_TOLERANCE:-2}
out=$top/build/icount-check/$kver
t0=$(date +%s)

result() {		# status
	echo "RESULT icount-check $1 $(($(date +%s) - t0))"
	[ "$1" != FAIL ]
}

if [ $update = 0 ] && [ ! -r "$base" ]; then
	echo "icount-check: no baseline for $kver ($base): make icount-baseline ICOUNT_KVERS=$kver"
	result SKIP
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
# The same cells as the baseline, whatever the environment says.
printf '%s\n' "ICOUNT_CONFIGS='linear ecsenc'" "ICOUNT_CRYPTO=0" \
	"ICOUNT_IOS=1000" "ICOUNT_WARMUP=100" >"$out/bench.env"
if ! KVER=$kver "$top/tests/vm/run-vm.sh" --icount --mem 1024 --timeout 900 \
	--script "$top/tests/bench/icount.sh" --out "$out" >"$out/console.txt" 2>&1 ||
	[ ! -s "$out/raw/icount.tsv" ]; then
	tail -n 30 "$out/console.txt" | sed 's/^/  | /'
	echo "icount-check: the guest failed on $kver"
	result FAIL
	exit 1
fi
now=$out/raw/icount.tsv

if [ $update = 1 ]; then
	mkdir -p "${base%/*}"
	{
		echo "# ecsenc's QD1 latency in instruction-time on $kver: mean ns of"
		echo "# guest time (= guest instructions) per 4 KiB I/O; dm-ecsenc/ of"
		echo "# $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- dm-ecsenc || echo ', modified')."
		echo "# Written by tests/bench/icount-check.sh --update (make icount-baseline)."
		cat "$now"
	} >"$base"
	echo "icount-check: wrote $base"
	sed 's/^/  /' "$base"
	result PASS
	exit 0
fi

# ss workload config ios lat_mean_ns lat_p50_ns, in both files.
if awk -F'\t' -v tol="$tol" '
	/^#/ || $1 == "ss" { next }
	FNR == NR { want[$1, $2, $3] = $5; next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in want)) next
		d = 100 * ($5 / want[k] - 1)
		bad = $3 == "ecsenc" && d > tol
		printf "  %4s %-8s %-7s %10.0f ns, baseline %10.0f: %+6.2f %%%s\n",
			$1, $2, $3, $5, want[k], d, bad ? "  > +" tol " %" : ""
		if ($3 == "ecsenc") n++
		if (bad) failed = 1
	}
	END { exit failed || n < 4 }' "$base" "$now"; then
	result PASS
else
	echo "icount-check: ecsenc is slower than $base allows (+$tol %), or a cell is missing"
	result FAIL
fi
