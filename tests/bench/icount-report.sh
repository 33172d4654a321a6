#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The report of one `make bench-icount` boot (tests/bench/icount.sh):
#   tests/bench/icount-report.sh DIR    reads DIR/raw/, writes DIR/icount.txt
#
# Every figure is guest time under `qemu -icount shift=0`: 1 us is 1000
# guest instructions.  The limit of a QD1 I/O is dm-linear's latency plus
# the in-kernel xts(aes) of its 4 KiB alone, one request per data unit, as
# tcrypt measures it (`mode=500 sec=0`, in place: decryption for reads,
# encryption for writes).  tcrypt has no 512-byte request: its cost is
# read off the straight line through tcrypt's 256- and 1024-byte requests
# (a fixed cost per request plus a cost per byte).  The second limit
# ("speed limit") uses ecsenc_xts_speed.ko's own 512- and 4096-byte
# requests instead.  "beyond" is what a target spends over the first
# limit; for the null cipher, over dm-linear plus the null cipher's own
# work (a write's copy into its bounce page, a read's in-place requests).
set -euo pipefail

dir=${1:?usage: $0 DIR}
raw=$dir/raw
out=$dir/icount.txt
for f in icount.tsv crypto.tsv meta.txt; do
	[ -r "$raw/$f" ] || { echo "icount-report: no $raw/$f" >&2; exit 1; }
done

{
	echo "QD1 in instruction-time: 4 KiB psync random I/O on brd, one vCPU,"
	echo "qemu -accel tcg -icount shift=0,sleep=off (1 us = 1000 guest instructions)."
	echo "Mean latency per I/O in us; ratios of means."
	echo
	sed 's/^/  /' "$raw/meta.txt"
	[ -r "$raw/host.txt" ] && sed 's/^/  /' "$raw/host.txt"
	echo
	awk -F'\t' -v crypto="$raw/crypto.tsv" '
	BEGIN {
		while ((getline l < crypto) > 0) {
			split(l, cf, "\t")
			if (cf[1] == "tool") continue
			k = cf[1] SUBSEP cf[2]
			if (k in enc) continue	# one CPU: the first line of each
			enc[k] = cf[3] / 1000; dec[k] = cf[4] / 1000
		}
		# tcrypt at 512: per request a + b * bytes through 256 and 1024
		# (the figures are per 4 KiB: 16 and 4 requests).
		enc["tcrypt", 512] = 8 * (enc["tcrypt", 256] / 16 + (enc["tcrypt", 1024] / 4 - enc["tcrypt", 256] / 16) / 3)
		dec["tcrypt", 512] = 8 * (dec["tcrypt", 256] / 16 + (dec["tcrypt", 1024] / 4 - dec["tcrypt", 256] / 16) / 3)
		printf "the crypto alone, us per 4 KiB (one request per unit; tcrypt at 512:\n"
		printf "through its 256 and 1024; speed: ecsenc_xts_speed.ko)\n"
		printf "  %-5s %11s %11s %10s %10s %11s %11s\n", "unit", "tcrypt enc",
			"tcrypt dec", "speed enc", "speed dec", "null copy", "null inpl"
		for (u = 512; u <= 4096; u *= 8)
			printf "  %-5d %11.3f %11.3f %10.3f %10.3f %11.3f %11.3f\n", u,
				enc["tcrypt", u], dec["tcrypt", u], enc["xts-speed", u],
				dec["xts-speed", u], enc["null", u], dec["null", u]
		print ""
	}
	NR > 1 { lat[$1, $2, $3] = $5 / 1000; seen[$3] = 1 }
	function best_dmcrypt(ss, wl,   b, c, n, names, i) {
		n = split("dmcrypt dmcrypt-nowq dmcrypt-hp", names, " ")
		b = 0
		for (i = 1; i <= n; i++) {
			c = names[i]
			if ((ss, wl, c) in lat && (b == 0 || lat[ss, wl, c] < b))
				b = lat[ss, wl, c]
		}
		return b
	}
	END {
		n = split("linear dmcrypt dmcrypt-nowq dmcrypt-hp ecsenc ecsenc-null", cfgs, " ")
		printf "latency, us\n  %-5s %-6s", "ss", "rw"
		for (i = 1; i <= n; i++) if (cfgs[i] in seen) printf " %12s", cfgs[i]
		printf " %9s %8s\n", "crypto", "limit"
		for (ss = 512; ss <= 4096; ss *= 8) {
			for (w = 1; w <= 2; w++) {
				wl = w == 1 ? "rr4k-qd1" : "rw4k-qd1"
				cr = w == 1 ? dec["tcrypt", ss] : enc["tcrypt", ss]
				printf "  %-5d %-6s", ss, w == 1 ? "read" : "write"
				for (i = 1; i <= n; i++) if (cfgs[i] in seen) {
					if ((ss, wl, cfgs[i]) in lat) printf " %12.3f", lat[ss, wl, cfgs[i]]
					else printf " %12s", "-"
				}
				printf " %9.3f %8.3f\n", cr, lat[ss, wl, "linear"] + cr
			}
		}
		print ""
		print "against the limit (dm-linear + the crypto) and the best dm-crypt"
		printf "  %-5s %-6s %14s %14s %22s %10s\n", "ss", "rw", "ecsenc/limit",
			"(speed limit)", "best dm-crypt/ecsenc", "bars"
		for (ss = 512; ss <= 4096; ss *= 8) {
			for (w = 1; w <= 2; w++) {
				wl = w == 1 ? "rr4k-qd1" : "rw4k-qd1"
				cr = w == 1 ? dec["tcrypt", ss] : enc["tcrypt", ss]
				lim = lat[ss, wl, "linear"] + cr
				e = lat[ss, wl, "ecsenc"]
				b = best_dmcrypt(ss, wl)
				if (!e || !lim) continue
				r1 = e / lim; r2 = b ? b / e : 0
				sp = lat[ss, wl, "linear"] + (w == 1 ? dec["xts-speed", ss] : enc["xts-speed", ss])
				printf "  %-5d %-6s %14.4f %14.4f %22.4f %10s\n", ss, w == 1 ? "read" : "write",
					r1, e / sp, r2, (r1 <= 1.03 && (!b || r2 >= 1)) ? "met" : "not met"
			}
		}
		print ""
		print "beyond the limit, us (what each spends over dm-linear and the crypto;"
		print "the null cipher: over dm-linear and the null cipher'"'"'s own work)"
		printf "  %-5s %-6s", "ss", "rw"
		for (i = 2; i <= n; i++) if (cfgs[i] in seen) printf " %12s", cfgs[i]
		printf "\n"
		for (ss = 512; ss <= 4096; ss *= 8) {
			for (w = 1; w <= 2; w++) {
				wl = w == 1 ? "rr4k-qd1" : "rw4k-qd1"
				cr = w == 1 ? dec["tcrypt", ss] : enc["tcrypt", ss]
				nl = w == 1 ? dec["null", ss] : enc["null", ss]
				printf "  %-5d %-6s", ss, w == 1 ? "read" : "write"
				for (i = 2; i <= n; i++) if (cfgs[i] in seen) {
					c = cfgs[i]
					if (!((ss, wl, c) in lat)) { printf " %12s", "-"; continue }
					x = lat[ss, wl, c] - lat[ss, wl, "linear"]
					printf " %12.3f", x - (c == "ecsenc-null" ? nl : cr)
				}
				printf "\n"
			}
		}
	}' "$raw/icount.tsv"
} >"$out"
cat "$out"
