#!/bin/sh
# SPDX-License-Identifier: MIT
# toolchain/fetch.sh: a correct cache is used as is, with no apt at all (a
# full cache builds offline); a corrupt file is set aside and fetched again
# from Debian; a name not in sources.lock is refused.
set -u
top=$TERN_TOP
real_dl=$TERN_DL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..5"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
file=$(awk '$1 == "musl" { print $4 }' "$top/toolchain/sources.lock")
sum=$(awk '$1 == "musl" { print $5 }' "$top/toolchain/sources.lock")

# apt-get that fails: proves a cached, verified file needs no network.
mkdir -p "$tmp/bin" "$tmp/dl"
printf '#!/bin/sh\necho "fake apt-get: no network here" >&2\nexit 1\n' >"$tmp/bin/apt-get"
chmod +x "$tmp/bin/apt-get"
cp "$real_dl/$file" "$tmp/dl/$file"
PATH=$tmp/bin:$PATH DL_DIR=$tmp/dl "$top/toolchain/fetch.sh" musl >"$tmp/log" 2>&1
ok $? "a verified file in the cache is used without apt (offline)"

printf 'x' >>"$tmp/dl/$file"
PATH=$tmp/bin:$PATH DL_DIR=$tmp/dl "$top/toolchain/fetch.sh" musl >"$tmp/log" 2>&1
[ $? -ne 0 ] && grep -q "wrong sha256" "$tmp/log"
ok $? "a corrupt file is detected and reported"

DL_DIR=$tmp/dl "$top/toolchain/fetch.sh" musl >"$tmp/log" 2>&1 &&
	[ "$(sha256sum "$tmp/dl/$file" | cut -d' ' -f1)" = "$sum" ]
ok $? "the corrupt file is fetched again from Debian and verified"
[ -f "$tmp/dl/$file.bad" ]
ok $? "the corrupt file is kept aside as $file.bad"

DL_DIR=$tmp/dl "$top/toolchain/fetch.sh" no-such-package >"$tmp/log" 2>&1
[ $? -ne 0 ] && grep -q "sources.lock" "$tmp/log"
ok $? "a package not in sources.lock is refused"
