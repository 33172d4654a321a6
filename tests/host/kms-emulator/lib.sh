# SPDX-License-Identifier: GPL-2.0
# Sourced by the kms-emulator host tests: build helpers, an emulator on a
# free loopback port with a temporary data dir, and teardown that leaves no
# process behind.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# KMS_EMULATOR: another build of the emulator (e.g. with sanitizers).
EMU=${KMS_EMULATOR:-$TOP/tools/kms-emulator/kms-emulator}
KMS_AK=testid
KMS_SECRET=testsecret
KMS_ADMIN_AK=adminid
KMS_ADMIN_SECRET=adminsecret
KMS_PID=
KMS_PORT=
KMS_TMP=

# A test that dies under set -e says where, even when the command was silent.
set -E
trap 'kms_err_status=$?; echo "${0##*/}: failed at ${BASH_SOURCE[0]:-?}:$LINENO: $BASH_COMMAND (status $kms_err_status)" >&2' ERR

kms_build_lib() {
	make -s -C "$TOP/tools/lib" >/dev/null
}

kms_build_emulator() {
	kms_build_lib
	make -s -C "$TOP/tools/kms-emulator" >/dev/null
}

. "$TOP/tests/lib/tcp.sh"

# A failed test shows the end of the emulator's log with its own output.
kms_cleanup() {
	local rc=$?

	kms_stop
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -s "$KMS_TMP/emulator.log" ]; then
		echo "--- the emulator's last log lines:" >&2
		tail -n 8 "$KMS_TMP/emulator.log" >&2
	fi
	[ -n "$KMS_TMP" ] && rm -rf "$KMS_TMP"
	return 0
}

# kms_setup: temp dir with data/ and a credentials file; sets a trap.
kms_setup() {
	KMS_TMP=$(mktemp -d)
	mkdir -p "$KMS_TMP/data"
	printf '%s %s\n%s %s\nother otherSecret\n' "$KMS_AK" "$KMS_SECRET" \
		"$KMS_ADMIN_AK" "$KMS_ADMIN_SECRET" >"$KMS_TMP/creds"
	chmod 600 "$KMS_TMP/creds"
	trap kms_cleanup EXIT
}

# kms_start [extra emulator args...]: start and wait until it listens (a
# port taken between tcp_free_port and the bind makes it exit: try again).
kms_start() {
	local i
	for i in 1 2 3 4 5; do
		KMS_PORT=$(tcp_free_port)
		"$EMU" --listen "127.0.0.1:$KMS_PORT" --data-dir "$KMS_TMP/data" \
			--credentials "$KMS_TMP/creds" --admin-key "$KMS_ADMIN_AK" \
			"$@" >>"$KMS_TMP/emulator.log" 2>&1 &
		KMS_PID=$!
		if tcp_wait_listen "$KMS_PID" "$KMS_PORT"; then
			export KMS_ENDPOINT="http://127.0.0.1:$KMS_PORT"
			return 0
		fi
		kms_stop
	done
	echo "kms-emulator did not start; log:" >&2
	cat "$KMS_TMP/emulator.log" >&2
	return 1
}

# kms_stop [signal]: stop the emulator this script started (default TERM).
kms_stop() {
	[ -n "$KMS_PID" ] || return 0
	kill "-${1:-TERM}" "$KMS_PID" 2>/dev/null
	wait "$KMS_PID" 2>/dev/null || true
	KMS_PID=
}

# kms_build_signer: $KMS_TMP/sign-request (sign-request.c), after kms_setup.
kms_build_signer() {
	kms_build_lib
	cc -std=gnu11 -Wall -Wextra -Werror -I"$TOP/tools/lib" -o "$KMS_TMP/sign-request" \
		"$HERE/sign-request.c" "$TOP/tools/lib/libecsenc.a" $(pkg-config --libs openssl)
}

# kms_build_blob_offline DIR: DIR/blob-offline (blob-offline.c), the tool
# that opens blobs offline as a holder of key material would.
kms_build_blob_offline() {
	local emu=$TOP/tools/kms-emulator
	kms_build_emulator
	cc -std=gnu11 -Wall -Wextra -Werror -I"$emu" -I"$TOP/tools/lib" \
		$(pkg-config --cflags json-c sqlite3) -o "$1/blob-offline" \
		"$HERE/blob-offline.c" "$emu/aead.o" "$emu/context.o" "$emu/params.o" \
		"$TOP/tools/lib/libecsenc.a" $(pkg-config --libs json-c openssl)
}

# kms_sign [sign-request options] NAME=VALUE...: a request signed by $KMS_AK
# (the signer is built on first use).
kms_sign() {
	local opts=()
	[ -x "$KMS_TMP/sign-request" ] || kms_build_signer
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
		opts+=("$1" "$2")
		shift 2
	done
	"$KMS_TMP/sign-request" "${opts[@]}" "$KMS_AK" "$KMS_SECRET" "$@"
}

# kms_post BODY [QUERY]: POST a form body (and a query string); prints the
# HTTP status and the answer's Code ("OK" on success), keeps the answer in
# $KMS_TMP/answer.json.
kms_post() {
	local status
	status=$(curl -s -m 10 -o "$KMS_TMP/answer.json" -w '%{http_code}' \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$1" "$KMS_ENDPOINT/${2:+?$2}")
	echo "$status $(jq -r '.Code // "OK"' "$KMS_TMP/answer.json" 2>/dev/null)"
}

# kms_answer FIELD: a field of the last kms_post answer.
kms_answer() {
	jq -r ".$1" "$KMS_TMP/answer.json"
}

# node_deps: install the pinned SDK once (exit 77 when npm cannot).
node_deps() {
	command -v node >/dev/null && command -v npm >/dev/null || {
		echo "node/npm missing"; exit 77; }
	if [ ! -d "$HERE/node/node_modules/@alicloud/kms20160120" ]; then
		(cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error) ||
			{ echo "npm ci failed"; exit 77; }
	fi
}

# kms_node SCRIPT [args]: run a node test script against the emulator.
kms_node() {
	KMS_AK=$KMS_AK KMS_SECRET=$KMS_SECRET KMS_ADMIN_AK=$KMS_ADMIN_AK \
		KMS_ADMIN_SECRET=$KMS_ADMIN_SECRET KMS_ENDPOINT=$KMS_ENDPOINT \
		node "$HERE/node/$1" "${@:2}"
}
