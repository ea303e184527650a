# SPDX-License-Identifier: MIT
# pkg.mk -- how every external package is described and built.
#
# A package file (toolchain/musl.mk, rootfs/busybox.mk, images/linux.mk, ...)
# describes package `foo` with upper-case variables, then calls
# $(eval $(call pkg,foo,FOO)):
#
#   FOO_VERSION         upstream version (the build directory is foo-VERSION)
#   FOO_LOCK            its name in toolchain/sources.lock (fetch.sh NAME)
#   FOO_SOURCE          the tarball (or .deb) in DL_DIR
#   FOO_FETCH           what the build fetches (default FOO_LOCK; NAME:KIND when
#                       sources.lock has a binary and a source of one name)
#   FOO_LICENSE         SPDX identifier of what ends up in the image
#   FOO_LICENSE_FILES   its license texts (default: COPYING*, LICENSE*,
#                       COPYRIGHT*, NOTICE*, LICENSES/ at the top of FOO_DIR,
#                       debian/copyright, a .deb's copyright file)
#   FOO_LINK_MAPS       PATH=MAP for each program it puts in the image: the
#                       linker map that says which libraries went in
#   FOO_SOURCE_LOCK     for a binary taken from a Debian .deb: the name in
#                       sources.lock of the source package it was built from
#                       (every file of it: .orig tarball, Debian changes,
#                       .dsc); make legal-info fetches, checks and ships them
#   FOO_DEPENDS         packages installed before this one is configured
#   FOO_CONFIG_DEPS     files whose change means configure again
#   FOO_EXTRACT_CMDS    default: unpack FOO_SOURCE into FOO_DIR
#   FOO_CONFIGURE_CMDS  FOO_BUILD_CMDS  FOO_INSTALL_CMDS
#
# The steps run with '+': they call $(MAKE) through variables, and only so
# do the packages' own makes share our jobserver (JOBS in all).  A define of
# several lines puts its $(MAKE) line first.
#
# make legal-info (images/legal-info.mk) publishes every package the image
# is built from with these variables, and fails on one without a license or
# whose FOO_SOURCE is not in sources.lock with the SHA-256 recorded there;
# a .config in FOO_OBJ (an out-of-tree build) or FOO_DIR is published too.
# Packages named host-* are build tools, never in the image.
#
# Each step leaves a stamp in FOO_DIR; `make foo` builds to the installed
# stamp, `make foo-rebuild` configures, builds and installs again from the
# unpacked source, `make foo-dirclean` removes FOO_DIR.

PKGS :=
# $(call run-logged,NAME,LOG,COMMAND): run COMMAND with its output in LOG;
# on failure show the end of LOG and say where the rest is.
run-logged = { $(3); } >$(2) 2>&1 || { tail -n 40 $(2); echo "$(1): failed; full log: $(2)" >&2; exit 1; }
uc = $(shell echo '$(1)' | tr 'a-z-' 'A-Z_')

define pkg
PKGS += $(1)
$(2)_DIR ?= $$(BUILD)/$(1)-$$($(2)_VERSION)
$(2)_EXTRACT_CMDS ?= tar -xf $$(DL_DIR)/$$($(2)_SOURCE) -C $$($(2)_DIR) --strip-components=1
$(2)_STAMP := $$($(2)_DIR)/.stamp_installed
# The package file itself: changing how a package is built rebuilds it.
$(2)_MK := $(lastword $(MAKEFILE_LIST))

$$($(2)_DIR)/.stamp_extracted:
	@echo ">>> $(1) $$($(2)_VERSION): fetch and extract"
	$$(if $$($(2)_LOCK),DL_DIR=$$(DL_DIR) toolchain/fetch.sh $$(or $$($(2)_FETCH),$$($(2)_LOCK)))
	rm -rf $$($(2)_DIR) && mkdir -p $$($(2)_DIR)
	$$($(2)_EXTRACT_CMDS)
	touch $$@

$$($(2)_DIR)/.stamp_configured: $$($(2)_DIR)/.stamp_extracted \
		$$(foreach d,$$($(2)_DEPENDS),$$($$(call uc,$$(d))_STAMP)) $$($(2)_CONFIG_DEPS) $$($(2)_MK)
	@echo ">>> $(1) $$($(2)_VERSION): configure"
	+$$($(2)_CONFIGURE_CMDS)
	touch $$@

$$($(2)_DIR)/.stamp_built: $$($(2)_DIR)/.stamp_configured
	@echo ">>> $(1) $$($(2)_VERSION): build"
	+$$($(2)_BUILD_CMDS)
	touch $$@

$$($(2)_DIR)/.stamp_installed: $$($(2)_DIR)/.stamp_built
	@echo ">>> $(1) $$($(2)_VERSION): install"
	+$$($(2)_INSTALL_CMDS)
	touch $$@

.PHONY: $(1) $(1)-rebuild $(1)-dirclean
$(1): $$($(2)_STAMP)
$(1)-rebuild:
	rm -f $$($(2)_DIR)/.stamp_configured $$($(2)_DIR)/.stamp_built $$($(2)_DIR)/.stamp_installed
	$$(MAKE) O=$$(O) DL_DIR=$$(DL_DIR) KCONFIG_CONFIG=$$(KCONFIG_CONFIG) V=$$(V) $(1)
$(1)-dirclean:
	rm -rf $$($(2)_DIR)
endef
