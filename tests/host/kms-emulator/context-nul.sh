#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An EncryptionContext value with a NUL inside (JSON "\u0000", or %00 in
# a flattened query parameter) is not the value cut at the NUL.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kms_build_emulator
kms_setup
kms_start

[ "$(kms_post "$(kms_sign Action=GenerateDataKey KeyId=alias/acs/ecs \
	EncryptionContext.disk=d-1)")" = "200 OK" ]
blob=$(kms_answer CiphertextBlob)
[ "$(kms_post "$(kms_sign Action=Decrypt CiphertextBlob="$blob" \
	EncryptionContext='{"disk":"d-1"}')")" = "200 OK" ]

# JSON: the whole value counts, so the context differs and the tag fails.
got=$(kms_post "$(kms_sign Action=Decrypt CiphertextBlob="$blob" \
	EncryptionContext='{"disk":"d-1\u0000x"}')")
[ "$got" = "400 InvalidParameter.EncryptionContext" ] || { echo "JSON NUL value: $got"; exit 1; }
# A key that holds a NUL is refused.
got=$(kms_post "$(kms_sign Action=Decrypt CiphertextBlob="$blob" \
	EncryptionContext='{"disk\u0000x":"d-1"}')")
[ "$got" = "400 InvalidParameter" ] || { echo "JSON NUL key: $got"; exit 1; }

# Query string: the request is signed over "d-1" and sends "d-1%00x"; a
# server that cut the value at the NUL would verify and decrypt it.
query=$(kms_sign -m GET Action=Decrypt CiphertextBlob="$blob" EncryptionContext.disk=d-1)
[ "$(curl -s -m 10 "$KMS_ENDPOINT/?$query" | jq -r '.Code // "OK"')" = OK ]
query=$(kms_sign -m GET Action=Decrypt CiphertextBlob="$blob" EncryptionContext.disk=d-1)
got=$(curl -s -m 10 "$KMS_ENDPOINT/?${query/EncryptionContext.disk=d-1/EncryptionContext.disk=d-1%00x}" |
	jq -r '.Code // "OK"')
[ "$got" = InvalidParameter ] || { echo "query NUL value: $got"; exit 1; }
echo "context NUL checks passed"
