/* SPDX-License-Identifier: MIT */
/* target.c -- percent-decoding and the path policy; see target.h.  Pure. */
#include "target.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "hex.h"
#include "path.h"

static const struct {
	int status;
	const char *message;
} causes[TARGET_CAUSE_COUNT] = {
	[TARGET_OK] = { 200, "ok" },
	[TARGET_BAD_ESCAPE] = { 400, "bad percent escape" },
	[TARGET_ESCAPED_NUL] = { 400, "escaped NUL (%00)" },
	[TARGET_ESCAPED_SLASH] = { 400, "escaped slash (%2f or %5c)" },
	[TARGET_BACKSLASH] = { 400, "backslash in path" },
	[TARGET_FRAGMENT] = { 400, "fragment in request target" },
	[TARGET_BAD_UTF8] = { 400, "not well-formed UTF-8" },
	[TARGET_CONTROL_CHAR] = { 400, "control character in path" },
	[TARGET_TOO_LONG] = { 414, "path too long" },
	[TARGET_DOTDOT] = { 403, "'..' in path" },
	[TARGET_EMPTY] = { 404, "no file named" },
};

int target_status(enum target_cause c)
{
	return (unsigned)c < TARGET_CAUSE_COUNT ? causes[c].status : 400;
}

const char *target_cause_message(enum target_cause c)
{
	return (unsigned)c < TARGET_CAUSE_COUNT ? causes[c].message : "bad target";
}


/* The length of the well-formed UTF-8 sequence at s (n bytes left), or 0
 * (RFC 3629 section 4: no overlong forms, no surrogates, at most U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Percent-decode [t, t+len) into out; *n the bytes written. */
static enum target_cause decode(const char *t, size_t len, char *out, size_t size, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = t[i];

		if (c == '#')
			return TARGET_FRAGMENT;
		if (c == '\\')
			return TARGET_BACKSLASH;
		if (c == '%') {
			int h, l;

			if (i + 2 >= len)
				return TARGET_BAD_ESCAPE;
			h = hex_digit(t[i + 1]);
			l = hex_digit(t[i + 2]);
			if (h < 0 || l < 0)
				return TARGET_BAD_ESCAPE;
			c = (char)(h << 4 | l);
			if (c == '\0')
				return TARGET_ESCAPED_NUL;
			if (c == '/' || c == '\\')
				return TARGET_ESCAPED_SLASH;
			i += 2;
		}
		if (*n + 1 >= size)
			return TARGET_TOO_LONG;
		out[(*n)++] = c;
	}
	out[*n] = '\0';
	return TARGET_OK;
}

enum target_cause target_decode(const char *target, size_t len, char *out, size_t size)
{
	static const struct path_policy pol = { 0 };
	const char *q = memchr(target, '?', len);
	char dec[PATH_MAX];
	enum target_cause c;
	size_t n;

	if (q)
		len = (size_t)(q - target);
	c = decode(target, len, dec, sizeof dec, &n);
	if (c != TARGET_OK)
		return c;
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_len((const unsigned char *)dec + i, n - i)))
			return TARGET_BAD_UTF8;
	switch (path_check(&pol, dec, n, out, size)) {
	case PATH_OK: return TARGET_OK;
	case PATH_EMPTY: return TARGET_EMPTY;
	case PATH_TOO_LONG: return TARGET_TOO_LONG;
	case PATH_CONTROL_CHAR: return TARGET_CONTROL_CHAR;
	case PATH_DOTDOT: return TARGET_DOTDOT;
	default: return TARGET_EMPTY;
	}
}
