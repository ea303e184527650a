#!/bin/sh
# BOARD=<name>: a board is configured in its own output directory (its
# .config there, from its defconfig), never in ./.config; an unknown board
# is refused with the list of boards.
set -u
top=$TERN_TOP
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
unset MAKEFLAGS MFLAGS MAKELEVEL

before=$(stat -c %Y "$TERN_CONFIG" 2>/dev/null || echo none)
# The goal is the generated configuration itself: nothing is built.
make -C "$top" BOARD=pc_x86_64 O="$tmp/pc" DL_DIR="$TERN_DL" "$tmp/pc/kconfig/.stamp" >"$tmp/log" 2>&1
grep -q '^CONFIG_BOARD_PC_X86_64=y' "$tmp/pc/.config"
ok $? "BOARD=pc_x86_64 starts O/.config from board/pc_x86_64/defconfig"
grep -q '^CONFIG_BOARD_NAME := pc_x86_64' "$tmp/pc/auto.mk" &&
	grep -q '^CONFIG_BOOT_EFI_DISK := y' "$tmp/pc/auto.mk"
ok $? "its auto.mk is the pc board's (boots from a disk)"
[ "$(stat -c %Y "$TERN_CONFIG" 2>/dev/null || echo none)" = "$before" ]
ok $? "the default board's .config is left alone"

msg=$(make -C "$top" BOARD=no_such_board O="$tmp/x" all 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q "no board/no_such_board/defconfig" &&
	echo "$msg" | grep -q "pc_x86_64" && [ ! -e "$tmp/x/.config" ]
ok $? "an unknown board is refused, the boards are listed, nothing is written"
