/* SPDX-License-Identifier: MIT */
/* remap_load.c -- a remap file read and checked whole; see remap.h. */
#include "remap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

struct load {
	struct remap_rules *rules;
	unsigned bad;
};

static void load_line(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct load *l = ctx;
	struct remap_rule spare;
	struct remap_rule *r = l->rules->n < REMAP_RULES_MAX ? &l->rules->rule[l->rules->n] : &spare;
	char why[REMAP_WHY_MAX];

	switch (remap_parse_line(line, len, r, why)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		log_err("%s:%u: %s", file, lineno, why);
		l->bad++;
		return;
	case CONF_OK:
		break;
	}
	if (r == &spare) {
		remap_rule_free(r);
		log_err("%s:%u: too many rules (at most %d)", file, lineno, REMAP_RULES_MAX);
		l->bad++;
		return;
	}
	l->rules->n++;
}

struct remap_rules *remap_load_at(int dirfd, const char *name, const char *path)
{
	struct load l = { calloc(1, sizeof *l.rules), 0 };
	int fd;

	if (!l.rules) {
		log_errno("unable to allocate the rules of %s", path);
		return NULL;
	}
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || conf_read_fd(fd, path, load_line, &l) < 0) {
		log_errno("unable to read %s", path);
		l.bad++;
	}
	if (fd >= 0)
		close(fd);
	if (l.bad) {
		remap_free(l.rules);
		return NULL;
	}
	return l.rules;
}

struct remap_rules *remap_load(const char *path)
{
	return remap_load_at(AT_FDCWD, path, path);
}
