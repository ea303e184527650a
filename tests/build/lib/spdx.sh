#!/bin/sh
# SPDX-License-Identifier: MIT
# spdx.sh [--check] [TOP] -- put `SPDX-License-Identifier: MIT` (LICENSE) at
# the top of every source file of ours that git tracks in TOP (default: this
# tree), or with --check only list those without it (exit 1 if any).
#
# Which files: what `spdx.sh --list` prints, by this rule --
#   sources   *.c *.h (as `/* SPDX-License-Identifier: MIT */`, line 1);
#             *.sh *.py *.t *.mk, Makefile, Kconfig and any other file that
#             starts with `#!` (as `# SPDX-License-Identifier: MIT`, line 1,
#             or line 2 after the `#!` line)
#   left out  rootfs/skeleton/ (files the image carries as they are),
#             tests/fuzz/corpus/ (fuzzer inputs), and everything else:
#             documentation, configs and fragments, lists and locks (data)
#   not ours  a file whose top already names another license (a third-party
#             file) is left as it is and listed by --check
# The line goes where it is looked for: nothing else in a file changes, and
# running it twice changes nothing more.
set -eu
mode=fix
case ${1:-} in
--check) mode=check; shift ;;
--list) mode=list; shift ;;
-*) echo "usage: spdx.sh [--check|--list] [TOP]" >&2; exit 100 ;;
esac
top=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}
cd "$top"
tag='SPDX-License-Identifier: MIT'

# The files the rule takes, one per line (names without spaces).
sources() {
	git ls-files | grep -vE '^(rootfs/skeleton|tests/fuzz/corpus)/' >"$tmp/all"
	grep -E '\.(c|h|sh|py|t|mk)$|(^|/)(Makefile|Kconfig)$' "$tmp/all" >"$tmp/src" || true
	grep -vxF -f "$tmp/src" "$tmp/all" | while IFS= read -r f; do
		if [ -f "$f" ] && [ "$(head -c2 "$f")" = '#!' ]; then echo "$f"; fi
	done >>"$tmp/src"
	LC_ALL=C sort -u "$tmp/src"
}
# Of FILES, those without the tag where it belongs (line 2 after a #! line,
# else line 1), each with that line number and whether its top names
# another license: "FILE LINE ours|foreign".
unmarked() {
	awk -v tag="$tag" '
	function finish() { if (cur != "" && !good) print cur, line, (foreign ? "foreign" : "ours") }
	FNR == 1 {
		finish()
		cur = FILENAME; good = 0; foreign = 0
		line = substr($0, 1, 2) == "#!" ? 2 : 1
	}
	FNR == line && index($0, tag) { good = 1 }
	FNR <= 5 && /SPDX-License-Identifier:/ && !index($0, tag) { foreign = 1 }
	FNR == 5 { nextfile }
	END { finish() }
	' "$@"
	# awk never sees an empty file.
	for f; do if [ ! -s "$f" ]; then echo "$f 1 ours"; fi; done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sources >"$tmp/list"
if [ $mode = list ]; then
	cat "$tmp/list"
	exit 0
fi
# shellcheck disable=SC2046 # one name a line, no spaces (sources)
unmarked $(cat "$tmp/list") >"$tmp/unmarked"
missing=0
while read -r f line who; do
	if [ $mode = check ] || [ "$who" = foreign ]; then
		if [ "$who" = foreign ]; then
			echo "$f: names another license at its top (a third-party file?): not MIT's"
		else
			echo "$f: no '$tag' on line $line"
		fi
		missing=$((missing + 1))
		continue
	fi
	case $f in
	*.c|*.h) text="/* $tag */" ;;
	*) text="# $tag" ;;
	esac
	if [ ! -s "$f" ]; then
		printf '%s\n' "$text" >"$f"
	elif [ "$line" = 2 ]; then
		sed -i "1a\\
$text" "$f"
	else
		sed -i "1i\\
$text" "$f"
	fi
done <"$tmp/unmarked"
[ $mode = check ] && [ $missing -gt 0 ] && { echo "spdx.sh: $missing files of ours without '$tag' (tests/build/lib/spdx.sh adds it)"; exit 1; }
[ $missing -gt 0 ] && exit 1
exit 0
