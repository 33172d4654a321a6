#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# CiphertextBlobs are sealed with a key derived from the root key: the
# owner of an EXTERNAL key, who knows its material, cannot open them
# offline.  Blobs of format 1 (sealed with the bare material by older
# emulators) still decrypt under keys whose material the KMS made; under
# EXTERNAL keys they are refused, since their owner could have forged
# them, unless --legacy-external-blobs (a migration: ReEncrypt makes them
# format 2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_setup
kms_build_blob_offline "$KMS_TMP"
offline=$KMS_TMP/blob-offline
kms_start --quiet
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }

call() {	# expected-status-and-code NAME=VALUE...
	local want=$1 got
	shift
	got=$(kms_post "$(kms_sign "$@")")
	[ "$got" = "$want" ] || { echo "$*: want $want, got $got: $(cat "$KMS_TMP/answer.json")"; exit 1; }
}
format_of() { base64 -d <<<"$1" | od -An -tu1 -j2 -N1 | tr -d ' '; }
ctx='{"ecsenc:lineage":"l-test"}'

# An EXTERNAL key with material the caller knows.
call "200 OK" Action=CreateKey Origin=EXTERNAL
ext=$(kms_answer KeyMetadata.KeyId)
call "200 OK" Action=GetParametersForImport KeyId="$ext" \
	WrappingAlgorithm=RSAES_OAEP_SHA_256 WrappingKeySpec=RSA_2048
kms_answer PublicKey | base64 -d >"$KMS_TMP/pub.der"
token=$(kms_answer ImportToken)
head -c 32 /dev/urandom >"$KMS_TMP/material"
material=$(od -An -tx1 -v "$KMS_TMP/material" | tr -d ' \n')
openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$KMS_TMP/pub.der" \
	-in "$KMS_TMP/material" -pkeyopt rsa_padding_mode:oaep \
	-pkeyopt rsa_oaep_md:sha256 | base64 -w0 >"$KMS_TMP/wrapped"
call "200 OK" Action=ImportKeyMaterial KeyId="$ext" ImportToken="$token" \
	EncryptedKeyMaterial="$(cat "$KMS_TMP/wrapped")"

# A blob under it is format 2 and does not open with the material.
call "200 OK" Action=Encrypt KeyId="$ext" Plaintext=secret-data-key EncryptionContext="$ctx"
blob=$(kms_answer CiphertextBlob)
[ "$(format_of "$blob")" = 2 ] || { echo "blob format $(format_of "$blob")"; exit 1; }
rc=0; "$offline" open "$blob" "$material" "$ctx" >/dev/null || rc=$?
[ $rc = 1 ] || { echo "a blob of an EXTERNAL key opened offline (status $rc)"; exit 1; }
call "200 OK" Action=Decrypt CiphertextBlob="$blob" EncryptionContext="$ctx"
[ "$(kms_answer Plaintext)" = secret-data-key ]

# Format 1 under a key whose material the KMS made (kms.db of an older
# emulator): still decrypts, and ReEncrypt moves it to format 2.
call "200 OK" Action=CreateKey
own=$(kms_answer KeyMetadata.KeyId)
call "200 OK" Action=Encrypt KeyId="$own" Plaintext=x
read -r vid wrapped < <(sqlite3 -separator ' ' "$KMS_TMP/data/kms.db" \
	"SELECT version_id, hex(material) FROM versions WHERE key_id = '$own'")
own_material=$("$offline" material "$KMS_TMP/data/root.key" "$wrapped" "material:cn-hangzhou/$own/$vid")
old=$("$offline" seal1 cn-hangzhou "$own" "$vid" "$own_material" "$ctx" old-data-key)
call "200 OK" Action=Decrypt CiphertextBlob="$old" EncryptionContext="$ctx"
[ "$(kms_answer Plaintext)" = old-data-key ]
call "200 OK" Action=ReEncrypt CiphertextBlob="$old" SourceEncryptionContext="$ctx" \
	DestinationKeyId="$own" DestinationEncryptionContext="$ctx"
[ "$(format_of "$(kms_answer CiphertextBlob)")" = 2 ]

# Format 1 under the EXTERNAL key: what its owner can forge offline.
ext_vid=$(sqlite3 "$KMS_TMP/data/kms.db" "SELECT version_id FROM versions WHERE key_id = '$ext'")
forged=$("$offline" seal1 cn-hangzhou "$ext" "$ext_vid" "$material" "$ctx" chosen-data-key)
call "400 InvalidParameter" Action=Decrypt CiphertextBlob="$forged" EncryptionContext="$ctx"
grep -q "format 1, sealed with nothing but the imported key material of key $ext" "$KMS_TMP/answer.json"
call "400 InvalidParameter" Action=ReEncrypt CiphertextBlob="$forged" SourceEncryptionContext="$ctx" \
	DestinationKeyId="$own" DestinationEncryptionContext="$ctx"

# --legacy-external-blobs reads it, for a migration to format 2.
kms_stop
kms_start --quiet --legacy-external-blobs
call "200 OK" Action=ReEncrypt CiphertextBlob="$forged" SourceEncryptionContext="$ctx" \
	DestinationKeyId="$ext" DestinationEncryptionContext="$ctx"
moved=$(kms_answer CiphertextBlob)
[ "$(format_of "$moved")" = 2 ]
rc=0; "$offline" open "$moved" "$material" "$ctx" >/dev/null || rc=$?
[ $rc = 1 ] || { echo "a migrated blob opened offline"; exit 1; }
grep -q "accepted a format 1 CiphertextBlob of key $ext" "$KMS_TMP/emulator.log"
echo "blob format checks passed"
