/* SPDX-License-Identifier: MIT */
/* version.c -- see version.h. */
#include "version.h"

/* One decimal component at *s, advancing *s past it. */
static int component(const char **s, uint32_t *out)
{
	const char *p = *s;
	uint32_t v = 0;
	int digits = 0;

	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			return -1;
		v = v * 10 + (uint32_t)(*p - '0');
	}
	if (!digits)
		return -1;
	*out = v;
	*s = p;
	return 0;
}

int fw_version_parse(const char *s, struct fw_version *v)
{
	if (component(&s, &v->major) || *s++ != '.' ||
	    component(&s, &v->minor) || *s++ != '.' ||
	    component(&s, &v->patch) || *s)
		return -1;
	return 0;
}

static int cmp32(uint32_t a, uint32_t b)
{
	return (a > b) - (a < b);
}

int fw_version_cmp(const struct fw_version *a, const struct fw_version *b)
{
	int c = cmp32(a->major, b->major);

	if (!c)
		c = cmp32(a->minor, b->minor);
	if (!c)
		c = cmp32(a->patch, b->patch);
	return c;
}
