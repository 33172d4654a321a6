#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests of the CiphertextBlob format and EncryptionContext handling.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
emu=$TOP/tools/kms-emulator
cc -std=gnu11 -Wall -Wextra -Werror -I"$emu" -I"$TOP/tools/lib" -I"$TOP/tests/host" \
	$(pkg-config --cflags json-c sqlite3) -o "$tmp/blob-unit" "$HERE/blob-unit.c" \
	"$emu/blob.o" "$emu/aead.o" "$emu/context.o" "$emu/params.o" \
	"$TOP/tools/lib/libecsenc.a" $(pkg-config --libs json-c openssl)
"$tmp/blob-unit"
