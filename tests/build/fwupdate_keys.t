#!/bin/sh
# SPDX-License-Identifier: MIT
# images/bundle.mk's keys, made alone (make -f images/bundle.mk, with the
# variables the build gives it and out/host's tfw): the development key is
# made once in KEYS_DIR (keys/ at the top of the tree, outside out/) with
# a loud warning, and one an older tree left under out/ is moved there, not
# lost; fwupdate's trusted keys are FWUPDATE_TRUSTED_KEYS (or the signing
# key) and its revoked ids FWUPDATE_REVOKED_KEYS; a FWUPDATE_RELEASE build
# stops, naming the fix, when it would sign with or trust the development
# key; a missing key file, a key listed twice or a bad revocation list
# stops it too.
set -u
top=$TERN_TOP
out=$TERN_OUT
tfw=$out/host/bin/tfw
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
echo "1..10"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; return "$1"; }
if [ ! -x "$tfw" ]; then
	echo "Bail out! $tfw is not built (make test builds it)"
	exit 1
fi

# bk DIR VAR=VALUE...: the trusted keys' C of a build in DIR (its O), its
# keys in DIR/keys; the log in DIR.log.
bk() {
	d=$1
	shift
	mkdir -p "$d"
	make -C "$top" -f images/bundle.mk CONFIG_FWUPDATE=y APP_tfw_BIN="$tfw" O="$d" \
		BUILD="$d/build" APP_OUT="$d/app" KEYS_DIR="$d/keys" "$@" \
		"$d/build/fwupdate/trusted_keys.c" >"$d.log" 2>&1
}
ids() { sed -n 's|^\t/\* key id \([0-9a-f]*\):.*|\1|p' "$1/build/fwupdate/trusted_keys.c" | tr '\n' ' '; }
revoked() { sed -n 's|.*}, /\* \([0-9a-f]*\) \*/$|\1|p' "$1/build/fwupdate/trusted_keys.c" | tr '\n' ' '; }
log() { sed 's/^/# /' "$1.log" | tail -n 12; }

# The default: no signing key, the development key is made in keys/.
bk "$tmp/a"
rc=$?
dev=$tmp/a/keys/dev-signing-key.pem
[ $rc = 0 ] && [ -s "$dev" ] && [ -s "$dev.pub" ] &&
	grep -q '!!! WARNING: made a DEVELOPMENT signing key' "$tmp/a.log" &&
	[ "$(ids "$tmp/a")" = "$("$tfw" keyid "$dev") " ] && [ "$(revoked "$tmp/a")" = "" ]
ok $? "no signing key: a development key made in KEYS_DIR, loudly; fwupdate trusts it alone" || log "$tmp/a"
sum=$(sha256sum <"$dev")
rm -rf "$tmp/a/build"
bk "$tmp/a"
[ $? = 0 ] && [ "$(sha256sum <"$dev")" = "$sum" ] && ! grep -q 'made a DEVELOPMENT' "$tmp/a.log"
ok $? "the next build keeps it" || log "$tmp/a"

# A key an older tree made under out/<board>/keys/ is moved, not lost.
mkdir -p "$tmp/b/keys"
cp "$dev" "$dev.pub" "$tmp/b/keys/"
bk "$tmp/b" KEYS_DIR="$tmp/b-keys"
[ $? = 0 ] && [ ! -e "$tmp/b/keys/dev-signing-key.pem" ] &&
	[ "$(sha256sum <"$tmp/b-keys/dev-signing-key.pem")" = "$sum" ] &&
	[ -s "$tmp/b-keys/dev-signing-key.pem.pub" ] &&
	grep -q "!!! WARNING: moved the DEVELOPMENT signing key $tmp/b/keys/dev-signing-key.pem" "$tmp/b.log"
ok $? "a development key under O/keys/ is moved to KEYS_DIR, with a warning" || log "$tmp/b"

# Several trusted keys, a revocation list.
"$tfw" keygen "$tmp/rel.pem" && "$tfw" keygen "$tmp/spare.pem" && "$tfw" keygen "$tmp/leaked.pem" ||
	exit 1
printf '# retired\n%s  leaked in a test\n' "$("$tfw" keyid "$tmp/leaked.pem")" >"$tmp/revoked"
bk "$tmp/c" CONFIG_FWUPDATE_RELEASE=y CONFIG_FIRMWARE_SIGNING_KEY="$tmp/rel.pem" \
	CONFIG_FWUPDATE_TRUSTED_KEYS="$tmp/rel.pem.pub $tmp/spare.pem.pub" \
	CONFIG_FWUPDATE_REVOKED_KEYS="$tmp/revoked"
[ $? = 0 ] && [ "$(ids "$tmp/c")" = "$("$tfw" keyid "$tmp/rel.pem") $("$tfw" keyid "$tmp/spare.pem") " ] &&
	[ "$(revoked "$tmp/c")" = "$("$tfw" keyid "$tmp/leaked.pem") " ] && [ ! -e "$tmp/c/keys" ]
ok $? "a release build with its own key: trusts FWUPDATE_TRUSTED_KEYS, revokes the list's ids" || log "$tmp/c"

# Release builds refuse the development key, every way it may come.
bk "$tmp/d" CONFIG_FWUPDATE_RELEASE=y
[ $? != 0 ] && grep -q 'make: FWUPDATE_RELEASE is on and FIRMWARE_SIGNING_KEY is empty.*set FIRMWARE_SIGNING_KEY' "$tmp/d.log" &&
	[ ! -e "$tmp/d/keys" ] && [ ! -e "$tmp/d/build/fwupdate/trusted_keys.c" ]
ok $? "FWUPDATE_RELEASE with no signing key: stops, names the fix, makes no development key" || log "$tmp/d"
mkdir -p "$tmp/e/keys"
cp "$dev" "$dev.pub" "$tmp/e/keys/"
cp "$dev" "$tmp/copy.pem"
bk "$tmp/e" CONFIG_FWUPDATE_RELEASE=y CONFIG_FIRMWARE_SIGNING_KEY="$tmp/copy.pem"
r1=$?
bk "$tmp/f" CONFIG_FWUPDATE_RELEASE=y CONFIG_FIRMWARE_SIGNING_KEY="$tmp/rel.pem" \
	CONFIG_FWUPDATE_TRUSTED_KEYS="$tmp/rel.pem $tmp/e/keys/dev-signing-key.pem.pub" KEYS_DIR="$tmp/e/keys"
r2=$?
[ $r1 != 0 ] && grep -q "make: FWUPDATE_RELEASE is on and $tmp/copy.pem is the development key" "$tmp/e.log" &&
	[ $r2 != 0 ] && grep -q "is the development key" "$tmp/f.log" &&
	[ ! -e "$tmp/e/build/fwupdate/trusted_keys.c" ] && [ ! -e "$tmp/f/build/fwupdate/trusted_keys.c" ]
ok $? "FWUPDATE_RELEASE refuses a copy of the development key as signing key, and trusting it" ||
	{ log "$tmp/e"; log "$tmp/f"; }
# Lab builds may do both.
bk "$tmp/g" CONFIG_FIRMWARE_SIGNING_KEY="$tmp/copy.pem" KEYS_DIR="$tmp/e/keys"
ok $? "without FWUPDATE_RELEASE the same key builds" || log "$tmp/g"

bk "$tmp/h" CONFIG_FIRMWARE_SIGNING_KEY="$tmp/rel.pem" CONFIG_FWUPDATE_TRUSTED_KEYS="$tmp/no-such.pem"
[ $? != 0 ] && grep -q "make: $tmp/no-such.pem: no such file (FIRMWARE_SIGNING_KEY, FWUPDATE_TRUSTED_KEYS" "$tmp/h.log"
ok $? "a trusted key file that does not exist stops the build, named" || log "$tmp/h"
printf '%s\nnot-an-id\n' "$("$tfw" keyid "$tmp/leaked.pem")" >"$tmp/bad-revoked"
bk "$tmp/i" CONFIG_FIRMWARE_SIGNING_KEY="$tmp/rel.pem" CONFIG_FWUPDATE_REVOKED_KEYS="$tmp/bad-revoked"
[ $? != 0 ] && grep -q "$tmp/bad-revoked:2: a key id is 16 hexadecimal digits" "$tmp/i.log" &&
	[ ! -e "$tmp/i/build/fwupdate/trusted_keys.c" ]
ok $? "a bad line in the revocation list stops the build with FILE:LINE" || log "$tmp/i"
bk "$tmp/j" CONFIG_FIRMWARE_SIGNING_KEY="$tmp/rel.pem" \
	CONFIG_FWUPDATE_TRUSTED_KEYS="$tmp/rel.pem $tmp/spare.pem $tmp/rel.pem.pub"
[ $? != 0 ] && grep -q "$tmp/rel.pem and $tmp/rel.pem.pub have the same key id" "$tmp/j.log"
ok $? "a key listed twice (its private and public file) stops the build" || log "$tmp/j"
