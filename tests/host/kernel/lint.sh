#!/usr/bin/env bash
# dm-ecsenc builds warning-free with W=1, is clean under sparse (C=2), and
# checkpatch --strict finds nothing.  Built in a scratch copy so that every
# file is compiled again.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
kdir=$(make -s -C "$top" -f - print-kdir <<'MK'
include Makefile
print-kdir:
	@echo $(KDIR)
MK
)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$top/dm-ecsenc" "$top/Kbuild" "$scratch/"
rm -f "$scratch"/dm-ecsenc/*.o "$scratch"/dm-ecsenc/*.mod* "$scratch"/dm-ecsenc/.*.cmd

make -C "$kdir" M="$scratch" W=1 C=2 modules >"$scratch/build.log" 2>&1 ||
	{ cat "$scratch/build.log"; exit 1; }
if grep -E 'warning:|error:' "$scratch/build.log" | grep -v 'Skipping BTF'; then
	echo "W=1 or sparse complained"
	exit 1
fi
grep -c '^  CHECK ' "$scratch/build.log" | grep -qv '^0$' || { echo "sparse did not run"; exit 1; }

if ! "$top/scripts/checkpatch.sh" $(ls "$top"/dm-ecsenc/*.[ch] | grep -v '\.mod\.c$') >"$scratch/cp.log" ||
	[ -s "$scratch/cp.log" ]; then
	cat "$scratch/cp.log"
	echo "checkpatch --strict is not clean"
	exit 1
fi
echo "W=1, sparse and checkpatch --strict: clean"
