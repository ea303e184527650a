#!/bin/sh
# SPDX-License-Identifier: MIT
# A failed check reaches stderr too (tests/host/lib/tapfail.py), from both
# TAP producers, so that prove without -v (make test, CI) shows which
# check failed and why: its number and name, and its diagnostics, cut to
# 20 lines with a count of the rest; a passing check writes nothing there.
set -u
top=$TERN_TOP
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
for lib in host/lib/initns qemu/lib/guest; do
	"$py" - "$top/tests/$(dirname $lib)" "$(basename $lib)" >"$tmp/out" 2>"$tmp/err" <<'PY'
import importlib, sys
sys.path.insert(0, sys.argv[1])
Tap = importlib.import_module(sys.argv[2]).Tap
t = Tap(2)
t.ok(True, "fine", "not shown")
t.ok(False, "broken", "\n".join("line %d" % n for n in range(25)))
PY
	want=$(printf 'not ok 2 - broken\n'; for n in $(seq 0 19); do printf '#   line %d\n' "$n"; done
	       printf '#   (5 more lines on stdout)\n')
	[ "$(cat "$tmp/err")" = "$want" ]
	ok $? "$lib: the failed check and 20 lines of its diagnostics on stderr, nothing of the passing one"
	grep -q '^# line 24$' "$tmp/out"
	ok $? "$lib: stdout still has every diagnostic line"
done
