#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Helper (not a test): build-and-run.sh TEST.c [EXTRA SOURCES] -- [PKGS]
# compiles one C unit test against tools/lib and runs it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
srcs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do srcs+=("$1"); shift; done
[ $# -gt 0 ] && shift
pkgs=(json-c openssl "$@")
make -s -C "$top/tools/lib" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2046
cc -std=gnu11 -g -Wall -Wextra -Wno-unused-parameter -I"$top/tools/lib" -I"$top/tests/host" \
	-I"$top/kms-agent" $(pkg-config --cflags "${pkgs[@]}") \
	"${srcs[@]}" "$top/tools/lib/libecsenc.a" \
	$(pkg-config --libs "${pkgs[@]}") -o "$out/test"
"$out/test" "$out"
