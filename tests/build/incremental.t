#!/bin/sh
# SPDX-License-Identifier: MIT
# Incremental builds: with the image built, `make` does nothing; touching one
# app/ source rebuilds that program and the initramfs only (within 30 CPU
# seconds); a Kconfig symbol change rebuilds only what reads it.
set -u
top=$TERN_TOP
tmp=$(mktemp -d)
cfg=$TERN_CONFIG
# Not the parent make's flags: this is a make of its own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
mk() { make -C "$top" O="$TERN_OUT" DL_DIR="$TERN_DL" KCONFIG_CONFIG="$cfg" "$@"; }
trap 'mk >/dev/null 2>&1; rm -rf "$tmp"' EXIT
echo "1..10"
sum_before=$(sha256sum <"$cfg")
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
# Seconds since boot (/proc/uptime): a clock no one sets, unlike date's.
now() { read -r up _ </proc/uptime; echo "$up"; }
# CPU seconds (user + system) of this shell's finished children: what a
# build costs, whatever else the machine is running.
# `times` runs in this shell (in $(...) it would see a subshell's children).
cpu() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, k, /[ms]/); print u[1] * 60 + u[2] + k[1] * 60 + k[2] }' "$1"; }
build() { # log-name [make args]: run make, keep the ">>>" step lines
	log=$tmp/$1; shift
	s=$(now); times >"$tmp/times0"
	mk "$@" >"$log.full" 2>&1; rc=$?
	times >"$tmp/times1"
	took=$(echo "$(now) - $s" | bc) cpu=$(echo "$(cpu "$tmp/times1") - $(cpu "$tmp/times0")" | bc)
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
# The bar is on CPU time, which a loaded machine does not stretch; the
# wall time is printed beside it (on an idle machine the two are close).
[ "$(echo "$cpu <= 30" | bc)" = 1 ]
ok $? "one-file rebuild took $cpu CPU s (bar: 30 s), $took s wall"

# A copy of .config with another socket-buffer size: only /etc and the
# initramfs (no C code reads the sysctl symbols).
sed 's/^CONFIG_SYSCTL_RMEM_MAX=.*/CONFIG_SYSCTL_RMEM_MAX=8388608/' "$cfg" >"$tmp/config"
build sysctl KCONFIG_CONFIG="$tmp/config"
grep -q "rootfs: generate /etc" "$tmp/sysctl" && ! grep -qE 'app: cc|linux|busybox|musl' "$tmp/sysctl"
ok $? "changing SYSCTL_RMEM_MAX regenerates /etc and compiles nothing ($(steps sysctl))"
grep -qx "net.core.rmem_max = 8388608" "$TERN_OUT/target/etc/sysctl.d/50-tern-net.conf"
ok $? "the new value is in the image's sysctl.d"

# INIT_STOP_TIMEOUT is read by init's C code: only the files that use it.
sed 's/^CONFIG_INIT_STOP_TIMEOUT=.*/CONFIG_INIT_STOP_TIMEOUT=7/' "$tmp/config" >"$tmp/config2"
build stop KCONFIG_CONFIG="$tmp/config2"
users=$(grep -l CONFIG_INIT_STOP_TIMEOUT "$top"/app/init/*.c "$top"/app/init/*.h "$top"/app/lib/* 2>/dev/null | wc -l)
n=$(grep -c 'app: cc' "$tmp/stop")
[ "$n" -ge 1 ] && ! grep -qE 'linux|busybox|musl|generate /etc' "$tmp/stop"
ok $? "changing INIT_STOP_TIMEOUT recompiles init's users of it ($n files) and not the kernel"
total=$(ls "$top"/app/init/*.c "$top"/app/lib/*.c | wc -l)
[ "$n" -lt "$total" ] || [ "$users" -ge "$total" ]
ok $? "and not every source file ($n of $total)"

# The kernel's kconfig honours KCONFIG_CONFIG: given on our command line,
# it must not reach the kernel's make (it once wrote the kernel's config
# over ours).  linux-rebuild runs the kernel's allnoconfig for real.
build relinux linux-rebuild KCONFIG_CONFIG="$cfg" O="$TERN_OUT"
[ "$(sha256sum <"$cfg")" = "$sum_before" ] && ! grep -q "Linux/x86" "$cfg"
ok $? "the builds, linux-rebuild among them, left $(basename "$cfg") as it was"
