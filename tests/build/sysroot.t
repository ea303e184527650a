#!/bin/sh
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

	if (argc > 1 && !strcmp(argv[1], "uring")) {
		int r = io_uring_queue_init(8, &ring, 0);
		if (r == 0)
			io_uring_queue_exit(&ring);
		printf("%d\n", r);
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
# 0 where the host allows io_uring; -ENOSYS/-EPERM where a sandbox forbids it.
case $r in 0|-38|-1) true ;; *) false ;; esac
ok $? "liburing's io_uring_queue_init runs (returned $r)"
