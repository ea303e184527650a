# SPDX-License-Identifier: MIT
# source-date.mk -- the one build time of an image: SOURCE_DATE_EPOCH
# (reproducible-builds.org), the time of the last git commit, or
# 2026-01-01 00:00 UTC outside a git tree; a value given by the user (in
# the environment or on make's command line) wins.  Every time stamp the
# image carries is this one: the kernel's build date, BusyBox's banner, the
# archives' and file systems' mtimes (images/).  Exported, so the packages'
# own builds (BusyBox's kconfig, gcc's __DATE__, mtools) see it too.
# SOURCE_DATE_STAMP changes when the value does: what embeds it depends on it.

SOURCE_DATE_EPOCH ?= $(or $(shell git -C $(TOP) --no-optional-locks log -1 --format=%ct 2>/dev/null),1767225600)
ifneq ($(shell echo '$(SOURCE_DATE_EPOCH)' | grep -Ex '[0-9]{1,12}'),$(SOURCE_DATE_EPOCH))
$(error SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' is not a number of seconds since 1970)
endif
export SOURCE_DATE_EPOCH
# As date(1) prints it, in UTC: the kernel's uname -v.
SOURCE_DATE := $(shell LC_ALL=C date -u -d @$(SOURCE_DATE_EPOCH))
SOURCE_DATE_STAMP := $(O)/kconfig/source-date-epoch
$(shell mkdir -p $(O)/kconfig && { echo '$(SOURCE_DATE_EPOCH)' | cmp -s - $(SOURCE_DATE_STAMP) || \
	echo '$(SOURCE_DATE_EPOCH)' >$(SOURCE_DATE_STAMP); })
