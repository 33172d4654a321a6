#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A quick pass of tests/bench/bench.sh: one round, short runs, few workloads.
export BENCH_RUNTIME=${BENCH_RUNTIME:-2} BENCH_ROUNDS=${BENCH_ROUNDS:-1}
export BENCH_WORKLOADS=${BENCH_WORKLOADS:-"rr4k-qd1 sw1m rrw4k-2j"}
export BENCH_MB=${BENCH_MB:-64}
exec bash /ecsenc/tests/bench/bench.sh
