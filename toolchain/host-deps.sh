#!/bin/sh
# SPDX-License-Identifier: MIT
# host-deps.sh -- make sure every Debian package in toolchain/host-packages
# is installed.  As root, installs the missing ones (apt-get update first);
# otherwise prints the exact command to run and stops.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
want=$(sed -e 's/#.*//' "$top/toolchain/host-packages" | tr -s ' \t' '\n' | grep .)
missing=
for p in $want; do
	st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "host-deps: missing Debian packages:$missing" >&2
	echo "host-deps: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 111
fi
echo "host-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || { echo "host-deps: apt-get update failed" >&2; exit 111; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing ||
	{ echo "host-deps: apt-get install$missing failed" >&2; exit 111; }
