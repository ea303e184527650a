/* SPDX-License-Identifier: MIT */
/* unmount.c -- see unmount.h. */
#include "unmount.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "root.h"

#define MOUNTS_MAX 64

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Copy the field at line[*i] into out (size bytes with its NUL), decoding
 * \ooo escapes; false if it is missing or does not fit. */
static bool field(const char *line, size_t len, size_t *i, char *out, size_t size)
{
	size_t o = 0;

	while (*i < len && is_space(line[*i]))
		(*i)++;
	if (*i == len)
		return false;
	while (*i < len && !is_space(line[*i])) {
		char c = line[(*i)++];

		if (c == '\\' && *i + 3 <= len &&
		    line[*i] >= '0' && line[*i] <= '3' &&
		    line[*i + 1] >= '0' && line[*i + 1] <= '7' &&
		    line[*i + 2] >= '0' && line[*i + 2] <= '7') {
			c = (char)((line[*i] - '0') * 64 + (line[*i + 1] - '0') * 8 +
				   (line[*i + 2] - '0'));
			*i += 3;
		}
		if (o + 1 == size)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

enum conf_result mounts_parse_line(const char *line, size_t len,
				   struct mount_entry *m, const char **err)
{
	size_t i = 0;

	while (i < len && is_space(line[i]))
		i++;
	if (i == len)
		return CONF_SKIP;
	while (i < len && !is_space(line[i])) /* the source: not needed */
		i++;
	if (!field(line, len, &i, m->dir, sizeof m->dir) || m->dir[0] != '/') {
		*err = "no mount point, or one too long";
		return CONF_BAD;
	}
	if (!field(line, len, &i, m->type, sizeof m->type)) {
		*err = "no filesystem type";
		return CONF_BAD;
	}
	return CONF_OK;
}

struct table {
	size_t n;
	struct mount_entry m[MOUNTS_MAX];
};

static void add(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct table *t = ctx;
	const char *err;

	switch (mounts_parse_line(line, len, &t->m[t->n], &err)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		log_warn("%s:%u: %s; not unmounting it", file, lineno, err);
		return;
	case CONF_OK:
		break;
	}
	if (t->n + 1 < MOUNTS_MAX)
		t->n++;
	else
		log_warn("%s:%u: more than %d mounts; not unmounting %s",
			 file, lineno, MOUNTS_MAX - 1, t->m[t->n].dir);
}

static struct table mounts; /* 17 KB: not on the stack */

void unmount_all(void)
{
	unsigned gone = 0, ro = 0;

	mounts.n = 0;
	if (root_conf_read("/proc/mounts", add, &mounts) < 0) {
		log_errno("unable to read /proc/mounts; nothing unmounted");
		return;
	}
	for (size_t i = mounts.n; i-- > 0;) {
		const struct mount_entry *m = &mounts.m[i];

		if (!strcmp(m->dir, "/")) {
			continue;
		} else if (umount2(m->dir, UMOUNT_NOFOLLOW) == 0) {
			gone++;
		} else if (errno == EINVAL || errno == ENOENT) {
			; /* under a mount already gone */
		} else if (mount(NULL, m->dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0) {
			ro++;
		} else {
			log_errno("unable to unmount %s (%s) or remount it read-only",
				  m->dir, m->type);
		}
	}
	for (size_t i = 0; i < mounts.n; i++)
		if (!strcmp(mounts.m[i].dir, "/") && strcmp(mounts.m[i].type, "rootfs") &&
		    mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
			log_errno("unable to remount / read-only");
	log_info("unmounted %u filesystem(s), %u more read-only", gone, ro);
}
