/* SPDX-License-Identifier: MIT */
/* fwupdate_url -- libFuzzer: url_parse (app/fwupdate/fetch.c) on any
 * string.
 *
 * What fetch.h promises and is checked here: a URL taken is a tftp:// URL
 * with a host (no blank, control character or '/'), a port of 1-65535 in
 * plain decimal ("69" when not given) and a path, each a printable word
 * that fits its field; a refused one says why; and the URL written back
 * (the host in brackets when it holds a ':') parses to the same parts. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_part(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	assert(n >= 1 && n < size);
	for (size_t i = 0; i < n; i++)
		assert((unsigned char)s[i] > ' ' && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[64], text[3 * URL_PART_MAX];
	struct url u, again;
	unsigned long port;
	char *stop;
	int n;

	assert(s);
	memcpy(s, data, size);
	s[size] = '\0';
	why[0] = '\0';
	if (url_parse(s, &u, why)) {
		assert(why[0] && strnlen(why, sizeof why) < sizeof why);
		free(s);
		return 0;
	}
	assert(url_is_url(s) && !strncmp(s, "tftp://", 7));
	check_part(u.host, sizeof u.host);
	check_part(u.port, sizeof u.port);
	check_part(u.path, sizeof u.path);
	assert(!strchr(u.host, '/'));
	port = strtoul(u.port, &stop, 10);
	assert(!*stop && port >= 1 && port <= 65535 && u.port[0] >= '1' && u.port[0] <= '9');
	/* The path is the rest of the string after the host's '/'. */
	assert(strlen(s) > strlen(u.path) && !strcmp(s + strlen(s) - strlen(u.path), u.path));
	n = snprintf(text, sizeof text, strchr(u.host, ':') ? "tftp://[%s]:%s/%s" : "tftp://%s:%s/%s",
		     u.host, u.port, u.path);
	assert(n > 0 && (size_t)n < sizeof text);
	if (url_parse(text, &again, why)) {
		fprintf(stderr, "written back: \"%s\": %s\n", text, why);
		abort();
	}
	assert(!strcmp(again.host, u.host) && !strcmp(again.port, u.port) &&
	       !strcmp(again.path, u.path));
	free(s);
	return 0;
}
