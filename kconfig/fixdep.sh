#!/bin/sh
# SPDX-License-Identifier: MIT
# fixdep.sh DEPFILE CONFIG_H DEPS_DIR -- make an object depend on the Kconfig
# symbols its sources use instead of on the whole config.h.
#
# gcc -MMD writes "obj.o: src.c a.h .../config.h".  Every .config change
# rewrites config.h, which would rebuild every object.  Like the kernel's
# scripts/basic/fixdep, this drops config.h from DEPFILE and adds, for each
# CONFIG_FOO_BAR the sources mention, DEPS_DIR/foo/bar.h: a file kconfig.py
# touches only when FOO_BAR's value changes.
set -eu
dep=$1 conf=$2 deps=$3
files=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dep" | sed -n '1s/^[^:]*://p')
obj=$(sed -n '1s/:.*//p' "$dep")
syms=
for f in $files; do
	[ "$f" = "$conf" ] && continue
	syms="$syms $(grep -ohE 'CONFIG_[A-Z0-9_]+' "$f" 2>/dev/null || true)"
done
{
	sed -e "s# $conf\\( \\|\$\\)# #; /^$(echo "$conf" | sed 's#[/.]#\\&#g'):\$/d" "$dep"
	printf '%s: $(wildcard' "$obj"
	for s in $(printf '%s\n' $syms | sort -u); do
		printf ' %s/%s.h' "$deps" "$(echo "${s#CONFIG_}" | tr 'A-Z_' 'a-z/')"
	done
	printf ')\n'
} >"$dep.tmp"
mv "$dep.tmp" "$dep"
