#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench/build_time.py (make build-time) with a stand-in `make` first
# in PATH, which says what GNU make says when it finds a jobserver in
# MAKEFLAGS whose descriptors it was not given: the board's make must
# run without the parent make's MAKEFLAGS (else it builds with -j1 and
# the time is not a clean build's), and a build that did run with -j1
# anyway fails the measurement instead of being timed.
set -u
top=$TERN_TOP
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
cat >"$tmp/bin/make" <<'MAKE'
#!/bin/sh
case "${MAKEFLAGS:-}" in
*jobserver*) echo "make[1]: warning: jobserver unavailable: using -j1.  Add '+' to parent make rule." ;;
esac
[ -z "${FORCE_J1:-}" ] || echo "make[1]: warning: jobserver unavailable: using -j1."
echo "stand-in make $*"
MAKE
chmod +x "$tmp/bin/make"
run() { env PATH="$tmp/bin:$PATH" TERN_TOP="$top" TERN_OUT="$tmp/out" TERN_DL="$tmp/dl" "$@" \
	"$py" "$top/tests/bench/build_time.py" qemu_aarch64 >"$tmp/log" 2>&1; }
echo "1..3"

run MAKEFLAGS=" -j2 --jobserver-auth=3,4" MAKELEVEL=1
rc=$?
sed 's/^/# /' "$tmp/log"
[ $rc = 0 ] && grep -q '^| qemu_aarch64 | 0 min 0[0-9] s |' "$tmp/out/bench/build-time.md"
echo "$([ $? = 0 ] || echo 'not ')ok 1 - run under a parent make's jobserver, the board's make gets none of its MAKEFLAGS, and the row is written"

run FORCE_J1=1
rc=$?
sed 's/^/# /' "$tmp/log"
[ $rc != 0 ] && grep -q 'ran without its jobs (jobserver unavailable)' "$tmp/log"
echo "$([ $? = 0 ] || echo 'not ')ok 2 - a build that ran with -j1 anyway fails the measurement, and says why"

cat >"$tmp/bin/make" <<'MAKE'
#!/bin/sh
echo "some error"; exit 2
MAKE
run
rc=$?
[ $rc != 0 ] && grep -q 'make BOARD=qemu_aarch64 failed (status 2)' "$tmp/log" && grep -q 'some error' "$tmp/log"
echo "$([ $? = 0 ] || echo 'not ')ok 3 - a failed build fails the measurement with the end of its log"
