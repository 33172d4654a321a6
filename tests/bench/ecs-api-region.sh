#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Several ecs-api servers on one PostgreSQL (make bench-region; not a
# test): DescribeDisks throughput through the official SDK from one
# server on SQLite, one server on PostgreSQL and two servers on the same
# PostgreSQL (fsync on, as SQLite's synchronous=FULL), each with the same
# 20 disks of one account.
# ECS_BENCH_SECONDS, ECS_BENCH_CONCURRENCY: the run.
set -euo pipefail
. "$(dirname "$0")/../host/ecs-api/lib.sh"
need_bins
node_deps
write_creds
add_instance i-host1
start_kms
secs=${ECS_BENCH_SECONDS:-3} conc=${ECS_BENCH_CONCURRENCY:-32}
make_disks() {	# on API_PORT: 20 disks of the local agent
	local i
	for i in $(seq 20); do sdk steps.js create-disk false >/dev/null; done
}
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $conc callers for $secs s"

start_api
start_agent i-host1
make_disks
sdk bench-describe.js "127.0.0.1:$API_PORT" "$secs" "$conc" | sed 's/^/SQLite, /'
kill "$API_PID" "${AGENT_PID[i-host1]}"
wait "$API_PID" "${AGENT_PID[i-host1]}" 2>/dev/null || true

PG_FSYNC=on start_pg
API_PORT=
start_api
start_agent i-host1
make_disks
sdk bench-describe.js "127.0.0.1:$API_PORT" "$secs" "$conc" | sed 's/^/PostgreSQL, /'
port2=$(tcp_free_port)
api_run "$port2" api2
PIDS+=("$API_PID")
tcp_wait_listen "$API_PID" "$port2" || { echo "FAIL: the second server did not start"; exit 1; }
sdk bench-describe.js "127.0.0.1:$API_PORT,127.0.0.1:$port2" "$secs" "$conc" | sed 's/^/PostgreSQL, /'
