#!/bin/sh
# Incremental builds: with the image built, `make` does nothing; touching one
# app/ source rebuilds that program and the initramfs only (within 30 s); a
# Kconfig symbol change rebuilds only what reads it.
set -u
top=$TERN_TOP
tmp=$(mktemp -d)
cfg=${KCONFIG_CONFIG:-$top/.config}
# Not the parent make's flags: this is a make of its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
trap 'make -C "$top" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
echo "1..9"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
build() { # log-name [make args]: run make, keep the ">>>" step lines
	log=$tmp/$1; shift
	s=$(date +%s.%N)
	make -C "$top" "$@" >"$log.full" 2>&1; rc=$?
	took=$(echo "$(date +%s.%N) - $s" | bc)
	grep '^>>>' "$log.full" | grep -v '>>> images: .* bytes' >"$log"
	return $rc
}
steps() { tr '\n' ';' <"$tmp/$1"; }

build noop
[ ! -s "$tmp/noop" ]
ok $? "make with nothing changed builds nothing ($(steps noop))"

src=$(ls "$top"/app/init/*.c | head -n 1)
touch "$src"
build touch
ok $? "make after touching $(basename "$src") succeeds"
grep -q "app: cc app/init/$(basename "$src")" "$tmp/touch" && grep -q "app: link init" "$tmp/touch" &&
	grep -q "images: rootfs.cpio.gz" "$tmp/touch"
ok $? "it recompiles that file, relinks init, repacks the initramfs"
! grep -qE 'linux|busybox|musl|liburing|mbedtls|generate /etc' "$tmp/touch" &&
	[ "$(grep -c 'app: cc' "$tmp/touch")" = 1 ]
ok $? "and nothing else ($(steps touch))"
[ "$(echo "$took <= 30" | bc)" = 1 ]
ok $? "one-file rebuild took $took s (bar: 30 s)"

# A copy of .config with another hostname: only /etc and the initramfs.
sed 's/^CONFIG_HOSTNAME=.*/CONFIG_HOSTNAME="incremental-test"/' "$cfg" >"$tmp/config"
build host KCONFIG_CONFIG="$tmp/config"
grep -q "rootfs: generate /etc" "$tmp/host" && ! grep -qE 'app: cc|linux|busybox|musl' "$tmp/host"
ok $? "changing HOSTNAME regenerates /etc and nothing compiled ($(steps host))"
grep -qx "incremental-test" "$TERN_OUT/target/etc/hostname"
ok $? "the new hostname is in the image"

# INIT_STOP_TIMEOUT is read by init's C code: only the files that use it.
sed 's/^CONFIG_INIT_STOP_TIMEOUT=.*/CONFIG_INIT_STOP_TIMEOUT=7/' "$cfg" >"$tmp/config2"
build stop KCONFIG_CONFIG="$tmp/config2"
users=$(grep -l CONFIG_INIT_STOP_TIMEOUT "$top"/app/init/*.c "$top"/app/init/*.h "$top"/app/lib/* 2>/dev/null | wc -l)
n=$(grep -c 'app: cc' "$tmp/stop")
[ "$n" -ge 1 ] && ! grep -qE 'linux|busybox|musl|generate /etc' "$tmp/stop"
ok $? "changing INIT_STOP_TIMEOUT recompiles init's users of it ($n files) and not the kernel"
total=$(ls "$top"/app/init/*.c "$top"/app/lib/*.c | wc -l)
[ "$n" -lt "$total" ] || [ "$users" -ge "$total" ]
ok $? "and not every source file ($n of $total)"
