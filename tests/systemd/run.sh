#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ecsenc under systemd, for real: boot a Debian 12 root filesystem
# (debootstrap, cached: make-rootfs.sh) with systemd as PID 1 and udev, on
# Debian's kernel (scripts/kver.sh; KVER=), with the packages from make
# deb installed and the module built for that kernel.  In the guest
# (guest-test.sh, run by a unit after multi-user.target): the KMS
# emulator and the agent run from their units; an encrypted disk is made,
# attached, formatted and listed in fstab; the guest reboots; after the
# reboot the agent has attached the disk at boot and systemd has mounted
# it after the agent.
#
#   tests/systemd/run.sh [--console FILE] [--timeout SECS]
#
# Prints one "RESULT <name> <PASS|FAIL> <seconds>" line per boot; exits
# non-zero when one failed, the guest did not finish, or the kernel
# complained.
#
# The module is the one make built for the kernel, installed under
# /lib/modules/<release>/updates, not built by DKMS in the guest: under
# TCG that build would take minutes and need gcc and the headers in the
# guest.  DKMS itself is tested on the host (tests/host/packaging).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
console="" timeout_s=1200
while [ $# -gt 0 ]; do
	case "$1" in
	--console) console=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	*) sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done

kver=$("$top/scripts/kver.sh")
kernel=/boot/vmlinuz-$kver
initrd=/boot/initrd.img-$kver
module=$top/build/kernel/$kver/dm-ecsenc/dm-ecsenc.ko
for f in "$kernel" "$initrd" "$module"; do
	[ -r "$f" ] || { echo "systemd-test: no $f (make module deb; KVER=$kver)" >&2; exit 1; }
done
debs=("$top"/build/deb/ecsenc_*.deb "$top"/build/deb/ecsenc-kms-emulator_*.deb)
for f in "${debs[@]}"; do
	[ -r "$f" ] || { echo "systemd-test: no $f (make deb)" >&2; exit 1; }
done

base=$("$top/tests/systemd/make-rootfs.sh")
mkdir -p "$top/build"
work=$(mktemp -d "$top/build/systemd.XXXXXX")
[ -n "${ECSENC_VM_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
root=$work/root
cp -a "$base" "$root"

# --- the system under test --------------------------------------------
cp "${debs[@]}" "$root/tmp/"
chroot "$root" sh -c 'dpkg -i /tmp/*.deb' >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; echo "systemd-test: the packages do not install" >&2; exit 1; }
rm -f "$root"/tmp/*.deb

# Debian's modules for the kernel, and dm-ecsenc where modprobe prefers it.
mkdir -p "$root/lib/modules"
cp -a "/lib/modules/$kver" "$root/lib/modules/"
rm -f "$root/lib/modules/$kver/build" "$root/lib/modules/$kver/source"
install -D -m 0644 "$module" "$root/lib/modules/$kver/updates/dm-ecsenc.ko"
depmod -b "$root" "$kver"

echo ecsenc-systemd >"$root/etc/hostname"
echo "127.0.0.1 localhost ecsenc-systemd" >"$root/etc/hosts"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"

# One access key, random per run, shared by the emulator and the agent.
install -d -m 0700 "$root/etc/ecsenc"
(umask 077
 printf 'AK%s %s\n' "$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')" \
	"$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >"$root/etc/ecsenc/credentials")
install -m 0600 "$root/etc/ecsenc/credentials" "$root/etc/ecsenc/kms-emulator.credentials"
printf 'KMS_ENDPOINT=http://127.0.0.1:8080\nKMS_AGENT_OPTS=--regions cn-shanghai --instance-id ecsenc-systemd\n' \
	>"$root/etc/ecsenc/agent.env"

install -D -m 0755 "$top/tests/systemd/guest-test.sh" "$root/usr/local/sbin/ecsenc-systemd-test"
cat >"$root/etc/systemd/system/ecsenc-systemd-test.service" <<'UNIT'
[Unit]
Description=ecsenc under systemd: the test, once the system is up
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ecsenc-systemd-test
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
ln -s ../ecsenc-systemd-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/ecsenc-systemd-test.service"

kib=$(du -sk "$root" | cut -f1)
truncate -s "$((kib / 1024 + 768))M" "$work/root.img"
mke2fs -q -t ext4 -L ecsenc-root -d "$root" "$work/root.img"
rm -rf "$root"

# --- boot (and reboot: no -no-reboot) ---------------------------------
# One vCPU: on a loaded host, two TCG vCPUs wait on each other (IPIs, TLB
# shootdowns) long enough for the soft-lockup and RCU-stall detectors to
# fire in udev's coldplug.  The VM suite covers the target on two CPUs.
: >"$work/results.txt"
console_keep=${console:-$top/build/systemd-console.log}
t0=$(date +%s)
set +e
timeout "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
	-smp 1 -m 1024 -kernel "$kernel" -initrd "$initrd" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 loglevel=4 net.ifnames=0" \
	-drive "file=$work/root.img,if=virtio,format=raw,cache=unsafe" \
	-display none -monitor none -nic none \
	-chardev "file,id=con,path=$work/console.log" -serial chardev:con \
	-serial "file:$work/results.txt" </dev/null
qemu_rc=$?
set -e
cp "$work/console.log" "$console_keep"

rc=0
. "$top/tests/vm/host-lib.sh"
guest_verdict systemd-test "$work/results.txt" "$work/console.log" \
	ECSENC-SYSTEMD-DONE "$qemu_rc" "$timeout_s" || rc=1
# Both boots passed.
[ "$(grep -c '^RESULT .* PASS ' "$work/results.txt")" -eq 2 ] || rc=1
echo "systemd-test: $kver, $(($(date +%s) - t0))s in the guest"
exit $rc
