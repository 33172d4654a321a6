#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): GenerateDataKey and Decrypt requests per second
# against kms-emulator on loopback, from tools/kms-emulator/bench/kms-bench
# (libcurl keep-alive, every request signed).
#
#   tests/bench/kms-bench.sh [THREADS [SECONDS [extra emulator options]]]
#
# The emulator runs with --quiet (no per-request log line) unless
# KMS_BENCH_LOG=1.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-8}
seconds=${2:-5}
shift $(($# > 2 ? 2 : $#))

make -s -C "$top/tools/lib" >/dev/null
make -s -C "$top/tools/kms-emulator" >/dev/null
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/data"
echo "benchid benchsecret" >"$tmp/creds"
chmod 600 "$tmp/creds"
. "$top/tests/lib/tcp.sh"
port=$(tcp_free_port)
quiet=--quiet
[ "${KMS_BENCH_LOG:-0}" = 1 ] && quiet=
"$top/tools/kms-emulator/kms-emulator" --listen "127.0.0.1:$port" \
	--data-dir "$tmp/data" --credentials "$tmp/creds" $quiet "$@" \
	>"$tmp/emulator.log" 2>&1 &
pid=$!
tcp_wait_listen "$pid" "$port" || { cat "$tmp/emulator.log" >&2; exit 1; }
echo "kms-emulator on 127.0.0.1:$port, $(nproc) CPUs, $threads client threads, ${seconds}s per action"
for action in GenerateDataKey Decrypt; do
	"$top/tools/kms-emulator/bench/kms-bench" --endpoint "http://127.0.0.1:$port" \
		--credentials "$tmp/creds" --threads "$threads" --seconds "$seconds" "$action"
done
