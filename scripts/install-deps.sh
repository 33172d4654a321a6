#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building and testing ecsenc needs,
# and any named on the command line (make deb adds debhelper's).
# Does nothing when they are all present, so every make target can call it.
set -euo pipefail

pkgs=(
	# build
	build-essential pkg-config linux-source-6.1 xz-utils sparse
	libdevmapper-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev
	libjson-c-dev libsqlite3-dev libkeyutils-dev libpq-dev
	# the VM and what runs inside it
	qemu-system-x86 busybox-static cpio kmod
	dmsetup cryptsetup-bin fio keyutils e2fsprogs util-linux
	openssl sqlite3 jq xfsprogs
	# host tests: a running agent traced for its syncs
	strace
	# Ceph: librbd for the agent's rbd backend; in the VM
	# (tests/vm/ceph/payload.sh) daemons, rbd CLI, librados
	# for the monitor command helper, tcpdump, ip netns
	ceph-mon ceph-osd ceph-common librados-dev librbd-dev tcpdump iproute2
	# host tests and benchmark plots
	nodejs npm gnuplot-nox
	# the console's tests: a real browser, driven headless by playwright-core
	chromium
	# host tests: several ecs-api servers on a throwaway PostgreSQL
	postgresql
)

pkgs+=("$@")

# Every kernel the module is tested on (scripts/kver.sh): image and headers.
for image in $("$(dirname "$0")/kver.sh" --meta); do
	pkgs+=("$image" "${image/linux-image/linux-headers}")
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
# nodejs/npm may come from outside Debian on some machines: a working node is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
	keep=()
	for p in "${missing[@]}"; do
		case "$p" in nodejs | npm) ;; *) keep+=("$p") ;; esac
	done
	missing=("${keep[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
