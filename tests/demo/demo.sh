#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs inside the test guest.  Part 1 shows the kernel target on
# its own (dmsetup, a keyring key, ext4, ciphertext on the backing device,
# dm-crypt reading the same bytes); part 2 is the whole disk lifecycle with
# the KMS emulator, the agent and ecsenc-ctl (tests/demo/lifecycle.sh);
# part 3 is two hosts sharing a Ceph RBD pool (tests/demo/two-hosts.sh).
. "${TESTLIB:-/ecsenc/tests/vm/lib.sh}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

say "Part 1: the dm-ecsenc target"
echo "kernel $(uname -r); $(grep -c '^dm_ecsenc ' /proc/modules) ecsenc module loaded"

say "A 64 MiB backing disk and a random 512-bit data key, put in the kernel keyring as a logon key"
back=$(make_loop 64 demo-backing)
echo "backing device: $back"
key=$(random_hex_key)
hex_to_file "$key" /tmp/demo.key
keyctl link @u @s
run keyctl padd logon ecsenc:demo @u </tmp/demo.key
echo "(a logon key: the kernel can use it, userspace cannot read it back)"

say "Map it with the ecsenc target; the table names the key, never its bytes"
len=$(dev_sectors "$back")
table="0 $len ecsenc aes-xts-plain64 :64:logon:ecsenc:demo 0 $back 0 1 sector_size:4096"
run dmsetup create demo --table "$table"
on_exit "dmsetup remove demo"
run keyctl unlink %logon:ecsenc:demo @u
echo "(the target keeps its own copy: the keyring key can go as soon as the table is loaded)"
run dmsetup table demo
run dmsetup status demo
echo "(status: key loaded, the kernel's AES-XTS implementation, bounce pages now/peak)"

say "Write a filesystem and a file through it"
mkdir -p /mnt/demo
run mkfs.ext4 -q /dev/mapper/demo
run mount /dev/mapper/demo /mnt/demo
marker="Hello from an encrypted disk ($RANDOM$RANDOM)"
for _ in $(seq 1000); do echo "$marker"; done >/mnt/demo/hello.txt
run sha256sum /mnt/demo/hello.txt
run umount /mnt/demo
run dmsetup remove demo

say "The backing device holds only ciphertext"
printf 'lines with the text on the backing device: '
grep -c "$marker" /tmp/demo-backing.img || true
echo "the ext4 superblock (byte 1024) as stored on the backing device:"
dd if="$back" bs=16 skip=64 count=2 status=none | od -An -tx1

say "dm-crypt (cryptsetup plain aes-xts-plain64) reads the same plaintext"
run cryptsetup open --type plain -c aes-xts-plain64 -s 512 --sector-size 4096 \
	--key-file /tmp/demo.key "$back" demo-crypt
run mount /dev/mapper/demo-crypt /mnt/demo
run head -n 1 /mnt/demo/hello.txt
run sha256sum /mnt/demo/hello.txt
run umount /mnt/demo
run cryptsetup close demo-crypt

here=$(dirname "$(readlink -f "$0")")
if [ -x "$here/lifecycle.sh" ] && [ -x /ecsenc/bin/kms-agent ]; then
	say "Part 2: encrypted disks with a KMS, the agent and ecsenc-ctl"
	bash "$here/lifecycle.sh"
fi
if [ -x "$here/two-hosts.sh" ]; then
	say "Part 3: two hosts share a Ceph RBD pool"
	bash "$here/two-hosts.sh"
fi
