/* SPDX-License-Identifier: MIT */
/* sysctl_apply.c -- write the .conf files of /etc/sysctl.d to /proc/sys at boot. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "root.h"
#include "sysctl.h"

static void sysctl_write(const struct sysctl_setting *s, const char *file, unsigned lineno)
{
	char buf[CONF_LINE_MAX + 2];
	size_t len = strlen(s->value);
	int fd = root_open(s->path, O_WRONLY | O_TRUNC);

	if (fd < 0) {
		if (errno == ENOENT && s->ignore_missing)
			return;
		if (errno == ENOENT)
			log_warn("%s:%u: unknown key %s (no %s)", file, lineno, s->key, s->path);
		else
			log_errno("%s:%u: unable to open %s", file, lineno, s->path);
		return;
	}
	memcpy(buf, s->value, len);
	buf[len++] = '\n';
	if (write(fd, buf, len) != (ssize_t)len)
		log_errno("%s:%u: unable to set %s to %s", file, lineno, s->key, s->value);
	close(fd);
}

static void apply_line(void *ctx, const char *file, unsigned lineno,
		       const char *line, size_t len)
{
	struct sysctl_setting s;
	const char *err;

	(void)ctx;
	switch (sysctl_parse_line(line, len, &s, &err)) {
	case CONF_SKIP:
		break;
	case CONF_BAD:
		log_warn("%s:%u: %s", file, lineno, err);
		break;
	case CONF_OK:
		sysctl_write(&s, file, lineno);
		break;
	}
}

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf") &&
	       d->d_type != DT_DIR;
}

void sysctl_apply_dir(void)
{
	char buf[PATH_MAX], file[PATH_MAX];
	const char *dir = root_path(SYSCTL_DIR, buf, sizeof buf);
	struct dirent **names;
	int n = dir ? scandir(dir, &names, is_conf, alphasort) : -1;

	if (n < 0) {
		if (errno != ENOENT)
			log_errno("unable to list %s", SYSCTL_DIR);
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(file, sizeof file, "%s/%s", SYSCTL_DIR, names[i]->d_name);
		if (root_conf_read(file, apply_line, NULL) < 0)
			log_errno("unable to read %s", file);
		free(names[i]);
	}
	free(names);
}
