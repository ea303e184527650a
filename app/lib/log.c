/* SPDX-License-Identifier: MIT */
/* log.c -- see log.h. */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"

#define LOG_LINE_MAX 1024

static const char *log_name = "tern";
static bool held;
static char hold_buf[PIPE_BUF];
static size_t hold_len;

void log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	log_name = slash ? slash + 1 : progname;
}

/* Append str to the len bytes in buf, keeping within room; *cut is set
 * when it did not fit. */
static size_t append(char *buf, size_t len, size_t room, const char *str, int *cut)
{
	size_t n = strlen(str);

	if (n > room - len) {
		n = room - len;
		*cut = 1;
	}
	memcpy(buf + len, str, n);
	return len + n;
}

/* Lines leave whole (durable.h's write_all); an error writing them has
 * nowhere to be told. */
static void put(const char *buf, size_t len)
{
	(void)write_all(STDERR_FILENO, buf, len);
}

void log_hold(void)
{
	held = true;
}

void log_flush(void)
{
	int saved = errno;

	put(hold_buf, hold_len);
	hold_len = 0;
	held = false;
	errno = saved;
}

/* "<name>: <level><message>[: <strerror(err)>]\n", cut with "..." when it
 * does not fit in one line. */
static void log_line(const char *level, int err, const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	size_t room = sizeof buf - 1; /* one byte kept for the newline */
	size_t len = 0;
	int saved = errno;
	int cut = 0;
	int n;

	len = append(buf, len, room, log_name, &cut);
	len = append(buf, len, room, ": ", &cut);
	len = append(buf, len, room, level, &cut);
	/* Its NUL may land on buf[room], where the newline goes later. */
	n = vsnprintf(buf + len, room - len + 1, fmt, ap);
	if (n > 0 && (size_t)n > room - len) {
		len = room;
		cut = 1;
	} else if (n > 0) {
		len += (size_t)n;
	}
	if (err) {
		len = append(buf, len, room, ": ", &cut);
		len = append(buf, len, room, strerror(err), &cut);
	}
	if (cut)
		memcpy(buf + len - 3, "...", 3);
	buf[len++] = '\n';
	if (held && hold_len + len > sizeof hold_buf) {
		put(hold_buf, hold_len);
		hold_len = 0;
	}
	if (held && len <= sizeof hold_buf) {
		memcpy(hold_buf + hold_len, buf, len);
		hold_len += len;
	} else {
		put(buf, len);
	}
	errno = saved;
}

/* The five below repeat C's variadic idiom round log_line (a va_list
 * cannot be passed on any other way): the repeat is the language's. */
void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("", 0, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warning: ", 0, fmt, ap);
	va_end(ap);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error: ", 0, fmt, ap);
	va_end(ap);
}

void log_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_line("error: ", err, fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("fatal: ", 0, fmt, ap);
	va_end(ap);
	log_flush();
	exit(code);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_line("fatal: ", err, fmt, ap);
	va_end(ap);
	log_flush();
	exit(EXIT_SYSCALL);
}
