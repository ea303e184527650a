/* SPDX-License-Identifier: MIT */
/* daemon.h -- what every daemon's main() does the same way: a flag's
 * number checked against its range, a usage error, the signals a daemon
 * answers read from a signalfd (in its event loop).
 *
 * The usage text is given at each call (every program's USAGE #define). */
#ifndef TERN_DAEMON_H
#define TERN_DAEMON_H

/* Log fmt (one %s: what), print usage on stderr, exit(EXIT_USAGE). */
_Noreturn void usage_error(const char *usage, const char *fmt, const char *what);

/* s as a decimal number from lo to hi, or a usage error naming flag. */
unsigned flag_number(const char *usage, const char *s, unsigned lo, unsigned hi,
		     const char *flag);

/* SIGTERM, SIGINT, SIGHUP and SIGUSR1 blocked and readable from the
 * returned signalfd; SIGPIPE ignored.  Dies (EXIT_SYSCALL) if it cannot. */
int daemon_signals(void);

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
