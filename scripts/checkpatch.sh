#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl --strict over files, taking checkpatch
# from Debian's linux-source-6.1 tarball (extracted once into build/).
# Clean files print nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "checkpatch: install linux-source-6.1" >&2; exit 1; }
	mkdir -p "$dir"
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
		"$base/scripts/const_structs.checkpatch"
fi

# dm-ecsenc-compat.h is the one file that tests the kernel's release
# (LINUX_VERSION_CODE): the rule against that is for in-tree code.
rc=0
for f in "$@"; do
	waive=()
	[ "$(basename "$f")" = dm-ecsenc-compat.h ] && waive=(--ignore LINUX_VERSION_CODE)
	"$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		"${waive[@]}" -f "$f" || rc=1
done
exit $rc
