#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the raw results of tests/bench/bench.sh into the report:
#   tests/bench/report.sh DIR [TXT]   (DIR/raw/{results,crypto}.tsv, meta.txt)
# writes TXT (tables; default DIR/results.txt), DIR/results.json and
# DIR/results.png (gnuplot: IOPS and latency per device).  Runs on the host.
#
# Every number is the median over the rounds of one boot.  Ratios:
#   vs dm-crypt  ecsenc / the better of dmcrypt and dmcrypt-nowq
#   vs raw       ecsenc / the raw device
#   vs limit     ecsenc bytes/s / the kernel's xts(aes) speed (xts-speed,
#                64 KiB requests: encrypt for writes, decrypt for reads)
# QD1 latency bar: (ecsenc - raw) mean latency against the crypto time of
# one 4 KiB I/O at that limit, plus a small constant (BENCH_LAT_CONST_US,
# default 20 us): what is left is what the target's bio path costs.
set -euo pipefail

dir=${1:?usage: report.sh DIR [TXT]}
txt=${2:-$dir/results.txt}
raw=$dir/raw
[ -s "$raw/results.tsv" ] || { echo "report: no $raw/results.tsv" >&2; exit 1; }
const_us=${BENCH_LAT_CONST_US:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- medians ----------------------------------------------------------
# key backing ss config workload -> median iops, MiB/s, lat, p99, cpu-s/GiB
awk -F'\t' 'NR > 1 && $11 > 0 {
	k = $1 "\t" $2 "\t" $3 "\t" $4
	n[k]++
	v[k, "iops", n[k]] = $6
	v[k, "mib", n[k]] = $7 / 1024
	v[k, "lat", n[k]] = $8
	v[k, "p99", n[k]] = $9
	v[k, "cpu", n[k]] = $10 / ($11 / 1073741824)
}
function median(k, f,    i, j, t, a, m) {
	m = n[k]
	for (i = 1; i <= m; i++) a[i] = v[k, f, i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	for (k in n)
		printf "%s\t%.1f\t%.2f\t%.1f\t%.1f\t%.2f\t%d\n", k,
			median(k, "iops"), median(k, "mib"), median(k, "lat"),
			median(k, "p99"), median(k, "cpu"), n[k]
}' "$raw/results.tsv" | sort -t$'\t' -k1,1 -k2,2n -k4,4 -k3,3 >"$tmp/med.tsv"

# --- crypto limit (medians over every measurement of the boot) ---------
awk -F'\t' 'NR > 1 {
	k = $2 "\t" $3
	n[k]++; e[k, n[k]] = $4; d[k, n[k]] = $5; eu[k, n[k]] = $6; du[k, n[k]] = $7
}
function med(arr, k,    i, j, t, a, m) {
	m = n[k]
	for (i = 1; i <= m; i++) a[i] = arr[k, i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	for (k in n)
		printf "%s\t%.1f\t%.1f\t%.2f\t%.2f\t%d\n", k, med(e, k), med(d, k),
			med(eu, k), med(du, k), n[k]
}' "$raw/crypto.tsv" | sort >"$tmp/crypto.tsv"

# The per-CPU limit: measured in the kernel (ecsenc_xts_speed.ko, 4 KiB
# units, no system calls) when the boot has it, else through AF_ALG.
lim_src="kernel xts(aes), one CPU, 4096-byte units, no system calls"
lim_enc=$(awk -F'\t' '$1 == "kernel-1cpu" && $2 == 4096 {print $3}' "$tmp/crypto.tsv")
lim_dec=$(awk -F'\t' '$1 == "kernel-1cpu" && $2 == 4096 {print $4}' "$tmp/crypto.tsv")
if [ -z "$lim_enc" ]; then
	lim_src="kernel xts(aes) via AF_ALG, 64 KiB requests"
	lim_enc=$(awk -F'\t' '$1 == "xts-speed" && $2 == 65536 {print $3}' "$tmp/crypto.tsv")
	lim_dec=$(awk -F'\t' '$1 == "xts-speed" && $2 == 65536 {print $4}' "$tmp/crypto.tsv")
fi
if [ -z "$lim_enc" ]; then	# no xts-speed: fall back to cryptsetup benchmark
	lim_src="cryptsetup benchmark"
	lim_enc=$(awk -F'\t' '$1 == "cryptsetup" {print $3}' "$tmp/crypto.tsv")
	lim_dec=$(awk -F'\t' '$1 == "cryptsetup" {print $4}' "$tmp/crypto.tsv")
fi
lim_enc=${lim_enc:-0} lim_dec=${lim_dec:-0}

# --- one row per backing/ss/workload ------------------------------------
# fields: backing ss workload metric raw dmcrypt nowq ecsenc enull dnull
#         ecsenc/best-dmcrypt ecsenc/raw ecsenc/limit lat... (see below)
awk -F'\t' -v le="$lim_enc" -v ld="$lim_dec" -v cu="$const_us" '
{
	g = $1 "\t" $2 "\t" $4
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	iops[g, $3] = $5; mib[g, $3] = $6; lat[g, $3] = $7; p99[g, $3] = $8
	cpu[g, $3] = $9
}
function get(a, g, c) { return ((g, c) in a) ? a[g, c] : -1 }
END {
	for (i = 1; i <= ng; i++) {
		g = order[i]
		split(g, p, "\t")
		seq = (p[3] ~ /^s[rw]1m$/)
		wr = (p[3] ~ /^(rw4k|sw1m)/)
		mixed = (p[3] ~ /^rrw/)
		lim = mixed ? (le < ld ? le : ld) : (wr ? le : ld)
		e = get(mib, g, "ecsenc")
		bd = get(mib, g, "dmcrypt"); bn = get(mib, g, "dmcrypt-nowq")
		best = bd > bn ? bd : bn
		r = get(mib, g, "raw")
		# crypto time of one I/O at the limit, in us
		bs = seq ? 1048576 : 4096
		ct = lim > 0 ? bs / (lim * 1048576) * 1e6 : -1
		dl = get(lat, g, "ecsenc") - get(lat, g, "raw")
		printf "%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f", g,
			get(iops, g, "raw"), get(iops, g, "dmcrypt"),
			get(iops, g, "dmcrypt-nowq"), get(iops, g, "ecsenc"),
			get(iops, g, "ecsenc-null"), get(iops, g, "dmcrypt-null")
		printf "\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f", get(mib, g, "raw"),
			bd, bn, e, get(mib, g, "ecsenc-null"), get(mib, g, "dmcrypt-null")
		printf "\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f", get(lat, g, "raw"),
			get(lat, g, "dmcrypt"), get(lat, g, "dmcrypt-nowq"),
			get(lat, g, "ecsenc"), get(lat, g, "ecsenc-null"),
			get(lat, g, "dmcrypt-null")
		printf "\t%.2f\t%.2f\t%.2f\t%.2f", get(cpu, g, "raw"),
			get(cpu, g, "dmcrypt"), get(cpu, g, "dmcrypt-nowq"),
			get(cpu, g, "ecsenc")
		printf "\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f",
			(best > 0 ? e / best : -1), (r > 0 ? e / r : -1),
			(lim > 0 ? e / lim : -1), ct, dl, dl - ct
		lin = get(lat, g, "linear")
		printf "\t%.1f\t%.2f\t%.1f\t%.1f\t%.1f\n", get(iops, g, "linear"),
			get(mib, g, "linear"), lin,
			(lin >= 0 ? lin - get(lat, g, "raw") : -1),
			(lin >= 0 ? dl - ct - (lin - get(lat, g, "raw")) : -1)
	}
}' "$tmp/med.tsv" >"$tmp/rows.tsv"
# rows.tsv columns:
#  1 backing 2 ss 3 workload
#  4-9   IOPS raw dmcrypt nowq ecsenc enull dnull
#  10-15 MiB/s (same order)   16-21 mean lat us (same order)
#  22-25 cpu-s/GiB raw dmcrypt nowq ecsenc
#  26 ecsenc/best-dmcrypt 27 ecsenc/raw 28 ecsenc/limit
#  29 crypto us per I/O at the limit 30 ecsenc-raw lat 31 (30)-(29)
#  32-34 IOPS, MiB/s, mean lat of dm-linear 35 linear-raw lat
#  36 (31)-(35): what ecsenc adds beyond dm-linear and the crypto

# --- paired per-round ratios --------------------------------------------
# The host is shared, so the speed of the whole guest drifts from round to
# round; a ratio taken within one round (same minute, same load) and then
# the median over rounds is steadier than a ratio of medians.  These
# replace columns 26-31 (the limit of round r is the xts-speed measured
# at the start of that round).
awk -F'\t' '
FNR == 1 { f++ }
f == 1 && FNR > 1 && $2 == "xts-speed" && $3 == 65536 {
	n = split($1, p, "-"); lenc[$1] = $4; ldec[$1] = $5; next
}
f == 2 && FNR > 1 {
	k = $1 "\t" $2 "\t" $4 "\t" $5
	mib[k, $3] = $7 / 1024; lat[k, $3] = $8; keys[k] = 1
}
function push(g, name, x) { c[g, name]++; v[g, name, c[g, name]] = x }
function med(g, name,    i, j, t, a, m) {
	m = c[g, name]
	if (!m) return -1
	for (i = 1; i <= m; i++) a[i] = v[g, name, i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	for (k in keys) {
		split(k, p, "\t")
		g = p[1] "\t" p[2] "\t" p[3]
		if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
		if (!((k, "ecsenc") in mib)) continue
		e = mib[k, "ecsenc"]
		bd = ((k, "dmcrypt") in mib) ? mib[k, "dmcrypt"] : 0
		bn = ((k, "dmcrypt-nowq") in mib) ? mib[k, "dmcrypt-nowq"] : 0
		best = bd > bn ? bd : bn
		if (best > 0) push(g, "dmc", e / best)
		if (mib[k, "raw"] > 0) push(g, "raw", e / mib[k, "raw"])
		tag = p[1] "-" p[2] "-r" p[4]
		wr = (p[3] ~ /^(rw4k|sw1m)/); mixed = (p[3] ~ /^rrw/)
		le = lenc[tag]; ld = ldec[tag]
		lim = mixed ? (le < ld ? le : ld) : (wr ? le : ld)
		bs = (p[3] ~ /1m$/) ? 1048576 : 4096
		if (lim > 0) {
			push(g, "lim", e / lim)
			push(g, "ct", bs / (lim * 1048576) * 1e6)
			push(g, "rest", lat[k, "ecsenc"] - lat[k, "raw"] - bs / (lim * 1048576) * 1e6)
		}
		push(g, "dl", lat[k, "ecsenc"] - lat[k, "raw"])
		if ((k, "linear") in lat) {
			lr = lat[k, "linear"] - lat[k, "raw"]
			push(g, "lin", lr)
			if (lim > 0)
				push(g, "restlin", lat[k, "ecsenc"] - lat[k, "raw"] - bs / (lim * 1048576) * 1e6 - lr)
		}
	}
	for (i = 1; i <= ng; i++)
		printf "%s\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", order[i],
			med(order[i], "dmc"), med(order[i], "raw"),
			med(order[i], "lim"), med(order[i], "ct"),
			med(order[i], "dl"), med(order[i], "rest"),
			(c[order[i], "lin"] ? med(order[i], "lin") : -1),
			(c[order[i], "restlin"] ? med(order[i], "restlin") : -1)
}' "$raw/crypto.tsv" "$raw/results.tsv" >"$tmp/paired.tsv"
awk -F'\t' -v OFS='\t' 'FNR == NR { p[$1 "\t" $2 "\t" $3] = $0; next }
{
	k = $1 "\t" $2 "\t" $3
	if (k in p) {
		split(p[k], q, "\t")
		for (i = 4; i <= 9; i++) $(i + 22) = q[i]
		if (q[10] >= 0) { $35 = q[10]; $36 = q[11] }
	}
	print
}' "$tmp/paired.tsv" "$tmp/rows.tsv" >"$tmp/rows2.tsv"
mv "$tmp/rows2.tsv" "$tmp/rows.tsv"

# --- the bar ------------------------------------------------------------
awk -F'\t' -v cu="$const_us" '
function verdict(ok) { return ok ? "MET" : "NOT MET" }
($3 == "rr4k-qd1" || $3 == "rw4k-qd1") {
	printf "%-4s ss=%-4s %-9s ecsenc IOPS / best dm-crypt = %.3f (>= 1.00)  %s\n",
		$1, $2, $3, $26, verdict($26 >= 1.0)
	printf "%-4s ss=%-4s %-9s QD1 latency above raw %.1f us; crypto of 4 KiB %.1f us; rest %.1f us (<= %d us)  %s\n",
		$1, $2, $3, $30, $29, $31, cu, verdict($31 <= cu)
	if ($35 >= 0)
		printf "%-4s ss=%-4s %-9s   of the rest, dm-linear itself adds %.1f us; beyond dm-linear and the crypto: %.1f us (<= %d us)  %s%s\n",
			$1, $2, $3, $35, $36, cu, verdict($36 <= cu),
			($21 >= 0 ? sprintf("  [dm-crypt null cipher adds %.1f us over raw]", $21 - $16) : "")
}
($3 == "sr1m" || $3 == "sw1m") {
	printf "%-4s ss=%-4s %-9s ecsenc MiB/s / best dm-crypt = %.3f (>= 0.95)  %s\n",
		$1, $2, $3, $26, verdict($26 >= 0.95)
}' "$tmp/rows.tsv" >"$tmp/bar.txt"

# --- the performance bars ------------------------------------------------
# From the medians: 4 KiB workloads, ecsenc against the best dm-crypt of
# the boot (default, no_*_workqueue, high_priority where the kernel has
# it) at >= 1.2x; 1 MiB sequential against CPUs x the per-CPU limit at
# >= 0.95; the null cipher against dm-linear at QD1, >= 0.95 for reads
# and >= 0.80 for writes (a write's bounce copy is inherent).
# ecsenc-inline, where measured, is the same device with share_small=0.
# The per-CPU limit of a device is the cipher's speed at its own data
# unit: a 512-byte-sector device makes eight requests per 4 KiB.
cpus=$(sed -n 's/^cpus: //p' "$raw/meta.txt" | head -n 1)
unit_lims=$(awk -F'\t' '$1 == "kernel-1cpu" {printf "%s %s %s ", $2, $3, $4}' "$tmp/crypto.tsv")
null_lims=$(awk -F'\t' '$1 == "null-1cpu" {printf "%s %s %s ", $2, $3, $4}' "$tmp/crypto.tsv")
copy_lims=$(awk -F'\t' '$1 == "kernel-1cpu-copy" {printf "%s %s ", $2, $3}' "$tmp/crypto.tsv")
memcpy_mib=$(awk -F'\t' '$1 == "memcpy-1cpu" && $2 == 4096 {print $3}' "$tmp/crypto.tsv")
fpu_us=$(awk -F'\t' '$1 == "fpu-1cpu" {print $5 + $6; exit}' "$tmp/crypto.tsv")
all_lims=$(awk -F'\t' '$1 == "kernel-'"${cpus:-1}"'cpu" {printf "%s %s %s ", $2, $3, $4}' "$tmp/crypto.tsv")
awk -F'\t' -v le="$lim_enc" -v ld="$lim_dec" -v cpus="${cpus:-1}" \
	-v unit_lims="$unit_lims" -v all_lims="$all_lims" -v null_lims="$null_lims" \
	-v memcpy_mib="${memcpy_mib:-0}" -v copy_lims="$copy_lims" -v fpu_us="${fpu_us:-0}" '
function verdict(ok) { return ok ? "MET" : "NOT MET" }
BEGIN {
	n = split(unit_lims, u, " ")
	for (j = 1; j + 2 <= n; j += 3) { ulim[u[j], "e"] = u[j + 1]; ulim[u[j], "d"] = u[j + 2] }
	n = split(all_lims, u, " ")
	for (j = 1; j + 2 <= n; j += 3) { alim[u[j], "e"] = u[j + 1]; alim[u[j], "d"] = u[j + 2] }
	n = split(null_lims, u, " ")
	for (j = 1; j + 2 <= n; j += 3) { nlim[u[j], "e"] = u[j + 1]; nlim[u[j], "d"] = u[j + 2] }
	n = split(copy_lims, u, " ")
	for (j = 1; j + 1 <= n; j += 2) clim[u[j]] = u[j + 1]
}
# What one 4 KiB at QD1 must do: a write encrypts out of place.
function qd1_limit(ss, dir) {
	if (dir == "e" && (ss in clim) && clim[ss] > 0) return clim[ss]
	return unit_limit(ss, dir)
}
# The per-CPU limit, MiB/s, at data unit @ss: "e" encrypt, "d" decrypt.
function unit_limit(ss, dir) {
	if ((ss, dir) in ulim) return ulim[ss, dir]
	return dir == "e" ? le : ld
}
{
	g = $1 "\t" $2 "\t" $4
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	iops[g, $3] = $5; mib[g, $3] = $6; lat[g, $3] = $7
}
function has(g, c) { return (g, c) in iops }
END {
	for (i = 1; i <= ng; i++) {
		g = order[i]
		split(g, p, "\t")
		wl = p[3]
		dir = (wl ~ /^(rw4k|sw1m)/) ? "e" : "d"
		if (!has(g, "ecsenc")) continue
		if (wl ~ /^s[rw]1m$/) {
			lim = unit_limit(p[2], dir) * cpus
			if (lim > 0) {
				printf "%-4s ss=%-4s %-9s ecsenc %.1f MiB/s / (%d CPUs x %.1f MiB/s) = %.3f (>= 0.95)  %s",
					p[1], p[2], wl, mib[g, "ecsenc"], cpus, lim / cpus,
					mib[g, "ecsenc"] / lim, verdict(mib[g, "ecsenc"] / lim >= 0.95)
				# What the cipher did with every CPU at once.
				if ((p[2], dir) in alim && alim[p[2], dir] > 0)
					printf "  [all CPUs at once: %.1f MiB/s, ecsenc %.3f of it]",
						alim[p[2], dir], mib[g, "ecsenc"] / alim[p[2], dir]
				printf "\n"
			}
			continue
		}
		best = -1; bn = "-"
		split("dmcrypt dmcrypt-nowq dmcrypt-hp", c, " ")
		for (j = 1; j <= 3; j++)
			if (has(g, c[j]) && iops[g, c[j]] > best) { best = iops[g, c[j]]; bn = c[j] }
		if (best > 0) {
			r = iops[g, "ecsenc"] / best
			printf "%-4s ss=%-4s %-9s ecsenc %.0f IOPS / best dm-crypt (%s) %.0f = %.3f (>= 1.20)  %s", \
				p[1], p[2], wl, iops[g, "ecsenc"], bn, best, r, verdict(r >= 1.2)
			if (has(g, "ecsenc-inline"))
				printf "  [share_small=0: %.3f]", iops[g, "ecsenc-inline"] / best
			# No target is faster than the device under it.
			if (has(g, "raw"))
				printf "  [raw: %.3f]", iops[g, "raw"] / best
			# At QD1 the best any target can do on one CPU: the dm-linear
			# latency plus one 4 KiB of crypto at the in-kernel limit,
			# and the FPU state of the process, saved for the cipher and
			# restored on its way back to user space, where measured.
			if ((wl == "rr4k-qd1" || wl == "rw4k-qd1") && has(g, "linear") &&
			    qd1_limit(p[2], dir) > 0 && lat[g, bn] > 0) {
				crypto_us = 4096 / (qd1_limit(p[2], dir) * 1048576) * 1e6
				floor_us = lat[g, "linear"] + crypto_us + fpu_us
				printf "  [ceiling: %.0f us / (linear %.0f + crypto %.0f us", \
					lat[g, bn], lat[g, "linear"], crypto_us
				if (fpu_us > 0)
					printf " + FPU state %.1f us", fpu_us
				# What each target spends beyond that, in the mean.
				printf ") = %.3f; beyond it ecsenc takes %.1f us, %s %.1f]",
					lat[g, bn] / floor_us, lat[g, "ecsenc"] - floor_us,
					bn, lat[g, bn] - floor_us
			}
			printf "\n"
		}
		if ((wl == "rr4k-qd1" || wl == "rw4k-qd1") && has(g, "ecsenc-null") && has(g, "linear") && iops[g, "linear"] > 0) {
			r = iops[g, "ecsenc-null"] / iops[g, "linear"]
			bar = (wl == "rr4k-qd1") ? 0.95 : 0.80
			printf "%-4s ss=%-4s %-9s ecsenc null cipher %.0f IOPS / dm-linear %.0f = %.3f (>= %.2f)  %s",
				p[1], p[2], wl, iops[g, "ecsenc-null"], iops[g, "linear"], r, bar, verdict(r >= bar)
			# What the null cipher itself does to one 4 KiB, at the unit
			# (a copy for writes, nothing but the requests for reads),
			# against the time of one I/O of fio on dm-linear, as the
			# bar is a ratio of IOPS.
			if ((p[2], dir) in nlim && nlim[p[2], dir] > 0 && iops[g, "ecsenc-null"] > 0) {
				null_us = 4096 / (nlim[p[2], dir] * 1048576) * 1e6
				lin_us = 1e6 / iops[g, "linear"]
				printf "  [ceiling: linear %.1f us an I/O / (linear + null cipher %.1f us) = %.3f; ecsenc adds %.1f us more]",
					lin_us, null_us, lin_us / (lin_us + null_us),
					1e6 / iops[g, "ecsenc-null"] - lin_us - null_us
			}
			# Of the null cipher of a write, what the bare copy takes.
			if (dir == "e" && memcpy_mib > 0)
				printf "  [of it memcpy of 4 KiB: %.1f us]",
					4096 / (memcpy_mib * 1048576) * 1e6
			printf "\n"
		}
	}
}' "$tmp/med.tsv" >"$tmp/bars.txt"

# --- text report ----------------------------------------------------------
{
	echo "ecsenc vs dm-crypt: medians of one VM boot (TCG; only ratios mean anything)"
	grep -E '^(date|kernel|cpus|mem_kib|fio|runtime_s|rounds|rbd|elapsed_s):' "$raw/meta.txt" | sed 's/^/  /'
	sed "s/^/  /" "$raw/host.txt" 2>/dev/null || true
	grep -E "md5" "$raw/meta.txt" | sed "s/^/  guest /" || true
	grep -E 'driver' "$raw/meta.txt" | sort -u | sed 's/^ */  xts(aes) /' || true
	grep -m1 -E '^cpu copy flags' "$raw/meta.txt" | sed 's/^/  /' || true
	grep -E 'refused' "$raw/meta.txt" | sort -u | sed 's/^/  /' || true
	echo
	echo "Crypto limit (kernel xts(aes): in the kernel, and via AF_ALG; medians per tool over the boot):"
	printf '  %-16s %6s %10s %10s %10s %10s\n' tool unit "enc MiB/s" "dec MiB/s" "enc us" "dec us"
	awk -F'\t' '{printf "  %-16s %6s %10s %10s %10s %10s  (n=%s)\n", $1, $2, $3, $4, $5, $6, $7}' "$tmp/crypto.tsv"
	echo "  limit used below: encrypt $lim_enc MiB/s, decrypt $lim_dec MiB/s per CPU ($lim_src;"
	echo "  AF_ALG pays a system call per request, so its small units are slower than the cipher)"
	echo
	echo "Throughput (4 KiB workloads: IOPS; 1 MiB sequential: MiB/s)"
	{ echo "backing ss workload raw linear dmcrypt dm-nowq ecsenc ec-null dm-null | vs-dmcrypt vs-raw vs-limit"
	awk -F'\t' '{
		s = ($3 ~ /^s[rw]1m$/)
		o = s ? 9 : 3
		f = s ? " %.1f" : " %.0f"
		printf "%-4s %4s %-9s", $1, $2, $3
		for (c = 1; c <= 6; c++) {
			x = $(o + c)
			if (x < 0) printf " -"; else printf f, x
			if (c == 1) {
				x = s ? $33 : $32
				if (x == "" || x < 0) printf " -"; else printf f, x
			}
		}
		printf " | %7.3f %7.3f %7.3f\n", $26, $27, $28
	}' "$tmp/rows.tsv"; } | column -t
	echo
	echo "Mean latency, us (and what ecsenc adds over raw, against the crypto of one I/O)"
	{ echo "backing ss workload raw linear dmcrypt dm-nowq ecsenc ec-null dm-null | ecsenc-raw crypto rest linear-raw dm-null-raw"
	awk -F'\t' '{
		printf "%-4s %4s %-9s", $1, $2, $3
		for (c = 16; c <= 21; c++) {
			if ($c < 0) printf " -"; else printf " %.1f", $c
			if (c == 16) {
				if ($34 == "" || $34 < 0) printf " -"; else printf " %.1f", $34
			}
		}
		printf " | %.1f %.1f %.1f", $30, $29, $31
		if ($35 != "" && $35 >= 0) printf " %.1f", $35; else printf " -"
		if ($21 >= 0) printf " %.1f\n", $21 - $16; else printf " -\n"
	}' "$tmp/rows.tsv"; } | column -t
	echo
	echo "CPU cost, busy CPU-seconds of the whole guest per GiB moved"
	{ echo "backing ss workload raw dmcrypt dm-nowq ecsenc"
	awk -F'\t' '{printf "%s %s %s %.1f %.1f %.1f %.1f\n", $1, $2, $3, $22, $23, $24, $25}' \
		"$tmp/rows.tsv"; } | column -t
	echo
	echo "The bars: 4 KiB >= 1.2 x the best dm-crypt; 1 MiB >= 0.95 x CPUs x the per-CPU"
	echo "limit at the device's data unit (kernel-1cpu above); null cipher >= 0.95 (reads),"
	echo "0.80 (writes) of dm-linear at QD1.  In brackets, what bounds a ratio here:"
	echo "  raw      the raw device's IOPS over that dm-crypt's: no target passes it;"
	echo "  ceiling  at QD1, that dm-crypt's latency over dm-linear's plus one 4 KiB of"
	echo "           crypto at the limit (for writes out of place, kernel-1cpu-copy,"
	echo "           where measured), and one save and restore of the process's"
	echo "           FPU state (fpu-1cpu, where measured): the most a target doing"
	echo "           the crypto on the I/O's own CPU can reach;"
	echo "  all CPUs at once  the cipher on every CPU together (kernel-Ncpu above)."
	echo "  ceiling of a null-cipher bar: the time of one dm-linear I/O (1 / IOPS) over"
	echo "           itself plus the null cipher's work on one 4 KiB at the unit"
	echo "           (null-1cpu above: out of place for writes, in place for reads),"
	echo "           which no target avoids; of a write's, a bare memcpy (memcpy-1cpu)."
	sed 's/^/  /' "$tmp/bars.txt"
	echo
	echo "The earlier bar ('rest' must stay within BENCH_LAT_CONST_US=$const_us us):"
	sed 's/^/  /' "$tmp/bar.txt"
	echo
	echo "Bounce pages (dmsetup status: key driver now peak):"
	grep -E '^status .* after:' "$raw/meta.txt" | sed 's/^status /  /' || true
	echo
	echo "Workloads: rr/rw4k-qd1 psync QD1, rr/rw4k-qd32 libaio QD32, sr/sw1m 1 MiB"
	echo "sequential libaio QD4, rrw4k-2j 4 KiB 50/50 random read/write, 2 jobs QD1."
	echo "linear: dm-linear on the same device, what being a device-mapper device costs."
	echo "ec-null, dm-null: ecsenc, and dm-crypt no_*_workqueue, with"
	echo "capi:ecb(cipher_null)-plain64: the bio path without the crypto (\"-\": the"
	echo "target refused that cipher in this boot)."
	echo "vs-limit: ecsenc against the xts(aes) speed of ONE CPU (2 jobs may exceed 1)."
} >"$txt"

# --- JSON ---------------------------------------------------------------
jq -R -s --arg le "$lim_enc" --arg ld "$lim_dec" --arg cu "$const_us" \
	--rawfile crypto "$tmp/crypto.tsv" --rawfile bar "$tmp/bar.txt" '
	def num: if . == null or . == "" then null else tonumber end;
	def nn: if . < 0 then null else . end;
	split("\n") | map(select(length > 0) | split("\t")) | map({
		backing: .[0], sector_size: (.[1] | num), workload: .[2],
		iops: {raw: (.[3]|num|nn), dmcrypt: (.[4]|num|nn),
		       dmcrypt_nowq: (.[5]|num|nn), ecsenc: (.[6]|num|nn),
		       ecsenc_null: (.[7]|num|nn), dmcrypt_null: (.[8]|num|nn)},
		mib_s: {raw: (.[9]|num|nn), dmcrypt: (.[10]|num|nn),
		        dmcrypt_nowq: (.[11]|num|nn), ecsenc: (.[12]|num|nn),
		        ecsenc_null: (.[13]|num|nn), dmcrypt_null: (.[14]|num|nn)},
		lat_us: {raw: (.[15]|num|nn), dmcrypt: (.[16]|num|nn),
		         dmcrypt_nowq: (.[17]|num|nn), ecsenc: (.[18]|num|nn),
		         ecsenc_null: (.[19]|num|nn), dmcrypt_null: (.[20]|num|nn)},
		cpu_s_per_gib: {raw: (.[21]|num|nn), dmcrypt: (.[22]|num|nn),
		                dmcrypt_nowq: (.[23]|num|nn), ecsenc: (.[24]|num|nn)},
		ecsenc_vs_best_dmcrypt: (.[25]|num), ecsenc_vs_raw: (.[26]|num),
		ecsenc_vs_crypto_limit: (.[27]|num),
		crypto_us_per_io: (.[28]|num), ecsenc_lat_above_raw_us: (.[29]|num),
		ecsenc_lat_above_raw_minus_crypto_us: (.[30]|num),
		linear: {iops: (.[31]|num|nn), mib_s: (.[32]|num|nn),
		         lat_us: (.[33]|num|nn), lat_above_raw_us: (.[34]|num|nn)},
		ecsenc_lat_above_linear_minus_crypto_us: (if .[33] == null or (.[33]|num) < 0 then null else (.[35]|num) end)
	}) as $rows
	| {
		note: "medians of one VM boot under TCG; only ratios are meaningful",
		crypto_limit_mib_s: {encrypt: ($le|tonumber), decrypt: ($ld|tonumber),
			source: "xts-speed, AF_ALG xts(aes), 64 KiB requests"},
		crypto: ($crypto | split("\n") | map(select(length > 0) | split("\t")
			| {tool: .[0], unit: (.[1]|tonumber), enc_mib_s: (.[2]|tonumber),
			   dec_mib_s: (.[3]|tonumber), enc_us: (.[4]|tonumber),
			   dec_us: (.[5]|tonumber), n: (.[6]|tonumber)})),
		latency_constant_us: ($cu|tonumber),
		bar: ($bar | split("\n") | map(select(length > 0))),
		results: $rows
	}' "$tmp/rows.tsv" >"$dir/results.json"

# --- plot ---------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	awk -F'\t' '$3 !~ /1m$/ {
		printf "%s/%s/%s", $1, $2, $3
		for (c = 4; c <= 7; c++) printf "\t%s", ($c > 0 ? $c : "NaN")
		for (c = 16; c <= 19; c++) printf "\t%s", ($c > 0 ? $c : "NaN")
		printf "\n"
	}' "$tmp/rows.tsv" >"$tmp/plot.dat"
	gnuplot -e "datafile='$tmp/plot.dat'; outfile='$dir/results.png'" \
		"$(dirname "$0")/plot.gp"
fi
echo "report: $txt $dir/results.json $dir/results.png"
cat "$tmp/bars.txt"
