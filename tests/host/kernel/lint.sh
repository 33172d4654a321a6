#!/usr/bin/env bash
# dm-ecsenc builds warning-free with W=1 and is clean under sparse (C=2)
# against every kernel it supports (scripts/kver.sh --all; KVER= for one),
# and checkpatch --strict finds nothing.  Built in a scratch copy per
# kernel so that every file is compiled again.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
if [ -n "${KVER:-}" ]; then
	kernels=$KVER
else
	kernels=$("$top/scripts/kver.sh" --all)
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for kver in $kernels; do
	dir=$scratch/$kver
	mkdir -p "$dir/dm-ecsenc"
	cp "$top/Kbuild" "$dir/"
	cp "$top"/dm-ecsenc/Kbuild $(ls "$top"/dm-ecsenc/*.[ch] | grep -v '\.mod\.c$') "$dir/dm-ecsenc/"
	make -C "/lib/modules/$kver/build" M="$dir" W=1 C=2 modules >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; echo "$kver: the build failed"; exit 1; }
	if grep -E 'warning:|error:' "$dir/build.log" | grep -v 'Skipping BTF'; then
		echo "$kver: W=1 or sparse complained"
		exit 1
	fi
	grep -q '^  CHECK ' "$dir/build.log" || { echo "$kver: sparse did not run"; exit 1; }
	echo "$kver: W=1 and sparse clean"
done

if ! "$top/scripts/checkpatch.sh" $(ls "$top"/dm-ecsenc/*.[ch] | grep -v '\.mod\.c$') >"$scratch/cp.log" ||
	[ -s "$scratch/cp.log" ]; then
	cat "$scratch/cp.log"
	echo "checkpatch --strict is not clean"
	exit 1
fi
echo "checkpatch --strict: clean"
