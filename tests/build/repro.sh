#!/bin/sh
# SPDX-License-Identifier: MIT
# repro.sh [-b "BOARD..."] [-d DIR] -- `make repro`: two clean builds of
# this tree's last commit, in two directories of different paths, one after
# the other, then a byte comparison of every file in out/<board>/images.
# Exit 0 when every file is the same in both, 1 with a report of those
# that differ (size, first differing byte, number of differing bytes).
#
# Both builds take the same SOURCE_DATE_EPOCH (the commit's time:
# toolchain/source-date.mk) and the same keys: the bundle signing key (a
# P-256 key made here, as FIRMWARE_SIGNING_KEY) and KEYS_DIR (httpd's lab
# CA and certificate), made once in DIR/keys; keys are inputs, not build
# products.  Uncommitted changes are not in the builds (a warning says so).
#
# -b boards to build (default pc_x86_64: it makes bzImage, rootfs.cpio.gz,
#    slot.efi, disk.img and the .tfw bundle);  -d where the two trees go
#    (default a new directory under /tmp; it is left for inspection).
# From the environment: DL_DIR (the download cache, shared), JOBS.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
boards=pc_x86_64 dir=
while getopts b:d: opt; do
	case $opt in
	b) boards=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) echo "usage: repro.sh [-b \"BOARD...\"] [-d DIR]" >&2; exit 100 ;;
	esac
done
dl=${DL_DIR:-$top/dl}
case $dl in /*) ;; *) dl=$top/$dl ;; esac
[ -n "$dir" ] || dir=$(mktemp -d /tmp/tern-repro.XXXXXX)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
say() { echo ">>> repro: $*"; }
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SOURCE_DATE_EPOCH

commit=$(git -C "$top" rev-parse HEAD)
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	echo "!!! WARNING: $top has uncommitted changes: repro builds the last commit, $commit, without them" >&2

mkdir -p "$dir/keys"
key=$dir/keys/signing-key.pem
[ -s "$key" ] || (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key")

# Two paths of different lengths: nothing may depend on where a tree is.
trees="$dir/a/tern $dir/bb/second/tern-b"
for tree in $trees; do
	say "clean build of $commit in $tree"
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	git clone -q --no-checkout "$top" "$tree"
	git -C "$tree" -c advice.detachedHead=false checkout -q "$commit"
	for b in $boards; do
		start=$(date +%s)
		mk() { make -C "$tree" BOARD="$b" DL_DIR="$dl" KEYS_DIR="$dir/keys" ${JOBS:+JOBS=$JOBS} "$@"; }
		mk "${b}_defconfig" >"$tree.$b.log" 2>&1
		if grep -q '^CONFIG_FWUPDATE=y' "$tree/out/$b/.config"; then
			echo "CONFIG_FIRMWARE_SIGNING_KEY=\"$key\"" >>"$tree/out/$b/.config"
			mk olddefconfig >>"$tree.$b.log" 2>&1
		fi
		mk >>"$tree.$b.log" 2>&1 || { tail -n 30 "$tree.$b.log"; say "the build of $b in $tree failed (log: $tree.$b.log)"; exit 1; }
		say "$b built in $(($(date +%s) - start)) s (log: $tree.$b.log)"
	done
done

# The comparison: every regular file of out/<board>/images in either tree.
set -- $trees
a=$1 b=$2
bad=0 same=0
for board in $boards; do
	for f in $( (cd "$a/out/$board/images" && find . -type f; cd "$b/out/$board/images" && find . -type f) |
			sed 's|^\./||' | LC_ALL=C sort -u); do
		fa=$a/out/$board/images/$f fb=$b/out/$board/images/$f
		if [ ! -f "$fa" ] || [ ! -f "$fb" ]; then
			echo "DIFFERS $board/$f: only in $([ -f "$fa" ] && echo "$a" || echo "$b")"
			bad=$((bad + 1))
		elif cmp -s "$fa" "$fb"; then
			echo "same    $board/$f $(sha256sum <"$fa" | cut -c1-64)"
			same=$((same + 1))
		else
			first=$(cmp "$fa" "$fb" 2>&1 | sed -n 's/.* byte \([0-9]*\).*/\1/p')
			n=$(cmp -l "$fa" "$fb" 2>/dev/null | wc -l)
			echo "DIFFERS $board/$f: sizes $(stat -c %s "$fa") and $(stat -c %s "$fb"), first at byte ${first:-EOF}, $n bytes differ"
			bad=$((bad + 1))
		fi
	done
done
if [ $bad = 0 ] && [ $same -gt 0 ]; then
	say "reproducible: $same files byte-identical in $a and $b"
	exit 0
fi
say "NOT reproducible: $bad files differ, $same the same ($a, $b; diffoscope shows how)"
exit 1
