# SPDX-License-Identifier: MIT
# httpd -- the HTTP file server for boot files (app/httpd/README.md).
APP_httpd_KCONFIG := HTTPD
APP_httpd_KIND    := target
APP_httpd_DEST    := usr/sbin
APP_httpd_LIBS    := -luring $(if $(CONFIG_HTTPD_TLS),-lmbedtls -lmbedx509 -lmbedcrypto)
# tls.c includes mbedtls's headers: compiled after mbedtls is installed.
APP_httpd_DEPS     = $(MBEDTLS_STAMP)

# HTTPS's certificate and key (HTTPD_TLS), installed by etc.sh as
# /etc/tern/httpd/cert.pem and key.pem.  None given: a lab CA, made once
# in KEYS_DIR (beside the tree, git-ignored, kept by make clean: the lab's
# clients trust it), and a server certificate it signs for this .config's
# names in out/, made again when they change (app/httpd/tls-lab.sh).
ifeq ($(CONFIG_HTTPD)$(CONFIG_HTTPD_TLS),yy)
KEYS_DIR ?= $(TOP)/keys
HTTPD_LAB_OUT := $(BUILD)/httpd-tls
HTTPD_LAB_NAMES = $(CONFIG_HOSTNAME) localhost $(if $(filter y,$(CONFIG_NETWORK_STATIC)),\
	$(foreach a,$(CONFIG_NETWORK_ADDRESS),$(firstword $(subst /, ,$(a))))) \
	127.0.0.1 ::1 $(CONFIG_HTTPD_TLS_LAB_NAMES)
HTTPD_TLS_CERT := $(or $(CONFIG_HTTPD_TLS_CERT),$(HTTPD_LAB_OUT)/cert.pem)
HTTPD_TLS_KEY  := $(or $(CONFIG_HTTPD_TLS_KEY),$(HTTPD_LAB_OUT)/key.pem)
# The RSA pair (httpd -X/-Y): the site's if it gives one, none if it gives
# only an ECDSA pair, the lab's with the lab's ECDSA pair.
HTTPD_TLS_RSA_CERT := $(if $(CONFIG_HTTPD_TLS_CERT),$(CONFIG_HTTPD_TLS_RSA_CERT),$(HTTPD_LAB_OUT)/rsa-cert.pem)
HTTPD_TLS_RSA_KEY  := $(if $(CONFIG_HTTPD_TLS_CERT),$(CONFIG_HTTPD_TLS_RSA_KEY),$(HTTPD_LAB_OUT)/rsa-key.pem)

$(HTTPD_LAB_OUT)/cert.pem: app/httpd/tls-lab.sh $(call kdeps,HOSTNAME NETWORK_STATIC \
		NETWORK_ADDRESS HTTPD_TLS_LAB_NAMES)
	echo ">>> httpd: lab certificate"
	sh app/httpd/tls-lab.sh $(KEYS_DIR) $(HTTPD_LAB_OUT) $(strip $(HTTPD_LAB_NAMES))
$(HTTPD_LAB_OUT)/key.pem $(HTTPD_LAB_OUT)/rsa-cert.pem $(HTTPD_LAB_OUT)/rsa-key.pem: \
	$(HTTPD_LAB_OUT)/cert.pem

# A site's files: both or neither (said in a recipe: a parse-time error
# would outlive its fix, as out/auto.mk is remade only after parsing).
ifneq ($(CONFIG_HTTPD_TLS_CERT)$(CONFIG_HTTPD_TLS_KEY),)
ifeq ($(and $(CONFIG_HTTPD_TLS_CERT),$(CONFIG_HTTPD_TLS_KEY)),)
HTTPD_TLS_CERT := httpd-tls-half-set
.PHONY: httpd-tls-half-set
endif
$(CONFIG_HTTPD_TLS_CERT) $(CONFIG_HTTPD_TLS_KEY) httpd-tls-half-set:
	echo 'make: HTTPD_TLS_CERT and HTTPD_TLS_KEY name a PEM file each, or are both empty' \
		'($@: no such file; make menuconfig: Applications -> httpd)' >&2
	exit 1
endif
ifneq ($(CONFIG_HTTPD_TLS_RSA_CERT)$(CONFIG_HTTPD_TLS_RSA_KEY),)
ifeq ($(and $(CONFIG_HTTPD_TLS_RSA_CERT),$(CONFIG_HTTPD_TLS_RSA_KEY)),)
HTTPD_TLS_RSA_CERT := httpd-tls-rsa-half-set
.PHONY: httpd-tls-rsa-half-set
endif
$(CONFIG_HTTPD_TLS_RSA_CERT) $(CONFIG_HTTPD_TLS_RSA_KEY) httpd-tls-rsa-half-set:
	echo 'make: HTTPD_TLS_RSA_CERT and HTTPD_TLS_RSA_KEY name a PEM file each, or are both empty' \
		'($@: no such file; make menuconfig: Applications -> httpd)' >&2
	exit 1
endif

# rootfs.mk's ROOTFS_GEN stamp (defined after app/*.mk): etc.sh copies them.
$(BUILD)/rootfs-gen.stamp: $(HTTPD_TLS_CERT) $(HTTPD_TLS_KEY) \
	$(HTTPD_TLS_RSA_CERT) $(HTTPD_TLS_RSA_KEY) \
	$(call kdeps,HTTPD_TLS_CERT HTTPD_TLS_KEY HTTPD_TLS_RSA_CERT HTTPD_TLS_RSA_KEY)
$(BUILD)/rootfs-gen.stamp: export HTTPD_TLS_RSA_CERT_FILE := $(HTTPD_TLS_RSA_CERT)
$(BUILD)/rootfs-gen.stamp: export HTTPD_TLS_RSA_KEY_FILE := $(HTTPD_TLS_RSA_KEY)
$(BUILD)/rootfs-gen.stamp: export HTTPD_TLS_CERT_FILE := $(HTTPD_TLS_CERT)
$(BUILD)/rootfs-gen.stamp: export HTTPD_TLS_KEY_FILE := $(HTTPD_TLS_KEY)
# Said each time /etc is made with the lab certificate, not only when made.
$(BUILD)/rootfs-gen.stamp: export HTTPD_TLS_LAB_CA := $(if $(CONFIG_HTTPD_TLS_CERT),,$(KEYS_DIR)/httpd-lab-ca.pem)
endif
