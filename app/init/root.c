/* SPDX-License-Identifier: MIT */
/* root.c -- see root.h. */
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const char *root_dir;
static size_t root_len;

int root_set(const char *dir)
{
	if (!dir || !*dir) {
		root_dir = NULL;
		root_len = 0;
		return 0;
	}
	if (strlen(dir) > ROOT_DIR_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	root_dir = dir;
	root_len = strlen(dir);
	return 0;
}

bool root_test_mode(void)
{
	return root_dir != NULL;
}

const char *root_path(const char *path, char *buf, size_t size)
{
	size_t len = strlen(path);

	if (!root_dir)
		return path;
	if (root_len + len + 1 > size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(buf, root_dir, root_len);
	memcpy(buf + root_len, path, len + 1);
	return buf;
}

int root_open(const char *path, int flags)
{
	char buf[PATH_MAX];
	const char *real = root_path(path, buf, sizeof buf);

	return real ? open(real, flags | O_CLOEXEC) : -1;
}

/* Close fd keeping errno; returns r. */
static int close_keep(int fd, int r)
{
	int err = errno;

	close(fd);
	errno = err;
	return r;
}

int root_conf_read(const char *path, conf_line_fn *fn, void *ctx)
{
	int fd = root_open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	return close_keep(fd, conf_read_fd(fd, path, fn, ctx));
}

ssize_t root_read_small(const char *path, char *buf, size_t size)
{
	int fd = root_open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	return close_keep(fd, (int)conf_read_small_fd(fd, buf, size));
}
