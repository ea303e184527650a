# bundle.mk -- signed firmware updates (FWUPDATE):
#   out/host/bin/tfw          the bundle tool, a host program of app/
#                             (app/tfw/): keygen, pubkey, sign, verify, show
#   out/<board>/keys/         the development signing key, made once when
#                             FIRMWARE_SIGNING_KEY is empty
#   fwupdate's trusted key    the signing key's public half as C
#                             (tfw pubkey -c), linked into fwupdate
#   images/tern-<version>-<board>.tfw
#                             the bundle of the board's slot image
#                             (SLOT_IMG, images/disk.mk: included before
#                             this file)

TFW := $(APP_tfw_BIN)

ifeq ($(CONFIG_FWUPDATE),y)

# A version fwupdate could not compare stops the build before anything
# carries it.  (In a recipe: a parse-time error would outlive its fix, as
# out/auto.mk is remade only after parsing.)
FWUPDATE_VERSION_OK := $(BUILD)/fwupdate/version-ok
$(FWUPDATE_VERSION_OK): $(call kdeps,FIRMWARE_VERSION) images/bundle.mk
	echo '$(CONFIG_FIRMWARE_VERSION)' | grep -Eqx '(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){2}' || \
		{ echo 'make: FIRMWARE_VERSION "$(CONFIG_FIRMWARE_VERSION)" is not MAJOR.MINOR.PATCH' \
			'(make menuconfig: Applications -> fwupdate)' >&2; exit 1; }
	mkdir -p $(dir $@)
	touch $@

DEV_KEY := $(O)/keys/dev-signing-key.pem
FW_KEY  := $(or $(CONFIG_FIRMWARE_SIGNING_KEY),$(DEV_KEY))
# Said on every build that signs with it, not only the one that made it.
DEV_KEY_WARNING := $(if $(CONFIG_FIRMWARE_SIGNING_KEY),true,\
	echo '!!! WARNING: signed with the DEVELOPMENT key $(DEV_KEY) (FIRMWARE_SIGNING_KEY is empty):' \
	'boxes flashed with this image accept updates from this build tree only.  Not for the field.' >&2)

$(DEV_KEY): | $(TFW)
	mkdir -p $(dir $@)
	$(TFW) keygen $@
	echo '!!! WARNING: made a DEVELOPMENT signing key, $@: FIRMWARE_SIGNING_KEY is empty' >&2
	echo '!!! (make menuconfig: Applications -> fwupdate).  Keep it to update boxes flashed' >&2
	echo '!!! from this tree; make your own with out/host/bin/tfw keygen for the field.' >&2

ifneq ($(CONFIG_FIRMWARE_SIGNING_KEY),)
$(CONFIG_FIRMWARE_SIGNING_KEY):
	echo 'make: FIRMWARE_SIGNING_KEY $@: no such file (make menuconfig: Applications -> fwupdate)' >&2
	exit 1
endif

# fwupdate trusts the signing key's public half, linked in as C.
FWUPDATE_KEY_C := $(BUILD)/fwupdate/trusted_key.c
FWUPDATE_KEY_O := $(APP_OUT)/obj/fwupdate-trusted-key.o
$(FWUPDATE_KEY_C): $(FW_KEY) $(TFW) $(call kdeps,FIRMWARE_SIGNING_KEY)
	mkdir -p $(dir $@)
	$(TFW) pubkey -c $(FW_KEY) >$@.tmp
	mv $@.tmp $@
$(FWUPDATE_KEY_O): $(FWUPDATE_KEY_C) $(MUSL_STAMP)
	echo ">>> app: cc $(notdir $<)"
	mkdir -p $(dir $@)
	$(TARGET_CC) $(APP_CFLAGS) -c -o $@ $<
$(APP_OUT)/fwupdate: $(FWUPDATE_KEY_O) | $(FWUPDATE_VERSION_OK)

ifneq ($(SLOT_IMG),)
TFW_BUNDLE := $(IMAGES)/tern-$(CONFIG_FIRMWARE_VERSION)-$(CONFIG_BOARD_NAME).tfw
$(TFW_BUNDLE): $(SLOT_IMG) $(TFW) $(FW_KEY) $(FWUPDATE_VERSION_OK) \
		$(call kdeps,FIRMWARE_VERSION FIRMWARE_SIGNING_KEY BOARD_NAME FWUPDATE_SLOT_MAX)
	echo ">>> images: $(notdir $@)"
	mkdir -p $(dir $@)
	$(TFW) sign -k $(FW_KEY) -b $(CONFIG_BOARD_NAME) -V $(CONFIG_FIRMWARE_VERSION) \
		-m $$(($(CONFIG_FWUPDATE_SLOT_MAX) * 1048576)) $(SLOT_IMG) $@
	$(DEV_KEY_WARNING)
images: $(TFW_BUNDLE)
endif

endif
