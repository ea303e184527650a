/* log.h -- the one logger every Tern program uses: one line per event on
 * stderr, prefixed with the program's name; die() for fatal errors with the
 * skarnet exit codes (100 usage, 111 system call). */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#define EXIT_USAGE 100
#define EXIT_SYSCALL 111

void log_init(const char *progname);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warn, with ": strerror(errno)" appended. */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* die(EXIT_SYSCALL, ...) with ": strerror(errno)" appended. */
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
