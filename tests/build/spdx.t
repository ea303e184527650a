#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source file of ours says its license (MIT, LICENSE) in an
# SPDX-License-Identifier line where tests/build/lib/spdx.sh puts it, by
# the rule written at its top.  The script is checked on a small git tree
# of its own first: what it marks and how, what it leaves alone, that a
# second run changes nothing, that a file naming another license is
# reported and not touched; then --check runs on this tree.
set -u
top=$TERN_TOP
spdx=$top/tests/build/lib/spdx.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..5"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
fail_log() { sed 's/^/# /' "$1" | tail -n 30; }

t=$tmp/tree
mkdir -p "$t/app/x" "$t/rootfs/skeleton/etc" "$t/tests/fuzz/corpus/x" "$t/docs" "$t/.ci"
printf '/* x.c -- a program */\nint main(void) { return 0; }\n' >"$t/app/x/main.c"
printf '#ifndef X_H\n#define X_H\n#endif\n' >"$t/app/x/x.h"
printf '#!/bin/sh\n# a script\necho hi\n' >"$t/app/x/etc.sh"
printf '#!/usr/bin/python3\nprint("hi")\n' >"$t/app/x/tool.py"
printf '# x.mk\nAPP_x_KIND := target\n' >"$t/app/x/x.mk"
printf 'config X\n\tbool "x"\n' >"$t/app/x/Kconfig"
printf 'all:\n\ttrue\n' >"$t/Makefile"
printf '#!/usr/bin/env bash\nmake test\n' >"$t/.ci/run"
printf '#!/bin/sh\necho 1..0\n' >"$t/app/x/one.t"
printf 'root:x:0:0::/root:/bin/sh\n' >"$t/rootfs/skeleton/etc/passwd"
printf '#!/bin/sh\n# the image carries it as it is\n' >"$t/rootfs/skeleton/etc/script"
printf 'GET / HTTP/1.1\r\n\r\n' >"$t/tests/fuzz/corpus/x/get"
printf '# Doc\n' >"$t/docs/x.md"
printf 'CONFIG_X=y\n' >"$t/app/x/defconfig"
git -C "$t" init -q && git -C "$t" add -A
cp -R "$t" "$tmp/before"

sh "$spdx" --check "$t" >"$tmp/check1" 2>&1
rc=$?
[ $rc = 1 ] && [ "$(grep -c ": no 'SPDX-License-Identifier: MIT' on line" "$tmp/check1")" = 9 ] &&
	grep -q '^app/x/etc.sh: .* on line 2$' "$tmp/check1" && grep -q '^app/x/main.c: .* on line 1$' "$tmp/check1" &&
	grep -q '^\.ci/run: .* on line 2$' "$tmp/check1"
ok $? "--check lists the 9 unmarked source files (C, header, shell, Python, make, Kconfig, Makefile, a #! script, a .t), with the line, and fails"
[ $rc = 1 ] || fail_log "$tmp/check1"

sh "$spdx" "$t" >"$tmp/fix" 2>&1 && sh "$spdx" --check "$t" >"$tmp/check2" 2>&1 &&
	[ "$(sed -n 1p "$t/app/x/main.c")" = '/* SPDX-License-Identifier: MIT */' ] &&
	[ "$(sed -n 2p "$t/app/x/main.c")" = '/* x.c -- a program */' ] &&
	[ "$(sed -n 1p "$t/app/x/x.h")" = '/* SPDX-License-Identifier: MIT */' ] &&
	[ "$(sed -n 1,2p "$t/app/x/etc.sh")" = "$(printf '#!/bin/sh\n# SPDX-License-Identifier: MIT')" ] &&
	[ "$(sed -n 2p "$t/app/x/tool.py")" = '# SPDX-License-Identifier: MIT' ] &&
	[ "$(sed -n 1p "$t/app/x/Kconfig")" = '# SPDX-License-Identifier: MIT' ] &&
	[ "$(sed -n 1p "$t/Makefile")" = '# SPDX-License-Identifier: MIT' ] &&
	[ "$(sed -n 2p "$t/.ci/run")" = '# SPDX-License-Identifier: MIT' ] &&
	[ "$(git -C "$t" diff --numstat | awk '$1 != 1 || $2 != 0' | wc -l)" = 0 ] &&
	[ "$(git -C "$t" diff --numstat | wc -l)" = 9 ]
ok $? "the script adds one line to each: line 1 as /* */ in C, # after a #! line or else on line 1; then --check passes"
[ -s "$tmp/fix" ] && fail_log "$tmp/fix"

for f in rootfs/skeleton/etc/passwd rootfs/skeleton/etc/script tests/fuzz/corpus/x/get docs/x.md app/x/defconfig; do
	cmp -s "$t/$f" "$tmp/before/$f" || echo "$f changed"
done >"$tmp/left"
cp -R "$t" "$tmp/once"
sh "$spdx" "$t" >/dev/null 2>&1
[ ! -s "$tmp/left" ] && diff -r -x .git "$tmp/once" "$t" >/dev/null
ok $? "it leaves the image's skeleton, fuzzer inputs, docs and configs alone, and a second run changes nothing"
fail_log "$tmp/left"

printf '/* SPDX-License-Identifier: BSD-2-Clause */\n/* from elsewhere */\n' >"$t/app/x/vendored.c"
git -C "$t" add app/x/vendored.c
cp "$t/app/x/vendored.c" "$tmp/vendored.c"
sh "$spdx" "$t" >"$tmp/foreign" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^app/x/vendored.c: names another license' "$tmp/foreign" && cmp -s "$t/app/x/vendored.c" "$tmp/vendored.c"
ok $? "a file that names another license at its top is reported (exit 1) and left as it is"
[ $rc = 1 ] || fail_log "$tmp/foreign"

sh "$spdx" --check "$top" >"$tmp/ours" 2>&1
rc=$?
ok $rc "every source file of ours in this tree has it ($(sh "$spdx" --list "$top" | wc -l) files by the rule)"
[ $rc = 0 ] || fail_log "$tmp/ours"
