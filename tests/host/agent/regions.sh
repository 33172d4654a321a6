#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regions are a closed set, each with its own KMS.  A request naming a
# region the agent does not serve (mis-spelt or made up) is refused as ECS
# refuses it (InvalidRegionId.NotFound) before anything is written,
# billed, audited or asked of a KMS: no unencrypted disk under encryption
# by default, no KMS client taken, no copy.  A KMS endpoint that is empty,
# has no scheme or is plain http off loopback stops the agent at start;
# --region-endpoint sends a region's calls to its own KMS.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }

# Two KMSes: cn-hangzhou and cn-beijing on the first, cn-shanghai on its own.
start_emulator
kms1=$kms_url
EMU=kms2 start_emulator
kms2=$kms_url
AGENT_REGIONS=cn-beijing start_agent "$kms1" --kms-deadline 2 \
	--region-endpoint "cn-shanghai=$kms2"
build_tool agent_send

rows() { sqlite3 "$work/state/catalog.db" "SELECT count(*) FROM objects WHERE $1"; }
unknown='The specified RegionId does not exist: '

log "a mis-spelt region is refused, not an unencrypted disk beside encryption by default"
ctl enable-disk-encryption-by-default >/dev/null || fail "enable-disk-encryption-by-default"
for r in CN-HANGZHOU cn-hangzhou. Cn-Hangzhou zz; do
	must_fail --error "$unknown$r is not a region of this agent (it serves cn-hangzhou, cn-beijing, cn-shanghai)" \
		ctl --region "$r" create-disk --size 8M --category cloud
done
must_fail --error "did you mean cn-hangzhou?" ctl --region cn-hangzhou. create-disk --size 8M --category cloud
reply=$(send_raw <<<'{"op":"create-disk","region":"CN-HANGZHOU","args":{"size":8388608,"category":"cloud"}}')
[ "$(jq -r .code <<<"$reply")" = InvalidRegionId.NotFound ] || fail "raw request: $reply"
[ "$(rows 1)" = 0 ] || fail "a refused create left a catalog row"
[ -z "$(find "$work/state" -mindepth 1 -type d)" ] ||
	fail "a refused create left a store: $(find "$work/state" -mindepth 1)"
ctl disable-disk-encryption-by-default >/dev/null || fail "disable-disk-encryption-by-default"

log "16 made-up regions take no KMS client from a real one"
for i in $(seq 16); do
	must_fail --error "${unknown}made-up-$i " \
		ctl --region "made-up-$i" create-disk --size 8M --category cloud --encrypted
done
b=$(ctl --region cn-beijing create-disk --size 8M --category cloud --encrypted) ||
	fail "a real region after 16 made-up ones: $(tail -n 1 "$work/agent.log")"

log "a copy into a made-up region is refused: no copy, no bill, no audit record"
p=$(ctl --region cn-beijing create-disk --size 8M --category cloud) || fail "plain disk"
ps=$(ctl --region cn-beijing create-snapshot "$p") || fail "plain snapshot"
es=$(ctl --region cn-beijing create-snapshot "$b") || fail "encrypted snapshot"
before=$(ctl --json describe-audit-events | jq '.AuditEvents | length')
for s in "$ps" "$es"; do
	must_fail --error "${unknown}zz is not a region" \
		ctl --region cn-beijing copy-snapshot "$s" --destination-region zz
done
[ "$(rows "region NOT IN ('cn-hangzhou', 'cn-beijing')")" = 0 ] || fail "a refused copy left a row"
[ -e "$work/state/zz" ] && fail "a refused copy left a store"
ctl --json describe-kms-usage | jq -e '.Regions | has("zz") | not' >/dev/null ||
	fail "a refused copy was billed"
ctl --json describe-kms-usage |
	jq -e '.Regions["cn-beijing"].Operations.CopySnapshot.KmsCalls == 0' >/dev/null ||
	fail "a refused copy was billed in the source region"
[ "$(ctl --json describe-audit-events | jq '.AuditEvents | length')" = "$before" ] ||
	fail "a refused copy left an audit record"

log "each region's KMS: a copy into cn-shanghai is wrapped by the second KMS"
c=$(ctl --region cn-beijing copy-snapshot "$es" --destination-region cn-shanghai) ||
	fail "cross-region copy"
meter() { ctl --region "$1" kms DescribeMetering | jq -c --arg r "$2" --arg a "$3" \
	'[.Metering[] | select(.RegionId == $r and .Action == $a) | .Count] | add // 0'; }
[ "$(meter cn-shanghai cn-shanghai Encrypt)" = 1 ] || fail "the second KMS did not wrap the copy"
[ "$(meter cn-shanghai cn-shanghai DescribeKey)" = 1 ] || fail "the second KMS did not check its key"
[ "$(meter cn-hangzhou cn-beijing Decrypt)" = 1 ] || fail "the first KMS did not unwrap the source"
[ "$(meter cn-hangzhou cn-shanghai Encrypt)" = 0 ] || fail "the first KMS wrapped for cn-shanghai"
[ "$(meter cn-shanghai cn-beijing Decrypt)" = 0 ] || fail "the second KMS saw cn-beijing"
ctl --region cn-shanghai --json describe-snapshots | jq -e --arg c "$c" \
	'.Snapshots[] | select(.SnapshotId == $c)' >/dev/null || fail "the copy is not in cn-shanghai"
stop_agent

log "a KMS endpoint that is empty, has no scheme or is plain http off loopback stops the agent"
refused() {	# PATTERN agent options...
	local pat=$1
	shift
	must_fail --error "$pat" timeout 10 "$AGENT" --credentials "$work/creds" \
		--state-dir "$work/refused" --socket "$work/refused.sock" "$@"
	[ -e "$work/refused" ] && fail "a refused agent made its state dir"
	return 0
}
refused "--kms-endpoint is empty: give the KMS's URL" --kms-endpoint ""
refused "--kms-endpoint kms.cn-hangzhou.aliyuncs.com has no scheme: write https://" \
	--kms-endpoint kms.cn-hangzhou.aliyuncs.com
refused "--kms-endpoint http://192.0.2.1:8080 is plain http to a host that is not loopback" \
	--kms-endpoint http://192.0.2.1:8080
refused "--region-endpoint cn-shanghai= http://kms.example.com is plain http" \
	--kms-endpoint "$kms1" --region-endpoint cn-shanghai=http://kms.example.com
refused "the one placeholder of a template is {region}" \
	--kms-endpoint "https://kms.{regoin}.aliyuncs.com"
refused "--regions: CN-SHANGHAI is not a region id as ECS spells them" \
	--kms-endpoint "$kms1" --regions CN-SHANGHAI
refused "region cn-shanghai has no KMS: give --kms-endpoint" --regions cn-shanghai \
	--region-endpoint "cn-hangzhou=$kms1"
refused "--region-endpoint cn-shanghai= is given twice" --kms-endpoint "$kms1" \
	--region-endpoint "cn-shanghai=$kms2" --region-endpoint "cn-shanghai=$kms1"

log "a template gives each region its own KMS"
AGENT_REGIONS=cn-shanghai start_agent "https://kms.{region}.aliyuncs.com" --no-reattach
grep -q "region cn-shanghai: KMS https://kms.cn-shanghai.aliyuncs.com$" "$work/agent.log" ||
	fail "template: $(grep ' region ' "$work/agent.log")"
stop_agent
echo PASS
