#!/bin/sh
# SPDX-License-Identifier: MIT
# run.t -- every libFuzzer harness of tests/fuzz/, one TAP line each.
#
# `make test` runs each for FUZZ_SECONDS (5) or FUZZ_RUNS (300000) inputs,
# whichever ends first, from a fresh corpus seeded with
# tests/fuzz/corpus/<name>/; `make fuzz` runs each for FUZZ_SECONDS (60)
# with no run cap and keeps what it finds in FUZZ_CORPUS
# (out/tests/fuzz-corpus/<name>/).  A harness fails when it crashes, and
# when it exits 0 having run no more inputs than it was given.  A crash
# leaves the input that caused it in out/tests/fuzz-artifacts/; rerun it
# with `<harness> <that file>`.
set -u
top=${TERN_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
out=${TERN_OUT:-$top/out}
seconds=${FUZZ_SECONDS:-5}
runs=${FUZZ_RUNS:-300000}
artifacts=$out/tests/fuzz-artifacts
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

names=
for src in "$top"/tests/fuzz/*.c; do
	names="$names $(basename "$src" .c)"
done
set -- $names
echo "1..$#"

i=0
for name; do
	i=$((i + 1))
	bin=$out/tests/fuzz/$name
	corpus=$scratch/$name
	[ -n "${FUZZ_CORPUS:-}" ] && corpus=$FUZZ_CORPUS/$name
	mkdir -p "$corpus"
	log=$scratch/$name.log
	if [ ! -x "$bin" ]; then
		echo "not ok $i - $name: $bin not built (make $bin)"
		continue
	fi
	# Inputs it is given, and the empty one libFuzzer always tries: it
	# must run each, and then some of its own.
	seeds=$(($(find "$corpus" "$top/tests/fuzz/corpus/$name" -type f 2>/dev/null | wc -l) + 1))
	"$bin" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
		"$corpus" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" = 0 ] && ! [ "${execs:-0}" -gt "$seeds" ] 2>/dev/null; then
		echo "not ok $i - $name: exit 0 but ${execs:-no count of} runs for $seeds given inputs: it did not fuzz"
		tail -5 "$log" | sed 's/^/# /'
	elif [ "$rc" = 0 ]; then
		echo "ok $i - $name: ${execs:-?} runs ($seeds given), ${rate:-?} per second"
	else
		echo "not ok $i - $name: exit $rc after ${execs:-?} runs"
		grep -E 'ERROR|SUMMARY|Assertion|runtime error|artifact' "$log" | head -20 | sed 's/^/# /'
	fi
done
