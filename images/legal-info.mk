# SPDX-License-Identifier: MIT
# legal-info.mk -- `make legal-info`: what a vendor shipping the image must
# publish, in $(O)/legal-info: a manifest and an SPDX 2.3 SBOM of every
# package in the image, their license texts and source files (verified
# against toolchain/sources.lock), the configurations used.
#
# Nothing here names a package: images/legal-info.py gets every package of
# PKGS with its pkg.mk variables, our own programs as package "tern", and
# make's own rules (`make -pqk images`), and finds from those which packages
# the board's image is built from, and from the linker maps which libraries
# are linked into its programs.

LEGAL_DIR  := $(O)/legal-info
LEGAL_WORK := $(BUILD)/legal-info

# Our own programs, version FIRMWARE_VERSION (app/Kconfig) or else what git
# describes, under the MIT license of the repository's LICENSE file (each
# source file says so in an SPDX-License-Identifier line that
# tests/build/lib/spdx.sh puts there).
TERN_VERSION = $(or $(CONFIG_FIRMWARE_VERSION),$(shell git -C $(TOP) --no-optional-locks \
	describe --always --dirty 2>/dev/null),unknown)
TERN_LICENSE ?= MIT
TERN_LICENSE_FILES = $(TOP)/LICENSE
TERN_STAMP = $(APPS_BIN)
TERN_OBJ = $(APP_OUT)
TERN_LINK_MAPS = $(foreach a,$(APPS),/$(APP_$(a)_DEST)/$(a)=$(APP_OUT)/$(a).map)
TERN_MK := images/legal-info.mk

# The SBOM's creation time, so that two runs write the same bytes: the
# build's SOURCE_DATE_EPOCH (toolchain/source-date.mk).
LEGAL_CREATED = $(SOURCE_DATE_EPOCH)
# Where the SBOM's documentNamespace lives; a vendor sets its own.
SPDX_NAMESPACE_PREFIX ?= http://spdx.org/spdxdocs

LEGAL_TAB := $(shell printf '\t')
define LEGAL_NL


endef
LEGAL_KEYS := VERSION LICENSE LICENSE_FILES LOCK SOURCE SOURCE_LOCK DIR OBJ STAMP LINK_MAPS MK
# $(call legal-pkg,name,VAR): "name<TAB>KEY<TAB>value" for each pkg.mk variable.
legal-pkg = $(foreach k,$(LEGAL_KEYS),$(1)$(LEGAL_TAB)$(k)$(LEGAL_TAB)$(strip \
	$($(2)_$(k)))$(LEGAL_NL))$(1)$(LEGAL_TAB)VAR$(LEGAL_TAB)$(2)$(LEGAL_NL)

$(LEGAL_WORK):
	mkdir -p $@

.PHONY: legal-info
# make's rules as this make read them: -q runs nothing, -k looks at every
# prerequisite even past one out of date, -o leaves the config as it is.
legal-info: images | $(LEGAL_WORK)
	echo ">>> legal-info: $(LEGAL_DIR)"
	$(file >$(LEGAL_WORK)/packages,$(foreach p,$(PKGS),$(call legal-pkg,$(p),$(call uc,$(p))))$(call legal-pkg,tern,TERN))
	$(MAKE) --no-print-directory -pqk -o $(O)/kconfig/.stamp O=$(O) DL_DIR=$(DL_DIR) KCONFIG_CONFIG=$(KCONFIG_CONFIG) \
		images >$(LEGAL_WORK)/make.db 2>$(LEGAL_WORK)/make.err; \
		[ $$? -le 1 ] || { cat $(LEGAL_WORK)/make.err >&2; echo "legal-info: make -p failed" >&2; exit 1; }
	$(PYTHON) images/legal-info.py --packages $(LEGAL_WORK)/packages --make-db $(LEGAL_WORK)/make.db \
		--lock toolchain/sources.lock --dl $(DL_DIR) --images $(IMAGES) --sysroot $(SYSROOT) \
		--config $(KCONFIG_CONFIG) --board $(CONFIG_BOARD_NAME) \
		--created '$(LEGAL_CREATED)' --namespace-prefix '$(SPDX_NAMESPACE_PREFIX)' --out $(LEGAL_DIR)
