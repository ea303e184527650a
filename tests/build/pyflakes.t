#!/bin/sh
# SPDX-License-Identifier: MIT
# Every Python program of ours (a *.py file, or a file whose first line
# names python) passes pyflakes: no undefined name, no redefinition, no
# import that shadows.  A name lost in a merge fails here in a second,
# not in a QEMU test fifty minutes into make test.  Unused imports and
# variables are left to taste.  The check is first shown to fail on a
# file with an undefined name.
set -u
top=$TERN_TOP
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..2"
printf 'import re\nprint(re.compile(SLOT_LINE))\n' >"$tmp/bad.py"
out=$("$py" -m pyflakes "$tmp/bad.py" 2>&1)
case $out in
*"undefined name 'SLOT_LINE'"*) echo "ok 1 - pyflakes reports an undefined name" ;;
*) echo "not ok 1 - pyflakes reports an undefined name"; echo "$out" | sed 's/^/# /' ;;
esac
cd "$top" || exit 1
files=$(git ls-files | while read -r f; do
	case $f in
	*.py) echo "$f" ;;
	*) [ -f "$f" ] && head -n 1 "$f" | grep -q '^#!.*python' && echo "$f" ;;
	esac
done)
n=$(echo "$files" | wc -l)
bad=$(echo "$files" | xargs "$py" -m pyflakes 2>&1 |
	grep -v -e 'imported but unused' -e 'assigned to but never used' \
		-e 'f-string is missing placeholders')
if [ -z "$bad" ]; then
	echo "ok 2 - $n Python files pass pyflakes"
else
	echo "not ok 2 - $n Python files pass pyflakes"
	echo "$bad" | sed 's/^/# /'
fi
