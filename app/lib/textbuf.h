/* SPDX-License-Identifier: MIT */
/* textbuf.h -- text built into a caller's buffer of cap bytes: at most
 * cap - 1 bytes, NUL-terminated after each part; once a part does not fit,
 * full is set and nothing more is added (the text so far stays).  What
 * tftpd's remapped names and httpd's response heads are written with, by
 * hand rather than snprintf (musl's printf family was about a tenth of
 * httpd's CPU for a 1 KiB file: tests/bench/README.md, httpd).
 * Header-only.  Pure. */
#ifndef TERN_TEXTBUF_H
#define TERN_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct textbuf {
	char *buf;
	size_t len, cap;
	bool full;
};

static inline void text_add(struct textbuf *t, const char *s, size_t n)
{
	if (t->full || n >= t->cap - t->len) {
		t->full = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static inline void text_str(struct textbuf *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static inline void text_u64(struct textbuf *t, uint64_t v)
{
	char digits[20];
	size_t i = sizeof digits;

	do
		digits[--i] = (char)('0' + v % 10);
	while (v /= 10);
	text_add(t, digits + i, sizeof digits - i);
}

#endif
