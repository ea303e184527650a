#!/bin/bash
# SPDX-License-Identifier: MIT
# board/accel.sh, the one place that picks QEMU's accelerator, tested
# without a broken KVM at hand: a file stands in for /dev/kvm
# (ACCEL_KVM_DEV) and stand-in qemu-system-x86_64 programs early in PATH
# behave like a KVM that dies (`KVM internal error`, then QEMU stays up with
# the guest stopped, as QEMU does), one that exits, one that hangs, and one
# that works.  Then the real QEMU with a /dev/kvm that is not KVM, and
# `make run` with a QEMU that fails to start.
set -u
top=${TERN_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
accel=$top/board/accel.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { # ok COND-STATUS NAME [DIAG]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		failed=$((failed + 1)); echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}
echo 1..22

# The stand-ins record each call (one line of arguments) in $tmp/calls.
mkdir -p "$tmp/bin" "$tmp/out"
standin() { # standin BODY: the qemu-system-x86_64 the next calls run
	cat >"$tmp/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/calls"
echo \$\$ >>"$tmp/pids"
$1
EOF
	chmod +x "$tmp/bin/qemu-system-x86_64"
}
: >"$tmp/kvm"
: >"$tmp/kernel"
: >"$tmp/initrd"
# run [VAR=VALUE...] KIND: accel.sh -w in a clean setting; $out, $took (ms)
run() {
	local t0
	t0=$(date +%s%N)
	out=$(env -u ACCEL PATH="$tmp/bin:$PATH" TERN_OUT="$tmp/out" ACCEL_KVM_DEV="$tmp/kvm" \
		KERNEL="$tmp/kernel" INITRD="$tmp/initrd" ACCEL_PROBE_SECONDS=3 "$@" 2>&1)
	status=$?
	took=$(( ($(date +%s%N) - t0) / 1000000 ))
}
calls() { [ -e "$tmp/calls" ] && wc -l <"$tmp/calls" || echo 0; }

# 1-2: no KVM device at all: TCG, said so, nothing run.
standin 'exit 0'
run ACCEL_KVM_DEV="$tmp/none" "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator tcg (no $tmp/none)" ]; echo $?) "no KVM device: tcg, and why" "$out"
ok $([ "$(calls)" = 0 ]; echo $?) "no KVM device: no probe" "$(cat "$tmp/calls" 2>/dev/null)"

# 3-5: the failing machine: the guest dies with KVM internal error and
# QEMU stays up; the verdict comes at once, and the probe was under kvm.
standin 'echo "KVM internal error. Suberror: 1" >&2; echo "Code=49 89 cb <f0> 48 0f c7 4e 20" >&2; exec sleep 600'
run "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator tcg (kvm present but a probe boot failed: KVM internal error)" ]; echo $?) \
	"KVM internal error: tcg, and why" "$out"
ok $([ $took -lt 3000 ]; echo $?) "KVM internal error: decided without waiting out the bound (${took} ms)"
ok $(grep -q 'accel=kvm' "$tmp/calls"; echo $?) "the probe boots the guest under kvm" "$(cat "$tmp/calls")"

# 6-7: the verdict is kept: the next call probes nothing and says the same.
before=$(calls)
run "$accel" x86_64-linux
ok $([ "$out" = tcg ] && [ "$(calls)" = "$before" ]; echo $?) "the verdict is kept: tcg again without a probe" \
	"$out, $(calls) calls"
run "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator tcg (kvm present but a probe boot failed: KVM internal error)" ]; echo $?) \
	"the kept verdict keeps its reason" "$out"

# 8: a QEMU that exits: tcg, with its last line.
rm -rf "$tmp/out"/*
standin 'echo "qemu-system-x86_64: failed to initialize kvm: No such device" >&2; exit 1'
run "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator tcg (kvm present but a probe boot failed: QEMU exited with status 1: qemu-system-x86_64: failed to initialize kvm: No such device)" ]; echo $?) \
	"a probe QEMU that exits: tcg, with its status and last line" "$out"

# 9-11: a hang: the bound holds (3 s here; the stand-in would sleep 600).
rm -rf "$tmp/out"/*
standin 'echo "SeaBIOS (version 1.16)"; exec sleep 600'
run "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator tcg (kvm present but a probe boot did not print 'tern: ready in' within 3 s)" ]; echo $?) \
	"a probe that hangs: tcg, and why" "$out"
ok $([ $took -lt 60000 ]; echo $?) "a probe that hangs ends at its bound, not the guest's (${took} ms for a 3 s bound)"
ok $(! kill -0 $(cat "$tmp/pids") 2>/dev/null; echo $?) "every probe QEMU is gone when accel.sh returns"

# 12-14: a KVM that works; and a changed QEMU is probed again.
rm -rf "$tmp/out"/* "$tmp/calls"
standin 'echo "Linux version 6.1"; echo "tern: ready in 0.412 s"; exec sleep 600'
run "$accel" -w x86_64-linux
ok $([[ "$out" =~ ^"accelerator kvm (a probe boot under kvm reached 'tern: ready in' in "[0-9]+\.[0-9]{3}" s)"$ ]]; echo $?) \
	"a probe that reaches the ready line: kvm, and why" "$out"
run "$accel" x86_64-linux
ok $([ "$out" = kvm ] && [ "$(calls)" = 1 ]; echo $?) "kvm kept: one probe for two calls" "$out, $(calls) calls"
standin 'echo "tern: ready in 0.5 s"; exec sleep 600'   # a new QEMU binary
touch -d '1 hour ago' "$tmp/bin/qemu-system-x86_64"
run "$accel" x86_64-linux
ok $([ "$out" = kvm ] && [ "$(calls)" = 2 ]; echo $?) "a different QEMU binary is probed again" "$out, $(calls) calls"

# 15: the UEFI guest kind probes OVMF to its shell.
rm -f "$tmp/calls"
standin 'case "$*" in *pflash*) echo "UEFI Interactive Shell v2.2";; esac; exec sleep 600'
run "$accel" -w x86_64-uefi
ok $([[ "$out" == "accelerator kvm (a probe boot under kvm reached 'UEFI Interactive Shell' in "* ]]; echo $?) \
	"x86_64-uefi: the probe boots OVMF (pflash) to its shell" "$out"

# 16-18: ACCEL overrides both ways; anything else is a usage error.
standin 'echo "KVM internal error" >&2; exec sleep 600'
run ACCEL=kvm "$accel" -w x86_64-linux
ok $([ "$out" = "accelerator kvm (ACCEL=kvm)" ]; echo $?) "ACCEL=kvm overrides a failing probe" "$out"
run ACCEL=tcg "$accel" -w x86_64-uefi
ok $([ "$out" = "accelerator tcg (ACCEL=tcg)" ]; echo $?) "ACCEL=tcg overrides a working one" "$out"
run ACCEL=hvf "$accel" x86_64-linux
ok $([ $status = 100 ] && [[ "$out" == *"ACCEL=hvf: say kvm or tcg"* ]]; echo $?) \
	"ACCEL=hvf: exit 100 and a clear message" "status $status: $out"

# 19: another architecture's guest never gets KVM.
run "$accel" -w aarch64-linux
ok $([ "$out" = "accelerator tcg (an aarch64 guest on an $(uname -m) host)" ]; echo $?) \
	"an aarch64 guest on this host: tcg" "$out"

# 20: the real QEMU with a "/dev/kvm" that is not KVM: the probe fails, tcg.
rm -rf "$tmp/out"/*
out=$(env -u ACCEL TERN_OUT="$tmp/out" ACCEL_KVM_DEV="$tmp/kvm" ACCEL_PROBE_SECONDS=60 \
	KERNEL="${TERN_KERNEL:-$tmp/kernel}" INITRD="${TERN_INITRD:-$tmp/initrd}" "$accel" -w x86_64-linux 2>&1)
if [ -c /dev/kvm ]; then
	ok 0 "# SKIP this machine has a /dev/kvm: the real QEMU's probe may rightly succeed ($out)"
else
	ok $([[ "$out" == "accelerator tcg (kvm present but a probe boot failed: QEMU exited with status 1: "* ]]; echo $?) \
		"the real QEMU without KVM behind the device: the probe fails, tcg" "$out"
fi

# 21-22: make run with a QEMU that fails to start: non-zero, QEMU's last
# lines and a hint (the real build's make run, the stand-in QEMU).
if [ -n "${TERN_OUT:-}" ] && [ -r "${TERN_KERNEL:-}" ]; then
	standin 'echo "qemu-system-x86_64: -netdev user,id=net0: could not set up host forwarding rule" >&2; exit 1'
	out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL PATH="$tmp/bin:$PATH" \
		make -C "$top" O="$TERN_OUT" KCONFIG_CONFIG="$TERN_CONFIG" DL_DIR="$TERN_DL" \
		ACCEL=tcg run </dev/null 2>&1)
	status=$?
	ok $([ $status -ne 0 ]; echo $?) "make run with a QEMU that fails: non-zero status ($status)" "$out"
	ok $([[ "$out" == *">>> run: accelerator tcg (ACCEL=tcg)"*"run: QEMU exited with status 1; its last lines:"*"could not set up host forwarding rule"*"run: hint: "* ]]; echo $?) \
		"make run says the accelerator, then QEMU's last lines and a hint" "$out"
else
	ok 0 "# SKIP no build to run (make test sets TERN_OUT)"
	ok 0 "# SKIP no build to run (make test sets TERN_OUT)"
fi
[ $failed -eq 0 ]
