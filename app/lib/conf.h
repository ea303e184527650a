/* SPDX-License-Identifier: MIT */
/* conf.h -- configuration files, read a line at a time: the one config
 * reader of every Tern program.
 *
 * Every parser takes one line as bytes (line, len), without its newline,
 * and answers CONF_SKIP (blank or comment), CONF_OK (filled its struct) or
 * CONF_BAD (with a message saying why).  The reader hands a line longer
 * than CONF_LINE_MAX to the parser cut to CONF_LINE_MAX + 1 bytes, so the
 * parser reports it ("line too long") with the right line number.
 */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONF_LINE_MAX 1024 /* bytes in a line, newline excluded */
#define CONF_WHY_MAX 160   /* a bad line's message, NUL included */

/* Each loader's line function switches on a parser's result in the same
 * few lines (SKIP: return; BAD: logged as file:line, at the loader's own
 * level, and counted; OK: go on): an idiom, alike in every loader. */
enum conf_result { CONF_SKIP, CONF_OK, CONF_BAD };

typedef void conf_line_fn(void *ctx, const char *file, unsigned lineno,
			  const char *line, size_t len);

/* Call fn for every line read from fd, in order; name is the file name
 * fn is given for its messages.  A last line without a newline counts.
 * Returns 0, or -1 with errno when a read fails.  Does not close fd. */
int conf_read_fd(int fd, const char *name, conf_line_fn *fn, void *ctx);

/* conf_read_fd on the file path, opened and closed here; -1 with errno
 * when it cannot be opened or read. */
int conf_read(const char *path, conf_line_fn *fn, void *ctx);

/* Up to size - 1 bytes read from fd, NUL-terminated; the length, or -1
 * with errno.  Does not close fd. */
ssize_t conf_read_small_fd(int fd, char *buf, size_t size);

/* The words of a line are separated by blanks; names are made of
 * A-Z a-z 0-9 _ . - (services, interfaces, rules). */
static inline bool conf_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool conf_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* For parsers: the message printf-style into why; returns CONF_BAD. */
enum conf_result conf_badf(char why[CONF_WHY_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For parsers: *err = why; returns CONF_BAD. */
static inline enum conf_result conf_bad(const char **err, const char *why)
{
	*err = why;
	return CONF_BAD;
}

#endif
