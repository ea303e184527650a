# SPDX-License-Identifier: MIT
# tests.mk -- `make test` builds what the tests need and runs them all under
# prove (TAP).
#
#   tests/unit/<prog>_<topic>.c  cmocka, host gcc, linked with app/<prog>/*.c
#                                (minus main.c) and app/lib/*.c; built twice,
#                                plain and with ASan/UBSan
#   tests/build/*.t              the build system itself (kconfig, fetch,
#                                incremental rebuilds, the sysroot, programs
#                                off, Kconfig values as compiled defaults)
#   tests/image/*.t              the assembled image, on the host
#   tests/host/*.t               our programs run on the host (as root), in
#                                namespaces the test makes (PID, mount, net)
#   tests/qemu/*.t               the image booted in QEMU
#   tests/net/*.t                tftpd with real clients, in network
#                                namespaces the test makes (as root); their
#                                helpers wire (a link with delay and loss)
#                                and tftpload (the load client), udpgen and
#                                udpsink (a UDP stream and its counter) are
#                                host gcc
#   tests/fuzz/<prog>_<topic>.c  libFuzzer harnesses (Debian's clang), linked
#                                like the unit tests; tests/fuzz/run.t runs
#                                each briefly under make test, make fuzz for
#                                FUZZ_SECONDS each

TEST_OUT   := $(O)/tests
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_NAMES := $(basename $(notdir $(UNIT_SRCS)))
UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -I$(O) -Iapp/lib
UNIT_VARIANTS := plain asan
UNIT_plain_FLAGS :=
UNIT_asan_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_BINS := $(foreach v,$(UNIT_VARIANTS),$(addprefix $(TEST_OUT)/unit-$(v)/,$(UNIT_NAMES)))
# The program a unit test is about: the prefix of its name (init_cmdline -> init).
unit-prog = $(firstword $(subst _, ,$(1)))
# Host libraries a program's unit tests link with (the host's own liburing,
# the same 2.3 as the target's).
UNIT_LIBS_tftpd := -luring
UNIT_LIBS_relayd := -luring
UNIT_LIBS_httpd = -luring $(HOST_MBEDTLS_TLS_LIBS)
UNIT_CFLAGS_httpd = $(HOST_MBEDTLS_CFLAGS)
UNIT_DEPS_httpd = $(HOST_MBEDTLS_STAMP)
# fwupdate's bundle code with mbedtls built for the host (out/host), which
# its tests and fuzzers therefore wait for.
UNIT_CFLAGS_fwupdate := $(HOST_MBEDTLS_CFLAGS)
UNIT_LIBS_fwupdate := $(HOST_MBEDTLS_LIBS)
UNIT_DEPS_fwupdate := $(HOST_MBEDTLS_STAMP)
# libFuzzer with ASan and UBSan; any sanitizer report is a crash.
FUZZ_NAMES  := $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_BINS   := $(addprefix $(TEST_OUT)/fuzz/,$(FUZZ_NAMES))
FUZZ_CFLAGS := $(UNIT_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
# (lib_<topic> tests app/lib alone: sorted, its files are named once.)
unit-srcs = $(sort $(filter-out app/$(1)/main.c,$(wildcard app/$(1)/*.c)) $(APP_LIB_SRCS))

# Each source is compiled once per variant and program (the same flags a
# test of that program gives it), into $(TEST_OUT)/obj-<variant>-<prog>/,
# and each test links the objects: compiling app/lib for every test again
# was most of the tests' build time.
unit-progs := $(sort $(foreach t,$(UNIT_NAMES) $(FUZZ_NAMES),$(call unit-prog,$(t))))
unit-objs = $(patsubst %.c,$(TEST_OUT)/obj-$(1)-$(2)/%.o,$(call unit-srcs,$(2)))
unit-deps = $(wildcard app/$(1)/*.h app/lib/*.h) $(O)/config.h $(UNIT_DEPS_$(1))
UNIT_CC_plain = gcc $(UNIT_CFLAGS)
UNIT_CC_asan  = gcc $(UNIT_CFLAGS) $(UNIT_asan_FLAGS)
UNIT_CC_fuzz  = clang $(FUZZ_CFLAGS)

define unit-obj
$(TEST_OUT)/obj-$(1)-$(2)/%.o: %.c $$(call unit-deps,$(2))
	mkdir -p $$(dir $$@)
	$$(UNIT_CC_$(1)) $$(UNIT_CFLAGS_$(2)) -Iapp/$(2) -c -o $$@ $$<
endef
$(foreach v,$(UNIT_VARIANTS) fuzz,$(foreach p,$(unit-progs),$(eval $(call unit-obj,$(v),$(p)))))

define unit-test
$(TEST_OUT)/unit-$(2)/$(1): tests/unit/$(1).c $$(call unit-objs,$(2),$$(call unit-prog,$(1))) \
		$$(call unit-deps,$$(call unit-prog,$(1)))
	echo ">>> test: cc $(1) ($(2))"
	mkdir -p $$(dir $$@)
	$$(UNIT_CC_$(2)) $$(UNIT_CFLAGS_$$(call unit-prog,$(1))) \
		-Iapp/$$(call unit-prog,$(1)) -o $$@ \
		tests/unit/$(1).c $$(call unit-objs,$(2),$$(call unit-prog,$(1))) -lcmocka \
		$$(UNIT_LIBS_$$(call unit-prog,$(1)))
endef
$(foreach v,$(UNIT_VARIANTS),$(foreach t,$(UNIT_NAMES),$(eval $(call unit-test,$(t),$(v)))))

define fuzz-harness
$(TEST_OUT)/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/lines.h $$(call unit-objs,fuzz,$$(call unit-prog,$(1))) \
		$$(call unit-deps,$$(call unit-prog,$(1)))
	echo ">>> test: clang $(1) (libFuzzer)"
	mkdir -p $$(dir $$@)
	$$(UNIT_CC_fuzz) $$(UNIT_CFLAGS_$$(call unit-prog,$(1))) \
		-Iapp/$$(call unit-prog,$(1)) -o $$@ \
		tests/fuzz/$(1).c $$(call unit-objs,fuzz,$$(call unit-prog,$(1))) \
		$$(UNIT_LIBS_$$(call unit-prog,$(1)))
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz-harness,$(t))))

# fwupdate for the host (tests/host/fwupdate_*.t, tests/net/fwupdate_*.t):
# all of app/fwupdate with ASan/UBSan and out/host's mbedtls, trusting test
# keys of its own: test-key (the tests sign with it, and with others, using
# tfw), test-key-2, and test-key-revoked, whose id it revokes too.
FWUPDATE_TEST      := $(TEST_OUT)/fwupdate
FWUPDATE_TEST_KEY  := $(FWUPDATE_TEST)/test-key.pem
FWUPDATE_TEST_KEYS := $(FWUPDATE_TEST_KEY) $(FWUPDATE_TEST)/test-key-2.pem \
	$(FWUPDATE_TEST)/test-key-revoked.pem
$(FWUPDATE_TEST_KEYS): | $(TFW)
	mkdir -p $(dir $@)
	rm -f $@ $@.pub
	$(TFW) keygen $@
$(FWUPDATE_TEST)/revoked: $(FWUPDATE_TEST)/test-key-revoked.pem $(TFW)
	$(TFW) keyid $< >$@
$(FWUPDATE_TEST)/trusted_keys.c: $(FWUPDATE_TEST_KEYS) $(FWUPDATE_TEST)/revoked $(TFW)
	$(TFW) trust -r $(FWUPDATE_TEST)/revoked $(FWUPDATE_TEST_KEYS) >$@.tmp
	mv $@.tmp $@
$(FWUPDATE_TEST)/fwupdate: $(FWUPDATE_TEST)/trusted_keys.c $(wildcard app/fwupdate/*.c app/fwupdate/*.h) \
		$(APP_LIB_SRCS) $(wildcard app/lib/*.h) $(O)/config.h $(UNIT_DEPS_fwupdate)
	echo ">>> test: cc fwupdate (host, asan)"
	gcc $(UNIT_CFLAGS) $(UNIT_asan_FLAGS) $(UNIT_CFLAGS_fwupdate) -Iapp/fwupdate -o $@ \
		$(wildcard app/fwupdate/*.c) $(APP_LIB_SRCS) $< $(UNIT_LIBS_fwupdate)
HOST_TEST_TOOLS := $(FWUPDATE_TEST)/fwupdate $(TFW)

# Host tools of the network tests and the bench (host gcc, -O2).
NET_TOOLS := $(TEST_OUT)/wire $(TEST_OUT)/tftpload $(TEST_OUT)/udpgen $(TEST_OUT)/udpsink \
	$(TEST_OUT)/tftpfloor $(TEST_OUT)/httpload $(TEST_OUT)/ternjournal
$(TEST_OUT)/wire: tests/net/lib/wire.c
$(TEST_OUT)/tftpload: tests/bench/tftpload.c app/lib/uring.h app/lib/bufring.h
$(TEST_OUT)/tftpload: NET_FLAGS := -Iapp/lib -luring
$(TEST_OUT)/tftpfloor: tests/bench/tftpfloor.c app/lib/uring.h app/lib/bufring.h
$(TEST_OUT)/tftpfloor: NET_FLAGS := -Iapp/lib -luring
$(TEST_OUT)/httpload: tests/bench/httpload.c
# The boot journal and counters as the status page reads them (app/lib).
JOURNAL_SRCS := app/lib/journal.c app/lib/journal_summary.c app/lib/stats.c app/lib/log.c app/lib/durable.c
$(TEST_OUT)/ternjournal: tests/net/lib/ternjournal.c $(JOURNAL_SRCS) app/lib/journal.h app/lib/stats.h $(O)/config.h
$(TEST_OUT)/ternjournal: NET_FLAGS := -D_GNU_SOURCE -I$(O) -Iapp/lib $(JOURNAL_SRCS)
$(TEST_OUT)/udpgen: tests/bench/udpgen.c tests/bench/udpstream.h
$(TEST_OUT)/udpsink: tests/bench/udpsink.c tests/bench/udpstream.h
$(NET_TOOLS):
	echo ">>> test: cc $(notdir $@)"
	mkdir -p $(dir $@)
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< $(NET_FLAGS)

# The daemons ours are measured against (TFTP servers, smcroute), unpacked
# from Debian's .debs.
BENCH_PEERS := $(O)/bench/peers
$(BENCH_PEERS)/versions: tests/bench/peers.sh
	DL_DIR=$(DL_DIR) sh tests/bench/peers.sh $(BENCH_PEERS)

# tests/qemu/disk_*.t boot the disk image of the board that boots from a
# disk (pc_x86_64, OVMF): a sub-make builds it, and the bundle tool, in its
# own output directory, unless this build is that board.  Such a board's
# .config is the harness's, not a user's: each run first takes it up to
# date with the Kconfig files (olddefconfig, no write when unchanged).
DISK_BOARD := pc_x86_64
.PHONY: disk-board
ifeq ($(CONFIG_BOOT_EFI_DISK),y)
DISK_OUT := $(O)
disk-board: images $(TFW)
else
DISK_OUT := $(O)/$(DISK_BOARD)
disk-board:
	+$(MAKE) --no-print-directory BOARD=$(DISK_BOARD) O=$(DISK_OUT) DL_DIR=$(DL_DIR) V=$(V) olddefconfig
	+$(MAKE) --no-print-directory BOARD=$(DISK_BOARD) O=$(DISK_OUT) DL_DIR=$(DL_DIR) V=$(V) images tfw
endif

# tests/qemu/aarch64.t and arm64_disk.t boot, and tests/image/static_elf.t
# checks, one arm64 build (cross-built): efi_arm64, whose kernel is
# qemu_aarch64's (board/Kconfig BOARD_KERNEL), so its Image.gz and
# initramfs boot directly as on qemu_aarch64 and its disk.img with AAVMF.
# A sub-make builds it in its own output directory, unless this build is
# that board.
ARM_BOARD := efi_arm64
.PHONY: arm-board
ifeq ($(CONFIG_BOARD_NAME),$(ARM_BOARD))
ARM_OUT := $(O)
arm-board: images
else
ARM_OUT := $(O)/$(ARM_BOARD)
arm-board:
	+$(MAKE) --no-print-directory BOARD=$(ARM_BOARD) O=$(ARM_OUT) DL_DIR=$(DL_DIR) V=$(V) olddefconfig
	+$(MAKE) --no-print-directory BOARD=$(ARM_BOARD) O=$(ARM_OUT) DL_DIR=$(DL_DIR) V=$(V) images
endif

# What the scripts under tests/ read: where the build put things.
TEST_ENV := TERN_TOP=$(TOP) TERN_OUT=$(O) TERN_DL=$(DL_DIR) TERN_CONFIG=$(KCONFIG_CONFIG) \
	TERN_DISK_OUT=$(DISK_OUT) TERN_ARM_OUT=$(ARM_OUT) \
	TERN_BOARD=$(CONFIG_BOARD_NAME) \
	TERN_CMDLINE='$(CONFIG_BOARD_CMDLINE)' TERN_MEMORY=$(CONFIG_QEMU_MEMORY) \
	TERN_KERNEL=$(KERNEL_IMG) TERN_INITRD=$(ROOTFS_CPIO) PYTHON=$(PYTHON) \
	TERN_APPS=$(APP_OUT) ACCEL=$(ACCEL) \
	CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
PROVE := prove --exec '' --timer
# Which accelerator each board's guests get and why (board/accel.sh), said
# once before the tests that boot them; the first call may probe KVM.
SAY_ACCEL = $(foreach b,$(sort $(CONFIG_BOARD_NAME) $(DISK_BOARD) $(ARM_BOARD)),\
	echo ">>> test: $(b) guests: $$(env $(TEST_ENV) board/$(b)/qemu.sh --accel -w)";)

.PHONY: test test-unit test-fuzz test-build test-image test-host test-net test-qemu fuzz
test: $(UNIT_BINS) $(FUZZ_BINS) $(NET_TOOLS) $(HOST_TEST_TOOLS) all disk-board arm-board
	$(SAY_ACCEL)
	env $(TEST_ENV) $(PROVE) $(UNIT_BINS) tests/fuzz/run.t $(sort $(wildcard tests/build/*.t tests/image/*.t tests/host/*.t tests/net/*.t tests/qemu/*.t))

# make check T='tests/net/tftpd_*.t out/tests/unit-plain/tftpd_block': the
# named tests only, after building what they may need (not the disk board).
.PHONY: check
check: $(UNIT_BINS) $(NET_TOOLS) $(HOST_TEST_TOOLS) all
	env $(TEST_ENV) $(PROVE) $(T)

test-unit: $(UNIT_BINS)
	env $(TEST_ENV) $(PROVE) $(UNIT_BINS)

test-fuzz: $(FUZZ_BINS)
	env $(TEST_ENV) $(PROVE) tests/fuzz/run.t

fuzz: $(FUZZ_BINS)
	env $(TEST_ENV) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=-1 \
		FUZZ_CORPUS=$(TEST_OUT)/fuzz-corpus $(PROVE) --verbose tests/fuzz/run.t

# (Extra prerequisites first: the recipe belongs to the pattern rule.)
test-qemu: disk-board arm-board
test-image: arm-board
test-build test-image test-host test-qemu: test-%: all
	$(if $(filter qemu,$*),$(SAY_ACCEL))
	env $(TEST_ENV) $(PROVE) $(sort $(wildcard tests/$*/*.t))

test-host: $(HOST_TEST_TOOLS)
test-net: all $(NET_TOOLS) $(HOST_TEST_TOOLS)
	env $(TEST_ENV) $(PROVE) $(sort $(wildcard tests/net/*.t))

# Benchmarks measure, they do not pass or fail: see tests/bench/.
.PHONY: bench bench-relay
bench: images $(NET_TOOLS) $(BENCH_PEERS)/versions
	$(SAY_ACCEL)
	env $(TEST_ENV) $(PYTHON) tests/bench/boot_time.py 5
	env $(TEST_ENV) $(PYTHON) tests/bench/tftp.py
	env $(TEST_ENV) $(PYTHON) tests/bench/http.py
	env $(TEST_ENV) $(PYTHON) tests/bench/https.py
	env $(TEST_ENV) $(PYTHON) tests/bench/pxe_boot.py
	env $(TEST_ENV) $(PYTHON) tests/bench/lab_clients.py
	env $(TEST_ENV) $(PYTHON) tests/bench/relay.py

# The clean build time of each of BUILD_TIME_BOARDS, each in a fresh clone
# (tests/bench/build_time.py; out/bench/build-time.md).
BUILD_TIME_BOARDS ?= efi_arm64 qemu_aarch64
.PHONY: build-time
build-time:
	env $(TEST_ENV) $(PYTHON) tests/bench/build_time.py $(BUILD_TIME_BOARDS)

# The appliance serving under faults (tests/qemu/soak.t) for SOAK_SECONDS;
# make test runs it for 20 s.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: images $(NET_TOOLS)
	$(SAY_ACCEL)
	env $(TEST_ENV) SOAK_SECONDS=$(SOAK_SECONDS) $(PROVE) --verbose tests/qemu/soak.t

# relayd against socat and kernel forwarding only (about 5 min);
# RELAY_BENCH='-s 1400 relayd kernel' picks sizes and relays.
bench-relay: images $(NET_TOOLS) $(BENCH_PEERS)/versions
	env $(TEST_ENV) $(PYTHON) tests/bench/relay.py $(RELAY_BENCH)
