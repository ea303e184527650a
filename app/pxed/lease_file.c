/* SPDX-License-Identifier: MIT */
/* lease_file.c -- the lease file, written atomically and read back; see
 * lease.h. */
#include "lease.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "log.h"

/* fsync the directory of path, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int lease_save(const struct leases *ls, unsigned npool, const char *path)
{
	char tmp[PATH_MAX], line[LEASE_LINE_MAX + 1], buf[8192];
	size_t used = 0;
	int fd, err;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	for (unsigned i = 0; i < npool; i++, ls++)
		for (uint32_t a = ls->lo; ls->v && a <= ls->hi && a; a++) {
			const struct lease *l = &ls->v[a - ls->lo];
			size_t n;

			if (l->state != LEASE_BOUND)
				continue;
			n = lease_format(l, line);
			line[n++] = '\n';
			if (used + n > sizeof buf) {
				if (write_all(fd, buf, used) < 0)
					goto fail;
				used = 0;
			}
			memcpy(buf + used, line, n);
			used += n;
		}
	if (write_all(fd, buf, used) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	return sync_dir(path);
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = err;
	return -1;
}

struct load {
	struct leases *ls;
	unsigned npool;
	time_t now;
	int n;
};

static void load_line(void *ctx, const char *file, unsigned lineno, const char *line, size_t len)
{
	struct load *ld = ctx;
	struct lease l, *slot = NULL;
	struct leases *pool;

	switch (lease_parse_line(line, len, &l)) {
	case CONF_SKIP:
		return;
	case CONF_BAD:
		log_warn("%s:%u: not a lease line; skipped", file, lineno);
		return;
	case CONF_OK:
		break;
	}
	if ((pool = lease_pool_of(ld->ls, ld->npool, l.addr)))
		slot = lease_at(pool, l.addr);
	if (l.expires <= ld->now || !slot)
		return;
	*slot = l;
	ld->n++;
}

int lease_load(struct leases *ls, unsigned npool, const char *path, time_t now)
{
	struct load ld = { ls, npool, now, 0 };

	if (conf_read(path, load_line, &ld) < 0)
		return -1;
	return ld.n;
}
