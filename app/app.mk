# SPDX-License-Identifier: MIT
# app.mk -- our programs, each a package (app/README.md): app/<prog>/ holds
# its sources (main() in main.c; the other .c files there and app/lib/*.c
# are linked in), its Kconfig, its <prog>.mk and the /etc it owns (etc.sh,
# read by rootfs/gen-etc.sh).  Host unit tests (tests/tests.mk) link the
# same files minus main.c.
#
# <prog>.mk describes it with APP_<prog>_ variables:
#   KCONFIG  the bool symbol that turns it on (empty: always built)
#   KIND     target: tern-cc (static, musl), installed in the image; or
#            host: host gcc, a tool of the build and the tests
#   DEST     where it installs: under out/target (target), out/host (host)
#   LIBS     the libraries it links with
#   USES     other packages whose code (all but their main.c) it links in
#   CFLAGS   more compiler flags; DEPS what its objects wait for
# and app.mk gives APP_<prog>_BIN, the program it builds, and a goal
# `make <prog>`.  A program that is off is neither built nor installed.

APP_PROGS := $(sort $(patsubst app/%/,%,$(dir $(wildcard app/*/*.mk))))
include $(foreach p,$(APP_PROGS),app/$(p)/$(p).mk)
app-on = $(if $(APP_$(1)_KCONFIG),$(filter y,$(CONFIG_$(APP_$(1)_KCONFIG))),y)
# The target programs that are on: what the image holds.
APPS := $(strip $(foreach p,$(APP_PROGS),$(if $(and $(call app-on,$(p)),$(filter target,$(APP_$(p)_KIND))),$(p))))
APPS_HOST := $(strip $(foreach p,$(APP_PROGS),$(if $(filter host,$(APP_$(p)_KIND)),$(p))))

APP_OUT    := $(BUILD)/app
APP_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(TARGET_CFLAGS) \
	-fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections -I$(O) -Iapp/lib
APP_HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-ffunction-sections -fdata-sections -Iapp/lib
# Each target link also writes <prog>.map: make legal-info reads there which
# libraries (musl, liburing, ...) are in the program.
APP_LDFLAGS := -Wl,--gc-sections
APP_LIB_SRCS := $(wildcard app/lib/*.c)
APPS_BIN := $(addprefix $(APP_OUT)/,$(APPS))

# $(call app-srcs,PROG): its sources, those of the packages it uses, app/lib.
app-srcs = $(wildcard app/$(1)/*.c) \
	$(filter-out %/main.c,$(foreach u,$(APP_$(1)_USES),$(wildcard app/$(u)/*.c))) $(APP_LIB_SRCS)
app-incs = $(addprefix -Iapp/,$(APP_$(1)_USES))

define app-target
APP_$(1)_BIN  := $$(APP_OUT)/$(1)
APP_$(1)_OBJS := $$(patsubst app/%.c,$$(APP_OUT)/obj/%.o,$$(call app-srcs,$(1)))
APP_OBJS += $$(APP_$(1)_OBJS)
$$(filter $$(APP_OUT)/obj/$(1)/%,$$(APP_$(1)_OBJS)): $$(APP_$(1)_DEPS)
$$(filter $$(APP_OUT)/obj/$(1)/%,$$(APP_$(1)_OBJS)): APP_INCS := $$(call app-incs,$(1))
$$(APP_$(1)_BIN): $$(APP_$(1)_OBJS) app/$(1)/$(1).mk
	echo ">>> app: link $(1)"
	$$(TARGET_CC) $$(APP_LDFLAGS) -Wl,-Map=$$@.map -o $$@ $$(filter %.o,$$^) $$(APP_$(1)_LIBS)
endef

define app-host
APP_$(1)_BIN := $$(HOST)/$$(APP_$(1)_DEST)/$(1)
$$(APP_$(1)_BIN): $$(call app-srcs,$(1)) $$(wildcard $$(addsuffix /*.h,app/lib $$(addprefix app/,$(1) $$(APP_$(1)_USES)))) \
		$$(APP_$(1)_DEPS) app/app.mk app/$(1)/$(1).mk
	echo ">>> app: $(1) (host)"
	mkdir -p $$(dir $$@)
	gcc $$(APP_HOST_CFLAGS) $$(APP_$(1)_CFLAGS) -Iapp/$(1) $$(call app-incs,$(1)) $$(APP_LDFLAGS) -o $$@ \
		$$(call app-srcs,$(1)) $$(APP_$(1)_LIBS)
endef

$(foreach p,$(APPS),$(eval $(call app-target,$(p))))
$(foreach p,$(APPS_HOST),$(eval $(call app-host,$(p))))

# app.mk itself: a change of flags rebuilds every object.
$(APP_OUT)/obj/%.o: app/%.c app/app.mk $(MUSL_STAMP) $(LINUX_HEADERS_STAMP) $(LIBURING_STAMP) | $(O)/config.h
	echo ">>> app: cc $<"
	mkdir -p $(dir $@)
	$(TARGET_CC) $(APP_CFLAGS) -I$(dir $<) $(APP_INCS) -MMD -MP -MF $@.d -c -o $@ $<
	kconfig/fixdep.sh $@.d $(O)/config.h $(O)/kconfig/deps

-include $(addsuffix .d,$(APP_OBJS))

.PHONY: apps $(APPS) $(APPS_HOST)
apps: $(APPS_BIN)
$(foreach p,$(APPS) $(APPS_HOST),$(eval $(p): $$(APP_$(p)_BIN)))
