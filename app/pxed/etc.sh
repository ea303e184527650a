# SPDX-License-Identifier: MIT
# etc.sh -- what pxed owns in the image, sourced by rootfs/gen-etc.sh when
# pxed is on: where its lease directory goes, its services line and
# pxed.conf.  pxed makes the lease directory itself, its user's (-u).
mkdir -p "$root$(dirname "$(dirname "$CONFIG_PXED_LEASE_FILE")")"
args="-c /etc/tern/pxed.conf -l $CONFIG_PXED_LEASE_FILE -u pxed"
for i in $CONFIG_PXED_IFACES; do args="$args -i $i"; done
service pxed role=server /usr/sbin/pxed $args ${CONFIG_PXED_EXTRA_ARGS:-}
{
	cat <<EOT
# Generated from .config (make menuconfig: Applications -> pxed).  One
# directive a line (app/pxed/README.md):
#   mode proxy|server           next-server ADDRESS
#   arch N[,N...] file NAME     ipxe file NAME|URL
#   host MAC [file NAME] [ipxe NAME] [address ADDRESS]
#   pool FIRST LAST [netmask M] [router A] [lease S] [dns A,...] [domain N]
#                    (a pool a subnet; the lines below for what it omits)
#   netmask MASK  lease SECONDS  router ADDRESS  dns ADDRESS...  domain NAME
#   serve [mac 52:54:00:12:*,...] [arch N,...]   (no serve line: every client)
#   http-server http|https [HOST][:PORT]
#   rpi off|on [mac OUI[,OUI...]] [pad N]   (Raspberry Pi clients)
# After editing: pxed -t checks it, kill -HUP \$(pidof pxed) loads it; a
# file with a bad line keeps the running configuration.
EOT
	if [ "${CONFIG_PXED_SERVER:-}" = y ]; then
		echo "mode server"
	else
		echo "mode proxy"
	fi
	[ -z "$CONFIG_PXED_NEXT_SERVER" ] || echo "next-server $CONFIG_PXED_NEXT_SERVER"
	[ -z "$CONFIG_PXED_FILE_BIOS" ] || echo "arch 0 file $CONFIG_PXED_FILE_BIOS"
	[ -z "$CONFIG_PXED_FILE_EFI32" ] || echo "arch 6 file $CONFIG_PXED_FILE_EFI32"
	[ -z "$CONFIG_PXED_FILE_EFI64" ] || echo "arch 7,9 file $CONFIG_PXED_FILE_EFI64"
	[ -z "$CONFIG_PXED_FILE_ARM64" ] || echo "arch 11 file $CONFIG_PXED_FILE_ARM64"
	[ -z "$CONFIG_PXED_FILE_HTTP32" ] || echo "arch 15 file $CONFIG_PXED_FILE_HTTP32"
	[ -z "$CONFIG_PXED_FILE_HTTP64" ] || echo "arch 16 file $CONFIG_PXED_FILE_HTTP64"
	[ -z "$CONFIG_PXED_FILE_HTTPARM64" ] || echo "arch 19 file $CONFIG_PXED_FILE_HTTPARM64"
	if [ "${CONFIG_PXED_HTTP:-}" = y ]; then
		scheme=http
		[ "${CONFIG_PXED_HTTPS:-}" != y ] || scheme=https
		where=$CONFIG_PXED_HTTP_SERVER
		if [ -z "$where" ] && [ "$scheme" = http ] && [ "${CONFIG_HTTPD:-}" = y ] &&
			[ "$CONFIG_HTTPD_PORT" != 80 ]; then
			where=":$CONFIG_HTTPD_PORT"
		fi
		echo "http-server $scheme${where:+ $where}"
	fi
	[ -z "$CONFIG_PXED_IPXE_SCRIPT" ] || echo "ipxe file $CONFIG_PXED_IPXE_SCRIPT"
	if [ "${CONFIG_PXED_SERVER:-}" = y ]; then
		echo "pool $CONFIG_PXED_POOL"
		echo "netmask $CONFIG_PXED_NETMASK"
		echo "lease $CONFIG_PXED_LEASE_TIME"
		[ -z "$CONFIG_PXED_ROUTER" ] || echo "router $CONFIG_PXED_ROUTER"
		[ -z "$CONFIG_PXED_DNS" ] || echo "dns $CONFIG_PXED_DNS"
		[ -z "$CONFIG_PXED_DOMAIN" ] || echo "domain $CONFIG_PXED_DOMAIN"
	fi
} >"$etc/tern/pxed.conf"
