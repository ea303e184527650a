#!/bin/sh
# SPDX-License-Identifier: MIT
# One route for tuning values: a Kconfig value is the program's compiled
# default.  A copy of .config with tftpd's TFTPD_POLL_US and relayd's
# RELAYD_BATCH changed gives programs that start with the new values, no
# flag passed (their startup log line says so), while the generated /etc,
# which carries site data only, stays as it was.  A variant of .config
# built in out/ (tests/build/lib/variant.sh).
. "$TERN_TOP/tests/build/lib/variant.sh"
apps=${TERN_APPS:-$out/build/app}
echo "1..6"

# start NAME LOG ARGS...: run an app until its first log line that says
# what it runs with (at most 10 s), then stop it; LOG has its stderr.
start() {
	name=$1 log=$2
	shift 2
	"$apps/$name" "$@" 2>"$log" &
	pid=$!
	n=0
	while [ $n -lt 100 ] && ! grep -q "$name: .*coalescing" "$log"; do
		sleep 0.1
		n=$((n + 1))
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed 's/^/# /' "$log"
}

# The services lines of the image as built from .config: no tuning flags.
svc=$out/target/etc/tern/services
cp "$svc" "$tmp/services.before"
if [ "$(grep -Ec '^CONFIG_(TFTPD|RELAYD)_EXTRA_ARGS=""$' "$cfg")" = 2 ]; then
	! grep -Eq '^(tftpd|relayd) .* -(b|w|t|R|c|C|L|Q|q|s|r|m|G) [0-9]' "$svc"
	ok $? "the services lines of tftpd and relayd carry no tuning flags"
else
	i=$((i + 1)); echo "ok $i # SKIP the site adds flags of its own (TFTPD_EXTRA_ARGS, RELAYD_EXTRA_ARGS)"
fi

sed -e 's/^CONFIG_TFTPD_POLL_US=.*/CONFIG_TFTPD_POLL_US=37/' \
	-e 's/^CONFIG_RELAYD_BATCH=.*/CONFIG_RELAYD_BATCH=37/' "$cfg" >"$tmp/config"
mk KCONFIG_CONFIG="$tmp/config" apps rootfs >"$tmp/build.log" 2>&1
rc=$?
[ $rc = 0 ] || fail_log "$tmp/build.log"
grep -q 'app: link tftpd' "$tmp/build.log" && grep -q 'app: link relayd' "$tmp/build.log"
ok $? "changing TFTPD_POLL_US and RELAYD_BATCH relinks tftpd and relayd"
! grep -q 'rootfs: generate /etc' "$tmp/build.log" && cmp -s "$svc" "$tmp/services.before"
ok $? "and leaves the generated /etc alone"

mkdir "$tmp/root"
port=$("$py" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start tftpd "$tmp/tftpd.log" -r "$tmp/root" -a 127.0.0.1 -p "$port"
grep -q 'tftpd: serving .*, polling 37 us' "$tmp/tftpd.log"
ok $? "tftpd, no -Q given, polls 37 us (TFTPD_POLL_US)"
co=$(sed -n 's/^CONFIG_TFTPD_COALESCE_US=//p' "$cfg")
grep -q "coalescing $co us" "$tmp/tftpd.log"
ok $? "and keeps the other defaults (coalescing $co us, TFTPD_COALESCE_US)"

: >"$tmp/relayd.conf"
start relayd "$tmp/relayd.log" -c "$tmp/relayd.conf" -S ''
grep -q 'relayd: .*, batch 37,' "$tmp/relayd.log"
ok $? "relayd, no -b given, relays batches of 37 (RELAYD_BATCH)"
