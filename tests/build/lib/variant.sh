# SPDX-License-Identifier: MIT
# variant.sh -- sourced by the tests that build a variant of .config in the
# build's own out/ (the toolchain and BusyBox are there already): a copy of
# .config is the test's, and the build is made again from .config when the
# test exits, so that the tests after it find out/ as make left it (a
# failure to do so is said, with the end of its log, as TAP comments: the
# next test's failure would otherwise be a mystery).
#   mk ARGS...       make in out/ (give KCONFIG_CONFIG= for the variant)
#   ok RC TEXT       a TAP line, numbered
#   fail_log FILE    the end of FILE as TAP comments
set -u
top=$TERN_TOP
out=$TERN_OUT
cfg=$TERN_CONFIG
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
# Not the parent make's flags: this is a make of its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
mk() { make -C "$top" O="$out" DL_DIR="$TERN_DL" "$@"; }
trap 'mk KCONFIG_CONFIG="$cfg" >"$tmp/restore.log" 2>&1 || { echo "# variant.sh: making out/ again from .config failed (the tests after this one may fail for it):"; tail -n 20 "$tmp/restore.log" | sed "s/^/# /"; }; rm -rf "$tmp"' EXIT
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
fail_log() { sed 's/^/# /' "$1" | tail -n 30; }
