# SPDX-License-Identifier: MIT
# kconfig.mk -- configuration goals and the generated config.
#
# .config -> out/config.h (C), out/auto.mk (Make, included by the top
# Makefile) and out/kconfig/deps/ (one file per symbol, touched when its
# value changes, so a stage rebuilds only when a symbol it reads changes).

KCONFIG_PY    := KCONFIG_CONFIG=$(KCONFIG_CONFIG) $(PYTHON) $(TOP)/kconfig/kconfig.py
# Build outputs (out/ holds every board's O) and the cache are not searched.
KCONFIG_FILES := $(shell find $(TOP) \( -path '$(O)' -o -path '$(TOP)/out' -o -path '$(DL_DIR)' -o -name .git \) -prune -o -name Kconfig -print)
BOARDS        := $(notdir $(patsubst %/defconfig,%,$(wildcard board/*/defconfig)))

# Python, kconfiglib and the rest come from toolchain/host-deps.sh.
HOST_DEPS_STAMP := $(O)/.stamp_host_deps
$(HOST_DEPS_STAMP): toolchain/host-packages toolchain/host-deps.sh
	toolchain/host-deps.sh
	mkdir -p $(dir $@) && touch $@

%_defconfig: | $(HOST_DEPS_STAMP)
	test -f board/$*/defconfig || { echo "make: no board '$*' (boards: $(BOARDS))" >&2; exit 100; }
	mkdir -p $(dir $(KCONFIG_CONFIG))
	$(KCONFIG_PY) defconfig board/$*/defconfig

$(KCONFIG_CONFIG): | $(HOST_DEPS_STAMP)
	@echo "make: no $@: starting from board/$(or $(BOARD),$(DEFAULT_BOARD))/defconfig"
	mkdir -p $(dir $@)
	$(KCONFIG_PY) defconfig board/$(or $(BOARD),$(DEFAULT_BOARD))/defconfig

.PHONY: menuconfig olddefconfig savedefconfig
menuconfig olddefconfig savedefconfig: | $(HOST_DEPS_STAMP)
menuconfig:
	test -f $(KCONFIG_CONFIG) || $(KCONFIG_PY) defconfig board/$(or $(BOARD),$(DEFAULT_BOARD))/defconfig
	KCONFIG_CONFIG=$(KCONFIG_CONFIG) $(PYTHON) -m menuconfig Kconfig

olddefconfig:
	test -f $(KCONFIG_CONFIG) || $(KCONFIG_PY) defconfig board/$(or $(BOARD),$(DEFAULT_BOARD))/defconfig
	$(KCONFIG_PY) olddefconfig

savedefconfig:
	$(KCONFIG_PY) savedefconfig defconfig

# genconfig rewrites config.h and auto.mk only when their text changes.
# out/kconfig/config-path names the .config they came from, so that
# switching KCONFIG_CONFIG to another (older) file regenerates them too.
ifneq ($(CONFIG_GOALS),)
$(shell mkdir -p $(O)/kconfig && { echo '$(KCONFIG_CONFIG)' | cmp -s - $(O)/kconfig/config-path || \
	echo '$(KCONFIG_CONFIG)' >$(O)/kconfig/config-path; })
endif
$(O)/auto.mk $(O)/config.h: $(O)/kconfig/.stamp ;
$(O)/kconfig/.stamp: $(KCONFIG_CONFIG) $(O)/kconfig/config-path $(KCONFIG_FILES) | $(HOST_DEPS_STAMP)
	$(KCONFIG_PY) genconfig $(O)
	touch $@

# $(call kdeps,SYM...): prerequisites for "rebuild when SYM changes".
kdeps = $(wildcard $(foreach s,$(1),$(O)/kconfig/deps/$(subst _,/,$(shell echo $(s) | tr A-Z a-z)).h))
# The symbols a folder's Kconfig defines: what its stage reads.
ksyms = $(shell sed -n 's/^\(menu\)\{0,1\}config[[:space:]]\{1,\}//p' $(1))
