/* SPDX-License-Identifier: MIT */
/* fwfloor.c -- see fwfloor.h. */
#include "fwfloor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#define TMP_NAME ".floor.tmp"

int fwfloor_parse(const char *text, size_t len, struct fw_version *v)
{
	char s[FWFLOOR_TEXT_MAX];

	if (len && text[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof s || memchr(text, '\0', len))
		return -1;
	memcpy(s, text, len);
	s[len] = '\0';
	return fw_version_parse(s, v);
}

int fwfloor_read(int espfd, struct fw_version *v, bool *present)
{
	char text[FWFLOOR_TEXT_MAX + 1];
	ssize_t n;
	int fd, err;

	*v = (struct fw_version){ 0, 0, 0 };
	*present = false;
	fd = openat(espfd, FWFLOOR_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = conf_read_small_fd(fd, text, sizeof text);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if (fwfloor_parse(text, (size_t)n, v)) {
		*v = (struct fw_version){ 0, 0, 0 };
		errno = EINVAL;
		return -1;
	}
	*present = true;
	return 0;
}

/* FWFLOOR_DIR on the ESP, made if missing (and its making fsync'ed into
 * EFI/, as a rename into it would be lost with it). */
static int open_floor_dir(int espfd)
{
	int fd = openat(espfd, FWFLOOR_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int efi;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (mkdirat(espfd, "EFI", 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdirat(espfd, FWFLOOR_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	efi = openat(espfd, "EFI", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (efi < 0)
		return -1;
	if (fsync(efi) < 0) {
		int e = errno;
		close(efi);
		errno = e;
		return -1;
	}
	close(efi);
	return openat(espfd, FWFLOOR_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The new text in TMP_NAME, on disk when this returns 0. */
static int write_tmp(int dirfd, const char *text, size_t len)
{
	int fd, e;

	if (unlinkat(dirfd, TMP_NAME, 0) < 0 && errno != ENOENT)
		return -1;
	fd = openat(dirfd, TMP_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	errno = 0;
	if (write(fd, text, len) != (ssize_t)len) {
		e = errno ? errno : EIO;
		goto fail;
	}
	if (fsync(fd) < 0) {
		e = errno;
		goto fail;
	}
	if (close(fd) < 0) {
		e = errno;
		unlinkat(dirfd, TMP_NAME, 0);
		errno = e;
		return -1;
	}
	return 0;
fail:
	close(fd);
	unlinkat(dirfd, TMP_NAME, 0);
	errno = e;
	return -1;
}

/* FWFLOOR_NAME, fsync'ed. */
static int sync_file(int dirfd)
{
	int fd = openat(dirfd, FWFLOOR_NAME, O_RDONLY | O_CLOEXEC), r, e;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

int fwfloor_write(int espfd, const struct fw_version *v)
{
	char text[FWFLOOR_TEXT_MAX];
	int dirfd, len, e;

	len = snprintf(text, sizeof text, "%u.%u.%u\n", (unsigned)v->major, (unsigned)v->minor,
		       (unsigned)v->patch);
	dirfd = open_floor_dir(espfd);
	if (dirfd < 0)
		return -1;
	if (write_tmp(dirfd, text, (size_t)len) < 0)
		goto fail;
	if (renameat(dirfd, TMP_NAME, dirfd, FWFLOOR_NAME) < 0) {
		e = errno;
		unlinkat(dirfd, TMP_NAME, 0);
		errno = e;
		goto fail;
	}
	/* On FAT the renamed entry gets the file's cluster and size only when
	 * the file is written back: sync it too (bootslot.c, sync_rename). */
	if (fsync(dirfd) < 0 || sync_file(dirfd) < 0)
		goto fail;
	close(dirfd);
	return 0;
fail:
	e = errno;
	close(dirfd);
	errno = e;
	return -1;
}

int fwfloor_raise(int espfd, const struct fw_version *v)
{
	struct fw_version now;
	bool present;

	if (fwfloor_read(espfd, &now, &present) < 0)
		return -1;
	if (present && fw_version_cmp(&now, v) >= 0)
		return 0;
	return fwfloor_write(espfd, v) < 0 ? -1 : 1;
}
