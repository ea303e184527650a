#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "tern";

void log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');
	prog = slash ? slash + 1 : progname;
}

/* The length after appending m more bytes at n, cut to what fits in cap. */
static size_t fit(size_t n, int m, size_t cap)
{
	if (m < 0)
		return n;
	return n + (size_t)m >= cap ? cap - 1 : n + (size_t)m;
}

/* One write(2) per line, so lines from several processes sharing the
 * console never interleave mid-line.  Over-long lines are cut. */
static void emit(const char *level, const char *fmt, va_list ap, int err)
{
	char line[1024];
	size_t cap = sizeof line - 1; /* room for the newline */
	size_t n = fit(0, snprintf(line, cap, "%s: %s", prog, level), cap);
	n = fit(n, vsnprintf(line + n, cap - n, fmt, ap), cap);
	if (err)
		n = fit(n, snprintf(line + n, cap - n, ": %s", strerror(err)), cap);
	line[n++] = '\n';
	ssize_t w = write(2, line, n);
	(void)w;
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap, 0);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap, 0);
	va_end(ap);
}

void log_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap, err);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(code);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	emit("fatal: ", fmt, ap, err);
	va_end(ap);
	exit(EXIT_SYSCALL);
}
