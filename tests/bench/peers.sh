#!/bin/sh
# SPDX-License-Identifier: MIT
# peers.sh OUTDIR -- the daemons ours are measured against (make bench), from
# Debian, unpacked into OUTDIR (not installed).
#
# tftpd-hpa and atftpd conflict as packages, and installing either starts a
# daemon on the host's port 69; smcroute's package starts smcrouted, which
# would take the host's multicast routing; nginx and lighttpd would start
# web servers on the host's port 80.  The bench and
# `TFTPD_UNDER_TEST=hpa` only need their binaries, run inside a network
# namespace.  So `apt-get download` puts the .debs (and libwrap0, which both
# TFTP servers link) in $DL_DIR/peers/, kept there like every other
# download, and `dpkg-deb -x` unpacks each into a folder of its own (atftpd
# ships an in.tftpd too):
#
#   OUTDIR/tftpd-hpa/usr/sbin/in.tftpd
#   OUTDIR/atftpd/usr/sbin/atftpd
#   OUTDIR/libwrap0/usr/lib/x86_64-linux-gnu/libwrap.so.0   (LD_LIBRARY_PATH)
#   OUTDIR/smcroute/usr/sbin/smcrouted  (tests/bench/relay.py: kernel forwarding)
#   OUTDIR/nginx/usr/sbin/nginx         (tests/bench/http.py; its libraries,
#   OUTDIR/lighttpd/usr/sbin/lighttpd    OpenSSL, PCRE2, xxHash, the host's)
#   OUTDIR/lighttpd/usr/lib/lighttpd/   (lighttpd -m: its modules)
#   OUTDIR/versions                     (package version, one a line)
#
# dnsmasq (dnsmasq-base) and socat have no service: toolchain/host-packages.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
DL_DIR=${DL_DIR:-$top/dl}
out=${1:?usage: peers.sh OUTDIR}
cache=$DL_DIR/peers
pkgs="tftpd-hpa atftpd libwrap0 smcroute nginx lighttpd"

die() { echo "peers: $*" >&2; exit 111; }

mkdir -p "$cache"
for p in $pkgs; do
	set -- "$cache/${p}"_*.deb
	[ -f "$1" ] && continue
	echo "peers: apt-get download $p"
	# _apt cannot write to a cache under /root; the .deb's hash is still
	# checked against the archive's signed index.
	(cd "$cache" && apt-get -q -o APT::Sandbox::User=root download "$p") ||
		{ [ "$(id -u)" = 0 ] && apt-get -q update >/dev/null &&
			(cd "$cache" && apt-get -q -o APT::Sandbox::User=root download "$p"); } ||
		die "could not download $p (apt-get download $p, in $cache)"
done
rm -rf "$out.new"
mkdir -p "$out.new"
: >"$out.new/versions"
for p in $pkgs; do
	set -- "$cache/${p}"_*.deb
	[ $# -eq 1 ] || die "more than one $p in $cache: remove the old ones"
	dpkg-deb -x "$1" "$out.new/$p" || die "dpkg-deb -x $1 failed"
	echo "$p $(dpkg-deb -f "$1" Version)" >>"$out.new/versions"
done
rm -rf "$out"
mv "$out.new" "$out"
