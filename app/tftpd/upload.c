/* SPDX-License-Identifier: MIT */
/* upload.c -- see upload.h. */
#include "upload.h"

#include <dirent.h>
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

#define TMP_MARK ".tftpd-" /* then 6 hex digits: see upload_begin */

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

int upload_begin(struct upload *u, int root_fd, int stage_fd, const char *rel, bool overwrite)
{
	struct stat st;

	*u = (struct upload)UPLOAD_NONE;
	u->dir_fd = open_dir(root_fd, rel, u->base, sizeof u->base - 16);
	if (u->dir_fd < 0)
		return -1;
	u->tmp_fd = stage_fd >= 0 ? stage_fd : u->dir_fd;
	if (fstatat(u->dir_fd, u->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!overwrite || !S_ISREG(st.st_mode))) {
		upload_abort(u);
		errno = S_ISREG(st.st_mode) ? EEXIST : EACCES;
		return -1;
	}
	for (int tries = 0; tries < 16; tries++) {
		snprintf(u->tmp, sizeof u->tmp, ".%.200s" TMP_MARK "%06lx", u->base,
			 (unsigned long)(random() & 0xffffff));
		u->fd = openat(u->tmp_fd, u->tmp,
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
		r = (int)syscall(SYS_renameat2, u->tmp_fd, u->tmp, u->dir_fd, u->base,
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
	if (u->tmp_fd >= 0 && u->tmp[0])
		unlinkat(u->tmp_fd, u->tmp, 0);
	if (u->fd >= 0)
		close(u->fd);
	if (u->dir_fd >= 0)
		close(u->dir_fd);
	*u = (struct upload)UPLOAD_NONE;
}

bool upload_is_temporary(const char *name)
{
	size_t len = strlen(name), mark = strlen(TMP_MARK);

	if (name[0] != '.' || len < 2 + mark + 6 || memcmp(name + len - 6 - mark, TMP_MARK, mark))
		return false;
	for (size_t i = len - 6; i < len; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	return true;
}

int upload_clean_staging(int stage_fd)
{
	int fd = openat(stage_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	int removed = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)))
		if (upload_is_temporary(e->d_name) && unlinkat(stage_fd, e->d_name, 0) == 0)
			removed++;
	closedir(d);
	return removed;
}
