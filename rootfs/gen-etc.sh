#!/bin/sh
# gen-etc.sh DIR -- write the /etc files that come from .config into DIR.
# The values arrive as CONFIG_* environment variables (see rootfs/rootfs.mk).
set -eu
etc=$1
rm -rf "$etc"
mkdir -p "$etc/sysctl.d" "$etc/tern"

echo "$CONFIG_HOSTNAME" >"$etc/hostname"

# Network tuning from rootfs/Kconfig "Network tuning (sysctl)"; init applies
# every /etc/sysctl.d/*.conf in name order at boot.
cat >"$etc/sysctl.d/50-tern-net.conf" <<EOT
# Generated from .config (make menuconfig: Root filesystem -> Network tuning).
# Large socket buffers and queues: UDP relaying and TFTP under load must not
# drop for lack of buffer space.
net.core.rmem_max = $CONFIG_SYSCTL_RMEM_MAX
net.core.wmem_max = $CONFIG_SYSCTL_WMEM_MAX
net.core.rmem_default = $CONFIG_SYSCTL_RMEM_DEFAULT
net.core.wmem_default = $CONFIG_SYSCTL_WMEM_DEFAULT
net.core.netdev_max_backlog = $CONFIG_SYSCTL_NETDEV_MAX_BACKLOG
net.ipv4.udp_mem = $CONFIG_SYSCTL_UDP_MEM
net.ipv4.udp_rmem_min = $CONFIG_SYSCTL_UDP_RMEM_MIN
net.ipv4.udp_wmem_min = $CONFIG_SYSCTL_UDP_WMEM_MIN
EOT

# The interfaces init configures, from rootfs/Kconfig "Network".
mtu=
[ "${CONFIG_NETWORK_MTU:-0}" = 0 ] || mtu=" mtu $CONFIG_NETWORK_MTU"
gw=
for g in $CONFIG_NETWORK_GATEWAY; do gw="$gw gw $g"; done
{
	cat <<EOT
# Generated from .config (make menuconfig: Root filesystem -> Network).
# One interface a line, or several lines that add to one:
#   interface  static  ADDRESS/PREFIX...  [gw GATEWAY]...  [mtu N]
#   interface  dhcp    [mtu N]
#   interface  up      [mtu N]
# e.g. eth0 static 192.0.2.10/24 2001:db8::10/64 gw 192.0.2.1 mtu 1500
# The kernel command line overrides it for one boot: tern.ip=ADDRESS/PREFIX
# (or dhcp, or off), tern.gw=, tern.mtu=, tern.iface=.  See init -h.
EOT
	if [ "$CONFIG_NETWORK_STATIC" = y ]; then
		echo "$CONFIG_NETWORK_IFACE static $CONFIG_NETWORK_ADDRESS$gw$mtu"
	elif [ "$CONFIG_NETWORK_DHCP" = y ]; then
		echo "$CONFIG_NETWORK_IFACE dhcp$mtu"
	fi
} >"$etc/tern/network.conf"

# The services init starts, in order: name policy command [args...].
cat >"$etc/tern/services" <<EOT
# Generated from .config.  One service a line, started in this order:
#   name  policy  command [args...]
# policy: respawn (restart with back-off when it exits) or once.
EOT

# tftpd, from "Applications -> tftpd" (app/Kconfig).
if [ "${CONFIG_TFTPD:-}" = y ]; then
	args="-r $CONFIG_TFTPD_ROOT -u nobody -b $CONFIG_TFTPD_MAX_BLKSIZE"
	args="$args -w $CONFIG_TFTPD_MAX_WINDOWSIZE -t $CONFIG_TFTPD_TIMEOUT"
	args="$args -R $CONFIG_TFTPD_RETRIES -c $CONFIG_TFTPD_MAX_TRANSFERS"
	args="$args -C $CONFIG_TFTPD_PER_CLIENT -L $CONFIG_TFTPD_COALESCE_US"
	args="$args -Q $CONFIG_TFTPD_POLL_US"
	args="$args -m /etc/tern/tftpd.remap"
	if [ "${CONFIG_TFTPD_BACKSLASH:-}" = y ]; then
		args="$args -B"
	fi
	if [ "${CONFIG_TFTPD_UPLOAD:-}" = y ]; then
		args="$args -W $CONFIG_TFTPD_UPLOAD_DIR -s $CONFIG_TFTPD_MAX_UPLOAD"
	fi
	echo "tftpd respawn /usr/sbin/tftpd $args ${CONFIG_TFTPD_EXTRA_ARGS:-}" >>"$etc/tern/services"
	cat >"$etc/tern/tftpd.remap" <<EOT
# Filename rewriting rules of tftpd (tftpd -h; tftpd-hpa's map-file
# syntax): one rule a line, "flags regex replacement", applied in order.
#   rg  \\\\  /        backslashes to slashes (Windows boot files)
#   r   ^/tftpboot/  \\0   ...
# \\i in a replacement is the client's address.  After editing:
# kill -HUP \$(pidof tftpd); a file with a bad line keeps the old rules.
EOT
fi

# pxed, from "Applications -> pxed" (app/Kconfig).
if [ "${CONFIG_PXED:-}" = y ]; then
	args="-c /etc/tern/pxed.conf -l $CONFIG_PXED_LEASE_FILE"
	for i in $CONFIG_PXED_IFACES; do args="$args -i $i"; done
	echo "pxed respawn /usr/sbin/pxed $args ${CONFIG_PXED_EXTRA_ARGS:-}" >>"$etc/tern/services"
	{
		cat <<EOT
# Generated from .config (make menuconfig: Applications -> pxed).  One
# directive a line (pxed -h):
#   mode proxy|server           next-server ADDRESS
#   arch N[,N...] file NAME     ipxe file NAME|URL
#   host MAC [file NAME] [ipxe NAME] [address ADDRESS]
#   pool FIRST LAST  netmask MASK  lease SECONDS
#   router ADDRESS   dns ADDRESS...  domain NAME
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
fi

# relayd, from "Applications -> relayd" (app/Kconfig).
if [ "${CONFIG_RELAYD:-}" = y ]; then
	{
		cat <<EOT
# Generated from .config (make menuconfig: Applications -> relayd).
# One rule a line (relayd -h):
#   relay from IFACE group G port P [source S] to OUTPUT, ...
#   relay from IFACE address A port P to OUTPUT, ...
# OUTPUT: ADDR[:PORT] or [ADDR6][:PORT], then dev IFACE, ttl N, src ADDR.
# After editing: relayctl reload (or kill -HUP \$(pidof relayd)); a bad line
# changes nothing.  relayctl add/remove change the running rules until the
# next reload, never this file.
EOT
		printf '%s\n' "${CONFIG_RELAYD_RULES:-}" | tr ';' '\n' | sed 's/^ *//; /^$/d'
	} >"$etc/tern/relayd.conf"
	args="-c /etc/tern/relayd.conf -w $CONFIG_RELAYD_WORKERS -S $CONFIG_RELAYD_SOCKET"
	args="$args -q $CONFIG_RELAYD_RING_DEPTH -b $CONFIG_RELAYD_BATCH"
	args="$args -s $CONFIG_RELAYD_SNDBUF -r $CONFIG_RELAYD_RCVBUF -m $CONFIG_RELAYD_MAX_DATAGRAM"
	echo "relayd respawn /usr/sbin/relayd $args ${CONFIG_RELAYD_EXTRA_ARGS:-}" >>"$etc/tern/services"
fi

# The running firmware, from "Applications -> fwupdate" (app/Kconfig):
# fwupdate refuses a bundle for another board or of an older version.
if [ "${CONFIG_FWUPDATE:-}" = y ]; then
	cat >"$etc/tern/release" <<EOT
# Generated by the build: the board and firmware version of this image.
# fwupdate reads it to refuse bundles for another board or older ones.
board $CONFIG_BOARD_NAME
version $CONFIG_FIRMWARE_VERSION
EOT
fi
