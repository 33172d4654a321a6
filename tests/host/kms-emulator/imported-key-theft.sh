#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# No key theft through key material a caller chose.  A caller of the agent
# makes a CMK with Origin EXTERNAL and imports 32 bytes it knows (both
# allowed through ecsenc-ctl kms), then asks the agent to move a disk's
# data key under that CMK (rewrap-disk, copy-snapshot, in the region and
# across regions): the agent refuses, changing nothing.  And the KMS
# itself: a ReEncrypt into that CMK, made with the agent's credentials as
# an agent without that rule would, gives a blob that does not open
# offline with the known material, whatever the straightforward way to
# use it; KMS Decrypt still opens it to the same data key.
set -uo pipefail
. "$(dirname "$0")/../agent/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
emu=$top/tools/kms-emulator
make -s -C "$top/tools/lib" >/dev/null && make -s -C "$emu" >/dev/null || fail "build"
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Wextra -Werror -I"$emu" -I"$top/tools/lib" $(pkg-config --cflags json-c sqlite3) \
	-o "$work/blob-offline" "$here/blob-offline.c" "$emu/aead.o" "$emu/context.o" \
	"$emu/params.o" "$top/tools/lib/libecsenc.a" $(pkg-config --libs json-c openssl) || fail "build blob-offline"
cc -std=gnu11 -Wall -Wextra -Werror -I"$top/tools/lib" -o "$work/sign-request" \
	"$here/sign-request.c" "$top/tools/lib/libecsenc.a" $(pkg-config --libs openssl) || fail "build sign-request"

start_emulator
start_agent "$kms_url" --kms-deadline 2
read -r agent_ak agent_secret <"$work/creds"

# kms_direct NAME=VALUE...: one call signed with the agent's credentials.
kms_direct() {
	curl -s -m 10 -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$("$work/sign-request" "$agent_ak" "$agent_secret" "$@")" "$kms_url/"
}

# external_key REGION: a CMK of REGION with 32 known bytes imported
# through ecsenc-ctl kms; prints its id, the material in $work/material.
external_key() {
	local key token
	key=$(ctl --region "$1" kms CreateKey Origin=EXTERNAL | jq -r .KeyMetadata.KeyId)
	[ -n "$key" ] && [ "$key" != null ] || fail "CreateKey Origin=EXTERNAL"
	ctl --region "$1" kms GetParametersForImport KeyId="$key" WrappingAlgorithm=RSAES_OAEP_SHA_256 \
		WrappingKeySpec=RSA_2048 >"$work/params.json" || fail "GetParametersForImport"
	jq -r .PublicKey "$work/params.json" | base64 -d >"$work/pub.der"
	token=$(jq -r .ImportToken "$work/params.json")
	openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$work/pub.der" -in "$work/material" \
		-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 >"$work/wrapped" || fail "openssl"
	ctl --region "$1" kms ImportKeyMaterial KeyId="$key" ImportToken="$token" \
		EncryptedKeyMaterial="$(base64 -w0 "$work/wrapped")" >/dev/null || fail "ImportKeyMaterial"
	echo "$key"
}

head -c 32 /dev/urandom >"$work/material"
material=$(od -An -tx1 -v "$work/material" | tr -d ' \n')
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted) || fail "create-disk"
s=$(ctl create-snapshot "$d") || fail "create-snapshot"
img=$work/state/cn-hangzhou/$d.img
{ read -r blob0; read -r ctx0; } < <("$work/blob-offline" header "$img")
before=$(head -c 8192 "$img" | sha256sum)
ext=$(external_key cn-hangzhou)
ext_sh=$(external_key cn-shanghai)

log "the agent moves no data key under a CMK of imported material"
if ctl rewrap-disk "$d" --kms-key-id "$ext" >/dev/null 2>"$work/err"; then
	{ read -r blob1; read -r ctx1; } < <("$work/blob-offline" header "$img")
	"$work/blob-offline" open "$blob1" "$material" "$ctx1" &&
		fail "rewrap-disk moved $d under $ext, and its new blob opens offline with the imported material"
	fail "rewrap-disk moved $d under $ext"
fi
grep -q "InvalidKMSKeyId.ImportedMaterial\|has Origin EXTERNAL" "$work/err" || fail "refusal: $(cat "$work/err")"
must_fail --error "has Origin EXTERNAL .*create a disk under it and copy" \
	ctl rewrap-snapshot "$s" --kms-key-id "$ext"
must_fail --error "has Origin EXTERNAL" ctl copy-snapshot "$s" --kms-key-id "$ext"
must_fail --error "has Origin EXTERNAL" ctl copy-snapshot "$s" --destination-region cn-shanghai --kms-key-id "$ext_sh"
must_fail --error "not by ARN" ctl rewrap-disk "$d" --kms-key-id "acs:kms:cn-hangzhou:1234567890123456:key/$ext"
[ "$(head -c 8192 "$img" | sha256sum)" = "$before" ] || fail "a refused rewrap changed the header of $d"
[ "$(ctl --json describe-snapshots | jq '.Snapshots | length')" = 1 ] || fail "a refused copy made a snapshot"
json=$(ctl --json describe-disks "$d")
[ "$(jq -r '.Disks[0].KMSKeyId' <<<"$json")" != "$ext" ] || fail "the catalog moved $d under $ext"

log "what the rule allows: a KMS-made CMK, and the EXTERNAL key a disk is already under"
own=$(ctl kms CreateKey Description=own | jq -r .KeyMetadata.KeyId)
ctl rewrap-disk "$d" --kms-key-id "$own" >/dev/null || fail "rewrap under a KMS-made CMK"
e=$(ctl create-disk --size 8M --category cloud_ssd --encrypted --kms-key-id "$ext") ||
	fail "create-disk under an EXTERNAL key"
ctl rewrap-disk "$e" --kms-key-id "$ext" >/dev/null || fail "rewrap under the disk's own EXTERNAL key"
ctl rewrap-disk "$e" >/dev/null || fail "rewrap of a disk under an EXTERNAL key"

log "the KMS: a blob re-wrapped under the EXTERNAL key does not open offline"
{ read -r blob0; read -r ctx0; } < <("$work/blob-offline" header "$img")
kms_direct Action=ReEncrypt CiphertextBlob="$blob0" SourceEncryptionContext="$ctx0" \
	DestinationKeyId="$ext" DestinationEncryptionContext="$ctx0" >"$work/re.json"
stolen=$(jq -r .CiphertextBlob "$work/re.json")
[ -n "$stolen" ] && [ "$stolen" != null ] || fail "ReEncrypt: $(cat "$work/re.json")"
"$work/blob-offline" open "$stolen" "$material" "$ctx0" &&
	fail "the ReEncrypt blob under $ext opens offline with the imported material"
[ $? = 1 ] || fail "blob-offline could not read the blob"
want=$(kms_direct Action=Decrypt CiphertextBlob="$blob0" EncryptionContext="$ctx0" | jq -r .Plaintext)
got=$(kms_direct Action=Decrypt CiphertextBlob="$stolen" EncryptionContext="$ctx0" | jq -r .Plaintext)
[ -n "$want" ] && [ "$want" != null ] && [ "$got" = "$want" ] || fail "KMS Decrypt of the re-wrapped blob"
echo "imported key material opens nothing: checks passed"
