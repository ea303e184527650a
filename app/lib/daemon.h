/* SPDX-License-Identifier: MIT */
/* daemon.h -- what every daemon's main() does the same way: a flag's
 * number checked against its range, a usage error, the flags of a daemon
 * driven by a config file (pxed, relayd; the servers' are in serve.h),
 * the signals a daemon answers read from a signalfd (in its event loop).
 *
 *     struct daemon_args a = { .conf = "/etc/tern/x.conf" };
 *     while ((opt = getopt(argc, argv, DAEMON_FLAGS "l:...")) != -1)
 *         switch (opt) {
 *         case 'l': ...;
 *         default: daemon_flag(USAGE, opt, optarg, &a); // or a usage error
 *         }
 *     daemon_no_operands(USAGE, argc, argv);
 *
 * The usage text is given at each call (every program's USAGE #define). */
#ifndef TERN_DAEMON_H
#define TERN_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

/* The flags of a daemon driven by a config file: -h (the usage on
 * stdout, exit 0), -f (foreground: always; accepted for habit), -v, -t,
 * -c CONFIG, -u USER; in getopt's syntax. */
#define DAEMON_FLAGS "hfvtc:u:"

struct daemon_args {
	const char *conf;   /* -c: its config file */
	const char *user;   /* -u: whom to run as once bound; NULL: nobody when root */
	bool verbose;       /* -v: log more (each daemon says what) */
	bool check;         /* -t: check the config file, say so, exit */
};

/* Take getopt's opt (and its arg) into a when it is one of DAEMON_FLAGS;
 * any other is a usage error (the usage on stderr, exit EXIT_USAGE). */
void daemon_flag(const char *usage, int opt, const char *arg, struct daemon_args *a);

/* -h (the usage on stdout, exit 0), -f (nothing), or else a usage error:
 * the end of daemon_flag and serve_flag (serve.h). */
void daemon_flag_other(const char *usage, int opt);

/* A usage error if argv has operands left after getopt. */
void daemon_no_operands(const char *usage, int argc, char **argv);

/* Log fmt (one %s: what), print usage (if not NULL) on stderr,
 * exit(EXIT_USAGE). */
_Noreturn void usage_error(const char *usage, const char *fmt, const char *what);

/* s as a decimal number from lo to hi, or a usage error naming flag. */
unsigned flag_number(const char *usage, const char *s, unsigned lo, unsigned hi,
		     const char *flag);

/* SIGTERM, SIGINT, SIGHUP and SIGUSR1 blocked and readable from the
 * returned signalfd; SIGPIPE ignored.  Dies (EXIT_SYSCALL) if it cannot. */
int daemon_signals(void);

/* daemon_signals, for the n signals sigs[] (a process that answers fewer). */
int daemon_signals_of(const int *sigs, size_t n);

/* Once the sockets are bound: chroot into dir (NULL: not), then, when
 * root, become user (NULL: nobody; "root" stays root), looked up in the
 * /etc/passwd outside dir.  Dies if it cannot
 * (EXIT_USAGE for an unknown user, EXIT_SYSCALL otherwise). */
void daemon_drop_privileges(const char *user, const char *dir);

/* daemon_drop_privileges, but keeping the capabilities caps[0..n-1]
 * (CAP_* numbers) permitted and effective as user, none other: for a
 * daemon that opens sockets after its start.  Capabilities are a thread's:
 * call it before starting threads, which inherit them. */
void daemon_drop_privileges_keep(const char *user, const char *dir, const int *caps,
				 unsigned n);

#endif
