#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The ecsenc-dkms package builds: DKMS adds and builds the module from the
# package's /usr/src tree for every supported kernel (scripts/kver.sh
# --all), in a scratch DKMS tree so that the host is left as it was, and
# each module it makes is for that kernel.  Skips without make deb's
# package.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
deb=$(ls "$top"/build/deb/ecsenc-dkms_*_all.deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || { echo "SKIP: no build/deb/ecsenc-dkms_*.deb (make deb)"; exit 77; }
command -v dkms >/dev/null || { echo "SKIP: dkms is not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/pkg"
src=$(ls -d "$tmp"/pkg/usr/src/ecsenc-*)
version=${src##*/ecsenc-}
grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf" ||
	{ echo "dkms.conf does not name version $version"; exit 1; }
opts=(-m ecsenc -v "$version" --sourcetree "$tmp/pkg/usr/src" --dkmstree "$tmp/dkms")

mkdir -p "$tmp/dkms"
dkms add "${opts[@]}" >"$tmp/add.log" 2>&1 || { cat "$tmp/add.log"; exit 1; }
for kver in $("$top/scripts/kver.sh" --all); do
	dkms build "${opts[@]}" -k "$kver" >"$tmp/build.log" 2>&1 ||
		{ cat "$tmp/build.log"; find "$tmp/dkms" -name make.log -exec cat {} +; exit 1; }
	ko=$(find "$tmp/dkms/ecsenc/$version/$kver" -name 'dm-ecsenc.ko*' | head -n 1)
	[ -n "$ko" ] || { echo "$kver: dkms made no dm-ecsenc.ko"; exit 1; }
	magic=$(modinfo -F vermagic "$ko")
	[ "${magic%% *}" = "$kver" ] || { echo "$kver: the module is for ${magic%% *}"; exit 1; }
	echo "$kver: dkms built $(basename "$ko") ($(stat -c %s "$ko") bytes)"
done
