/* SPDX-License-Identifier: MIT */
/* lib_path -- libFuzzer: the filename policy on any bytes.  Input: a
 * byte of policy flags, two of max_len, then the name (NULs and all).  What
 * it accepts has no control character, no leading '/', no ".." component,
 * and is accepted again unchanged. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Independently of path.c: "/" name "/" holds "/../". */
static bool has_dotdot(const char *p)
{
	static char framed[PATH_MAX + 2];

	snprintf(framed, sizeof framed, "/%s/", p);
	return strstr(framed, "/../") != NULL;
}

static void check(const struct path_policy *pol, const char *name, size_t len, char *out)
{
	static char again[PATH_MAX];
	size_t max = pol->max_len && pol->max_len < PATH_MAX ? pol->max_len : PATH_MAX - 1;

	assert(strlen(out) > 0 && strlen(out) <= len && len <= max);
	assert(memchr(name, '\0', len) == NULL);
	for (const char *s = out; *s; s++)
		assert((unsigned char)*s >= 0x20 && *s != 0x7f && !(pol->backslash_to_slash && *s == '\\'));
	assert(out[0] != '/');
	assert(!has_dotdot(out));
	assert(path_check(pol, out, strlen(out), again, sizeof again) == PATH_OK);
	assert(strcmp(out, again) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct path_policy pol;
	const char *name = (const char *)data + 3;
	size_t len, out_size;
	enum path_cause c;
	char *out;

	if (size < 3)
		return 0;
	pol.backslash_to_slash = data[0] & 1;
	pol.refuse_absolute = data[0] & 2;
	pol.max_len = (size_t)data[1] << 8 | data[2];
	len = size - 3;
	/* exactly as large as the name needs, or PATH_MAX: ASan sees overruns */
	out_size = data[0] & 4 ? len + 1 : PATH_MAX;
	out = malloc(out_size);
	c = path_check(&pol, name, len, out, out_size);
	assert((unsigned)c < PATH_CAUSE_COUNT && path_cause_message(c));
	if (c == PATH_OK)
		check(&pol, name, len, out);
	free(out);
	return 0;
}
