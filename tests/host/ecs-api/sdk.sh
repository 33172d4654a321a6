#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ecs-api driven by the official ECS and KMS SDKs (npm, installed here)
# against agents on this host that take their work from it: every action
# except a real attach (that needs the kernel: tests/vm/tests/84-ecs-api.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
add_instance i-quiet
add_instance i-otheracct "$ECS_ACCOUNT_B"
start_kms
start_api
start_agent i-host1
INST_AK=LTAIinstihost1 INST_SECRET=instSecretihost1 sdk host.js
# Every reply's RequestId is logged by the server and by the agent that did the work.
rid=$(grep -o 'RequestId [0-9A-F-]*: task [0-9]* create-disk' "$T/api.log" | head -n1 | cut -d' ' -f2 | tr -d :)
[ -n "$rid" ] && grep -q "RequestId $rid" "$T/agent-i-host1.log" ||
	{ echo "FAIL: RequestId $rid not followed to the agent"; exit 1; }
echo "ok   RequestId $rid logged by ecs-api and by the agent"
# Work reaches an idle agent at once: no polling interval in the path.
ms=$(grep -o 'task 1 handed to i-host1 [0-9]* ms' "$T/api.log" | awk '{ print $6 }')
[ -n "$ms" ] && [ "$ms" -lt 100 ] || { echo "FAIL: the first task reached the agent after ${ms:-?} ms"; exit 1; }
echo "ok   the first task reached the idle agent $ms ms after it was committed"
# A stop with an agent's poll parked is a clean one.
kill "$API_PID"
wait "$API_PID" || { echo "FAIL: ecs-api did not stop cleanly ($?) with a poll parked"; exit 1; }
echo "ok   ecs-api stops cleanly while an agent waits in AgentPoll"
