#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Diagnostic: the throughput workloads only, on brd, two rounds; boot it with
# --smp 1 and --smp 2 to see how much of dm-crypt's lead on deep queues and
# large I/O is its workqueue spreading the crypto over CPUs.
#   tests/vm/run-vm.sh --mem 1024 --smp 1 --script tests/bench/bench-cpus.sh --out DIR
export BENCH_ROUNDS=${BENCH_ROUNDS:-2} BENCH_BACKINGS=${BENCH_BACKINGS:-brd}
export BENCH_WORKLOADS=${BENCH_WORKLOADS:-"rr4k-qd32 sr1m sw1m"} BENCH_NULL=0
exec bash /ecsenc/tests/bench/bench.sh
