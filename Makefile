# SPDX-License-Identifier: GPL-2.0
#
# rustfs: the front door.  `make help` lists the targets.
#
# With KDIR=<built kernel tree>, `make` builds only the module, with the
# host's tools, as for any out-of-tree module.  Everything else runs through
# tools/, which keeps the toolchain chroot, the kernel tree and all objects in
# RUSTFS_CACHE (default /var/tmp/rustfs-cache).

TOOLS := $(CURDIR)/tools
export RUSTFS_CACHE ?= /var/tmp/rustfs-cache
export PROFILE ?= debug
export KSRC TESTS VERBOSE VM_TIMEOUT SOAK_SECONDS SERIES
export BENCH_REPS BENCH_ARGS BENCH_BOOTS
export FSTESTS FSTESTS_ARGS FSTESTS_SECTIONS FSTESTS_DEADLINE FSTESTS_FRESH

ifneq ($(KDIR),)
all:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=1 modules
clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=1 clean
else
all:
	$(TOOLS)/check.sh prepare
clean:
	rm -rf $(RUSTFS_CACHE)/build $(RUSTFS_CACHE)/logs
endif

run:
	$(TOOLS)/check.sh run

check:
	$(TOOLS)/check.sh check

vm:
	$(TOOLS)/check.sh vm

series-check:
	$(TOOLS)/series-check.sh

selftests:
	TESTS="insmod rustfs_mount_test rustfs_ops_test rustfs_edge_test rustfs_race_test rustfs-counters rmmod" $(TOOLS)/check.sh check

fstests:
	$(TOOLS)/check.sh fstests

bench:
	$(TOOLS)/bench.sh bench

bench-profile:
	$(TOOLS)/bench.sh profile

bench-series:
	$(TOOLS)/bench.sh series

soak:
	$(TOOLS)/check.sh soak

kselftest-baseline:
	$(TOOLS)/kselftest-baseline.sh

kernel:
	$(TOOLS)/toolchain.sh
	$(TOOLS)/kernel.sh all $(PROFILE)

toolchain:
	$(TOOLS)/toolchain.sh

lint:
	$(TOOLS)/check.sh lint

fmt:
	$(TOOLS)/check.sh fmt

distclean:
	rm -rf $(RUSTFS_CACHE)

help:
	@echo 'make            build everything needed (or only the module, with KDIR=)'
	@echo 'make run        build, boot the VM, load rustfs and show a demo'
	@echo 'make check      lint, build the debug kernel, run the tests in the VM'
	@echo 'make vm         an interactive shell in the VM'
	@echo 'make selftests  only the rustfs kselftests'
	@echo 'make bench      rustfs beside tmpfs and ext4 on a RAM disk, lean kernel'
	@echo 'make bench-profile  perf profile of BENCH_ARGS="-f rustfs -w ROW"'
	@echo 'make bench-series   tmpfs on the patched kernel against unpatched 7.3.y'
	@echo '                (SERIES=lift: tmpfs and ext4, lifted against prepared)'
	@echo 'make soak       rustfs_soak for SOAK_SECONDS (default 600) in the VM'
	@echo 'make fstests FSTESTS=<fstests checkout or tarball>  fstests on rustfs and tmpfs'
	@echo '                (FSTESTS_ARGS="-g quick", FSTESTS_SECTIONS="tmpfs rustfs")'
	@echo 'make kselftest-baseline  record the kernel selftests on unpatched 7.3.y'
	@echo 'make kernel     toolchain, patched tree, kernel (PROFILE=debug|lean)'
	@echo 'make series-check  every patch builds on its own, checkpatch clean'
	@echo 'make lint       rustfmt, unsafe count, checkpatch, shellcheck'
	@echo 'make fmt        rustfmt the Rust sources'
	@echo 'make clean      drop build objects and logs (keeps toolchain and source)'
	@echo 'make distclean  drop the whole cache ($(RUSTFS_CACHE))'
	@echo 'Variables: KSRC=<7.3.y tree> TESTS="a b" PROFILE=debug|lean VERBOSE=1'
	@echo '           SERIES=lift  the lifted series (patches/lift/) on top of patches/,'
	@echo '                        with its own tree, kernels and logs'

.PHONY: all clean run check vm series-check selftests fstests bench bench-profile bench-series soak kselftest-baseline kernel toolchain lint fmt distclean help
