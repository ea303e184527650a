/* SPDX-License-Identifier: MIT */
/* pxeconf_load.c -- pxed.conf read and checked whole; see pxeconf.h. */
#include "pxeconf.h"

#include <stdlib.h>

#include "log.h"

struct load {
	struct pxed_conf *conf;
	unsigned bad;
};

static void load_line(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct load *l = ctx;
	char why[PXECONF_WHY_MAX];

	if (pxeconf_parse_line(l->conf, line, len, why) == CONF_BAD) {
		log_err("%s:%u: %s", file, lineno, why);
		l->bad++;
	}
}

struct pxed_conf *pxeconf_load(const char *path)
{
	struct load l = { malloc(sizeof *l.conf), 0 };
	char why[PXECONF_WHY_MAX];

	if (!l.conf) {
		log_errno("unable to allocate the configuration of %s", path);
		return NULL;
	}
	pxeconf_init(l.conf);
	if (conf_read(path, load_line, &l) < 0) {
		log_errno("unable to read %s", path);
		l.bad++;
	} else if (!l.bad && !pxeconf_check(l.conf, why)) {
		log_err("%s: %s", path, why);
		l.bad++;
	}
	if (l.bad) {
		free(l.conf);
		return NULL;
	}
	return l.conf;
}
