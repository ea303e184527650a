#!/bin/sh
# SPDX-License-Identifier: MIT
# merge-fragments.sh NAME MODE "MAKE" OBJDIR FRAGMENT... -- configure a
# kbuild package (the kernel, BusyBox) from allnoconfig plus the fragments,
# then check that every symbol the fragments name got the value they ask
# for (a symbol whose dependencies are missing silently stays off otherwise).
#
# MAKE is a shell command line (evaluated: quote inner words with ').
# MODE allconfig: `allnoconfig KCONFIG_ALLCONFIG=fragments` (the kernel: what
#   the fragments do not name stays off).
# MODE oldconfig: allnoconfig, the fragment lines written over .config, then
#   `oldconfig` with default answers (BusyBox, whose allnoconfig overrides
#   KCONFIG_ALLCONFIG: an applet switched on gets its default features).
set -eu
name=$1 mode=$2 kmake=$3 obj=$4
shift 4
mkdir -p "$obj"
cat "$@" >"$obj/tern.config"
log=$obj/config.log
failed() { cat "$log"; echo "$name: $1 failed" >&2; exit 1; }
case $mode in
allconfig)
	eval "$kmake" KCONFIG_ALLCONFIG="$obj/tern.config" allnoconfig >"$log" 2>&1 || failed allnoconfig
	;;
oldconfig)
	eval "$kmake" allnoconfig >"$log" 2>&1 || failed allnoconfig
	syms=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1/p' "$obj/tern.config")
	for sym in $syms; do
		sed -i -e "/^$sym=/d" -e "/^# $sym is not set/d" "$obj/.config"
	done
	grep -E '^(CONFIG_|# CONFIG_)' "$obj/tern.config" >>"$obj/.config"
	yes '' | eval "$kmake" oldconfig >>"$log" 2>&1 || failed oldconfig
	;;
*)
	echo "$name: merge-fragments.sh: unknown mode '$mode'" >&2; exit 100 ;;
esac
bad=0
for frag; do
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		CONFIG_*=*) sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
		*) continue ;;
		esac
		got=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || echo "# $sym is not set")
		if [ "$got" != "$line" ]; then
			echo "$name: $frag:$n: asks for '$line' but the config has '$got'" >&2
			echo "$name:   (a dependency is missing; 'make $name-menuconfig' shows what $sym depends on)" >&2
			bad=1
		fi
	done <"$frag"
done
exit $bad
