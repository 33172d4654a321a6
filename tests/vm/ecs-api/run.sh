#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole story with the official SDKs and an agent in a VM that really
# attaches: ecs-api and the KMS emulator run on the host's loopback; the
# guest (tests/vm/run-vm.sh --guestfwd) runs instance i-vm1's agent, which
# reaches them as 10.0.2.100; node/vm.js drives ecs-api with the SDKs and
# asks the guest (through the --out share) to check each attached device.
#
#   tests/vm/ecs-api/run.sh        (after make programs modules)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/tests/host/ecs-api/lib.sh"
need_bins
node_deps
write_creds
add_instance i-vm1
add_instance i-host2
start_kms
start_api
out=$T/out
mkdir -p "$out"
cp "$T/agent-kms.creds" "$T/i-vm1.key" "$out/"
printf 'KMS_URL=http://10.0.2.100:%s\nAPI_URL=http://10.0.2.100:%s\n' \
	"$KMS_PORT" "$API_PORT" >"$out/env"
"$top/tests/vm/run-vm.sh" --script "$here/guest.sh" --out "$out" \
	--guestfwd "$KMS_PORT" --guestfwd "$API_PORT" --timeout 400 --mem 1024 --disk 8192 \
	>"$T/vm.log" 2>&1 &
vm=$!
PIDS+=("$vm")
rc=0
VM_OUT=$out sdk vm.js || rc=$?
[ $rc -eq 0 ] && echo ok >"$out/done" || echo failed >"$out/done"
wait "$vm" || rc=1
grep -E '^(RESULT|FAIL|the host)' "$T/vm.log" || tail -n 30 "$T/vm.log"
# The RequestId of the attach, followed to the agent in the guest.
rid=$(grep -o 'RequestId [0-9A-F-]*: task [0-9]* attach-disk' "$T/api.log" | head -n1 | cut -d' ' -f2 | tr -d :) || true
if [ -n "$rid" ] && grep -q "RequestId $rid" "$out/agent-vm.log"; then
	echo "ok   AttachDisk's RequestId $rid logged by ecs-api and by the agent in the guest"
else
	echo "FAIL: the attach's RequestId is not in the guest agent's log"; rc=1
fi
# Keep the logs of a failed run.
if [ $rc -ne 0 ]; then
	mkdir -p "$top/build/ecs-api-vm"
	cp "$T"/*.log "$out"/*.log "$top/build/ecs-api-vm/" 2>/dev/null || true
	echo "logs in build/ecs-api-vm/"
fi
exit $rc
