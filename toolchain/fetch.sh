#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch.sh NAME... | --all -- put Debian's upstream tarballs into the download
# cache and check them against toolchain/sources.lock.  NAME:KIND (ipxe:binary)
# takes only the lines of that kind, for a name that has both.
#
# Sources come from the machine's own Debian archive: `apt-get source
# --download-only` for source packages, `apt-get download` for the one binary
# package we unpack (linux-source-6.1). apt runs with a project-local
# configuration under $DL_DIR/apt whose sources are derived from the system's
# (same URIs, both deb and deb-src), so no system file is touched and no
# mirror name is written anywhere in this tree.
#
# A file already in the cache with the recorded sha256 is never fetched again:
# a full cache builds offline.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
lock="$top/toolchain/sources.lock"
DL_DIR=${DL_DIR:-$top/dl}
apt_dir="$DL_DIR/apt"

die() { echo "fetch: $*" >&2; exit 111; }

# Write $apt_dir/apt.conf and a sources list derived from /etc/apt.
apt_setup() {
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/state/lists/partial" \
		"$apt_dir/cache/archives/partial" "$apt_dir/prefs.d"
	list="$apt_dir/sources.list.d/tern.sources"
	: >"$list.tmp"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: keep each stanza, make it offer both binaries and sources.
		sed -e 's/^Types:.*/Types: deb deb-src/' "$f" >>"$list.tmp"
		echo >>"$list.tmp"
	done
	one="$apt_dir/sources.list.d/tern.list"
	: >"$one.tmp"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e 's/^[[:space:]]*deb[[:space:]]/deb /p' "$f" >>"$one.tmp"
		sed -n -e 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$one.tmp"
	done
	mv "$list.tmp" "$list"
	mv "$one.tmp" "$one"
	[ -s "$list" ] || [ -s "$one" ] || die "no apt sources found in /etc/apt to derive deb-src entries from"
	cat >"$apt_dir/apt.conf" <<-EOF
	Dir::Etc::SourceList "$apt_dir/sources.list.d/tern.list";
	Dir::Etc::SourceParts "$apt_dir/sources.list.d";
	Dir::Etc::Preferences "$apt_dir/preferences";
	Dir::Etc::PreferencesParts "$apt_dir/prefs.d";
	Dir::State "$apt_dir/state";
	Dir::Cache "$apt_dir/cache";
	APT::Sandbox::User "root";
	Acquire::Languages "none";
	APT::Architectures { "amd64"; "arm64"; };
	EOF
}

apt_local() { APT_CONFIG="$apt_dir/apt.conf" apt-get -q "$@"; }

apt_ready=
apt_update() {
	[ -n "$apt_ready" ] && return 0
	command -v apt-get >/dev/null || die "apt-get not found: the build fetches sources from a Debian archive"
	apt_setup
	# Lists younger than an hour are good enough to find a pinned version
	# (the stamp is named after the architectures the lists cover).
	if [ -n "$(find "$apt_dir/updated-amd64-arm64" -mmin -60 2>/dev/null)" ]; then
		apt_ready=1
		return 0
	fi
	echo "fetch: apt-get update (project-local lists in $apt_dir)"
	apt_local update >"$apt_dir/update.log" 2>&1 ||
		{ cat "$apt_dir/update.log" >&2; die "apt-get update failed (see above)"; }
	touch "$apt_dir/updated-amd64-arm64"
	apt_ready=1
}

sha_ok() { # file sha256
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

fetch_one() { # name kind version file sha256
	name=$1 kind=$2 version=$3 file=$4 sum=$5
	if sha_ok "$DL_DIR/$file" "$sum"; then
		return 0
	fi
	if [ -f "$DL_DIR/$file" ]; then
		mv "$DL_DIR/$file" "$DL_DIR/$file.bad"
		echo "fetch: $file in the cache has the wrong sha256; moved to $file.bad, fetching again" >&2
	fi
	apt_update
	echo "fetch: $name $version ($kind)"
	case $kind in
	source) (cd "$DL_DIR" && apt_local source --download-only "$name=$version") ;;
	# A .deb of one architecture (systemd-boot-efi_..._arm64.deb) is
	# fetched as NAME:ARCH, whatever the host's own architecture.
	binary) arch=${file%.deb}; arch=${arch##*_}; [ "$arch" = all ] && arch= || arch=:$arch
		(cd "$DL_DIR" && apt_local download "$name$arch=$version") ;;
	*) die "$lock: unknown kind '$kind' for $name" ;;
	esac || die "could not fetch $name=$version; if the archive no longer has that version, update toolchain/sources.lock"
	[ -f "$DL_DIR/$file" ] || die "apt fetched $name=$version but $file is not there; fix the file name in toolchain/sources.lock"
	got=$(sha256sum "$DL_DIR/$file" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "$file: sha256 is $got, toolchain/sources.lock says $sum"
}

[ $# -gt 0 ] || { echo "usage: fetch.sh NAME... | --all" >&2; exit 100; }
mkdir -p "$DL_DIR"
# One fetch at a time per cache: a parallel make fetches several packages,
# and apt locks its lists.
exec 9>"$DL_DIR/.fetch.lock"
flock 9 || die "unable to lock $DL_DIR/.fetch.lock"
found=0
while read -r name kind version file sum; do
	case $name in ''|'#'*) continue ;; esac
	want=
	for arg; do [ "$arg" = --all ] || [ "$arg" = "$name" ] || [ "$arg" = "$name:$kind" ] && want=1; done
	[ -n "$want" ] || continue
	found=$((found + 1))
	fetch_one "$name" "$kind" "$version" "$file" "$sum"
done <"$lock"
[ "$found" -gt 0 ] || die "none of '$*' is in toolchain/sources.lock"
