/* SPDX-License-Identifier: MIT */
/* release.c -- see release.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "release.h"

/* A word of the line at *p (len bytes left at *n); advances both. */
static size_t word(const char **p, size_t *n, const char **start)
{
	size_t len = 0;

	while (*n && conf_is_blank(**p))
		(*p)++, (*n)--;
	*start = *p;
	while (*n && !conf_is_blank(**p))
		(*p)++, (*n)--, len++;
	return len;
}

enum conf_result release_parse_line(const char *line, size_t len, struct release *r,
				    char why[CONF_WHY_MAX])
{
	const char *key, *value, *rest;
	size_t klen, vlen;
	char text[TFW_VERSION_SIZE > TFW_BOARD_SIZE ? TFW_VERSION_SIZE : TFW_BOARD_SIZE];

	if (memchr(line, '\0', len))
		return conf_badf(why, "NUL byte in line");
	klen = word(&line, &len, &key);
	if (klen == 0 || key[0] == '#')
		return CONF_SKIP;
	vlen = word(&line, &len, &value);
	if (word(&line, &len, &rest))
		return conf_badf(why, "one value after '%.*s', not more", (int)klen, key);
	if (vlen == 0 || vlen >= sizeof text)
		return conf_badf(why, "'%.*s' wants a value of 1 to %zu characters", (int)klen, key,
				 sizeof text - 1);
	memcpy(text, value, vlen);
	text[vlen] = 0;
	if (klen == 5 && !memcmp(key, "board", 5)) {
		if (tfw_board_valid(text))
			return conf_badf(why, "board '%s' is not 1-31 of a-z 0-9 _ -", text);
		strcpy(r->board, text);
	} else if (klen == 7 && !memcmp(key, "version", 7)) {
		struct fw_version v;

		if (fw_version_parse(text, &v))
			return conf_badf(why, "version '%s' is not MAJOR.MINOR.PATCH", text);
		r->v = v;
		strcpy(r->version, text);
	} else {
		return conf_badf(why, "unknown key '%.*s' (board, version)", (int)klen, key);
	}
	return CONF_OK;
}

struct load {
	struct release *r;
	char *why;
	int bad;
};

static void load_line(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct load *l = ctx;
	char why[CONF_WHY_MAX];

	if (l->bad || release_parse_line(line, len, l->r, why) != CONF_BAD)
		return;
	snprintf(l->why, RELEASE_WHY_MAX, "%s:%u: %s", file, lineno, why);
	l->bad = 1;
}

int release_load(const char *path, struct release *r, char why[RELEASE_WHY_MAX])
{
	struct load l = { r, why, 0 };

	memset(r, 0, sizeof *r);
	if (conf_read(path, load_line, &l)) {
		snprintf(why, RELEASE_WHY_MAX, "unable to read %s: %s", path, strerror(errno));
		return -1;
	}
	if (l.bad)
		return -1;
	if (!r->board[0] || !r->version[0]) {
		snprintf(why, RELEASE_WHY_MAX, "%s: no %s line", path, r->board[0] ? "version" : "board");
		return -1;
	}
	return 0;
}
