#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh QEMU.SH [ARGS...] -- make run: say which accelerator the guest
# gets and why, then boot it with the serial console on this terminal.
# If QEMU fails (a status other than 0), end with its last lines and a
# hint rather than a silent terminal, and with QEMU's status.
set -u
echo ">>> run: $("$1" --accel -w)" || exit
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Everything QEMU prints (console and errors) reaches the terminal as it
# comes, and a copy of it the log.
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ $status -eq 0 ] && exit 0
{
	echo
	echo "run: QEMU exited with status $status; its last lines:"
	tr -d '\r' <"$log" | grep -v '^[[:space:]]*$' | tail -n 12 | sed 's/^/    /'
	if grep -q 'KVM internal error' "$log"; then
		echo "run: hint: this machine's KVM cannot run the guest; 'make run ACCEL=tcg' uses software emulation"
	else
		echo "run: hint: see QEMU's message above; 'make run ACCEL=tcg' rules out the accelerator, 'make run V=1' shows the command"
	fi
} >&2
exit $status
