/* SPDX-License-Identifier: MIT */
/* status_write.c -- see status_write.h.  Pure. */
#include "status_write.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static bool grow(struct sbuf *b, size_t more)
{
	size_t want = b->len + more + 1;
	char *p;

	if (b->failed)
		return false;
	if (want <= b->size)
		return true;
	if (want < b->size * 2)
		want = b->size * 2;
	if (want < 4096)
		want = 4096;
	p = realloc(b->p, want);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->size = want;
	return true;
}

void sb_bytes(struct sbuf *b, const void *p, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The length of the well-formed UTF-8 character at p (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* One byte of the display form (ASCII), escaped for format. */
static void put_ascii(struct sbuf *b, enum sb_format f, char c)
{
	static const struct { char c; const char *html, *json, *label; } specials[] = {
		{ '&', "&amp;", NULL, NULL },
		{ '<', "&lt;", NULL, NULL },
		{ '>', "&gt;", NULL, NULL },
		{ '"', "&quot;", "\\\"", "\\\"" },
		{ '\'', "&#39;", NULL, NULL },
		{ '\\', NULL, "\\\\", "\\\\" },
		{ '\n', NULL, "\\n", "\\n" }, /* never in the display form */
	};

	for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) {
		const char *e = f == SB_HTML ? specials[i].html
			      : f == SB_JSON ? specials[i].json : specials[i].label;

		if (specials[i].c == c && e) {
			sb_str(b, e);
			return;
		}
	}
	sb_bytes(b, &c, 1);
}

void sb_untrusted(struct sbuf *b, enum sb_format f, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);

		if (len == 1 && p[i] >= 0x20 && p[i] != 0x7f) {
			put_ascii(b, f, (char)p[i]);
		} else if (len > 1) {
			sb_bytes(b, p + i, len);
		} else {
			/* '\' is escaped in JSON and labels; in HTML it is text */
			sb_str(b, f == SB_HTML ? "\\" : "\\\\");
			sb_printf(b, "x%02x", p[i]);
			len = 1;
		}
		i += len;
	}
}

void sb_json_str(struct sbuf *b, const void *p, size_t n)
{
	sb_bytes(b, "\"", 1);
	sb_untrusted(b, SB_JSON, p, n);
	sb_bytes(b, "\"", 1);
}

void mac_text(char out[18], const unsigned char mac[6])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	*b = (struct sbuf){ 0 };
}
