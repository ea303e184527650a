# SPDX-License-Identifier: MIT
# Tern -- the only entry point.  `make help` says what each target does.
#
#   make                 build out/images/{bzImage,rootfs.cpio.gz}
#   make run             build, then boot the image in QEMU
#   make test            build what the tests need, then run every test
#
# Variables a user may set: BOARD= (a board built in out/<board>, with its
# .config there), O= (output, default out), DL_DIR= (download cache,
# default dl), V=1 (show commands), ACCEL=kvm|tcg (QEMU's accelerator,
# otherwise chosen by board/accel.sh).

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

TOP    := $(CURDIR)
DEFAULT_BOARD  := qemu_x86_64
# BOARD=<name> builds that board apart from the default one: its output is
# out/<name> (O=) and its .config lives there too, so `make BOARD=pc_x86_64`
# never touches ./.config or out/ of the default board.  Without BOARD, the
# board is whatever ./.config says (the default board on a fresh clone).
ifneq ($(BOARD),)
ifeq ($(wildcard $(TOP)/board/$(BOARD)/defconfig),)
$(error BOARD=$(BOARD): there is no board/$(BOARD)/defconfig (boards: $(notdir $(patsubst %/defconfig,%,$(wildcard $(TOP)/board/*/defconfig)))))
endif
O      ?= $(TOP)/out/$(BOARD)
KCONFIG_CONFIG ?= $(O)/.config
endif
O      ?= $(TOP)/out
DL_DIR ?= $(TOP)/dl
# Debian's python sees python3-kconfiglib; a pyenv python3 on PATH may not.
PYTHON := /usr/bin/python3
KCONFIG_CONFIG ?= $(TOP)/.config
# Parallel by default, one jobserver for everything: the small packages
# build while the kernel does, and no sub-make adds jobs of its own.
JOBS   ?= $(shell nproc)
# A make of this Makefile started by another (make test builds the disk
# board that way) takes its jobs from the caller's jobserver.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(JOBS)
endif

# Nothing of ours leaks into the packages' own builds: the kernel's and
# BusyBox's kconfig read KCONFIG_CONFIG and would write their config over
# ours.  Scripts get what they need on their command lines.
unexport O DL_DIR KCONFIG_CONFIG BOARD
# Nor do variables given on our command line (make O=... KCONFIG_CONFIG=...),
# which Make would otherwise hand to every sub-make through MAKEFLAGS.
MAKEOVERRIDES :=

# Quiet unless V=1: every step announces itself with a ">>>" line instead.
ifneq ($(V),1)
.SILENT:
endif

BUILD   := $(O)/build
HOST    := $(O)/host
SYSROOT := $(O)/sysroot
TARGET  := $(O)/target
IMAGES  := $(O)/images

# Goals that work without a .config (and must not generate one) run alone.
NOCONFIG_GOALS := help menuconfig olddefconfig savedefconfig clean distclean \
	host-deps fetch repro %_defconfig
CONFIG_GOALS := $(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(filter $(NOCONFIG_GOALS),$(MAKECMDGOALS)),)
ifneq ($(CONFIG_GOALS),)
$(error run '$(filter $(NOCONFIG_GOALS),$(MAKECMDGOALS))' on its own, then '$(CONFIG_GOALS)')
endif
endif

include kconfig/kconfig.mk

ifneq ($(CONFIG_GOALS),)
# Reading auto.mk makes Make (re)generate it from .config first.
include $(O)/auto.mk
# SOURCE_DATE_EPOCH: the build time every image carries (reproducible builds).
include toolchain/source-date.mk
# In data-flow order: a stage's rules name what the earlier ones define.
include toolchain/toolchain.mk
include app/app.mk
include rootfs/rootfs.mk
include images/images.mk
# What a vendor publishes with the image (make legal-info).
include images/legal-info.mk
include tests/tests.mk
endif

.PHONY: all
all: toolchain images

.PHONY: host-deps
host-deps:
	toolchain/host-deps.sh

.PHONY: fetch
fetch:
	DL_DIR=$(DL_DIR) toolchain/fetch.sh --all

# Two clean builds of the last commit in two directories, compared byte
# for byte (tests/build/repro.sh; docs/build.md, Reproducible images).
.PHONY: repro
repro:
	DL_DIR=$(DL_DIR) tests/build/repro.sh $(if $(REPRO_BOARDS),-b '$(REPRO_BOARDS)') $(if $(REPRO_DIR),-d $(REPRO_DIR))

.PHONY: clean distclean
clean:
	rm -rf $(O)

distclean: clean
	rm -f $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old
	rm -rf $(DL_DIR)

.PHONY: help
help:
	@sed -n 's/^## \{0,1\}//p' $(MAKEFILE_LIST)

## Tern make targets
##
## Configuration:
##   <board>_defconfig  start .config from board/<board>/defconfig
##                      (boards: qemu_x86_64 pc_x86_64 qemu_aarch64 efi_arm64)
##   menuconfig         edit .config in a terminal menu
##   olddefconfig       update .config after Kconfig changed: keep what is
##                      set, take defaults for new symbols
##   savedefconfig      write the minimal defconfig for .config to
##                      ./defconfig (copy it to board/<board>/defconfig)
##
## Build (a missing .config starts from the qemu_x86_64 defconfig):
##   all (default)      the toolchain (out/sysroot) and out/images/bzImage,
##                      out/images/rootfs.cpio.gz
##   run                build, then boot the image in QEMU on this terminal
##                      (Ctrl-A X quits QEMU); CMDLINE='tern.debug_shell=1'
##                      adds kernel command-line words
##   lab                build, then boot the image as a PXE lab's appliance
##                      and a BIOS and a UEFI client that netboot from it;
##                      a line per client stage, exit 0 when both are ready
##                      (LAB_IF=IFACE: serve a host interface's segment;
##                      board/lab.py, docs/pxe-lab.md)
##
## QEMU's accelerator, for run, the tests and the benchmarks: KVM only when
## a probe boot under KVM worked on this machine (board/accel.sh, verdict
## kept in out/accel/), otherwise TCG; ACCEL=kvm or ACCEL=tcg overrides it.
##
##   test               build, then run every test under prove
##   check T=FILES      the named tests only (paths of .t files or unit
##                      test binaries under out/tests)
##   test-unit          host unit tests only (cmocka, plain and ASan/UBSan)
##   test-qemu          QEMU boot tests only
##   test-build         build-system tests only (kconfig, fetch, incremental,
##                      legal-info)
##   test-image         image checks only (static ELF, size)
##   test-host          our programs on the host in namespaces (init as PID 1)
##   test-net           network tests in namespaces (real TFTP/DHCP clients)
##   test-fuzz          every libFuzzer harness, a few seconds each
##   fuzz               every harness for FUZZ_SECONDS (default 60)
##   repro              two clean builds of the last commit in two
##                      directories (REPRO_DIR, default under /tmp), their
##                      out/<board>/images compared byte for byte
##                      (REPRO_BOARDS, default pc_x86_64); about two clean
##                      build times
##   bench              measure: boot time under QEMU, tftpd against
##                      tftpd-hpa, atftpd and dnsmasq, httpd against nginx
##                      and lighttpd, relayd against socat and kernel
##                      forwarding; see tests/bench/
##   bench-relay        the relayd part alone (out/bench/relay.md)
##   build-time         the clean build time of each of BUILD_TIME_BOARDS
##                      (default the arm64 boards), each in a fresh clone
##                      of HEAD, with the machine's load beside it:
##                      out/bench/build-time.md
##   soak               the appliance serving under faults for SOAK_SECONDS
##                      (default 600; make test runs 20): tests/qemu/soak.t
##   host-deps          install the Debian packages the build needs
##   fetch              fill the download cache (DL_DIR) from Debian
##   legal-info         what a vendor must publish with the image, in
##                      out/legal-info: a manifest and an SPDX 2.3 SBOM of
##                      every package in it (version, license, source and
##                      its SHA-256), license texts, sources, configs
##   tfw                the bundle tool, out/host/bin/tfw: keygen, sign,
##                      verify, show .tfw update bundles (images/README.md)
##   <prog>             one of our programs alone (app/<prog>: init tftpd
##                      httpd pxed relayd relayctl fwupdate; tfw, a host tool)
##   <pkg>              build one package: musl linux-headers liburing
##                      mbedtls host-mbedtls busybox linux apps rootfs
##   <pkg>-rebuild      build <pkg> again from its unpacked source
##   <pkg>-dirclean     remove <pkg>'s build directory
##   linux-menuconfig   explore the kernel config (keep changes in
##   busybox-menuconfig board/<b>/linux.config, rootfs/busybox.config)
##   clean              remove out/ (keeps .config and dl/)
##   distclean          also remove .config and dl/
##
## Variables: BOARD=<b> build board <b> in out/<b> with its own .config
##            there (out/<b>/.config, from board/<b>/defconfig when missing);
##            `make run BOARD=pc_x86_64` boots the disk image with OVMF
##            O=<dir> output (out), DL_DIR=<dir> download cache (dl),
##            JOBS=<n> parallel jobs in all (default: nproc), V=1 verbose
