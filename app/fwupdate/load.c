/* SPDX-License-Identifier: MIT */
/* load.c -- see load.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"

int load_fd(int fd, size_t max, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t room = 1 << 16, n = 0;
	uint8_t *b;

	/* A regular file says its size: one allocation, and a file too
	 * large is refused before it is read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max) {
			errno = EFBIG;
			return -1;
		}
		room = (size_t)st.st_size + 1;
	}
	b = malloc(room);
	if (!b)
		return -1;
	for (;;) {
		if (n == room) {
			size_t bigger = room > max / 2 ? max + 1 : room * 2;
			uint8_t *nb = bigger > room ? realloc(b, bigger) : NULL;
			if (!nb) {
				int e = bigger > room ? errno : EFBIG;
				free(b);
				errno = e;
				return -1;
			}
			b = nb;
			room = bigger;
		}
		ssize_t r = read(fd, b + n, room - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(b);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			errno = EFBIG;
			return -1;
		}
	}
	*buf = b;
	*len = n;
	return 0;
}

int load_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	int rc, e;

	if (fd < 0)
		return -1;
	rc = load_fd(fd, max, buf, len);
	e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = e;
	return rc;
}
