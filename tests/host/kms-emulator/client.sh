#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/lib/kms_client (used by kms-agent and ecsenc-ctl) against the
# emulator, including 16 concurrent clients.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
cc -std=gnu11 -Wall -Wextra -Werror -I"$TOP/tools/lib" -I"$TOP/tests/host" $(pkg-config --cflags json-c) \
	-o "$KMS_TMP/client-test" "$HERE/client-test.c" "$TOP/tools/lib/libecsenc.a" \
	$(pkg-config --libs json-c libcurl openssl) -lpthread
kms_start
closed=$(tcp_free_port)
"$KMS_TMP/client-test" "$KMS_ENDPOINT" "$KMS_AK" "$KMS_SECRET" "http://127.0.0.1:$closed"
n=$(grep -c "action=GenerateDataKey .*status=200" "$KMS_TMP/emulator.log")
want=$((1 + 16 * 40 + 16 * 10))
[ "$n" = "$want" ] || { echo "GenerateDataKey count $n, want $want"; exit 1; }
n=$(grep -c "action=CreateAlias .*status=200" "$KMS_TMP/emulator.log")
[ "$n" = 16 ] || { echo "CreateAlias count $n, want 16"; exit 1; }
if grep -v "status=200" "$KMS_TMP/emulator.log" | grep "status=5"; then
	echo "server errors under concurrency"; exit 1
fi
