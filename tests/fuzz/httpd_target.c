/* SPDX-License-Identifier: MIT */
/* httpd_target -- libFuzzer: a request target to a path on any bytes.
 * What it accepts is well-formed UTF-8 with no control character, no
 * backslash, no leading '/' and no ".." component, and is accepted again
 * unchanged (a path the policy passes has nothing left to decode but '%'
 * itself, escaped). */
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Independently of target.c and path.c: "/" path "/" holds "/../". */
static bool has_dotdot(const char *p)
{
	static char framed[PATH_MAX + 2];

	snprintf(framed, sizeof framed, "/%s/", p);
	return strstr(framed, "/../") != NULL;
}

/* rel again as a target: '/', then every '%', '?' and '#' escaped. */
static size_t encode(const char *rel, char *t)
{
	size_t n = 0;

	t[n++] = '/';
	for (; *rel; rel++) {
		if (*rel == '%' || *rel == '?' || *rel == '#')
			n += (size_t)sprintf(t + n, "%%%02x", (unsigned char)*rel);
		else
			t[n++] = *rel;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[PATH_MAX], again[PATH_MAX], target[3 * PATH_MAX + 2];
	enum target_cause c = target_decode((const char *)data, size, out, sizeof out);
	int status = target_status(c);

	assert(target_cause_message(c));
	assert(status == 200 || status == 400 || status == 403 || status == 404 || status == 414);
	if (c != TARGET_OK)
		return 0;
	assert(out[0] && out[0] != '/' && !has_dotdot(out) && !strchr(out, '\\'));
	for (const char *s = out; *s; s++)
		assert((unsigned char)*s >= 0x20 && *s != 0x7f);
	assert(target_decode(target, encode(out, target), again, sizeof again) == TARGET_OK);
	assert(!strcmp(out, again));
	return 0;
}
