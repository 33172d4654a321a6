# SPDX-License-Identifier: GPL-2.0
#
# Sourced by tests/vm/run-vm.sh --ceph, after the modules are copied and
# before depmod: what a guest needs to run a one-node Ceph cluster and the
# kernel rbd client (tests/vm/ceph-lib.sh starts them).
#
#   modules      rbd, libceph, veth and their dependencies, in the initramfs
#   tools disk   ceph-mon, ceph-osd, rbd, ceph-authtool, monmaptool, ip
#                (iproute2, for network namespaces), tcpdump, the mon
#                command helper, the agent's rbd backend plugin
#                (lib/ecsenc/backend-rbd.so), their libraries and Ceph's
#                plugins, on a
#                read-only ext4 image (serial ecsenc-ceph): about 97 MB that
#                stay page cache the guest can reclaim, instead of initramfs
#                RAM held for good
#   OSD disk     a sparse file of CEPH_OSD_MB (default 3072) MiB for
#                bluestore (serial ecsenc-osd)
# It sets ceph_qemu_args for the boot.  Needs (on the host) Debian's
# ceph-mon, ceph-osd, ceph-common, librados-dev, tcpdump and iproute2.

ceph_tools=$work/ceph-tools
ceph_libdir=/usr/lib/x86_64-linux-gnu

ceph_need_host() {	# file...: exit with a clear message if one is missing
	local f
	for f in "$@"; do
		[ -e "$f" ] && continue
		echo "run-vm: --ceph needs $f on the host (scripts/install-deps.sh)" >&2
		exit 1
	done
}

ceph_copy_libs() {	# elf...: their shared libraries into $ceph_tools/lib
	local f lib
	for lib in $(for f in "$@"; do ldd "$f" 2>/dev/null; done |
		grep -o '/[^ ]*' | sort -u); do
		[ -e "$ceph_tools/lib/${lib##*/}" ] || cp -L "$lib" "$ceph_tools/lib/"
	done
}

# Programs go to libexec/, with a wrapper in bin/ that finds their
# libraries in lib/ whatever their host path.
ceph_install_prog() {	# host-path
	local name=${1##*/}
	cp -L "$1" "$ceph_tools/libexec/$name"
	ceph_copy_libs "$1"
	printf '#!/bin/sh\nLD_LIBRARY_PATH=/opt/ceph/lib exec /opt/ceph/libexec/%s "$@"\n' \
		"$name" >"$ceph_tools/bin/$name"
	chmod 0755 "$ceph_tools/bin/$name"
}

ceph_payload_tools() {
	local p d
	ceph_need_host /usr/bin/ceph-mon /usr/bin/ceph-osd /usr/bin/rbd \
		/usr/bin/ceph-authtool /usr/bin/monmaptool /usr/bin/tcpdump \
		/bin/ip /usr/include/rados/librados.h
	mkdir -p "$ceph_tools"/{bin,libexec,lib/ceph,lib/rados-classes}
	for p in /usr/bin/ceph-mon /usr/bin/ceph-osd /usr/bin/rbd \
		/usr/bin/ceph-authtool /usr/bin/monmaptool /usr/bin/tcpdump /bin/ip; do
		ceph_install_prog "$p"
	done
	cc -O2 -Wall -o "$work/ceph-mon-command" \
		"$top/tests/vm/ceph/mon-command.c" -lrados
	ceph_install_prog "$work/ceph-mon-command"
	# The agent loads it with --backend-dir /opt/ceph/lib/ecsenc.
	ceph_need_host "$top/kms-agent/rbd/backend-rbd.so"
	mkdir -p "$ceph_tools/lib/ecsenc"
	cp "$top/kms-agent/rbd/backend-rbd.so" "$ceph_tools/lib/ecsenc/"
	ceph_copy_libs "$top/kms-agent/rbd/backend-rbd.so"
	# Plugins are loaded by path (plugin dir, erasure code dir, osd class
	# dir in the guest's ceph.conf); their own libraries go to lib/.
	for d in erasure-code compressor crypto; do
		cp -a "$ceph_libdir/ceph/$d" "$ceph_tools/lib/ceph/"
	done
	cp -a "$ceph_libdir/rados-classes/." "$ceph_tools/lib/rados-classes/"
	ceph_copy_libs "$ceph_libdir"/ceph/*/*.so "$ceph_libdir"/rados-classes/*.so
	truncate -s "$(($(du -sk "$ceph_tools" | cut -f1) * 9 / 8 + 8192))K" \
		"$work/ceph-tools.img"
	mke2fs -q -t ext4 -O ^has_journal -m 0 -L ecsenc-ceph -d "$ceph_tools" \
		"$work/ceph-tools.img"
}

ceph_payload_modules() {
	local m ko
	for m in rbd veth; do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" {print $2}' | sort -u | while read -r ko; do
		[ -e "$root$ko" ] && continue
		mkdir -p "$root$(dirname "$ko")"
		cp "$ko" "$root$ko"
	done
}

ceph_payload_modules
ceph_payload_tools
truncate -s "${CEPH_OSD_MB:-3072}M" "$work/ceph-osd.img"
# Slots after --disk's, so that it stays /dev/vda; the guest finds these two
# by serial number.
ceph_qemu_args=(
	-drive "file=$work/ceph-tools.img,if=none,id=cephtools,format=raw,readonly=on"
	-device "virtio-blk-pci,drive=cephtools,serial=ecsenc-ceph,addr=0x1e"
	-drive "file=$work/ceph-osd.img,if=none,id=cephosd,format=raw,cache=none,aio=threads"
	-device "virtio-blk-pci,drive=cephosd,serial=ecsenc-osd,addr=0x1d"
)
