#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# root.key is made once: a start that finds kms.db holding keys but no
# root.key (or a root.key that did not seal them) refuses, creates
# nothing and says why; with the right root.key back every key works.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
kms_start --quiet
[ "$(kms_post "$(kms_sign Action=CreateKey)")" = "200 OK" ]
key=$(kms_answer KeyMetadata.KeyId)
[ "$(kms_post "$(kms_sign Action=Encrypt KeyId="$key" Plaintext=hello)")" = "200 OK" ]
blob=$(kms_answer CiphertextBlob)
kms_stop

# start_once LOGFILE: one start on the data dir; its exit status, or 0 if
# it came up (and was stopped again).
start_once() {
	local port rc=0 pid
	port=$(tcp_free_port)
	"$EMU" --listen "127.0.0.1:$port" --data-dir "$KMS_TMP/data" \
		--credentials "$KMS_TMP/creds" >"$1" 2>&1 &
	pid=$!
	if tcp_wait_listen "$pid" "$port"; then
		kill "$pid"; wait "$pid" || true
		return 0
	fi
	wait "$pid" || rc=$?
	return $rc
}

mv "$KMS_TMP/data/root.key" "$KMS_TMP/root.key.saved"
rc=0; start_once "$KMS_TMP/missing.log" || rc=$?
[ $rc -ne 0 ] || { echo "started without root.key beside a kms.db with keys"; exit 1; }
grep -q "root.key is missing, but .*kms.db holds .* sealed with it" "$KMS_TMP/missing.log" ||
	{ echo "no reason given:"; cat "$KMS_TMP/missing.log"; exit 1; }
[ ! -e "$KMS_TMP/data/root.key" ] || { echo "a refused start made a new root.key"; exit 1; }

# A root key of another data dir does not open these keys: refused too.
head -c 32 /dev/urandom >"$KMS_TMP/data/root.key"
chmod 600 "$KMS_TMP/data/root.key"
rc=0; start_once "$KMS_TMP/wrong.log" || rc=$?
[ $rc -ne 0 ] || { echo "started with a root.key that did not seal kms.db"; exit 1; }
grep -q "is not the root key that sealed" "$KMS_TMP/wrong.log" ||
	{ echo "no reason given:"; cat "$KMS_TMP/wrong.log"; exit 1; }

# The real file back: the key and its ciphertext work as before.
mv "$KMS_TMP/root.key.saved" "$KMS_TMP/data/root.key"
kms_start --quiet
[ "$(kms_post "$(kms_sign Action=Decrypt CiphertextBlob="$blob")")" = "200 OK" ]
[ "$(kms_answer Plaintext)" = hello ] || { echo "Decrypt: $(cat "$KMS_TMP/answer.json")"; exit 1; }
kms_stop

# An empty data dir still gets a new root key.
rm -rf "$KMS_TMP/data" && mkdir "$KMS_TMP/data"
kms_start --quiet
[ -s "$KMS_TMP/data/root.key" ] || { echo "no root.key in a new data dir"; exit 1; }
echo "root key checks passed"
