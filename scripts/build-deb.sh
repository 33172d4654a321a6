#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian packages (ecsenc, ecsenc-dkms, ecsenc-kms-emulator, ecsenc-api)
# with debhelper from a clean copy of the tracked files, then run lintian
# over them.  The packages land in build/deb/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" debhelper dh-dkms dkms lintian dpkg-dev fakeroot

version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/debian/changelog")
out=$top/build/deb
src=$out/ecsenc-$version
rm -rf "$out"
mkdir -p "$src"
# Tracked files as they are in the work tree, nothing built.
(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$src")

(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log"; echo "build-deb: dpkg-buildpackage failed" >&2; exit 1; }
rm -rf "$src"
ls -l "$out"/*.deb
# Everything lintian says, informational and pedantic tags included.
lintian -I -E --pedantic --tag-display-limit 0 "$out"/*.changes 2>/dev/null |
	tee "$out/lintian.txt" || true
