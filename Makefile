# SPDX-License-Identifier: GPL-2.0
#
# ecsenc: top-level build.
#
#   make            build the kernel module and every userspace program
#   make modules    the module for every kernel it is tested on
#   make check      host unit tests, then the integration tests in a VM
#                   and ecsenc's QD1 latency in instruction-time, once per
#                   kernel, then the packages under systemd
#   make check-systemd  just the last, on KVER's kernel
#   make demo       the end-to-end story, in a VM
#   make bench      benchmarks against the raw device and dm-crypt, in a VM
#   make bench-memory  heavy random writes through ecsenc in a small VM
#   make bench-scale   256 devices on one guest, 64 attaches through the agent
#   make bench-breakdown  where a QD1 I/O's time goes (ftrace), null cipher
#   make bench-ab   two builds of the module, alternated in one boot
#   make bench-icount  the QD1 cells in instruction-time, on every kernel
#   make icount-baseline  the figures make check holds ecsenc's QD1 cells to
#   make install    programs, systemd units, man pages, bash completion,
#                   an example /etc/ecsenc/agent.env (share/doc/ecsenc/examples)
#                   (PREFIX=/usr/local, DESTDIR= for staging)
#   make install-module  the module built for KVER, into /lib/modules
#   make install-dkms    the module's source for DKMS, /usr/src/ecsenc-VERSION
#   make deb        Debian packages: ecsenc, ecsenc-rbd, ecsenc-dkms,
#                   ecsenc-kms-emulator
#   make bench-rbd  the same comparison over Ceph RBD, in a VM
#
# The module is built against Debian's linux-headers-amd64 (or KVER=), never
# against the running kernel: the VM boots that kernel.  KDIR= overrides the
# headers directory.

# The kernel to build for: KVER=, or the release of Debian's
# linux-image-amd64 (scripts/kver.sh decides, for the VM runs too).
KVER ?= $(shell scripts/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

# Each kernel's module is built from a copy of the sources in a directory
# of its own, so that the builds for two kernels never share an object:
# build/kernel/<release>/dm-ecsenc/dm-ecsenc.ko, where tests/vm/run-vm.sh
# looks for it.  cp -p keeps the sources' times, so rebuilds stay
# incremental.
MODULE_BUILD = build/kernel/$(KVER)
MODULE_SRCS := $(filter-out %.mod.c,$(wildcard dm-ecsenc/*.[ch])) dm-ecsenc/Kbuild

# The release, from debian/changelog ("ecsenc (0.1.0-1) ..." -> 0.1.0).
VERSION := $(shell head -n 1 debian/changelog | cut -d' ' -f2 | tr -d '()')

# Where make install puts things.  The units name $(SBINDIR)'s programs.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/systemd/system
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
# Backend plugins (backend-rbd.so); kms-agent is built to look there.
PKGLIBDIR ?= $(PREFIX)/lib/ecsenc

USERSPACE_DIRS := tools/lib tools/kms-emulator kms-agent tools/ecsenc-ctl tools/ecs-api
BUILT_DIRS = $(foreach d,$(USERSPACE_DIRS),$(if $(wildcard $(d)/Makefile),$(d)))

.PHONY: all deps module modules userspace test-tools check check-host check-vm demo bench \
	bench-memory bench-rbd bench-scale bench-breakdown bench-ab bench-icount bench-ecs-api bench-region bench-region-attach check-ecs-api \
	icount-baseline lint clean programs install install-module \
	install-dkms deb check-systemd

all: module userspace

# Install the Debian packages the build and the tests need (no-op when present).
deps:
	@scripts/install-deps.sh

module: deps
	@mkdir -p $(MODULE_BUILD)/dm-ecsenc
	@cp -p Kbuild $(MODULE_BUILD)/ && cp -p $(MODULE_SRCS) $(MODULE_BUILD)/dm-ecsenc/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODULE_BUILD) modules

modules: deps
	@set -e; for k in $$(scripts/kver.sh --all); do \
		$(MAKE) --no-print-directory module KVER=$$k KDIR=/lib/modules/$$k/build; \
	done

userspace: deps programs test-tools

# Helpers the guest tests run (tests/vm/extra-files).
test-tools: programs
	@mkdir -p build
	@$(CC) -O2 -Wall -o build/memscan tests/host/agent/memscan.c $$(pkg-config --libs openssl)
	@$(CC) -O2 -Wall -Itools/lib -o build/disk_key tests/host/agent/disk_key.c \
		tools/lib/libecsenc.a $$(pkg-config --libs json-c openssl libcurl)

# The programs alone, for package builds (no apt-get).
programs:
	@set -e; for d in $(BUILT_DIRS); do $(MAKE) -C $$d AGENT_BACKEND_DIR=$(PKGLIBDIR) \
		CONSOLE_DIR=$(DATADIR)/ecsenc/console; done

install: programs
	install -D -m 0755 kms-agent/kms-agent $(DESTDIR)$(SBINDIR)/kms-agent
	install -D -m 0644 kms-agent/rbd/backend-rbd.so $(DESTDIR)$(PKGLIBDIR)/backend-rbd.so
	install -D -m 0755 tools/ecsenc-ctl/ecsenc-ctl $(DESTDIR)$(SBINDIR)/ecsenc-ctl
	install -D -m 0755 tools/kms-emulator/kms-emulator $(DESTDIR)$(SBINDIR)/kms-emulator
	install -D -m 0755 tools/ecs-api/ecs-api $(DESTDIR)$(SBINDIR)/ecs-api
	install -d $(DESTDIR)$(DATADIR)/ecsenc/console
	install -m 0644 tools/ecs-api/console/*.html tools/ecs-api/console/*.css \
		tools/ecs-api/console/*.js $(DESTDIR)$(DATADIR)/ecsenc/console/
	@set -e; for u in kms-agent/ecsenc-kms-agent.service \
		tools/kms-emulator/ecsenc-kms-emulator.service \
		tools/ecs-api/ecsenc-api.service; do \
		install -d $(DESTDIR)$(UNITDIR); \
		sed 's|/usr/sbin/|$(SBINDIR)/|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	done
	@set -e; for m in Documentation/man/*.[0-9]; do \
		install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; \
	done
	install -D -m 0644 Documentation/bash-completion/ecsenc-ctl $(DESTDIR)$(COMPLETIONDIR)/ecsenc-ctl
	install -D -m 0644 kms-agent/agent.env $(DESTDIR)$(DATADIR)/doc/ecsenc/examples/agent.env

# The module for KVER, where modprobe finds it before Debian's own.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODULE_BUILD) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	$(if $(DESTDIR),,depmod $(KVER))

# The module's source as DKMS takes it (then: dkms install ecsenc/$(VERSION)).
DKMS_SRC = $(DESTDIR)/usr/src/ecsenc-$(VERSION)
install-dkms:
	install -d $(DKMS_SRC)/dm-ecsenc
	install -m 0644 Kbuild $(DKMS_SRC)/
	install -m 0644 $(MODULE_SRCS) $(DKMS_SRC)/dm-ecsenc/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

# debhelper builds the packages into build/deb/ from a clean copy of the tree.
deb:
	@scripts/build-deb.sh

# W=1 and sparse against every kernel, and checkpatch over the target.
lint: deps
	@tests/host/kernel/lint.sh

check: userspace modules deb
	@tests/run-all.sh

# The packages under systemd in a debootstrapped Debian 12, on KVER's
# kernel: two boots, about 4 minutes.
check-systemd: userspace module deb
	@tests/systemd/run.sh

check-host: userspace
	@tests/run-all.sh --host-only

check-vm: userspace modules deb
	@tests/run-all.sh --vm-only

demo: all
	@tests/vm/run-vm.sh --script tests/demo/demo.sh
	@echo "=== The ECS API: the official ECS SDK drives ecs-api on this host; instance i-vm1's agent, in a VM, attaches"
	@tests/vm/ecs-api/run.sh
	@echo "=== A region: ecs-api and the KMS on this host; three instances' agents on one Ceph pool in a VM; what crosses the wire, a host cut off, Force and fencing, Ceph down"
	@tests/vm/ecs-api/region.sh --demo

# BENCH_OUT: where the report goes (one directory per kernel, say); the
# BENCH_* variables of the environment (tests/bench/bench.sh lists them)
# reach the guest through $(BENCH_OUT)/bench.env, so that one section can
# run alone, e.g. make bench BENCH_BACKINGS=brd BENCH_WORKLOADS=rr4k-qd32.
BENCH_OUT ?= Documentation/benchmarks
bench: all
	@mkdir -p build && $(CC) -O2 -Wall -o build/xts-speed tests/bench/xts-speed.c
	@$(CC) -O2 -Wall -o build/fpu-cost tests/bench/fpu-cost.c
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod clean
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod modules
	@mkdir -p $(BENCH_OUT)/raw && { echo "command: make bench KVER=$(KVER)$(foreach v,$(filter BENCH_%,$(.VARIABLES)),$(if $(filter command line environment,$(origin $(v))), $(v)='$($(v))'))"; \
		git log -1 --format="dm-ecsenc commit: %h %s" -- dm-ecsenc; \
		git status --short dm-ecsenc | sed "s/^/dm-ecsenc uncommitted: /"; \
		md5sum $(MODULE_BUILD)/dm-ecsenc/dm-ecsenc.ko | sed "s/^/host /"; \
		echo "host load before (the host is shared with other VMs): $$(cat /proc/loadavg)"; } >$(BENCH_OUT)/raw/host.txt
	@env | grep '^BENCH_' | sed "s/=\(.*\)/='\1'/" >$(BENCH_OUT)/bench.env || true
	@tests/vm/run-vm.sh --mem 1024 --smp 2 --disk 256 --timeout 3600 \
		--script tests/bench/bench.sh --out $(BENCH_OUT)
	@echo "host load after: $$(cat /proc/loadavg)" >>$(BENCH_OUT)/raw/host.txt
	@tests/bench/report.sh $(BENCH_OUT)

# 256 devices on one guest, dm-crypt then ecsenc: memory per idle device,
# create and remove times, I/O on all at once with the bounce pages
# bounded; then 64 encrypted disks attached through the agent with the
# KMS 50 ms late.  SCALE_N, SCALE_ATTACH, SCALE_KMS_MS: tests/bench/scale.sh.
bench-scale: all
	@mkdir -p $(BENCH_OUT)/raw
	@env | grep -E '^(BENCH|SCALE)_' | sed "s/=\(.*\)/='\1'/" >$(BENCH_OUT)/bench.env || true
	@echo "host load before (the host is shared with other VMs): $$(cat /proc/loadavg)" >$(BENCH_OUT)/raw/scale-host.txt
	@tests/vm/run-vm.sh --mem 1024 --smp 2 --timeout 2400 \
		--script tests/bench/scale.sh --out $(BENCH_OUT)
	@echo "host load after: $$(cat /proc/loadavg)" >>$(BENCH_OUT)/raw/scale-host.txt

# Where a 4 KiB QD1 I/O's time goes: ecsenc's null cipher against
# dm-linear under ftrace's function_graph tracer (tests/bench/breakdown.sh).
bench-breakdown: all
	@mkdir -p $(BENCH_OUT)/raw
	@env | grep -E '^(BENCH|BREAKDOWN)_' | sed "s/=\(.*\)/='\1'/" >$(BENCH_OUT)/bench.env || true
	@tests/vm/run-vm.sh --mem 1024 --smp 2 --timeout 1200 \
		--script tests/bench/breakdown.sh --out $(BENCH_OUT)

# Two builds of the module against each other in one boot, the order
# alternating by round (tests/bench/ab.sh): AB_BASE= the commit to compare
# with (default: dm-ecsenc/ before its last change), against the working
# tree's module.  AB_ROUNDS (5), AB_RUNTIME (3 s), AB_WORKLOADS (rr4k-qd1
# rw4k-qd1; also rr4k-qd32 rw4k-qd32 sr1m sw1m); about 8 minutes.
AB_BASE ?= $(shell git log -2 --format=%h -- dm-ecsenc | tail -n 1)
AB_OUT ?= build/bench-ab
bench-ab: all
	@rm -rf build/ab-src $(AB_OUT) && mkdir -p build/ab-src $(AB_OUT)/ab
	@git archive $(AB_BASE) Kbuild dm-ecsenc | tar -x -C build/ab-src
	$(MAKE) -C $(KDIR) M=$(CURDIR)/build/ab-src modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod clean
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod modules
	@cp build/ab-src/dm-ecsenc/dm-ecsenc.ko $(AB_OUT)/ab/base.ko
	@cp $(MODULE_BUILD)/dm-ecsenc/dm-ecsenc.ko $(AB_OUT)/ab/head.ko
	@{ echo "command: make bench-ab KVER=$(KVER) AB_BASE=$(AB_BASE)$(if $(AB_WORKLOADS), AB_WORKLOADS='$(AB_WORKLOADS)')$(if $(AB_ROUNDS), AB_ROUNDS=$(AB_ROUNDS))$(if $(AB_RUNTIME), AB_RUNTIME=$(AB_RUNTIME))"; \
		git log -1 --format="base: %h %s" $(AB_BASE); \
		git log -1 --format="head: %h %s" -- dm-ecsenc; \
		git status --short dm-ecsenc | sed "s/^/head uncommitted: /"; \
		echo "host load before: $$(cat /proc/loadavg)"; } >$(AB_OUT)/ab/what.txt
	@env | grep -E '^AB_' | sed "s/=\(.*\)/='\1'/" >$(AB_OUT)/bench.env || true
	@tests/vm/run-vm.sh --mem 1024 --smp 2 --timeout 1800 \
		--script tests/bench/ab.sh --out $(AB_OUT)
	@echo "host load after: $$(cat /proc/loadavg)" >>$(AB_OUT)/ab.txt

# The QD1 cells in instruction-time (tests/bench/icount.sh): one boot per
# kernel under qemu -icount, where a latency is a count of guest
# instructions and repeats from boot to boot; a report per kernel in
# $(ICOUNT_OUT)/<release>/icount.txt.  ICOUNT_KVERS= for fewer kernels;
# ICOUNT_IOS, ICOUNT_CONFIGS, ...: tests/bench/icount.sh.
ICOUNT_OUT ?= Documentation/benchmarks/icount
ICOUNT_KVERS ?= $(shell scripts/kver.sh --all)
bench-icount: modules
	@set -e; for k in $(ICOUNT_KVERS); do \
		$(MAKE) --no-print-directory -C /lib/modules/$$k/build M=$(CURDIR)/tests/bench/kmod clean; \
		$(MAKE) --no-print-directory -C /lib/modules/$$k/build M=$(CURDIR)/tests/bench/kmod modules; \
		KVER=$$k tests/bench/icount-run.sh $(ICOUNT_OUT)/$$k; \
	done

# Rewrite the figures make check holds ecsenc's QD1 latency to, one file
# per kernel (tests/bench/icount-baseline/): after a change that is meant
# to move them, or a new kernel.
icount-baseline: modules
	@set -e; for k in $(ICOUNT_KVERS); do KVER=$$k tests/bench/icount-check.sh --update; done

# Heavy random writes in a 256 MiB guest: no OOM, no hang, bounded pool.
# --lean: the full initramfs (about 116 MB of RAM for good) is too much for
# it; fio's libraries go on a read-only disk, as reclaimable page cache.
bench-memory: all
	@tests/vm/run-vm.sh --lean --mem 256 --smp 2 --disk 512 --timeout 900 \
		--script tests/bench/memory.sh --out Documentation/benchmarks

# Over an image of a one-node Ceph cluster in the guest, mapped by the
# kernel rbd client of a second network namespace (tests/vm/ceph-lib.sh).
# ecs-api through the official SDK (tests/bench/ecs-api.sh): 200
# concurrent DescribeDisks, 20 concurrent CreateDisks, the hand-over to an
# agent; the AttachDisk split is printed by make check-ecs-api (a VM).
bench-ecs-api: programs
	@tests/bench/ecs-api.sh

# 64 AttachDisks over four rbd instances in a VM, the KMS answering 50 ms
# late, from the first request to the last In_use
# through two servers on PostgreSQL (tests/vm/ecs-api/region.sh --bench;
# REGION_SERVERS=1: one on SQLite).
REGION_SERVERS ?= 2
bench-region-attach: programs test-tools module
	@tests/vm/ecs-api/region.sh --bench 64 --servers $(REGION_SERVERS)

# DescribeDisks from one and two ecs-api servers on one PostgreSQL, and on SQLite.
bench-region: programs
	@tests/bench/ecs-api-region.sh

# The SDK story with an agent in a VM that really attaches (about 2 minutes).
check-ecs-api: programs module
	@tests/vm/ecs-api/run.sh

# The host's load goes into the report: the machine may be shared.
bench-rbd: all
	@mkdir -p build && $(CC) -O2 -Wall -o build/xts-speed tests/bench/xts-speed.c
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/kmod modules
	@mkdir -p Documentation/benchmarks/rbd/raw && { echo "command: make bench-rbd"; \
		git log -1 --format="dm-ecsenc commit: %h %s" -- dm-ecsenc; \
		echo "host load before: $$(cat /proc/loadavg)"; } >Documentation/benchmarks/rbd/raw/host.txt
	@tests/vm/run-vm.sh --mem 2048 --smp 2 --timeout 3600 \
		--script tests/bench/bench-rbd.sh --out Documentation/benchmarks/rbd
	@echo "host load after: $$(cat /proc/loadavg)" >>Documentation/benchmarks/rbd/raw/host.txt
	@tests/bench/report.sh Documentation/benchmarks/rbd Documentation/benchmarks/rbd.txt

clean:
	-rm -f dm-ecsenc/*.o dm-ecsenc/*.ko dm-ecsenc/*.mod* dm-ecsenc/.*.cmd
	-rm -f tests/bench/kmod/*.o tests/bench/kmod/*.ko tests/bench/kmod/*.mod* \
		tests/bench/kmod/.*.cmd
	@for d in $(BUILT_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf build

# The libFuzzer harnesses of tests/fuzz, FUZZ_SECONDS each (default 60;
# about 9 minutes for all); fails on any crash.  make check runs them for
# 3 s each (tests/host/fuzz/harnesses.sh).
FUZZ_SECONDS ?= 60
fuzz:
	@tests/fuzz/run.sh -t $(FUZZ_SECONDS)
.PHONY: fuzz
