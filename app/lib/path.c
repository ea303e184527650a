/* SPDX-License-Identifier: MIT */
/* path.c -- the filename policy; see path.h.  Pure. */
#include "path.h"

#include <string.h>

static const char *const cause_message[PATH_CAUSE_COUNT] = {
	[PATH_OK] = "no error",
	[PATH_EMPTY] = "empty filename",
	[PATH_TOO_LONG] = "filename too long",
	[PATH_CONTROL_CHAR] = "control character in filename",
	[PATH_DOTDOT] = "'..' in filename",
	[PATH_ABSOLUTE] = "absolute filename",
};

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Some component of the NUL-terminated path is exactly "..". */
static bool has_dotdot(const char *p)
{
	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (!p[n])
			return false;
		p += n + 1;
	}
}

enum path_cause path_check(const struct path_policy *pol, const char *name, size_t len,
			   char *out, size_t size)
{
	size_t max = pol->max_len && pol->max_len < PATH_MAX ? pol->max_len : PATH_MAX - 1;
	size_t skip = 0;

	if (len == 0)
		return PATH_EMPTY;
	if (len > max || len >= size)
		return PATH_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		if (is_control((unsigned char)name[i]))
			return PATH_CONTROL_CHAR;
		out[i] = pol->backslash_to_slash && name[i] == '\\' ? '/' : name[i];
	}
	out[len] = '\0';
	while (out[skip] == '/')
		skip++;
	if (skip && pol->refuse_absolute)
		return PATH_ABSOLUTE;
	if (skip == len)
		return PATH_EMPTY;
	memmove(out, out + skip, len - skip + 1);
	return has_dotdot(out) ? PATH_DOTDOT : PATH_OK;
}

const char *path_cause_message(enum path_cause c)
{
	return (unsigned)c < PATH_CAUSE_COUNT ? cause_message[c] : "bad filename";
}
