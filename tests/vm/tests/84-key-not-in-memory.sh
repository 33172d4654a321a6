#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The plaintext data key leaves no copy in the agent's memory when it
# attaches a disk (KMS Decrypt, the keyring, the dm table): after an
# attach, a detach and attach again, and 40 more requests, the agent's
# every readable mapping holds the key in no encoding (memscan, from
# tests/host/agent/memscan.c).  The key is known to the test by KMS
# Decrypt of the disk's header (disk_key).
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need memscan disk_key

start_kms
start_agent
scan() {
	local rc=0
	memscan "$AGENT_PID" "$key" >scan.out 2>&1 || rc=$?
	case $rc in
	0) echo "    after $1: no copy" ;;
	1) cat scan.out; fail "after $1 the agent holds the data key" ;;
	*) fail "memscan: $(cat scan.out)" ;;
	esac
}

d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)
key=$(disk_key "$ECSENC_STATE/cn-hangzhou/$d.img" "$KMS_ENDPOINT" "$CREDS")
# The scanner finds a key where there is one: this shell holds it.
! memscan $$ "$key" >/dev/null || fail "memscan does not find the key in this shell"

log "attach, detach, attach again"
ctl attach-disk "$d" >/dev/null
scan "attach-disk"
ctl detach-disk "$d"
ctl attach-disk "$d" >/dev/null
scan "a second attach-disk"
for i in $(seq 40); do ctl describe-disks >/dev/null; done
scan "40 more requests"
ctl detach-disk "$d"
echo PASS
