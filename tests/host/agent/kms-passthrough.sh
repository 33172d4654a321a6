#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kms pass-through is key management only: no spelling of Decrypt,
# ReEncrypt or GenerateDataKey gets a disk's data key (or any key) out of
# the agent.  Before the allow-list, a flattened EncryptionContext.k=v or a
# \u escape in the JSON context decrypted the disk key, and ReEncrypt to
# another CMK followed by Decrypt under it did too.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
build_tool agent_send

start_emulator
start_agent "$kms_url" --kms-deadline 2

d=$(ctl create-disk --size 4M --category cloud_ssd --encrypted) || fail "create-disk"
lineage=$(ctl --json describe-disks "$d" | jq -r '.Disks[0].LineageId')
img=$work/state/cn-hangzhou/$d.img
blob=$(dd if="$img" bs=1 skip=896 count=2048 status=none | tr -d '\0')
[ -n "$blob" ] || fail "no wrapped key in the header"
ctx="{\"ecsenc:lineage\":\"$lineage\",\"ecsenc:region\":\"cn-hangzhou\"}"
ctx_u=${ctx/ecsenc:lineage/ecsenc\\u003alineage}
other=$(ctl kms CreateKey Description=other | jq -r .KeyMetadata.KeyId) || fail "CreateKey"

# leak_refused ARGS...: refused by the agent, and nothing that looks like
# a key in what the caller got back.
leak_refused() {
	local out
	if out=$(ctl --json kms "$@" 2>&1); then
		fail "kms $1 was passed through: $out"
	fi
	grep -q "\"Plaintext\"" <<<"$out" && fail "kms $1 returned a plaintext: $out"
	grep -q "only key-management actions\|is set by the agent" <<<"$out" ||
		fail "kms $1: want a refusal, got: $out"
}

log "Decrypt of the disk key, in every spelling"
leak_refused Decrypt CiphertextBlob="$blob" "EncryptionContext=$ctx"
leak_refused Decrypt CiphertextBlob="$blob" "EncryptionContext.ecsenc:lineage=$lineage" \
	"EncryptionContext.ecsenc:region=cn-hangzhou"
leak_refused Decrypt CiphertextBlob="$blob" "EncryptionContext=$ctx_u"
leak_refused decrypt CiphertextBlob="$blob" "EncryptionContext=$ctx"
leak_refused DECRYPT CiphertextBlob="$blob" "EncryptionContext=$ctx"

log "re-wrapping or new keys"
leak_refused ReEncrypt CiphertextBlob="$blob" DestinationKeyId="$other" \
	"SourceEncryptionContext=$ctx"
leak_refused GenerateDataKey KeyId=alias/acs/ecs
leak_refused GenerateDataKeyWithoutPlaintext KeyId=alias/acs/ecs
leak_refused Encrypt KeyId="$other" Plaintext=AAAA
leak_refused ExportDataKey CiphertextBlob="$blob"

log "an allowed action cannot smuggle another one"
leak_refused DescribeKey KeyId="$other" Action=Decrypt CiphertextBlob="$blob"
leak_refused DescribeKey KeyId="$other" action=Decrypt
leak_refused DescribeKey KeyId="$other" Signature=x
out=$(ctl kms DescribeKey KeyId="$other" RegionId=cn-beijing 2>&1) && fail "RegionId override passed"
grep -q "use --region" <<<"$out" || fail "RegionId refusal: $out"

log "the same through a raw request (no ctl in between)"
reply=$(send_raw <<<"{\"op\":\"kms\",\"args\":{\"action\":\"Decrypt\",\"params\":{\"CiphertextBlob\":\"$blob\",\"EncryptionContext.ecsenc:lineage\":\"$lineage\",\"EncryptionContext.ecsenc:region\":\"cn-hangzhou\"}}}")
[ "$(jq -r .ok <<<"$reply")" = false ] || fail "raw Decrypt passed: $reply"
grep -q "\"Plaintext\"" <<<"$reply" && fail "raw Decrypt returned a plaintext"

log "key management still works"
[ "$(ctl kms DescribeKey KeyId="$other" | jq -r .KeyMetadata.KeyState)" = Enabled ] ||
	fail "DescribeKey through the pass-through"
ctl kms DisableKey KeyId="$other" >/dev/null || fail "DisableKey"
ctl kms EnableKey KeyId="$other" >/dev/null || fail "EnableKey"
ctl kms ListAliases | jq -e '.Aliases' >/dev/null || fail "ListAliases"

log "the refused calls never reached the KMS"
ctl kms DescribeMetering >"$work/meter.json" || fail "DescribeMetering"
for a in Decrypt ReEncrypt GenerateDataKey Encrypt; do
	grep -q "\"$a\"" "$work/meter.json" && fail "the KMS saw a $a call"
done
echo PASS
