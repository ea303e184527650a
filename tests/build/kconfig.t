#!/bin/sh
# SPDX-License-Identifier: MIT
# The Kconfig glue: a defconfig makes a .config; genconfig writes config.h
# and auto.mk; a bad or stale .config stops with a message that says what to
# run, and writes nothing.
set -u
top=$TERN_TOP
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..9"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
kc() { (cd "$top" && KCONFIG_CONFIG="$tmp/.config" "$py" kconfig/kconfig.py "$@"); }

kc defconfig board/qemu_x86_64/defconfig >/dev/null 2>&1
grep -q '^CONFIG_BOARD_QEMU_X86_64=y' "$tmp/.config"
ok $? "qemu_x86_64 defconfig makes a .config for that board"

kc genconfig "$tmp/out" >/dev/null 2>&1 &&
	grep -q '^#define CONFIG_SYSCTL_RMEM_MAX 16777216' "$tmp/out/config.h" &&
	grep -q '^CONFIG_SYSCTL_UDP_MEM := 65536 131072 262144' "$tmp/out/auto.mk"
ok $? "genconfig writes config.h and auto.mk with the defaults"

test -f "$tmp/out/kconfig/deps/sysctl/rmem/max.h"
ok $? "genconfig writes per-symbol dependency files"

# A symbol Kconfig does not know.
cp "$tmp/.config" "$tmp/good"
echo 'CONFIG_NO_SUCH_SYMBOL=y' >>"$tmp/.config"
msg=$(kc genconfig "$tmp/out2" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q 'NO_SUCH_SYMBOL' && echo "$msg" | grep -q "make olddefconfig"
ok $? "unknown symbol: fails, names it, says to run make olddefconfig"
[ ! -e "$tmp/out2/config.h" ]
ok $? "unknown symbol: nothing generated"

# A value of the wrong type.
sed 's/^CONFIG_QEMU_MEMORY=.*/CONFIG_QEMU_MEMORY=lots/' "$tmp/good" >"$tmp/.config"
msg=$(kc genconfig "$tmp/out2" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q "QEMU_MEMORY" && echo "$msg" | grep -q "menuconfig"
ok $? "bad int value: fails and names the symbol"

# A .config written before a symbol existed (stale).
grep -v '^CONFIG_HOSTNAME=' "$tmp/good" >"$tmp/.config"
msg=$(kc genconfig "$tmp/out2" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q "out of date" && echo "$msg" | grep -q "make olddefconfig"
ok $? "stale .config: fails and says to run make olddefconfig"

kc olddefconfig >/dev/null 2>&1 && kc genconfig "$tmp/out2" >/dev/null 2>&1 &&
	grep -q '^CONFIG_HOSTNAME := tern' "$tmp/out2/auto.mk"
ok $? "olddefconfig repairs the stale .config"

cp "$tmp/good" "$tmp/.config"
kc savedefconfig "$tmp/min" >/dev/null 2>&1 && cp "$tmp/good" "$tmp/again" &&
	KCONFIG_CONFIG="$tmp/again" "$py" "$top/kconfig/kconfig.py" defconfig "$tmp/min" >/dev/null 2>&1 &&
	cmp -s "$tmp/good" "$tmp/again"
ok $? "savedefconfig then defconfig gives back the same .config"
