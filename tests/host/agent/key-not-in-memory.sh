#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The plaintext data key leaves no copy in the agent's memory: after each
# operation that handles one on the host (copy-snapshot to another region:
# KMS Decrypt here, Encrypt there) and others that touch keys (rewrap,
# copies within a region, disks from snapshots), the agent's every
# readable mapping (/proc/PID/mem) holds the key in no encoding: raw, base64,
# percent-encoded base64, hex (tests/host/agent/memscan.c).  The key is
# known to the test by KMS Decrypt of the snapshot's header.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN" "$EMULATOR"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (/proc/PID/mem of the agent)"; exit 77; }
build_tool memscan
build_tool disk_key libcurl

start_emulator
start_agent "$kms_url" --kms-deadline 2

# no_key WHAT: the agent's memory holds no copy of $key.
no_key() {
	"$work/memscan" "$agent_pid" "$key" >"$work/scan" 2>&1
	case $? in
	0) echo "    after $1: no copy" ;;
	1) cat "$work/scan"; fail "after $1 the agent holds the data key ($(tail -n 1 "$work/scan"))" ;;
	*) fail "memscan: $(cat "$work/scan")" ;;
	esac
}

log "an encrypted disk, a snapshot, and the snapshot's data key"
d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted) || fail "create-disk"
s=$(ctl create-snapshot "$d") || fail "create-snapshot"
key=$("$work/disk_key" "$work/state/cn-hangzhou/$s.img" "$kms_url" "$work/creds") ||
	fail "cannot learn the data key"
# The scanner finds a key where there is one: this shell holds it.
"$work/memscan" $$ "$key" >/dev/null && fail "memscan does not find the key in this shell"

log "copy-snapshot to another region: unwrapped here, wrapped there"
c=$(ctl copy-snapshot "$s" --destination-region cn-shanghai) || fail "cross-region copy"
[ "$("$work/disk_key" "$work/state/cn-shanghai/$c.img" "$kms_url" "$work/creds")" = "$key" ] ||
	fail "the copy has another data key"
no_key "copy-snapshot --destination-region"
for i in $(seq 40); do ctl describe-disks >/dev/null || fail "describe-disks"; done
no_key "40 more requests"

log "the other operations that touch the key"
cmk=$(ctl --region cn-shanghai kms CreateKey | jq -r .KeyMetadata.KeyId)
ctl copy-snapshot "$s" --destination-region cn-shanghai --kms-key-id "$cmk" >/dev/null ||
	fail "cross-region copy under a CMK"
no_key "copy-snapshot --destination-region --kms-key-id"
ctl copy-snapshot "$s" >/dev/null || fail "copy in the region"
no_key "copy-snapshot"
ctl rewrap-snapshot "$s" >/dev/null || fail "rewrap-snapshot"
no_key "rewrap-snapshot"
ctl --region cn-shanghai create-disk --snapshot-id "$c" >/dev/null || fail "disk from the copy"
no_key "create-disk --snapshot-id"
echo PASS
