# SPDX-License-Identifier: GPL-2.0
#
# Helpers for tests that run inside the ecsenc test guest.  Source it:
#   . "$TESTLIB"
# A test exits 0 to pass, 77 to skip, anything else to fail.

set -euo pipefail

# The IEEE 1619 XTS-AES-256 test key (vectors 10 and 11).
IEEE_KEY=27182818284590452353602874713526624977572470936999595749669676273141592653589793238462643383279502884197169399375105820974944592

log() { echo "--- $*"; }

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

. "${BASH_SOURCE[0]%/*}/../lib/assert.sh"

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c is not in the guest"
	done
}

# For a test of what no kernel version changes (the agent's logic, long
# randomised runs): run it in the default kernel's suite only.
default_kernel_only() {
	local want
	want=$(cat /ecsenc/default-kernel 2>/dev/null || true)
	[ -z "$want" ] || [ "$(uname -r)" = "$want" ] ||
		skip "kernel-independent: runs in the suite of the default kernel, $want"
}


# --- cleanup: commands run in reverse order at exit --------------------
# Kept in a file, so that helpers called as $(...) can register them too.
_cleanup_file=$(mktemp /tmp/cleanup.XXXXXX)
on_exit() { printf '%s\n' "$*" >>"$_cleanup_file"; }
_run_cleanups() {
	local cmd
	while IFS= read -r cmd; do
		eval "$cmd" >/dev/null 2>&1 || true
	done < <(tac "$_cleanup_file")
	rm -f "$_cleanup_file"
}
trap _run_cleanups EXIT

# A 128-hex-digit random key.
random_hex_key() {
	od -An -tx1 -N64 /dev/urandom | tr -d ' \n'
}

# Write a hex key as 64 raw bytes to a file (for cryptsetup --key-file).
hex_to_file() {		# hex file
	echo -n "$1" | sed 's/../\\x&/g' | xargs -0 printf '%b' >"$2"
}

# A fresh zeroed loop device of SIZE_MB on tmpfs; prints its path.
make_loop() {		# size_mb [name]
	local name=${2:-disk$RANDOM} img dev
	img=/tmp/$name.img
	truncate -s "${1}M" "$img"
	dev=$(losetup -f --show "$img")
	on_exit "losetup -d $dev; rm -f $img"
	echo "$dev"
}

# Sectors of a block device.
dev_sectors() { blockdev --getsz "$1"; }

# dmsetup create with automatic removal at exit; prints /dev/mapper/NAME.
dm_create() {		# name table
	dmsetup create "$1" --table "$2"
	on_exit "dmsetup remove --retry $1"
	echo "/dev/mapper/$1"
}

# An ecsenc table line.
ecsenc_table() {	# len key iv_offset dev offset [opts...]
	local len=$1 key=$2 ivo=$3 dev=$4 off=$5
	shift 5
	local t="0 $len ecsenc aes-xts-plain64 $key $ivo $dev $off"
	[ $# -gt 0 ] && t="$t $# $*"
	echo "$t"
}

# Open the same bytes with dm-crypt plain mode; prints /dev/mapper/NAME.
crypt_open() {		# name dev keyfile [cryptsetup options...]
	local name=$1 dev=$2 kf=$3
	shift 3
	cryptsetup open --type plain -c aes-xts-plain64 -s 512 \
		--key-file "$kf" "$@" "$dev" "$name"
	on_exit "cryptsetup close $name"
	echo "/dev/mapper/$name"
}

sha_of() {		# file-or-device [bytes] [skip-bytes]
	if [ $# -ge 2 ]; then
		dd if="$1" bs=1M count="$2" skip="${3:-0}" status=none \
			iflag=direct,count_bytes,skip_bytes | sha256sum | cut -d' ' -f1
	else
		sha256sum "$1" | cut -d' ' -f1
	fi
}

# Deterministic pseudo-random bytes for data-integrity tests.
pattern_file() {	# file size_mb seed
	head -c $(($2 * 1024 * 1024)) /dev/zero |
		openssl enc -aes-128-ctr -nosalt -pass "pass:$3" -pbkdf2 \
			2>/dev/null >"$1"
}

# The kernel's name of a dm device (dm-N), for /sys/block.
dm_kname() {		# dm-name
	echo "dm-$(dmsetup info -c --noheadings -o minor "$1")"
}

# Run a command that must fail with EIO (an I/O error from below the
# target), not with any other error; its stderr is kept in $LAST_ERR.
must_eio() {
	must_fail "$@"
	case $LAST_ERR in
	*"Input/output error"*) ;;
	*) fail "expected EIO from: $*; got: $LAST_ERR" ;;
	esac
}

# Forget every cached page, so that the next buffered read goes to the device.
drop_page_cache() {
	echo 3 >/proc/sys/vm/drop_caches
}

# Map LOWER through dm-crypt, then through ecsenc, with one key and sector
# size, as $map (named TARGET-TAG), and run FN TARGET-TAG on each: dm-crypt
# over the same device is the anchor that a test's expectations of the
# layers below are checked against first.
crypt_then_ecsenc() {	# fn tag lower sectors ss
	local fn=$1 tag=$2 lower=$3 len=$4 ss=$5 table target opts=()
	[ "$ss" = 512 ] || opts=(sector_size:$ss)
	table=$(ecsenc_table "$len" "$(random_hex_key)" 0 "$lower" 0 "${opts[@]}")
	for target in crypt ecsenc; do
		map=$(dm_create "$target-$tag" "${table/ ecsenc / $target }")
		"$fn" "$target-$tag"
		dmsetup remove "$target-$tag"
	done
}

# fio writes [offset, offset + bytes) of a device with crc32c headers and
# reads it back; again with --verify_only, it checks the same data later.
fio_verify_range() {	# dev name offset-bytes bytes min-bs [fio options...]
	local dev=$1 name=$2 off=$3 bytes=$4 bs=$5
	shift 5
	fio --name="$name" --filename="$dev" --direct=1 --rw=randwrite \
		--bsrange="$bs-128k" --ioengine=libaio --iodepth=8 \
		--offset="$off" --size="$bytes" --randseed=6 \
		--verify=crc32c --verify_fatal=1 "$@" \
		--output=/tmp/fio-$name.txt || { cat /tmp/fio-$name.txt; fail "fio $name $*"; }
	grep -q "err= 0" /tmp/fio-$name.txt ||
		{ cat /tmp/fio-$name.txt; fail "fio $name $* reported errors"; }
}
