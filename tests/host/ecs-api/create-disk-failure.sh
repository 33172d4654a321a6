#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A CreateDisk that fails on the agent after ECS answered (no room on the
# host) is not only in the logs: DescribeTasks and DescribeTaskAttribute
# show it Failed with the agent's error code and message (the official
# SDK reads them), to its account only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
start_kms
start_api
start_agent i-host1
sdk task-outcomes.js
