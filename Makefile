# SPDX-License-Identifier: GPL-2.0
#
# ecsenc: top-level build.
#
#   make            build the kernel module and every userspace program
#   make check      host unit tests, then the integration tests in a VM
#   make demo       the end-to-end story, in a VM
#   make bench      benchmarks against the raw device and dm-crypt, in a VM
#   make bench-memory  heavy random writes through ecsenc in a small VM
#
# The module is built against Debian's linux-headers-amd64 (or KVER=), never
# against the running kernel: the VM boots that kernel.  KDIR= overrides the
# headers directory.

# The kernel to build for: KVER=, or the release of Debian's
# linux-image-amd64 (scripts/kver.sh decides, for the VM runs too).
KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

USERSPACE_DIRS := tools/lib tools/kms-emulator kms-agent tools/ecsenc-ctl
BUILT_DIRS = $(foreach d,$(USERSPACE_DIRS),$(if $(wildcard $(d)/Makefile),$(d)))

.PHONY: all deps module userspace check check-host check-vm demo bench bench-memory \
	lint clean

all: module userspace

# Install the Debian packages the build and the tests need (no-op when present).
deps:
	@scripts/install-deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: deps
	@set -e; for d in $(BUILT_DIRS); do $(MAKE) -C $$d; done

# W=1, sparse and checkpatch over the target.
lint: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules
	scripts/checkpatch.sh $(filter-out %.mod.c,$(wildcard dm-ecsenc/*.[ch]))

check: all
	@tests/run-all.sh

check-host: userspace
	@tests/run-all.sh --host-only

check-vm: all
	@tests/run-all.sh --vm-only

demo: all
	@tests/vm/run-vm.sh --script tests/demo/demo.sh

bench: all
	@mkdir -p build && $(CC) -O2 -Wall -o build/xts-speed tests/bench/xts-speed.c
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod modules
	@mkdir -p Documentation/benchmarks/raw && { git log -1 --format="dm-ecsenc commit: %h %s" -- dm-ecsenc; \
		git status --short dm-ecsenc | sed "s/^/dm-ecsenc uncommitted: /"; \
		md5sum dm-ecsenc/dm-ecsenc.ko | sed "s/^/host /"; } >Documentation/benchmarks/raw/host.txt
	@tests/vm/run-vm.sh --mem 1024 --smp 2 --disk 256 --timeout 2700 \
		--script tests/bench/bench.sh --out Documentation/benchmarks
	@tests/bench/report.sh Documentation/benchmarks

# Heavy random writes in a 256 MiB guest: no OOM, no hang, bounded pool.
# --lean: the full initramfs (about 116 MB of RAM for good) is too much for
# it; fio's libraries go on a read-only disk, as reclaimable page cache.
bench-memory: all
	@tests/vm/run-vm.sh --lean --mem 256 --smp 2 --disk 512 --timeout 900 \
		--script tests/bench/memory.sh --out Documentation/benchmarks

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod clean
	@for d in $(BUILT_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf build

# The libFuzzer harnesses of tests/fuzz, FUZZ_SECONDS each (default 60;
# about 9 minutes for all); fails on any crash.  make check runs them for
# 3 s each (tests/host/fuzz/harnesses.sh).
FUZZ_SECONDS ?= 60
fuzz:
	@tests/fuzz/run.sh -t $(FUZZ_SECONDS)
.PHONY: fuzz
