/* SPDX-License-Identifier: MIT */
/* log.h -- the one logger of every Tern program.
 *
 * One line per event on stderr (for init and the services it starts, the
 * console), prefixed with the program's name:
 *
 *   init: started tftpd (pid 42)                            log_info
 *   init: warning: /etc/tern/services:3: missing command    log_warn
 *   init: error: unable to mount devtmpfs on /dev: No such device
 *                                                           log_err, log_errno
 *   init: fatal: unable to create a signalfd: ...           die, die_errno
 *
 * Messages say what failed in words a person can act on ("unable to <verb>
 * <object>").  Each line is formatted on the stack and written with one
 * write(2): no malloc, no stdio buffer a forked child could flush twice,
 * lines from several processes never interleave, errno is preserved.
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

/* Exit codes, as in skarnet's tools: a script can tell a bad command line
 * from a system that refused. */
#define EXIT_USAGE   100
#define EXIT_SYSCALL 111

/* The prefix of every line: the last component of progname. */
void log_init(const char *progname);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_err with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Between log_hold() and log_flush(), lines are kept in a buffer of
 * PIPE_BUF bytes and written together when it fills and at log_flush(),
 * whole lines only: a write of at most PIPE_BUF bytes to a pipe is
 * atomic, so lines of several processes still never interleave.  An
 * event loop holds while it handles one turn's completions and flushes
 * before it waits again: a busy turn costs one write, not one a line.
 * die() and die_errno() flush first. */
void log_hold(void);
void log_flush(void);

/* Log "fatal: <message>" and exit(code). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log "fatal: <message>: strerror(errno)" and exit(EXIT_SYSCALL). */
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
