# SPDX-License-Identifier: MIT
# bundle.mk -- signed firmware updates (FWUPDATE):
#   out/host/bin/tfw          the bundle tool, a host program of app/
#                             (app/tfw/): keygen, pubkey, sign, verify, show
#   keys/dev-signing-key.pem  the development signing key, made once when
#                             FIRMWARE_SIGNING_KEY is empty (not in a
#                             FWUPDATE_RELEASE build)
#   fwupdate's trusted keys   FWUPDATE_TRUSTED_KEYS (or the signing key's
#                             public half) and FWUPDATE_REVOKED_KEYS as C
#                             (tfw trust), linked into fwupdate
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

# The development key lives in keys/ at the top of the tree (KEYS_DIR, set
# in app/httpd/httpd.mk; git-ignored, kept by make clean), so bundles made
# one day install on boxes built another day from the same tree.  One an
# older tree made under out/<board>/keys/ is moved there, not lost.
DEV_KEY     := $(KEYS_DIR)/dev-signing-key.pem
DEV_KEY_OLD := $(O)/keys/dev-signing-key.pem
# Two boards built at once (make test's sub-makes) may both find no key:
# each makes one under a name of its own and links it into place, and the
# one that finds it there already uses that one, so both trust one key.
# A release build never falls back to the development key.
FW_KEY     := $(or $(CONFIG_FIRMWARE_SIGNING_KEY),$(if $(CONFIG_FWUPDATE_RELEASE),,$(DEV_KEY)))
FW_TRUSTED := $(or $(strip $(CONFIG_FWUPDATE_TRUSTED_KEYS)),$(FW_KEY))
FW_REVOKED := $(strip $(CONFIG_FWUPDATE_REVOKED_KEYS))
# Said on every build that signs with it, not only the one that made it.
DEV_KEY_WARNING := $(if $(CONFIG_FIRMWARE_SIGNING_KEY),true,\
	echo '!!! WARNING: signed with the DEVELOPMENT key $(DEV_KEY) (FIRMWARE_SIGNING_KEY is empty):' \
	'boxes flashed with this image accept updates from this tree only.  Not for the field.' >&2)

$(DEV_KEY): | $(TFW)
	mkdir -p $(dir $@)
	if [ -s $(DEV_KEY_OLD) ]; then \
		mv $(DEV_KEY_OLD) $@ && if [ -e $(DEV_KEY_OLD).pub ]; then mv $(DEV_KEY_OLD).pub $@.pub; fi && \
		echo '!!! WARNING: moved the DEVELOPMENT signing key $(DEV_KEY_OLD) to $@, where make clean keeps it' >&2; \
	else \
		tmp=$@.$$$$; rm -f $$tmp $$tmp.pub; $(TFW) keygen $$tmp || exit 1; \
		if ln $$tmp $@ 2>/dev/null; then \
			mv -f $$tmp.pub $@.pub; \
			echo '!!! WARNING: made a DEVELOPMENT signing key, $@: FIRMWARE_SIGNING_KEY is empty' >&2; \
			echo '!!! (make menuconfig: Applications -> fwupdate).  Keep it to update boxes flashed' >&2; \
			echo '!!! from this tree; make your own with out/host/bin/tfw keygen for the field.' >&2; \
		fi; \
		rm -f $$tmp $$tmp.pub; \
	fi

$(filter-out $(DEV_KEY),$(sort $(FW_KEY) $(FW_TRUSTED) $(FW_REVOKED))):
	echo 'make: $@: no such file (FIRMWARE_SIGNING_KEY, FWUPDATE_TRUSTED_KEYS or' \
		'FWUPDATE_REVOKED_KEYS; make menuconfig: Applications -> fwupdate)' >&2
	exit 1

# FWUPDATE_RELEASE: the image is neither signed with the development key
# nor trusts it (compared by public key, so a copy elsewhere counts too).
FWUPDATE_KEYS_OK := $(BUILD)/fwupdate/keys-ok
$(FWUPDATE_KEYS_OK): $(FW_KEY) $(FW_TRUSTED) $(TFW) images/bundle.mk \
		$(call kdeps,FWUPDATE_RELEASE FIRMWARE_SIGNING_KEY FWUPDATE_TRUSTED_KEYS)
ifeq ($(CONFIG_FWUPDATE_RELEASE),y)
	if [ -z '$(CONFIG_FIRMWARE_SIGNING_KEY)' ]; then \
		echo 'make: FWUPDATE_RELEASE is on and FIRMWARE_SIGNING_KEY is empty: a release is not' \
			'signed with the development key $(DEV_KEY).  Make a key of your own' \
			'(out/host/bin/tfw keygen /secure/release.pem), set FIRMWARE_SIGNING_KEY to it' \
			'(make menuconfig: Applications -> fwupdate), or turn FWUPDATE_RELEASE off for a lab build.' >&2; \
		exit 1; \
	fi
	if [ -s $(DEV_KEY) ]; then \
		dev=$$($(TFW) pubkey $(DEV_KEY)) || exit 1; \
		for k in $(FW_KEY) $(FW_TRUSTED); do \
			if [ "$$($(TFW) pubkey $$k)" = "$$dev" ]; then \
				echo "make: FWUPDATE_RELEASE is on and $$k is the development key $(DEV_KEY):" \
					'a release neither signs with it nor trusts it.  Set FIRMWARE_SIGNING_KEY and' \
					'FWUPDATE_TRUSTED_KEYS to keys of your own (make menuconfig: Applications -> fwupdate).' >&2; \
				exit 1; \
			fi; \
		done; \
	fi
endif
	mkdir -p $(dir $@)
	touch $@

# fwupdate trusts FW_TRUSTED and refuses FW_REVOKED's ids, linked in as C.
FWUPDATE_KEY_C := $(BUILD)/fwupdate/trusted_keys.c
FWUPDATE_KEY_O := $(APP_OUT)/obj/fwupdate-trusted-keys.o
$(FWUPDATE_KEY_C): $(FW_TRUSTED) $(FW_REVOKED) $(TFW) $(FWUPDATE_KEYS_OK) \
		$(call kdeps,FIRMWARE_SIGNING_KEY FWUPDATE_TRUSTED_KEYS FWUPDATE_REVOKED_KEYS)
	mkdir -p $(dir $@)
	$(TFW) trust $(if $(FW_REVOKED),-r $(FW_REVOKED)) $(FW_TRUSTED) >$@.tmp
	mv $@.tmp $@
$(FWUPDATE_KEY_O): $(FWUPDATE_KEY_C) $(MUSL_STAMP)
	echo ">>> app: cc $(notdir $<)"
	mkdir -p $(dir $@)
	$(TARGET_CC) $(APP_CFLAGS) -c -o $@ $<
$(APP_OUT)/fwupdate: $(FWUPDATE_KEY_O) | $(FWUPDATE_VERSION_OK)

ifneq ($(SLOT_IMG),)
TFW_BUNDLE := $(IMAGES)/tern-$(CONFIG_FIRMWARE_VERSION)-$(CONFIG_BOARD_NAME).tfw
$(TFW_BUNDLE): $(SLOT_IMG) $(TFW) $(FW_KEY) $(FWUPDATE_VERSION_OK) $(FWUPDATE_KEYS_OK) \
		$(call kdeps,FIRMWARE_VERSION FIRMWARE_SIGNING_KEY BOARD_NAME FWUPDATE_SLOT_MAX)
	echo ">>> images: $(notdir $@)"
	mkdir -p $(dir $@)
	$(TFW) sign -k $(FW_KEY) -b $(CONFIG_BOARD_NAME) -V $(CONFIG_FIRMWARE_VERSION) \
		-m $$(($(CONFIG_FWUPDATE_SLOT_MAX) * 1048576)) $(SLOT_IMG) $@
	$(DEV_KEY_WARNING)
images: $(TFW_BUNDLE)
endif

endif
