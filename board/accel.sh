#!/bin/sh
# SPDX-License-Identifier: MIT
# accel.sh [-w] KIND -- the QEMU accelerator for a guest of KIND: the one
# place Tern decides it, for make run, every test and every benchmark.
#
# KIND is ARCH-FIRMWARE: x86_64-linux (a Linux kernel booted by SeaBIOS,
# directly or over the network: the probe boots KERNEL and INITRD, or
# TERN_KERNEL and TERN_INITRD), x86_64-uefi (OVMF), aarch64-linux,
# aarch64-uefi (AAVMF).
# Prints `kvm` or `tcg`; with -w, `accelerator WORD (why)` instead.
#
# The rule: KVM only when it has been shown to work on this machine for
# this kind of guest.  A /dev/kvm that opens is not proof (a paravirtual or
# nested KVM may die on the guest's first cmpxchg16b with `KVM internal
# error`), so the first call boots a probe guest under KVM, bounded by
# ACCEL_PROBE_SECONDS (default 30), that must print a known console line;
# anything else (an exit, an internal error, a hang) means TCG.  The
# verdict is kept in $TERN_OUT/accel (default out/accel), keyed by the
# kind, the host (kernel, boot, CPU) and the QEMU binary, so the probe costs
# its seconds once.  ACCEL=kvm or ACCEL=tcg overrides the rule.
# ACCEL_KVM_DEV (default /dev/kvm) lets the tests stand a file in for it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

why=0
[ "${1:-}" = -w ] && { why=1; shift; }
[ $# -eq 1 ] || { echo "usage: accel.sh [-w] KIND (x86_64-linux, x86_64-uefi, aarch64-linux, aarch64-uefi)" >&2; exit 100; }
kind=$1
arch=${kind%%-*}
firmware=${kind#*-}
case $kind in
x86_64-linux|x86_64-uefi|aarch64-linux|aarch64-uefi) ;;
*) echo "accel.sh: unknown guest kind '$kind' (x86_64-linux, x86_64-uefi, aarch64-linux, aarch64-uefi)" >&2; exit 100 ;;
esac

say() {
	if [ $why = 1 ]; then echo "accelerator $1 ($2)"; else echo "$1"; fi
	exit 0
}

case ${ACCEL:-} in
kvm|tcg) say "$ACCEL" "ACCEL=$ACCEL" ;;
'') ;;
*) echo "accel.sh: ACCEL=$ACCEL: say kvm or tcg (or leave it unset to let a probe decide)" >&2; exit 100 ;;
esac

host=$(uname -m)
[ "$arch" = "$host" ] || say tcg "an $arch guest on an $host host"
dev=${ACCEL_KVM_DEV:-/dev/kvm}
[ -e "$dev" ] || say tcg "no $dev"
if ! err=$( (exec 3<>"$dev") 2>&1 ); then
	say tcg "$dev does not open: ${err##*: }"
fi

qemu=$(command -v "qemu-system-$arch") || say tcg "kvm present but there is no qemu-system-$arch to probe it with"
dir=${TERN_OUT:-$top/out}/accel
mkdir -p "$dir"
key=$( {
	echo "$kind"
	uname -srvm
	cat /proc/sys/kernel/random/boot_id 2>/dev/null || true
	grep -m1 -E '^(model name|flags)' /proc/cpuinfo || true
	echo "$qemu"
	stat -L -c '%d %i %s %Y' "$qemu" "$dev"
} | sha256sum | cut -c1-16)
verdict=$dir/$kind-$key

# One probe at a time: a second caller waits for the first one's verdict.
exec 9>"$dir/.lock"
flock 9
if [ ! -s "$verdict" ]; then
	seconds=${ACCEL_PROBE_SECONDS:-30}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	case $firmware in
	linux)
		kernel=${KERNEL:-${TERN_KERNEL:-}}
		initrd=${INITRD:-${TERN_INITRD:-}}
		if [ ! -r "$kernel" ] || [ ! -r "$initrd" ]; then
			# Not a verdict about this machine: nothing is kept.
			say tcg "kvm present but no image to probe it with (KERNEL, INITRD)"
		fi
		case $arch in
		x86_64) set -- -machine q35,accel=kvm -cpu max -append "console=ttyS0 panic=-1" ;;
		aarch64) set -- -machine virt,accel=kvm -cpu host -append "console=ttyAMA0 panic=-1" ;;
		esac
		set -- "$@" -kernel "$kernel" -initrd "$initrd"
		marker='tern: ready in'
		;;
	uefi)
		case $arch in
		x86_64) code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
			set -- -machine q35,accel=kvm -cpu max ;;
		aarch64) code=/usr/share/AAVMF/AAVMF_CODE.fd vars=/usr/share/AAVMF/AAVMF_VARS.fd
			set -- -machine virt,accel=kvm -cpu host ;;
		esac
		[ -r "$code" ] || say tcg "kvm present but no UEFI firmware to probe it with ($code)"
		cp "$vars" "$work/vars.fd"
		set -- "$@" \
			-drive if=pflash,format=raw,unit=0,readonly=on,file="$code" \
			-drive if=pflash,format=raw,unit=1,file="$work/vars.fd"
		marker='UEFI Interactive Shell'
		;;
	esac
	log=$work/console
	start=$(date +%s%N)
	"$qemu" "$@" -m 256 -nographic -no-reboot -nic none </dev/null >"$log" 2>&1 &
	pid=$!
	result=
	deadline=$(($(date +%s%N) / 1000000 + seconds * 1000))
	while [ -z "$result" ]; do
		if grep -q "$marker" "$log"; then
			took=$(( ($(date +%s%N) - start) / 1000000 ))
			result="kvm	a probe boot under kvm reached '$marker' in $((took / 1000)).$(printf %03d $((took % 1000))) s"
		elif grep -q 'KVM internal error' "$log"; then
			result="tcg	kvm present but a probe boot failed: KVM internal error"
		elif ! kill -0 $pid 2>/dev/null; then
			status=0
			wait $pid || status=$?
			last=$(tr -d '\r' <"$log" | grep -v '^[[:space:]]*$' | tail -n1 | cut -c1-160)
			result="tcg	kvm present but a probe boot failed: QEMU exited with status $status${last:+: $last}"
		elif [ $(($(date +%s%N) / 1000000)) -ge $deadline ]; then
			result="tcg	kvm present but a probe boot did not print '$marker' within $seconds s"
		else
			sleep 0.1
		fi
	done
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	printf '%s\n' "$result" >"$verdict.tmp"
	mv "$verdict.tmp" "$verdict"
fi
IFS='	' read -r word reason <"$verdict"
say "$word" "$reason"
