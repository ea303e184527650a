# SPDX-License-Identifier: MIT
# etc.sh -- what httpd owns in the image, sourced by rootfs/gen-etc.sh when
# httpd is on: its root, its services line (with the status listener when
# HTTPD_STATUS is on), and with HTTPS its certificate
# and key (HTTPD_TLS_CERT_FILE, HTTPD_TLS_KEY_FILE, the RSA pair's
# HTTPD_TLS_RSA_CERT_FILE and HTTPD_TLS_RSA_KEY_FILE if any, and
# HTTPD_TLS_LAB_CA when they are the lab's: from app/httpd/httpd.mk).
# Site data only: its tuning is compiled in (settings.h).
mkdir -p "$root$CONFIG_HTTPD_ROOT"
tls=
if [ "${CONFIG_HTTPD_TLS:-}" = y ]; then
	mkdir -p "$etc/tern/httpd"
	install -m 0644 "$HTTPD_TLS_CERT_FILE" "$etc/tern/httpd/cert.pem"
	install -m 0600 "$HTTPD_TLS_KEY_FILE" "$etc/tern/httpd/key.pem"
	[ -z "${HTTPD_TLS_LAB_CA:-}" ] || echo "!!! WARNING: httpd's HTTPS certificate in this image" \
		"is a LAB one, signed by $HTTPD_TLS_LAB_CA (HTTPD_TLS_CERT is empty): not for the field." >&2
	tls="-t $CONFIG_HTTPD_TLS_PORT -x /etc/tern/httpd/cert.pem -K /etc/tern/httpd/key.pem"
	if [ -n "${HTTPD_TLS_RSA_CERT_FILE:-}" ]; then
		install -m 0644 "$HTTPD_TLS_RSA_CERT_FILE" "$etc/tern/httpd/rsa-cert.pem"
		install -m 0600 "$HTTPD_TLS_RSA_KEY_FILE" "$etc/tern/httpd/rsa-key.pem"
		tls="$tls -X /etc/tern/httpd/rsa-cert.pem -Y /etc/tern/httpd/rsa-key.pem"
	fi
	tls="$tls${CONFIG_HTTPD_TLS_NAME:+ -N $CONFIG_HTTPD_TLS_NAME}"
fi
# The status pages on the management side (app/httpd/README.md, Status pages).
status=
if [ "${CONFIG_HTTPD_STATUS:-}" = y ]; then
	iface=${CONFIG_HTTPD_STATUS_INTERFACE:-${CONFIG_NETWORK_IFACE:-*}}
	status="-w $CONFIG_HTTPD_STATUS_PORT"
	[ "$iface" = "*" ] || status="$status -I $iface"
	status="$status${CONFIG_HTTPD_STATUS_ADDRESS:+ -W $CONFIG_HTTPD_STATUS_ADDRESS}"
fi
service httpd role=server /usr/sbin/httpd -r "$CONFIG_HTTPD_ROOT" -p "$CONFIG_HTTPD_PORT" -u nobody \
	$tls $status ${CONFIG_HTTPD_EXTRA_ARGS:-}
