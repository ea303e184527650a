/* SPDX-License-Identifier: MIT */
/* upload.c -- see upload.h. */
#include "upload.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* The directory part of rel, opened beneath root_fd. */
static int open_dir(int root_fd, const char *rel, char *base, size_t size)
{
	const char *slash = strrchr(rel, '/');
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	char dir[PATH_MAX];
	const char *name = slash ? slash + 1 : rel;

	if (!*name || strlen(name) >= size || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EISDIR;
		return -1;
	}
	strcpy(base, name);
	if (!slash)
		return (int)syscall(SYS_openat2, root_fd, ".", &how, sizeof how);
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - rel), rel);
	return (int)syscall(SYS_openat2, root_fd, dir[0] ? dir : ".", &how, sizeof how);
}

int upload_begin(struct upload *u, int root_fd, const char *rel, bool overwrite)
{
	struct stat st;

	*u = (struct upload)UPLOAD_NONE;
	u->dir_fd = open_dir(root_fd, rel, u->base, sizeof u->base - 16);
	if (u->dir_fd < 0)
		return -1;
	if (fstatat(u->dir_fd, u->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!overwrite || !S_ISREG(st.st_mode))) {
		upload_abort(u);
		errno = S_ISREG(st.st_mode) ? EEXIST : EACCES;
		return -1;
	}
	for (int tries = 0; tries < 16; tries++) {
		snprintf(u->tmp, sizeof u->tmp, ".%.200s.tftpd-%06lx", u->base,
			 (unsigned long)(random() & 0xffffff));
		u->fd = openat(u->dir_fd, u->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (u->fd >= 0 || errno != EEXIST)
			break;
	}
	if (u->fd < 0) {
		int err = errno;

		u->tmp[0] = '\0';
		upload_abort(u);
		errno = err;
		return -1;
	}
	return 0;
}

int upload_write(struct upload *u, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t w = pwrite(u->fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int upload_commit(struct upload *u, bool overwrite)
{
	int r = fsync(u->fd);

	if (r == 0)
		r = (int)syscall(SYS_renameat2, u->dir_fd, u->tmp, u->dir_fd, u->base,
				 overwrite ? 0 : RENAME_NOREPLACE);
	if (r == 0) {
		u->tmp[0] = '\0'; /* in place: nothing to remove */
		fsync(u->dir_fd); /* the rename itself survives a power cut */
	}
	int err = errno;
	upload_abort(u);
	errno = err;
	return r;
}

void upload_abort(struct upload *u)
{
	if (u->dir_fd >= 0 && u->tmp[0])
		unlinkat(u->dir_fd, u->tmp, 0);
	if (u->fd >= 0)
		close(u->fd);
	if (u->dir_fd >= 0)
		close(u->dir_fd);
	*u = (struct upload)UPLOAD_NONE;
}
