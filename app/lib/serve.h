/* SPDX-License-Identifier: MIT */
/* serve.h -- what a server daemon's main() (tftpd, httpd) does the same
 * way before its loop: the flags every server takes, its listening
 * socket, and its worker processes.
 *
 *     struct serve_args a = { .port = 69, .workers = 1 };
 *     while ((opt = getopt(argc, argv, SERVE_FLAGS "vr:...")) != -1)
 *         switch (opt) {
 *         case 'v': ...;
 *         default: serve_flag(USAGE, opt, optarg, &a); // or a usage error
 *         }
 *     fd = serve_socket(USAGE, &a, SOCK_DGRAM, a.port, a.workers > 1, &family);
 *     pid = serve_fork(i);  // 0 in worker i, which dies with this process
 *     ...
 *     serve_stop(pids, n);
 *
 * The usage text is given at each call (every program's USAGE #define). */
#ifndef TERN_SERVE_H
#define TERN_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#define SERVE_WORKERS_MAX 64

/* The common flags: -h (the usage on stdout, exit 0), -f (foreground:
 * always; accepted for habit), -j, -a ADDRESS, -p PORT, -n WORKERS, -u
 * USER; in getopt's syntax. */
#define SERVE_FLAGS "hfja:p:n:u:"

struct serve_args {
	const char *address;  /* -a; NULL: :: and 0.0.0.0 */
	unsigned port;        /* -p, 1-65535 */
	const char *user;     /* -u; NULL: nobody when started as root */
	bool chroot;          /* -j: also chroot(2) into the root */
	unsigned workers;     /* -n, 1-SERVE_WORKERS_MAX */
};

/* Take getopt's opt (and its arg) into a when it is one of SERVE_FLAGS;
 * any other is a usage error (the usage on stderr, exit EXIT_USAGE). */
void serve_flag(const char *usage, int opt, const char *arg, struct serve_args *a);

/* A socket of type (SOCK_STREAM, SOCK_DGRAM) bound to a->address and
 * port: a dual-stack [::] when there is no -a (0.0.0.0 on a kernel
 * without IPv6); SO_REUSEADDR on a stream socket, SO_REUSEPORT when
 * reuseport (a worker's own socket).  Its family in *family.  An -a that
 * is no address is a usage error; dies (EXIT_SYSCALL) if it cannot. */
int serve_socket(const char *usage, const struct serve_args *a, int type, unsigned port,
		 bool reuseport, int *family);

/* serve_socket's work, for any listener: bound to address (NULL: any;
 * flag is its flag, for the usage error) on interface (NULL: every one,
 * else SO_BINDTODEVICE).  -1 (errno ENODEV) when interface is not there,
 * for the caller to say what it goes without. */
int serve_bind(const char *usage, const char *flag, const char *address, const char *interface,
	       int type, unsigned port, bool reuseport, int *family);

/* Fork worker i (1, 2, ...): 0 in the worker, which gets SIGTERM when
 * this process ends (PR_SET_PDEATHSIG); its pid here.  Dies if it
 * cannot. */
pid_t serve_fork(unsigned i);

/* SIGTERM each of pids[0..n-1] and wait for it to end. */
void serve_stop(const pid_t *pids, unsigned n);

#endif
