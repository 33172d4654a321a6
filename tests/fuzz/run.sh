#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer harnesses of tests/fuzz and run them.
#
#   tests/fuzz/run.sh [-t SECONDS] [-w DIR] [HARNESS...]
#
# For each harness (default: all): replay its corpus (tests/fuzz/corpus/
# <name>/), then fuzz it for SECONDS (default $FUZZ_SECONDS, else 60; 0:
# replay only), niced, with new inputs kept under DIR/<name>/ (default
# build/fuzz/work, kept from run to run; a fresh DIR starts from the seeds).
# Prints one line per harness with executions per second and in total;
# exits 1 if any harness crashed, leaking or timing out counts too (the
# input is in build/fuzz/artifacts/).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/build/fuzz
seconds=${FUZZ_SECONDS:-60}
workdir=$out/work
while getopts t:w: opt; do
	case $opt in
	t) seconds=$OPTARG ;;
	w) workdir=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-w DIR] [HARNESS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

nice -n 10 make -s -C "$here" -j2 >"$out.build.log" 2>&1 || {
	mkdir -p "$out"; cat "$out.build.log" >&2; echo "fuzz build failed" >&2; exit 1; }
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || read -ra harnesses < <(make -s -C "$here" list)

failed=()
start=$(date +%s)
for h in "${harnesses[@]}"; do
	bin=$out/fuzz_$h
	corpus=$here/corpus/$h
	work=$workdir/$h
	log=$out/$h.log
	mkdir -p "$work" "$out/artifacts"
	[ -x "$bin" ] && [ -d "$corpus" ] || { echo "$h: no harness or no corpus"; failed+=("$h"); continue; }
	opts=(-artifact_prefix="$out/artifacts/$h-" -close_fd_mask=2 -timeout=10
	      -rss_limit_mb=2048 -print_final_stats=1)
	# Replay: every committed input, once.
	if ! nice -n 10 "$bin" "${opts[@]}" -runs=0 "$corpus" >"$log" 2>&1; then
		echo "$h: replaying the corpus FAILED (see $log)"
		failed+=("$h")
		continue
	fi
	[ "$seconds" -gt 0 ] || { echo "$h: corpus replayed"; continue; }
	if ! nice -n 10 "$bin" "${opts[@]}" -max_total_time="$seconds" "$work" "$corpus" \
		>"$log" 2>&1; then
		echo "$h: FAILED (see $log)"
		grep -m3 -E "^(==[0-9]+==ERROR|SUMMARY|.*Test unit written)" "$log" | sed 's/^/    /'
		failed+=("$h")
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	printf '%-14s %8s exec/s %10s executions in %ss, %s inputs in the work corpus\n' "$h" \
		"${rate:-?}" "${execs:-?}" "$seconds" "$(ls "$work" | wc -l)"
done
echo "fuzzing took $(($(date +%s) - start))s"
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
