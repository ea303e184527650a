# app.mk -- our C programs, built with tern-cc (static, musl) for the image.
#
# Each program is a folder app/<name>/ whose main() lives in main.c; the
# other .c files there and app/lib/*.c are linked in.  Host unit tests
# (tests/tests.mk) link the same files minus main.c.

APPS := init $(if $(filter y,$(CONFIG_TFTPD)),tftpd) pxed relayd relayctl \
	$(if $(filter y,$(CONFIG_FWUPDATE)),fwupdate)
APP_init_DEST := sbin
APP_tftpd_DEST := usr/sbin
APP_tftpd_LIBS := -luring
APP_relayd_DEST := usr/sbin
APP_relayd_LIBS := -luring
APP_relayctl_DEST := usr/sbin
APP_pxed_DEST := usr/sbin
APP_fwupdate_DEST := usr/sbin
APP_fwupdate_LIBS := -lmbedcrypto

APP_OUT    := $(BUILD)/app
APP_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(TARGET_CFLAGS) \
	-fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections -I$(O) -Iapp/lib
# Each link also writes <prog>.map: make legal-info reads there which
# libraries (musl, liburing, ...) are in the program.
APP_LDFLAGS := -Wl,--gc-sections
APP_LIB_SRCS := $(wildcard app/lib/*.c)
APPS_BIN := $(addprefix $(APP_OUT)/,$(APPS))

define app
APP_$(1)_SRCS := $$(wildcard app/$(1)/*.c)
APP_$(1)_OBJS := $$(patsubst app/%.c,$$(APP_OUT)/obj/%.o,$$(APP_$(1)_SRCS) $$(APP_LIB_SRCS))
APP_OBJS += $$(APP_$(1)_OBJS)
$$(APP_OUT)/$(1): $$(APP_$(1)_OBJS)
	echo ">>> app: link $(1)"
	$$(TARGET_CC) $$(APP_LDFLAGS) -Wl,-Map=$$@.map -o $$@ $$^ $$(APP_$(1)_LIBS)
endef
$(foreach a,$(APPS),$(eval $(call app,$(a))))
# fwupdate includes mbedtls's headers: compiled after mbedtls is installed.
$(filter $(APP_OUT)/obj/fwupdate/%,$(APP_fwupdate_OBJS)): $(MBEDTLS_STAMP)

# app.mk itself: a change of flags rebuilds every object.
$(APP_OUT)/obj/%.o: app/%.c app/app.mk $(MUSL_STAMP) $(LINUX_HEADERS_STAMP) $(LIBURING_STAMP) | $(O)/config.h
	echo ">>> app: cc $<"
	mkdir -p $(dir $@)
	$(TARGET_CC) $(APP_CFLAGS) -I$(dir $<) -MMD -MP -MF $@.d -c -o $@ $<
	kconfig/fixdep.sh $@.d $(O)/config.h $(O)/kconfig/deps

-include $(addsuffix .d,$(APP_OBJS))

.PHONY: apps
apps: $(APPS_BIN)
