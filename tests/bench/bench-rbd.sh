#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# needs: ceph
# tests/bench/bench.sh over Ceph RBD (make bench-rbd): raw /dev/rbdN,
# dm-crypt default and no_read/no_write_workqueue, and dm-ecsenc over it,
# 4 KiB random I/O at QD1 and QD32 and 1 MiB sequential, in one boot.
export BENCH_BACKINGS=${BENCH_BACKINGS:-rbd} BENCH_NULL=${BENCH_NULL:-0}
export BENCH_SIZES=${BENCH_SIZES:-4096} BENCH_ROUNDS=${BENCH_ROUNDS:-3} BENCH_MB=${BENCH_MB:-128}
export BENCH_WORKLOADS=${BENCH_WORKLOADS:-"rr4k-qd1 rw4k-qd1 rr4k-qd32 rw4k-qd32 sr1m sw1m"}
exec bash /ecsenc/tests/bench/bench.sh
