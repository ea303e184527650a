/* SPDX-License-Identifier: MIT */
/* init_sysctl -- libFuzzer: sysctl_parse_line (app/init/sysctl.c) on every
 * line of any sysctl.d file, cut as conf_read_fd cuts them.
 *
 * What sysctl.h promises and is checked here: a line taken has no NUL, a
 * key without blanks or control characters, a value with no blank at
 * either end; its path is /proc/sys/ and the key, dots and slashes
 * traded when the key's first separator is a dot, with no empty, "." or
 * ".." component (nothing outside /proc/sys); and the setting, written
 * back as "[-]key = value", parses to the same setting. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysctl.h"

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sysctl_setting s, again;

static void check_path(void)
{
	const char *key = s.key, *rel = s.path + strlen(SYSCTL_PREFIX);
	size_t n = strlen(key);
	const char *sep = strpbrk(key, "./");
	bool swap = sep && *sep == '.';

	assert(!strncmp(s.path, SYSCTL_PREFIX, strlen(SYSCTL_PREFIX)) && strlen(rel) == n);
	for (size_t i = 0; i < n; i++) {
		char want = key[i];

		if (swap && want == '.')
			want = '/';
		else if (swap && want == '/')
			want = '.';
		assert(rel[i] == want);
	}
	/* No component empty, "." or "..": no way out of /proc/sys. */
	assert(rel[0] != '/' && rel[n - 1] != '/' && !strstr(rel, "//"));
	assert(strcmp(rel, ".") && strcmp(rel, "..") && strncmp(rel, "./", 2) &&
	       strncmp(rel, "../", 3) && !strstr(rel, "/./") && !strstr(rel, "/../"));
	assert(!(n >= 2 && !strcmp(rel + n - 2, "/.")) && !(n >= 3 && !strcmp(rel + n - 3, "/..")));
}

static void line(const uint8_t *p, size_t len)
{
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1, v;
	char *l = malloc(n ? n : 1), text[2 * CONF_LINE_MAX + 8];
	const char *err = NULL;
	int m;

	assert(l);
	memcpy(l, p, n);
	switch (sysctl_parse_line(l, n, &s, &err)) {
	case CONF_BAD:
		assert(err && *err);
		/* fall through */
	case CONF_SKIP:
		free(l);
		return;
	case CONF_OK:
		break;
	}
	assert(!memchr(l, '\0', n));
	assert(s.key[0] && strlen(s.key) <= CONF_LINE_MAX);
	for (const char *k = s.key; *k; k++)
		assert((unsigned char)*k > ' ' && *k != 0x7f && *k != '=');
	v = strlen(s.value);
	assert(v >= 1 && !conf_is_blank(s.value[0]) && !conf_is_blank(s.value[v - 1]));
	check_path();
	m = snprintf(text, sizeof text, "%s%s = %s", s.ignore_missing ? "-" : "", s.key, s.value);
	assert(m > 0 && (size_t)m < sizeof text);
	if ((size_t)m <= CONF_LINE_MAX) {
		assert(sysctl_parse_line(text, (size_t)m, &again, &err) == CONF_OK);
		assert(again.ignore_missing == s.ignore_missing && !strcmp(again.key, s.key) &&
		       !strcmp(again.value, s.value) && !strcmp(again.path, s.path));
	}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line);
	return 0;
}
