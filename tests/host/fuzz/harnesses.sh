#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every libFuzzer harness of tests/fuzz replays its committed corpus (the
# seeds and every input that once crashed) and fuzzes for a few seconds
# (FUZZ_SECONDS, default 3) without a crash, a leak or a timeout.
# "make fuzz" runs them for longer.  Each run starts from the committed
# corpus alone, so its time does not grow with earlier runs.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
command -v clang >/dev/null || { echo "no clang"; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null ||
	{ echo "clang has no libFuzzer (libclang-rt-dev)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/tests/fuzz/run.sh" -t "${FUZZ_SECONDS:-3}" -w "$work"
