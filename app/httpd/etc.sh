# etc.sh -- what httpd owns in the image, sourced by rootfs/gen-etc.sh when
# httpd is on: its root and its services line.  Site data only: its tuning
# is compiled in (settings.h).
mkdir -p "$root$CONFIG_HTTPD_ROOT"
service httpd role=server /usr/sbin/httpd -r "$CONFIG_HTTPD_ROOT" -p "$CONFIG_HTTPD_PORT" -u nobody \
	${CONFIG_HTTPD_EXTRA_ARGS:-}
