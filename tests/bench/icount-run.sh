#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One boot of tests/bench/icount.sh in instruction-time, on KVER's kernel
# (scripts/kver.sh), and its report:
#   tests/bench/icount-run.sh OUT
# writes OUT/raw/ (what the guest measured, host.txt: the command and the
# module) and OUT/icount.txt.  The ICOUNT_* variables of the environment
# reach the guest through OUT/bench.env.  `make bench-icount` runs it once
# per kernel, after building tests/bench/kmod for that kernel.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: $0 OUT}
kver=$("$top/scripts/kver.sh")
mkdir -p "$out/raw"
rm -f "$out/raw/"*.tsv "$out/raw/meta.txt"
env | grep '^ICOUNT_' | sed "s/=\(.*\)/='\1'/" >"$out/bench.env" || true
{
	echo "command: make bench-icount ICOUNT_KVERS=$kver$(env | grep '^ICOUNT_' |
		grep -v '^ICOUNT_KVERS=' | sed "s/=\(.*\)/='\1'/; s/^/ /" | tr -d '\n')"
	echo "module: dm-ecsenc/ of $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- dm-ecsenc || echo ', modified')"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
} >"$out/raw/host.txt"
t0=$(date +%s)
KVER=$kver "$top/tests/vm/run-vm.sh" --icount --mem 1024 --timeout 1800 \
	--script "$top/tests/bench/icount.sh" --out "$out" >"$out/raw/console.txt" 2>&1 || {
	tail -n 40 "$out/raw/console.txt" >&2
	echo "icount-run: the guest failed on $kver" >&2
	exit 1
}
echo "host seconds: $(($(date +%s) - t0))" >>"$out/raw/host.txt"
rm -f "$out/raw/console.txt" "$out/bench.env"
"$top/tests/bench/icount-report.sh" "$out"
