#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests of the shared signing code and credentials parser.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_lib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=gnu11 -Wall -Wextra -Werror -I"$TOP/tools/lib" -I"$TOP/tests/host" \
	-o "$tmp/sign-unit" "$HERE/sign-unit.c" "$TOP/tools/lib/libecsenc.a" \
	$(pkg-config --libs openssl json-c libcurl)
"$tmp/sign-unit" "$tmp"
