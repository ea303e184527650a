/* SPDX-License-Identifier: MIT */
/* sysctl.c -- one line of a sysctl.d file; see sysctl.h.  Pure. */
#include "sysctl.h"

#include <string.h>

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && conf_is_blank(*p))
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && conf_is_blank(end[-1]))
		end--;
	return end;
}

/* The /proc/sys path of key: see sysctl.h for the dot/slash rule. */
static void key_to_path(const char *key, char *path)
{
	bool swap = key[strcspn(key, "./")] == '.';

	strcpy(path, SYSCTL_PREFIX);
	path += sizeof SYSCTL_PREFIX - 1;
	for (; *key; key++)
		*path++ = !swap ? *key : *key == '.' ? '/' : *key == '/' ? '.' : *key;
	*path = '\0';
}

/* Every component of the relative path rel is a real name: not empty, not
 * "." or "..", so a key cannot reach outside /proc/sys. */
static bool path_ok(const char *rel)
{
	for (;;) {
		size_t n = strcspn(rel, "/");
		if (n == 0 || (n == 1 && rel[0] == '.') ||
		    (n == 2 && rel[0] == '.' && rel[1] == '.'))
			return false;
		if (!rel[n])
			return true;
		rel += n + 1;
	}
}

enum conf_result sysctl_parse_line(const char *line, size_t len,
				   struct sysctl_setting *s, const char **err)
{
	const char *end = line + len, *p, *eq, *key_end, *v, *v_end;

	if (len > CONF_LINE_MAX)
		return conf_bad(err, "line too long (more than 1024 bytes)");
	if (memchr(line, '\0', len))
		return conf_bad(err, "NUL byte in line");
	p = skip_blanks(line, end);
	if (p == end || *p == '#' || *p == ';')
		return CONF_SKIP;
	s->ignore_missing = *p == '-';
	if (s->ignore_missing)
		p = skip_blanks(p + 1, end);
	if (!(eq = memchr(p, '=', (size_t)(end - p))))
		return conf_bad(err, "missing '=' (expected key = value)");
	key_end = trim_end(p, eq);
	if (key_end == p)
		return conf_bad(err, "empty key");
	for (const char *k = p; k < key_end; k++)
		if ((unsigned char)*k <= ' ' || *k == 0x7f)
			return conf_bad(err, "blank or control character in key");
	v = skip_blanks(eq + 1, end);
	v_end = trim_end(v, end);
	if (v == v_end)
		return conf_bad(err, "empty value");
	memcpy(s->key, p, (size_t)(key_end - p));
	s->key[key_end - p] = '\0';
	memcpy(s->value, v, (size_t)(v_end - v));
	s->value[v_end - v] = '\0';
	key_to_path(s->key, s->path);
	if (!path_ok(s->path + sizeof SYSCTL_PREFIX - 1))
		return conf_bad(err, "bad key: empty, \".\" or \"..\" component");
	return CONF_OK;
}
