/* SPDX-License-Identifier: MIT */
/* conf.c -- see conf.h.  read(2) into fixed buffers: no stdio, no malloc
 * (conf_badf formats with vsnprintf; a program that never calls it does not
 * link it). */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* read(2), again after EINTR. */
static ssize_t read_retry(int fd, char *buf, size_t n)
{
	ssize_t r;

	while ((r = read(fd, buf, n)) < 0 && errno == EINTR)
		;
	return r;
}

/* close(fd), keeping the errno of what failed before; returns -1. */
static int close_failed(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
	return -1;
}

ssize_t conf_read_small_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read_retry(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0)
			return -1;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int conf_read_fd(int fd, const char *name, conf_line_fn *fn, void *ctx)
{
	char chunk[4096];
	char line[CONF_LINE_MAX + 2]; /* + the byte that says "too long", + NUL */
	size_t len = 0;
	unsigned lineno = 1;

	for (;;) {
		ssize_t n = read_retry(fd, chunk, sizeof chunk);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (len <= CONF_LINE_MAX)
					line[len++] = chunk[i];
				continue;
			}
			line[len] = '\0';
			fn(ctx, name, lineno++, line, len);
			len = 0;
		}
	}
	if (len) {
		line[len] = '\0';
		fn(ctx, name, lineno, line, len);
	}
	return 0;
}

int conf_read(const char *path, conf_line_fn *fn, void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (conf_read_fd(fd, path, fn, ctx) < 0)
		return close_failed(fd);
	close(fd);
	return 0;
}

enum conf_result conf_badf(char why[CONF_WHY_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, CONF_WHY_MAX, fmt, ap);
	va_end(ap);
	return CONF_BAD;
}
