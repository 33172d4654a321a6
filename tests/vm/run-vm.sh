#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's own kernel in qemu with a throw-away initramfs and run
# ecsenc's tests (or one script) inside it.
#
#   tests/vm/run-vm.sh --tests DIR [--filter GLOB]   run DIR/*.sh, one result each
#   tests/vm/run-vm.sh --script FILE                 run one script, show its output
#
# Options:
#   --mem MB         guest memory (default 2048)
#   --smp N          guest CPUs (default 2)
#   --disk MB        attach a file-backed virtio disk of that size (/dev/vda)
#   --out DIR        host directory shared with the guest as /out (9p)
#   --console FILE   keep the whole serial console there
#   --timeout SECS   kill the guest after that long (default 3000)
#   --lean           a small initramfs, for small guests (below)
#   --ceph           Ceph and the rbd client (tests/vm/ceph/payload.sh); implied by a "# needs: ceph" test
#   --icount         instruction-time: one vCPU, no MTTCG, and the guest's
#                    clock counts instructions (1 instruction = 1 ns, the TSC
#                    at 1000 MHz): runs repeat exactly, whatever the host's load
#   --guestfwd PORT  a virtio NIC (QEMU user networking, restricted) on which the
#                    guest reaches the host's 127.0.0.1:PORT as 10.0.2.100:PORT;
#                    repeat for more ports (tests/vm/ecs-api/run.sh uses it)
#
# The initramfs holds busybox-static, bash, the tools the tests use
# (dmsetup, cryptsetup, fio, keyctl, e2fsprogs, ...) with their shared
# libraries, Debian's dm/crypto/block modules plus dm-ecsenc.ko, the
# project's programs and the tests/ tree.  The guest prints one line
#   RESULT <name> <PASS|FAIL|SKIP> <seconds>
# per test on stdout here; the exit status is non-zero when a test failed,
# the kernel oopsed or warned, or the guest did not finish.
#
# --lean is for tests/bench/memory.sh in a 256 MiB guest, for which the
# full initramfs (about 116 MB of files that stay in RAM for good) is far
# too much.  The initramfs then holds only busybox, bash, dmsetup, blockdev,
# the modules the guest's init loads (with their dependencies), dm-ecsenc.ko
# and tests/.  fio and its libraries (about 80 MB: Debian's fio links ceph,
# gluster and ICU) go on a read-only ext4 image, attached as a virtio disk
# after --disk's (which stays /dev/vda) and mounted on /tools before the
# harness's init runs: there they are page cache the guest can reclaim.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
mode="" target="" filter="*" mem=2048 smp=2 disk_mb=0 out="" console=""
timeout_s=3000 lean=0 ceph=0 icount=0 guestfwd=""

usage() {
	sed -n '4,41p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--tests) mode=tests target=$2; shift ;;
	--script) mode=script target=$2; shift ;;
	--filter) filter=$2; shift ;;
	--mem) mem=$2; shift ;;
	--smp) smp=$2; shift ;;
	--disk) disk_mb=$2; shift ;;
	--out) out=$2; shift ;;
	--console) console=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	--lean) lean=1 ;;
	--ceph) ceph=1 ;;
	# A chardev would be one connection for good: a relay per connection.
	--guestfwd) guestfwd="$guestfwd,guestfwd=tcp:10.0.2.100:$2-cmd:python3 $top/tests/vm/tcp-relay.py $2"; shift ;;
	--icount) icount=1 ;;
	*) usage ;;
	esac
	shift
done
[ -n "$mode" ] || usage
# A test that needs Ceph says so in a line "# needs: ceph".
if [ "$mode" = tests ]; then
	grep -lqs '^# needs: ceph' "$target"/$filter.sh && ceph=1
else
	grep -qs '^# needs: ceph' "$target" && ceph=1
fi

# The kernel: KVER=, or Debian's default (scripts/kver.sh); its module is
# where the Makefile builds it for that kernel.
kver=$("$top/scripts/kver.sh")
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || { echo "run-vm: no readable $kernel" >&2; exit 1; }
module=$top/build/kernel/$kver/dm-ecsenc/dm-ecsenc.ko
[ -e "$module" ] || { echo "run-vm: build the module first (make module KVER=$kver)" >&2; exit 1; }
modinfo -F vermagic "$module" | grep -q "^$kver " ||
	{ echo "run-vm: $module was not built for $kver" >&2; exit 1; }

# Each run has a directory of its own, so that runs may overlap.
mkdir -p "$top/build"
work=$(mktemp -d "$top/build/vm.XXXXXX")
[ -n "${ECSENC_VM_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,out,ecsenc/bin}

# --- userspace --------------------------------------------------------
copy_with_libs() {	# copy a program and every shared library it loads
	local bin=$1 dest=${2:-$1} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$bin" "$root$dest"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# The kernel runs /sbin/modprobe to load crypto and filesystem modules.
ln -s ../bin/busybox "$root/sbin/modprobe"
# init needs a console before devtmpfs is mounted.
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3

host_path() {		# the host's path of a program, or exit
	local path
	path=$(command -v "$1" || true)
	if [ -z "$path" ]; then
		echo "run-vm: $1 not found on the host" >&2
		exit 1
	fi
	echo "$path"
}

install_host_progs() {	# prog...: into /bin, over busybox's applets
	local prog path
	for prog in "$@"; do
		path=$(host_path "$prog")
		rm -f "$root/bin/$prog"
		copy_with_libs "$path" "/bin/$prog"
	done
}

install_full_userspace() {
	local prog
	install_host_progs bash dmsetup cryptsetup fio keyctl mke2fs e2fsck \
		losetup blkdiscard blockdev openssl sqlite3 jq dd filefrag
	# A file system with reflinks, for the agent's snapshot tests.
	command -v mkfs.xfs >/dev/null && install_host_progs mkfs.xfs
	ln -sf mke2fs "$root/bin/mkfs.ext4"
	ln -sf e2fsck "$root/bin/fsck.ext4"
	ln -sf bash "$root/bin/sh.bash"

	for prog in tools/kms-emulator/kms-emulator kms-agent/kms-agent \
		tools/ecsenc-ctl/ecsenc-ctl; do
		[ -x "$top/$prog" ] && copy_with_libs "$top/$prog" "/ecsenc/bin/$(basename "$prog")"
	done
	# Anything else a test needs from the host, listed one path a line.
	if [ -r "$top/tests/vm/extra-files" ]; then
		grep -v '^#' "$top/tests/vm/extra-files" | while read -r f; do
			case $f in	# relative: built in the repository, to /ecsenc/bin
			"") ;;
			/*) if [ -e "$f" ]; then copy_with_libs "$f"; fi ;;
			*) if [ -e "$top/$f" ]; then
				copy_with_libs "$top/$f" "/ecsenc/bin/$(basename "$f")"
			fi ;;
			esac
		done
	fi
}

# --lean: a program and its libraries go to the tools disk's tree (bin/,
# lib/); in the initramfs, /bin/PROG runs it from there.  The libraries sit
# in one directory, found through LD_LIBRARY_PATH, whatever their host path.
tools=$work/tools
install_on_tools_disk() {	# prog
	local path lib
	path=$(host_path "$1")
	mkdir -p "$tools/bin" "$tools/lib"
	cp -L "$path" "$tools/bin/$1"
	for lib in $(ldd "$path" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		cp -L "$lib" "$tools/lib/"
	done
	rm -f "$root/bin/$1"
	printf '#!/bin/sh\nLD_LIBRARY_PATH=/tools/lib exec /tools/bin/%s "$@"\n' \
		"$1" >"$root/bin/$1"
	chmod 0755 "$root/bin/$1"
}

# What tests/bench/memory.sh needs and busybox does not do; blockdev is
# util-linux's, as in the full initramfs.
install_lean_userspace() {
	install_host_progs bash dmsetup blockdev
	install_on_tools_disk fio
}

if [ "$lean" = 1 ]; then
	install_lean_userspace
else
	install_full_userspace
fi
cp -r "$top/tests" "$root/ecsenc/tests"
# Tests of what no kernel version changes run on the default kernel only
# (lib.sh: default_kernel_only).
KVER= "$top/scripts/kver.sh" >"$root/ecsenc/default-kernel"
rm -rf "$root/ecsenc/tests/host"
find "$root/ecsenc/tests" -name node_modules -prune -exec rm -rf {} +

# --- modules ----------------------------------------------------------
moddir=$root/lib/modules/$kver
mkdir -p "$moddir/kernel" "$moddir/extra"

install_full_modules() {
	local d
	for d in crypto arch/x86/crypto drivers/md drivers/block drivers/virtio \
		lib fs/ext4 fs/jbd2 fs/xfs fs/9p net/9p fs/netfs fs/fscache; do
		[ -d "/lib/modules/$kver/kernel/$d" ] || continue
		mkdir -p "$moddir/kernel/$d"
		cp -r "/lib/modules/$kver/kernel/$d/." "$moddir/kernel/$d/"
	done
	cp /lib/modules/$kver/kernel/fs/mbcache.ko* "$moddir/kernel/fs/" 2>/dev/null || true
	if [ -n "$guestfwd" ]; then
		mkdir -p "$moddir/kernel/drivers/net" "$moddir/kernel/net/core"
		cp /lib/modules/$kver/kernel/drivers/net/{virtio_net,net_failover}.ko* \
			"$moddir/kernel/drivers/net/"
		cp /lib/modules/$kver/kernel/net/core/failover.ko* "$moddir/kernel/net/core/"
	fi
}

# --lean: the modules tests/vm/init loads (9p for --out), dm-ecsenc's
# dependencies, and whatever those need in turn, soft dependencies (ext4's
# crc32c) included, as the host's modprobe resolves them for $kver.
install_lean_modules() {
	local m ko
	for m in dm-mod dm-crypt brd loop aesni-intel xts ext4 virtio_pci \
		virtio_blk 9pnet_virtio 9p \
		$(modinfo -F depends "$module" | tr ',' ' '); do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" {print $2}' | sort -u | while read -r ko; do
		mkdir -p "$root$(dirname "$ko")"
		cp "$ko" "$root$ko"
	done
}

if [ "$lean" = 1 ]; then
	install_lean_modules
else
	install_full_modules
fi
cp /lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$moddir/" 2>/dev/null || true
ceph_qemu_args=()
[ "$ceph" = 1 ] && . "$top/tests/vm/ceph/payload.sh"
# Debian compresses 6.12's modules with xz, which busybox's modprobe may
# not read: the guest gets them decompressed (the Ceph payload's too).
find "$moddir" -name '*.ko.xz' -exec xz -d {} +
cp "$module" "$moddir/extra/"
depmod -b "$root" "$kver"

# --- what the guest runs ----------------------------------------------
# --lean: /init mounts the tools disk, found by its serial number, then
# hands over to the harness's init, which must find fio there.
write_lean_init() {
	cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# /init of a run-vm.sh --lean guest: fio lives on the read-only tools disk.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

fail() {
	echo "init-lean: $*"
	echo "ECSENC-VM-DONE setup-failed" >/dev/ttyS1
	reboot -f
}

for m in virtio_pci virtio_blk ext4; do
	modprobe "$m" || fail "modprobe $m failed"
done
disk=
for s in /sys/block/vd*/serial; do
	[ "$(cat "$s" 2>/dev/null)" = ecsenc-tools ] && disk=${s%/serial}
done
[ -n "$disk" ] || fail "no tools disk"
mount -t ext4 -o ro "/dev/${disk##*/}" /tools || fail "cannot mount the tools disk"
# The harness's init mounts these itself.
umount /dev /sys /proc
exec /init.harness
EOF
	chmod 0755 "$root/init"
}

# A read-only ext4 image of $tools: just big enough, no journal.
make_tools_disk() {
	local kib
	kib=$(du -sk "$tools" | cut -f1)
	truncate -s "$((kib + kib / 8 + 4096))K" "$work/tools.img"
	mke2fs -q -t ext4 -O ^has_journal -m 0 -L ecsenc-tools -d "$tools" \
		"$work/tools.img"
}

if [ "$lean" = 1 ]; then
	mkdir -p "$root/tools"
	install -m 0755 "$top/tests/vm/init" "$root/init.harness"
	write_lean_init
	make_tools_disk
else
	install -m 0755 "$top/tests/vm/init" "$root/init"
fi
{
	echo "ECSENC_MODE=$mode"
	echo "ECSENC_TARGET=/ecsenc/${target#"$top"/}"
	echo "ECSENC_FILTER='$filter'"
	echo "ECSENC_HAVE_OUT=$([ -n "$out" ] && echo 1 || echo 0)"
	echo "ECSENC_HAVE_DISK=$([ "$disk_mb" -gt 0 ] && echo 1 || echo 0)"
	echo "ECSENC_HAVE_NET=$([ -n "$guestfwd" ] && echo 1 || echo 0)"
} >"$root/etc/ecsenc-run.conf"

initrd=$work/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"

# --- boot -------------------------------------------------------------
if [ "$icount" = 1 ]; then
	accel=(-accel tcg -icount shift=0,sleep=off -smp 1)
else
	accel=(-accel tcg,thread=multi -smp "$smp")
fi
qemu_args=(
	"${accel[@]}" -cpu max -m "$mem"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init"
	-display none -no-reboot -monitor none
	-serial chardev:con -serial "file:$work/results.txt"
)
if [ "$disk_mb" -gt 0 ]; then
	rm -f "$work/disk.img"
	truncate -s "${disk_mb}M" "$work/disk.img"
	qemu_args+=(-drive "file=$work/disk.img,if=virtio,format=raw,cache=none,aio=threads")
fi
# The guest names virtio disks in PCI slot order, and qemu gives an
# if=virtio drive its slot after every -device: the tools disk takes the
# last slot, so that --disk's stays /dev/vda.
if [ "$lean" = 1 ]; then
	qemu_args+=(-drive "file=$work/tools.img,if=none,id=tools,format=raw,readonly=on"
		-device "virtio-blk-pci,drive=tools,serial=ecsenc-tools,addr=0x1f")
fi
qemu_args+=("${ceph_qemu_args[@]}")
# Only the forwarded ports: restrict=on routes nothing else to the host.
if [ -n "$guestfwd" ]; then
	qemu_args+=(-netdev "user,id=net0,restrict=on$guestfwd"
		-device virtio-net-pci,netdev=net0)
fi
if [ -n "$out" ]; then
	mkdir -p "$out"
	qemu_args+=(-virtfs "local,path=$(cd "$out" && pwd),mount_tag=out,security_model=none")
fi

: >"$work/results.txt"
# Runs may overlap: each writes its own console, kept at the end.
console_keep=${console:-$top/build/vm-console.log}
console=$work/console.log
if [ "$mode" = script ]; then	# show the script's output as it runs
	qemu_args+=(-chardev "stdio,id=con,signal=off,logfile=$console")
else
	qemu_args+=(-chardev "file,id=con,path=$console")
fi
set +e
timeout "$timeout_s" qemu-system-x86_64 "${qemu_args[@]}" </dev/null
qemu_rc=$?
set -e

rc=0
[ -e "$console" ] && cp "$console" "$console_keep"
. "$top/tests/vm/host-lib.sh"
guest_verdict run-vm "$work/results.txt" "$console" ECSENC-VM-DONE \
	"$qemu_rc" "$timeout_s" || rc=1
if [ "$mode" = script ] && ! grep -q '^RESULT .* PASS ' "$work/results.txt"; then
	rc=1
fi
exit $rc
