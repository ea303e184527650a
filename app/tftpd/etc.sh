# SPDX-License-Identifier: MIT
# etc.sh -- what tftpd owns in the image, sourced by rootfs/gen-etc.sh when
# tftpd is on: its directories, its services line and its remap file.  Site
# data only: its tuning is compiled in (settings.h).
mkdir -p "$root$CONFIG_TFTPD_ROOT"
args="-r $CONFIG_TFTPD_ROOT -u nobody -m /etc/tern/tftpd.remap"
if [ "${CONFIG_TFTPD_BACKSLASH:-}" = y ]; then
	args="$args -B"
fi
if [ "${CONFIG_TFTPD_UPLOAD:-}" = y ]; then
	mkdir -p "$root$CONFIG_TFTPD_UPLOAD_DIR" "$root$CONFIG_TFTPD_UPLOAD_STAGING"
	chmod 1777 "$root$CONFIG_TFTPD_UPLOAD_DIR" "$root$CONFIG_TFTPD_UPLOAD_STAGING"
	args="$args -W $CONFIG_TFTPD_UPLOAD_DIR -S $CONFIG_TFTPD_UPLOAD_STAGING"
fi
service tftpd role=server /usr/sbin/tftpd $args ${CONFIG_TFTPD_EXTRA_ARGS:-}
cat >"$etc/tern/tftpd.remap" <<EOT
# Filename rewriting rules of tftpd (app/tftpd/README.md; tftpd-hpa's
# map-file syntax): one rule a line, "flags regex replacement", in order.
#   rg  \\\\  /        backslashes to slashes (Windows boot files)
#   r   ^/tftpboot/  \\0   ...
# \\i in a replacement is the client's address.  After editing:
# kill -HUP \$(pidof tftpd); a file with a bad line keeps the old rules.
EOT
