# SPDX-License-Identifier: MIT
# etc.sh -- what relayd owns in the image, sourced by rootfs/gen-etc.sh when
# relayd is on: its services line and relayd.conf, the rules of the site.
# Its tuning is compiled in (settings.h).
service relayd /usr/sbin/relayd -c /etc/tern/relayd.conf -u relayd ${CONFIG_RELAYD_EXTRA_ARGS:-}
{
	cat <<EOT
# Generated from .config (make menuconfig: Applications -> relayd).
# One rule a line (app/relayd/README.md):
#   relay from IFACE group G port P [source S] to OUTPUT, ...
#   relay from IFACE address A port P to OUTPUT, ...
# OUTPUT: ADDR[:PORT] or [ADDR6][:PORT], then dev IFACE, ttl N, src ADDR.
# After editing: relayctl reload (or kill -HUP \$(pidof relayd)); a bad line
# changes nothing.  relayctl add/remove change the running rules until the
# next reload, never this file.
EOT
	printf '%s\n' "${CONFIG_RELAYD_RULES:-}" | tr ';' '\n' | sed 's/^ *//; /^$/d'
} >"$etc/tern/relayd.conf"
