#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Many devices on one guest (`make bench-scale`): SCALE_N (default 256)
# mappings of SCALE_MB MiB each (default 1), side by side on one brd
# ramdisk, first with dm-crypt (the same table: aes-xts-plain64, hex key),
# then with ecsenc.  For each target:
#   - memory per idle device: /proc/meminfo deltas (MemFree, Slab,
#     SUnreclaim, Percpu, KernelStack) over creating them all, divided by N
#     (page cache dropped before each reading);
#   - the time to create all N (one dmsetup create each, as a host's agent
#     would) and to remove them;
#   - I/O on all of them at once: one fio thread per device (4 KiB to
#     64 KiB random writes, libaio QD4), SCALE_RUNTIME seconds
#     (default 20); MemFree and the bounce pages of every ecsenc device
#     (dmsetup status) sampled each second: the sum must stay within the
#     reserves (256 pages a device) plus the cap all devices share beyond
#     them (1/8 of RAM) plus one maximal write per device.
# Writes $OUT/scale.txt (the report) and $OUT/raw/scale-*.txt.

. "$TESTLIB"
set -u

N=${SCALE_N:-256}
MB=${SCALE_MB:-1}
RUNTIME=${SCALE_RUNTIME:-20}
if grep -q " /out " /proc/mounts; then OUT=/out; else OUT=/tmp/scale-out; fi
# shellcheck disable=SC1091
[ -r "$OUT/bench.env" ] && . "$OUT/bench.env"
N=${SCALE_N:-$N} MB=${SCALE_MB:-$MB} RUNTIME=${SCALE_RUNTIME:-$RUNTIME}
mkdir -p "$OUT/raw"
rep=$OUT/scale.txt
: >"$rep"
say() { echo "$*" | tee -a "$rep"; }

rmmod brd 2>/dev/null || true
modprobe brd rd_nr=1 rd_size=$((N * MB * 1024)) || fail "brd"
dev=/dev/ram0
key=$(random_hex_key)
len=$((MB * 2048))
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)

say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "kernel: $(uname -r)"
say "cpus: $(nproc)"
say "guest MemTotal: $mem_kib KiB"
say "dm-ecsenc.ko md5: $(md5sum /lib/modules/*/extra/dm-ecsenc.ko | cut -d" " -f1)"
say "loadavg before (the guest's; the host is shared): $(cat /proc/loadavg)"
say "devices: $N x $MB MiB on $dev"

fields="MemFree Slab SUnreclaim Percpu KernelStack"
meminfo() {		# -> "MemFree Slab SUnreclaim Percpu KernelStack" in KiB
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	awk -v f="$fields" 'BEGIN { n = split(f, k, " ") }
		{ sub(":", "", $1); v[$1] = $2 }
		END { for (i = 1; i <= n; i++) printf "%s%s", v[k[i]], (i < n ? " " : "\n") }' /proc/meminfo
}

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

table() {		# target i
	local off=$(($2 * len))
	case $1 in
	crypt) echo "0 $len crypt aes-xts-plain64 $key 0 $dev $off" ;;
	ecsenc) ecsenc_table "$len" "$key" 0 "$dev" "$off" ;;
	esac
}

bounce_sum() {		# now-sum peak-sum of every ecsenc device
	dmsetup status --target ecsenc 2>/dev/null |
		awk '{ n += $7; p += $8 } END { printf "%d %d\n", n, p }'
}

# Wait until the dm devices' nodes exist (no udev here).
nodes() {
	dmsetup mknodes >/dev/null 2>&1 || true
}

declare -A per_dev create_ms remove_ms
for target in crypt ecsenc; do
	log "$target: creating $N devices"
	before=$(meminfo)
	t0=$(ms)
	for i in $(seq 0 $((N - 1))); do
		dmsetup create "sc$i" --table "$(table "$target" "$i")" ||
			fail "$target: create sc$i"
	done
	t1=$(ms)
	create_ms[$target]=$((t1 - t0))
	after=$(meminfo)
	per_dev[$target]=$(echo "$before" "$after" | awk -v n="$N" '{
		printf "%.1f %.1f %.1f %.1f %.1f", ($1 - $6) / n, ($7 - $2) / n,
			($8 - $3) / n, ($9 - $4) / n, ($10 - $5) / n }')
	say "$target: created $N in ${create_ms[$target]} ms; per idle device, KiB: MemFree drop, Slab, SUnreclaim, Percpu, KernelStack = ${per_dev[$target]}"

	if [ "$target" = ecsenc ]; then
		nodes
		# One fio job (a thread) per device: one job over all of them
		# spends minutes setting its files up.
		jobs=()
		while read -r name minor; do
			jobs+=(--name="$name" --filename="/dev/dm-$minor")
		done < <(dmsetup info -c --noheadings -o name,minor --separator " " |
			awk '$1 ~ /^sc[0-9]+$/')
		pages=$((mem_kib / 4))
		reserve=$((N * 256))
		shared=$((pages / 8))
		bound=$((reserve + shared + N * 256))
		say "$target: bounce bound: reserves $reserve + shared cap $shared + one 1 MiB write per device $((N * 256)) = $bound pages"
		say "$target: bounce pages before I/O (now, peak sums): $(bounce_sum)"
		(
			while sleep 1; do
				echo "$(bounce_sum) $(awk '/MemFree/ {print $2}' /proc/meminfo)"
			done
		) >"$OUT/raw/scale-samples.txt" 2>/dev/null &
		sampler=$!
		(
			while sleep 10; do
				log "$(date +%T) bounce now/peak and MemFree: $(tail -n 1 "$OUT/raw/scale-samples.txt")"
			done
		) &
		ticker=$!
		echo 60 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null || true
		dmesg -c >/dev/null
		t2=$(ms)
		set +e
		timeout $((RUNTIME * 3 + 600)) fio --thread --group_reporting \
			--rw=randwrite --bsrange=4k-64k --direct=1 --ioengine=libaio \
			--iodepth=4 --time_based --runtime="$RUNTIME" --randrepeat=0 \
			--norandommap --invalidate=0 --eta=never \
			--output=/tmp/scale-fio.txt "${jobs[@]}"
		rc=$?
		set -e
		t3=$(ms)
		kill "$sampler" "$ticker" 2>/dev/null || true
		wait "$sampler" 2>/dev/null || true
		cp /tmp/scale-fio.txt "$OUT/raw/scale-fio.txt"
		grep -E 'WRITE:|IOPS' /tmp/scale-fio.txt | sed 's/^ */  fio: /' | tee -a "$rep"
		most=$(awk '{print $1}' "$OUT/raw/scale-samples.txt" | sort -n | tail -n 1)
		low=$(awk '{print $3}' "$OUT/raw/scale-samples.txt" | sort -n | head -n 1)
		peaks=$(bounce_sum | cut -d" " -f2)
		say "$target: I/O on all $N at once, $RUNTIME s of fio ($(((t3 - t2) / 1000)) s with its set-up): fio exit $rc; most bounce pages held at a 1 s sample: ${most:-?}; sum of per-device peaks: $peaks; lowest MemFree: ${low:-?} KiB"
		bad=$(dmesg | grep -Ec 'Out of memory|oom-kill|blocked for more than|page allocation failure' || true)
		[ "$rc" = 0 ] || fail "fio over $N devices failed (exit $rc)"
		[ "$bad" = 0 ] || fail "the kernel reported OOM, a hung task or an allocation failure"
		[ "${most:-0}" -le "$bound" ] || fail "bounce pages $most above the bound $bound"
		say "$target: bounce pages bounded: ${most:-0} <= $bound"
	fi

	t0=$(ms)
	for i in $(seq 0 $((N - 1))); do
		dmsetup remove --retry "sc$i" || fail "$target: remove sc$i"
	done
	t1=$(ms)
	remove_ms[$target]=$((t1 - t0))
	gone=$(meminfo)
	left=$(echo "$before" "$gone" | awk '{ printf "%.0f", ($1 - $6) }')
	say "$target: removed $N in ${remove_ms[$target]} ms; MemFree lower than before creating by $left KiB"
done

say ""
say "Per idle device (KiB)            dm-crypt   ecsenc"
i=1
for f in "MemFree drop" Slab SUnreclaim Percpu KernelStack; do
	c=$(echo "${per_dev[crypt]}" | cut -d" " -f$i)
	e=$(echo "${per_dev[ecsenc]}" | cut -d" " -f$i)
	say "$(printf '  %-28s %9s %8s' "$f" "$c" "$e")"
	i=$((i + 1))
done
say "$(printf '  %-28s %9s %8s' "create $N (ms)" "${create_ms[crypt]}" "${create_ms[ecsenc]}")"
say "$(printf '  %-28s %9s %8s' "remove $N (ms)" "${remove_ms[crypt]}" "${remove_ms[ecsenc]}")"
rmmod brd 2>/dev/null || true

# --- attach through the agent, the KMS answering SCALE_KMS_MS late ------
# SCALE_ATTACH (default 64) encrypted disks, created first (each create
# asks the KMS for a data key too), then attached one after another and
# all at once (one ecsenc-ctl each), detached in between.
AN=${SCALE_ATTACH:-64}
KMS_MS=${SCALE_KMS_MS:-50}
if [ "$AN" -gt 0 ] && command -v kms-agent >/dev/null; then
	set +u
	ECSENC_WORK=$(mktemp -d /tmp/scale-agent.XXXXXX)
	# shellcheck disable=SC1091
	. "$(dirname "$TESTLIB")/agent-lib.sh"
	start_kms --threads 16 --delay "$KMS_MS"
	start_agent
	t0=$(ms)
	for i in $(seq "$AN"); do
		ctl create-disk --size 8M --category cloud_ssd --encrypted >"$ECSENC_WORK/d.$i" ||
			fail "create-disk $i"
	done
	say "agent: created $AN encrypted disks, KMS $KMS_MS ms late, in $(($(ms) - t0)) ms"
	t0=$(ms)
	for i in $(seq "$AN"); do
		ctl attach-disk "$(cat "$ECSENC_WORK/d.$i")" >/dev/null || fail "attach $i"
	done
	serial=$(($(ms) - t0))
	for i in $(seq "$AN"); do ctl detach-disk "$(cat "$ECSENC_WORK/d.$i")" >/dev/null; done
	t0=$(ms)
	pids=()
	for i in $(seq "$AN"); do
		ctl attach-disk "$(cat "$ECSENC_WORK/d.$i")" >/dev/null 2>"$ECSENC_WORK/a.$i.err" &
		pids+=($!)
	done
	bad=0
	for pid in "${pids[@]}"; do wait "$pid" || bad=$((bad + 1)); done
	parallel=$(($(ms) - t0))
	n=$(find /dev/mapper -name 'ecsenc-d-*' | wc -l)
	say "agent: attach $AN, KMS $KMS_MS ms late: one after another $serial ms; all at once $parallel ms ($bad failed, $n attached)"
	[ "$bad" = 0 ] || fail "$bad attaches failed: $(cat "$ECSENC_WORK"/a.*.err | head -n 5)"
	for i in $(seq "$AN"); do ctl detach-disk "$(cat "$ECSENC_WORK/d.$i")" >/dev/null; done
fi
say "loadavg after: $(cat /proc/loadavg)"
echo "PASS"
