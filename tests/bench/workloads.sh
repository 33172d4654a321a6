# SPDX-License-Identifier: GPL-2.0
# The fio workloads of the benchmarks, by name: bench.sh runs them all,
# ab.sh the one-job ones.  Sourced; fail() comes from the test library.

bench_fio_args() {	# workload -> fio options
	case $1 in
	rr4k-qd1) echo "--rw=randread --bs=4k --ioengine=psync --iodepth=1 --numjobs=1" ;;
	rw4k-qd1) echo "--rw=randwrite --bs=4k --ioengine=psync --iodepth=1 --numjobs=1" ;;
	rr4k-qd32) echo "--rw=randread --bs=4k --ioengine=libaio --iodepth=32 --numjobs=1" ;;
	rw4k-qd32) echo "--rw=randwrite --bs=4k --ioengine=libaio --iodepth=32 --numjobs=1" ;;
	sr1m) echo "--rw=read --bs=1M --ioengine=libaio --iodepth=4 --numjobs=1" ;;
	sw1m) echo "--rw=write --bs=1M --ioengine=libaio --iodepth=4 --numjobs=1" ;;
	rrw4k-2j) echo "--rw=randrw --rwmixread=50 --bs=4k --ioengine=psync --iodepth=1 --numjobs=2" ;;
	*) fail "unknown workload $1" ;;
	esac
}
