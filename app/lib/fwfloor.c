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
#include "durable.h"

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

int fwfloor_write(int espfd, const struct fw_version *v)
{
	char text[FWFLOOR_TEXT_MAX];
	int dirfd, len, e;

	len = snprintf(text, sizeof text, "%u.%u.%u\n", (unsigned)v->major, (unsigned)v->minor,
		       (unsigned)v->patch);
	dirfd = open_floor_dir(espfd);
	if (dirfd < 0)
		return -1;
	if (durable_write_tmp(dirfd, TMP_NAME, text, (size_t)len) < 0 ||
	    durable_rename(dirfd, TMP_NAME, FWFLOOR_NAME) < 0 || durable_sync(dirfd, FWFLOOR_NAME) < 0)
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
