#!/bin/sh
# SPDX-License-Identifier: MIT
# The target sysroot: a program built with tern-cc against liburing and
# mbedtls links statically (musl, no glibc) and works.  A static musl binary
# runs on the host kernel too, so it is run here.
set -u
cc=$TERN_OUT/host/bin/tern-cc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
i=0
ok() { i=$((i + 1)); if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; fi; }
cat >"$tmp/t.c" <<'EOC'
#include <liburing.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned char sum[32];
	struct io_uring ring;

	/* A ring that works: a NOP submitted, its completion reaped. */
	if (argc > 1 && !strcmp(argv[1], "uring")) {
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int r = io_uring_queue_init(8, &ring, 0);

		if (r < 0) {
			printf("io_uring_queue_init: %d (%s)\n", r, strerror(-r));
			return 1;
		}
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 42);
		r = io_uring_submit_and_wait(&ring, 1);
		if (r < 0 || (r = io_uring_peek_cqe(&ring, &cqe)) < 0) {
			printf("submit/wait: %d (%s)\n", r, strerror(-r));
			return 1;
		}
		printf("nop: res %d, data %llu\n", cqe->res,
		       (unsigned long long)io_uring_cqe_get_data64(cqe));
		io_uring_queue_exit(&ring);
		return 0;
	}
	mbedtls_sha256_ret((const unsigned char *)"tern", 4, sum, 0);
	for (int i = 0; i < 32; i++)
		printf("%02x", sum[i]);
	printf("\n");
	return 0;
}
EOC
"$cc" -std=c11 -Os -Wall -Werror -o "$tmp/t" "$tmp/t.c" -luring -lmbedcrypto 2>"$tmp/log"
ok $? "tern-cc builds a program against liburing and mbedtls"
file -b "$tmp/t" | grep -q 'statically linked' && ! strings -a "$tmp/t" | grep -q GLIBC_
ok $? "it is statically linked, with no glibc"
[ "$("$tmp/t")" = "$(printf tern | sha256sum | cut -d' ' -f1)" ]
ok $? "mbedtls SHA-256 from the sysroot matches sha256sum"
r=$("$tmp/t" uring)
want="nop: res 0, data 42"
# Only a host that says it has io_uring turned off may skip this; any
# other failure (ENOSYS, EPERM from a sandbox, a wrong completion) fails.
off=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)
if [ "$r" != "$want" ] && [ "$off" != 0 ]; then
	i=$((i + 1))
	echo "ok $i # SKIP io_uring is disabled on this host (kernel.io_uring_disabled=$off): $r"
else
	[ "$r" = "$want" ]
	ok $? "a liburing ring from the sysroot runs a NOP to completion ($r)"
fi
