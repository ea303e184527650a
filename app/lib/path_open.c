/* SPDX-License-Identifier: MIT */
/* path_open.c -- openat2(2) beneath the root; see path.h.
 *
 * musl 1.2.3 has no openat2() wrapper, so the raw system call; struct
 * open_how and RESOLVE_* come from the kernel headers (out/sysroot for the
 * target, linux-libc-dev on the host). */
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* RESOLVE_BENEATH fails with EAGAIN when a rename anywhere on the system
 * raced with the lookup and the kernel cannot prove it stayed inside. */
#define EAGAIN_RETRIES 8

static int openat2_retry(int dirfd, const char *path, const struct open_how *how)
{
	long fd;
	int tries = 0;

	do
		fd = syscall(SYS_openat2, dirfd, path, how, sizeof *how);
	while (fd < 0 && errno == EAGAIN && ++tries < EAGAIN_RETRIES);
	return (int)fd;
}

/* Close fd and fail with err. */
static int close_with(int fd, int err)
{
	close(fd);
	errno = err;
	return -1;
}

/* fd names a regular file (its stat in *st); otherwise it is closed and
 * errno says why. */
static int regular_only(int fd, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return close_with(fd, errno);
	if (!S_ISREG(st->st_mode))
		return close_with(fd, S_ISDIR(st->st_mode) ? EISDIR : EACCES);
	return fd;
}

int path_open(int root_fd, const char *rel, int flags)
{
	struct stat st;

	return path_open_stat(root_fd, rel, flags, &st);
}

int path_open_stat(int root_fd, const char *rel, int flags, struct stat *st)
{
	bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; taken off
	 * again below, since io_uring honours it on regular files too. */
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK),
		.mode = creates ? 0644 : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = openat2_retry(root_fd, rel, &how);

	if (fd < 0 || (fd = regular_only(fd, st)) < 0)
		return -1;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_ACCMODE & ~O_NONBLOCK) < 0)
		return close_with(fd, errno);
	return fd;
}
