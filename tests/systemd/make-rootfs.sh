#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a Debian 12 root filesystem (a directory) with systemd
# as init, udev, and the libraries the ecsenc packages need, made with
# debootstrap from Debian's archive.  It is cached under
# /var/cache/ecsenc (ECSENC_CACHE=), keyed by what it holds, and made again
# only when missing.  Callers copy it before changing anything.
set -euo pipefail
cache=${ECSENC_CACHE:-/var/cache/ecsenc}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# systemd and udev; e2fsprogs for the filesystem on the disk; dmsetup
# brings libdevmapper's udev rules; the rest are the packages' libraries.
include=systemd,systemd-sysv,udev,kmod,e2fsprogs,procps,dmsetup
include+=,libdevmapper1.02.1,libkeyutils1,libsqlite3-0,libjson-c5,libcurl4
include+=,libssl3,libmicrohttpd12

key=$(echo "bookworm minbase $include" | sha256sum | cut -c1-12)
dir=$cache/rootfs-bookworm-$key
if [ -x "$dir/lib/systemd/systemd" ]; then
	echo "$dir"
	exit 0
fi

"$(dirname "$0")/../../scripts/install-deps.sh" debootstrap >&2
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "make-rootfs: debootstrap bookworm into $dir (once)" >&2
debootstrap --variant=minbase --include="$include" bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
	{ tail -n 20 "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
chroot "$tmp" apt-get clean
rm -rf "$tmp"/var/lib/apt/lists/*
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
