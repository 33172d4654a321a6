#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ecs-api's benchmark (make bench-ecs-api; not a test): through the
# official SDK, 200 concurrent DescribeDisks and 20 concurrent encrypted
# CreateDisks against ecs-api with one agent on this host and the KMS
# emulator; then how long a work item takes to reach an idle agent.
# ECS_BENCH_DESCRIBE, ECS_BENCH_CREATE: the counts.
set -euo pipefail
. "$(dirname "$0")/../host/ecs-api/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
start_kms
start_api
start_agent i-host1
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
sdk bench.js "${ECS_BENCH_DESCRIBE:-200}" "${ECS_BENCH_CREATE:-20}"
# Hand-over: from the commit of a task to its AgentPoll's answer (the
# first to an idle agent; the others queued behind the agent's work).
first=$(grep -o 'handed to i-host1 [0-9]* ms after' "$T/api.log" | head -n 1 | awk '{ print $4 }')
echo "hand-over of a task to an idle agent: $first ms"
grep -o 'handed to i-host1 [0-9]* ms after' "$T/api.log" | awk '{ print $4 }' | sort -n |
	awk '{ ms[NR] = $1 } END { printf "hand-over to the agent: %d tasks, median %d ms, max %d ms\n",
		NR, ms[int((NR + 1) / 2)], ms[NR] }'
