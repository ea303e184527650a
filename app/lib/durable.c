/* SPDX-License-Identifier: MIT */
/* durable.c -- see durable.h. */
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int write_all(int fd, const void *p, size_t len)
{
	const char *b = p;

	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Remove tmp from dirfd, errno as it was; -1. */
static int unlink_keeping_errno(int dirfd, const char *tmp)
{
	int err = errno;

	unlinkat(dirfd, tmp, 0);
	errno = err;
	return -1;
}

int durable_write_tmp(int dirfd, const char *tmp, const void *p, size_t len)
{
	int fd;

	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -1;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, p, len) < 0 || fsync(fd) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return unlink_keeping_errno(dirfd, tmp);
	}
	if (close(fd) < 0)
		return unlink_keeping_errno(dirfd, tmp);
	return 0;
}

int durable_rename(int dirfd, const char *tmp, const char *name)
{
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		return unlink_keeping_errno(dirfd, tmp);
	return 0;
}

int durable_sync(int dirfd, const char *name)
{
	int fd, r, err;

	if (fsync(dirfd) < 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	err = errno;
	close(fd);
	errno = err;
	return r;
}
