#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-etc.sh DIR [FRAGMENT...] -- write into DIR, a tree laid over the
# image's root, what comes from .config: /etc/hostname, sysctl.d, network.conf
# and the head of /etc/tern/services here, then what each program that is on
# owns, by its fragment app/<prog>/etc.sh (sourced in the order given: the
# services start in that order).  A fragment writes only site data (paths,
# interfaces, rules, addresses); tuning is compiled into the programs.
# The values arrive as CONFIG_* environment variables (see rootfs/rootfs.mk).
set -euf
root=$1
shift
etc=$root/etc
rm -rf "$root"
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
# (or dhcp, or off), tern.gw=, tern.mtu=, tern.iface=.  See app/init/README.md.
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

# service NAME [role=server] COMMAND [ARGS...]: a service init respawns,
# for a fragment; role=server for one that answers other machines, which a
# netbooted lab client (tern.role=client) does not start.
service() {
	name=$1
	shift
	echo "$name respawn $*" >>"$etc/tern/services"
}

for fragment; do
	. "$fragment"
done
