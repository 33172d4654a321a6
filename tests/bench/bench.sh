#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ecsenc against dm-crypt, side by side, in one VM boot (run by `make bench`
# through tests/vm/run-vm.sh; the host turns the raw results into a report
# with tests/bench/report.sh).
#
# On each backing device (a brd ramdisk; /dev/vda too when the VM has a
# --disk; rbd, an image of the guest's one-node Ceph cluster mapped by host
# B's kernel rbd client, see tests/bench/bench-rbd.sh) and at each sector size, four (or more) mappings of the same bytes
# with the same key exist at once:
#   raw          the backing device itself
#   dmcrypt      dm-crypt, default (kcryptd and write thread)
#   dmcrypt-nowq dm-crypt with no_read_workqueue no_write_workqueue
#   dmcrypt-hp   dm-crypt with high_priority (where the kernel has it, 6.10+)
#   ecsenc       dm-ecsenc
#   ecsenc-inline the same ecsenc device with share_small=0: every small
#                bio done by the CPU that submitted it or completed it
#   linear       dm-linear: what any device-mapper device costs
#   ecsenc-null, dmcrypt-null (when the table is accepted):
#                capi:ecb(cipher_null)-plain64, what the target costs
#                without the crypto
# and every workload runs on each of them in turn (A B C D, D C B A, ...)
# for BENCH_ROUNDS rounds (BENCH_VDA_ROUNDS on the virtio disk, whose
# latency under TCG wanders by tens of microseconds from round to round);
# the host reports medians.
#
# Results (one line per fio run) go to $OUT/raw/results.tsv:
#   backing ss config workload round iops bw_kib lat_us p99_us cpu_s bytes
# cpu_s is the busy CPU time of the whole guest (all vCPUs, /proc/stat)
# during the run, so kworkers are counted too.
#
# Knobs (environment): BENCH_RUNTIME (s per run), BENCH_ROUNDS, BENCH_VDA_ROUNDS,
# BENCH_WORKLOADS, BENCH_SIZES, BENCH_BACKINGS, BENCH_NULL (0 to skip the
# null-cipher mappings), BENCH_NULL_BACKINGS (where they run), BENCH_MB
# (bytes of each backing device used), BENCH_VDA_WORKLOADS,
# BENCH_NULL_WORKLOADS, BENCH_INLINE_WORKLOADS (where ecsenc-inline runs;
# "" for nowhere).  The host passes them in $OUT/bench.env (make bench
# writes the BENCH_* variables of its environment there), so that one
# section can be run alone:
#   make bench BENCH_BACKINGS=brd BENCH_WORKLOADS="rr4k-qd32 rw4k-qd32"

. "$TESTLIB"
set -u

if grep -q " /out " /proc/mounts; then
	OUT=/out
else
	OUT=/tmp/bench-out
fi
# shellcheck disable=SC1091
[ -r "$OUT/bench.env" ] && . "$OUT/bench.env"

RUNTIME=${BENCH_RUNTIME:-3}
ROUNDS=${BENCH_ROUNDS:-3}
VDA_ROUNDS=${BENCH_VDA_ROUNDS:-5}
WORKLOADS=${BENCH_WORKLOADS:-"rr4k-qd1 rw4k-qd1 rr4k-qd32 rw4k-qd32 sr1m sw1m rrw4k-2j"}
SIZES=${BENCH_SIZES:-"512 4096"}
BACKINGS=${BENCH_BACKINGS:-"brd vda"}
NULL=${BENCH_NULL:-1}
NULL_BACKINGS=${BENCH_NULL_BACKINGS:-"brd vda"}
MB=${BENCH_MB:-256}
# Workloads that also run on the slower virtio disk, and on the null mappings.
VDA_WORKLOADS=${BENCH_VDA_WORKLOADS:-"rr4k-qd1 rw4k-qd1 rr4k-qd32 rw4k-qd32 sr1m sw1m rrw4k-2j"}
NULL_WORKLOADS=${BENCH_NULL_WORKLOADS:-"rr4k-qd1 rw4k-qd1 sr1m sw1m"}
INLINE_WORKLOADS=${BENCH_INLINE_WORKLOADS-"rr4k-qd1 rw4k-qd1 rr4k-qd32 rw4k-qd32 rrw4k-2j"}
SHARE=/sys/module/dm_ecsenc/parameters/share_small

RAW=$OUT/raw
mkdir -p "$RAW"
RES=$RAW/results.tsv
echo -e "backing\tss\tconfig\tworkload\tround\tiops\tbw_kib\tlat_us\tp99_us\tcpu_s\tbytes" >"$RES"
: >"$RAW/crypto.tsv"
META=$RAW/meta.txt
: >"$META"
meta() { echo "$*" | tee -a "$META"; }

t_start=$(date +%s)
meta "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta "kernel: $(uname -r)"
meta "cpus: $(nproc)"
meta "mem_kib: $(awk '/MemTotal/ {print $2}' /proc/meminfo)"
meta "fio: $(fio --version)"
meta "runtime_s: $RUNTIME"
meta "rounds: $ROUNDS (virtio disk: $VDA_ROUNDS)"
meta "loadavg before (the host is shared; this is the guest's): $(cat /proc/loadavg)"
meta "dm-ecsenc.ko md5: $(md5sum /lib/modules/*/extra/dm-ecsenc.ko | cut -d" " -f1)"

# --- workloads --------------------------------------------------------
# shellcheck source=tests/bench/workloads.sh
. "${BASH_SOURCE[0]%/*}/workloads.sh"

cpu_busy() {		# busy jiffies of all CPUs
	awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

run_fio() {		# backing ss config workload round dev
	local b=$1 ss=$2 cfg=$3 wl=$4 r=$5 dev=$6 c0 c1 json line
	json=/tmp/fio.json
	c0=$(cpu_busy)
	# shellcheck disable=SC2046
	fio --name=b --filename="$dev" --direct=1 $(bench_fio_args "$wl") \
		--group_reporting --time_based --runtime="$RUNTIME" \
		--size="${MB}M" --randrepeat=0 --norandommap \
		--output-format=json >"$json" 2>/tmp/fio.err ||
		{ cat /tmp/fio.err; fail "fio $wl on $cfg ($dev)"; }
	c1=$(cpu_busy)
	line=$(jq -r --arg cpu "$(((c1 - c0)))" '
		.jobs[0] as $j
		| ($j.read.iops + $j.write.iops) as $iops
		| [ $iops,
		    ($j.read.bw + $j.write.bw),
		    (if $iops > 0 then
		       ($j.read.lat_ns.mean * $j.read.iops +
		        $j.write.lat_ns.mean * $j.write.iops) / $iops / 1000
		     else 0 end),
		    ([ ($j.read.clat_ns.percentile["99.000000"] // 0),
		       ($j.write.clat_ns.percentile["99.000000"] // 0) ] | max / 1000),
		    (($cpu | tonumber) / 100),
		    ($j.read.io_bytes + $j.write.io_bytes) ]
		| map(tostring) | join("\t")' "$json")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$b" "$ss" "$cfg" "$wl" "$r" "$line" >>"$RES"
	printf '  %-4s %4s %-13s %-9s r%s  %s\n' "$b" "$ss" "$cfg" "$wl" "$r" \
		"$(echo "$line" | awk -F'\t' '{printf "%9.0f IOPS %8.0f KiB/s %8.1f us %6.2f cpu-s", $1, $2, $3, $5}')"
}

# --- crypto limit -----------------------------------------------------
modprobe af_alg 2>/dev/null || true
modprobe algif_skcipher 2>/dev/null || true
# The kernel's own xts(aes): cryptsetup benchmark (AF_ALG, 512-byte units)
# and xts-speed (AF_ALG, one request per 512 B / 4 KiB / 64 KiB unit),
# measured at the start of every round, between the device runs.
# Lines of crypto.tsv: when tool unit enc_mib_s dec_mib_s enc_us dec_us
crypto_limit() {	# tag
	local line
	line=$(cryptsetup benchmark -c aes-xts-plain64 -s 512 2>&1 |
		grep -E '^ *aes-xts') || true
	if [ -n "$line" ]; then
		# "    aes-xts        512b        60.9 MiB/s        62.5 MiB/s"
		echo "$line" | awk -v tag="$1" '{printf "%s\tcryptsetup\t512\t%s\t%s\t%.2f\t%.2f\n",
			tag, $3, $5, 512 / ($3 * 1.048576), 512 / ($5 * 1.048576)}' >>"$RAW/crypto.tsv"
		log "crypto limit ($1) cryptsetup benchmark: $line"
	else
		log "cryptsetup benchmark failed"
	fi
	if command -v xts-speed >/dev/null; then
		xts-speed 1 512 4096 65536 | while read -r u e d eu du; do
			printf '%s\txts-speed\t%s\t%s\t%s\t%s\t%s\n' "$1" "$u" "$e" "$d" "$eu" "$du"
		done | tee -a "$RAW/crypto.tsv"
	else
		log "no xts-speed in the guest (tests/vm/extra-files)"
	fi
	fpu_cost "$1"
	kernel_limit "$1"
}

# What a system call that runs the cipher on its own CPU pays on top of
# it: saving the caller's FPU registers and restoring them (fpu-cost; the
# unit is the size of the state, "enc" the save, "dec" the restore).
fpu_cost() {		# tag
	command -v fpu-cost >/dev/null ||
		{ log "no fpu-cost in the guest (tests/vm/extra-files)"; return 0; }
	fpu-cost | while read -r u e d eu du; do
		printf '%s\tfpu-1cpu\t%s\t%s\t%s\t%s\t%s\n' "$1" "$u" "$e" "$d" "$eu" "$du"
	done | tee -a "$RAW/crypto.tsv"
}

# The same transform without system calls: ecsenc_xts_speed.ko prints one
# line per case, then refuses to stay loaded.  Tools: kernel-1cpu, the
# per-CPU limit, and kernel-<n>cpu, every CPU at once, both in place, as
# a read is decrypted; kernel-1cpu-copy, encryption out of place, as a
# write's into its bounce pages; null-1cpu, the null cipher on one CPU
# ("enc" out of place, "dec" in place); memcpy-1cpu, a bare 4 KiB
# memcpy().  A tool with one figure has it in both columns.
kernel_limit() {	# tag
	local ko=/ecsenc/bin/ecsenc_xts_speed.ko
	[ -e "$ko" ] || { log "no ecsenc_xts_speed.ko in the guest"; return 0; }
	dmesg -c >/dev/null
	insmod "$ko" msecs=1000 2>/dev/null || true	# -EAGAIN by design
	dmesg | sed -n -e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus \([0-9]*\) unit \([0-9]*\) enc \([0-9.]*\) dec \([0-9.]*\)$/kernel-\2cpu \3 \4 \5/p' \
		-e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus \([0-9]*\) unit \([0-9]*\) copy \([0-9.]*\) inplace \([0-9.]*\)$/null-\2cpu \3 \4 \5/p' \
		-e 's/.*ecsenc_xts_speed: \([^ ]*\) cpus 1 unit \([0-9]*\) enc-copy \([0-9.]*\)$/kernel-1cpu-copy \2 \3 \3/p' \
		-e 's/.*ecsenc_xts_speed: memcpy cpus \([0-9]*\) unit \([0-9]*\) copy \([0-9.]*\)$/memcpy-\1cpu \2 \3 \3/p' |
		while read -r tool u e d; do
			awk -v t="$1" -v tool="$tool" -v u="$u" -v e="$e" -v d="$d" 'BEGIN {
				printf "%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\n", t, tool, u, e, d,
					u / (e * 1.048576), u / (d * 1.048576) }'
		done | tee -a "$RAW/crypto.tsv"
}
echo -e "when\ttool\tunit\tenc_mib_s\tdec_mib_s\tenc_us\tdec_us" >"$RAW/crypto.tsv"


grep -A4 '^name *: xts(aes)' /proc/crypto | grep -E 'driver|priority' >>"$META" || true
# Whether memcpy() is "rep movsb" depends on these: on 6.1 it is where
# the CPU has ERMS, on 6.12 only where it has FSRM, and the null
# cipher's copy is a memcpy().
printf 'cpu copy flags: %s\n' \
	"$(grep -m1 -o -w -E 'erms|fsrm' /proc/cpuinfo | tr '\n' ' ')" >>"$META"

# --- mappings ---------------------------------------------------------
KEY=$(random_hex_key)

make_maps() {		# backing dev ss -> sets CONFIGS, DEVS[]
	local b=$1 dev=$2 ss=$3 len ssopt=() t
	len=$(blockdev --getsz "$dev")
	[ "$ss" = 512 ] || ssopt=("sector_size:$ss")
	CONFIGS="raw"
	DEVS[raw]=$dev

	t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0"
	[ ${#ssopt[@]} = 0 ] || t="$t 1 ${ssopt[*]}"
	dmsetup create "bc-$b" --table "$t"
	DEVS[dmcrypt]=/dev/mapper/bc-$b
	CONFIGS="$CONFIGS dmcrypt"

	t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0 $((2 + ${#ssopt[@]})) no_read_workqueue no_write_workqueue ${ssopt[*]}"
	dmsetup create "bn-$b" --table "$t"
	DEVS[dmcrypt-nowq]=/dev/mapper/bn-$b
	CONFIGS="$CONFIGS dmcrypt-nowq"

	# dm-crypt's own answer to its queueing latency, since 6.10.
	t="0 $len crypt aes-xts-plain64 $KEY 0 $dev 0 $((1 + ${#ssopt[@]})) high_priority ${ssopt[*]}"
	if dmsetup create "bh-$b" --table "$t" 2>/tmp/hp.err; then
		DEVS[dmcrypt-hp]=/dev/mapper/bh-$b
		CONFIGS="$CONFIGS dmcrypt-hp"
	else
		dmsetup remove "bh-$b" 2>/dev/null || true
		meta "dmcrypt-hp: refused: $(tr '\n' ' ' </tmp/hp.err)"
	fi

	dmsetup create "be-$b" --table "$(ecsenc_table "$len" "$KEY" 0 "$dev" 0 "${ssopt[@]}")"
	DEVS[ecsenc]=/dev/mapper/be-$b
	CONFIGS="$CONFIGS ecsenc"
	if [ -w "$SHARE" ] && [ -n "$INLINE_WORKLOADS" ]; then
		DEVS[ecsenc-inline]=/dev/mapper/be-$b
		CONFIGS="$CONFIGS ecsenc-inline"
	fi

	if [ "$NULL" = 1 ] && in_list "$b" "$NULL_BACKINGS"; then
		# What being a device-mapper device costs at all.
		dmsetup create "bl-$b" --table "0 $len linear $dev 0"
		DEVS[linear]=/dev/mapper/bl-$b
		CONFIGS="$CONFIGS linear"
		# Test-only: the target refuses the null cipher unless told.
		echo 1 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers 2>/dev/null || true
		# The test-only null cipher, with an empty key ("-", as dm-crypt
		# spells it) or else with the real key.
		ok=0
		for k in - "$KEY"; do
			t="0 $len ecsenc capi:ecb(cipher_null)-plain64 $k 0 $dev 0"
			[ ${#ssopt[@]} = 0 ] || t="$t 1 ${ssopt[*]}"
			if dmsetup create "bz-$b" --table "$t" 2>/tmp/null.err; then
				ok=1
				break
			fi
			dmsetup remove "bz-$b" 2>/dev/null || true
		done
		if [ $ok = 1 ]; then
			DEVS[ecsenc-null]=/dev/mapper/bz-$b
			CONFIGS="$CONFIGS ecsenc-null"
		else
			meta "ecsenc-null: refused: $(tr '\n' ' ' </tmp/null.err)"
		fi
		t="0 $len crypt capi:ecb(cipher_null)-plain64 - 0 $dev 0 $((2 + ${#ssopt[@]})) no_read_workqueue no_write_workqueue ${ssopt[*]}"
		if dmsetup create "by-$b" --table "$t" 2>/tmp/null.err; then
			DEVS[dmcrypt-null]=/dev/mapper/by-$b
			CONFIGS="$CONFIGS dmcrypt-null"
		else
			dmsetup remove "by-$b" 2>/dev/null || true
			meta "dmcrypt-null: refused: $(tr '\n' ' ' </tmp/null.err)"
		fi
	fi
	dmsetup mknodes >/dev/null 2>&1 || true
}

remove_maps() {		# backing
	local b=$1 n
	for n in bc bh be bn bz by bl; do
		dmsetup remove --retry "$n-$b" 2>/dev/null || true
	done
}

in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

declare -A DEVS
for b in $BACKINGS; do
	case $b in
	brd)
		rmmod brd 2>/dev/null || true
		modprobe brd rd_nr=1 rd_size=$((MB * 1024)) || fail "brd"
		dev=/dev/ram0
		wls=$WORKLOADS
		;;
	vda)
		if [ ! -b /dev/vda ]; then
			log "no /dev/vda (run-vm.sh --disk): skipping the virtio disk"
			continue
		fi
		dev=/dev/vda
		wls=""
		for wl in $WORKLOADS; do
			in_list "$wl" "$VDA_WORKLOADS" && wls="$wls $wl"
		done
		;;
	rbd)	# across the veth pair from host B to the storage on host A
		. /ecsenc/tests/vm/ceph-lib.sh
		ceph_start
		rbd_create bench "$MB" layering
		dev=$(rbd_map b bench)
		meta "rbd: $RBD_POOL/bench, $MB MiB, layering, mapped by host B as $dev"
		wls=$WORKLOADS
		;;
	*) fail "unknown backing $b" ;;
	esac
	# Every block allocated, so that reads read something.
	dd if=/dev/zero of="$dev" bs=1M count="$MB" oflag=direct status=none ||
		fail "prefill $dev"
	for ss in $SIZES; do
		make_maps "$b" "$dev" "$ss"
		meta "set $b ss=$ss configs: $CONFIGS"
		dmsetup status "be-$b" | sed "s/^/status $b $ss before: /" >>"$META"
		rounds=$ROUNDS
		[ "$b" = vda ] && rounds=$VDA_ROUNDS
		for r in $(seq 1 "$rounds"); do
			log "$b ss=$ss round $r/$rounds ($(($(date +%s) - t_start)) s so far)"
			crypto_limit "$b-$ss-r$r"
			# Odd rounds run the mappings in one order, even rounds in
			# the other, so that what one run leaves behind (warm pages,
			# a busy kworker) does not always favour the same mapping.
			order=$CONFIGS
			[ $((r % 2)) = 1 ] || order=$(echo "$CONFIGS" | tr ' ' '\n' | tac | tr '\n' ' ')
			for wl in $wls; do
				for cfg in $order; do
					case $cfg in
					*-null | linear) in_list "$wl" "$NULL_WORKLOADS" || continue ;;
					ecsenc-inline) in_list "$wl" "$INLINE_WORKLOADS" || continue
						echo 0 >"$SHARE" ;;
					esac
					run_fio "$b" "$ss" "$cfg" "$wl" "$r" "${DEVS[$cfg]}"
					[ "$cfg" != ecsenc-inline ] || echo 1 >"$SHARE"
				done
			done
		done
		dmsetup status "be-$b" | sed "s/^/status $b $ss after: /" | tee -a "$META"
		remove_maps "$b"
		echo 0 >/sys/module/dm_ecsenc/parameters/allow_test_ciphers 2>/dev/null || true
	done
done

dmesg | grep -iE 'ecsenc|crypt' | tail -n 20 | sed 's/^/dmesg: /' >>"$META" || true
meta "loadavg after: $(cat /proc/loadavg)"
meta "elapsed_s: $(($(date +%s) - t_start))"
log "done in $(($(date +%s) - t_start)) s; raw results in $RAW"
