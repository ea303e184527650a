/* conf.c -- see conf.h.  read(2) into fixed buffers: no stdio, no malloc. */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "root.h"

int conf_read(const char *path, conf_line_fn *fn, void *ctx)
{
	char chunk[4096];
	char line[CONF_LINE_MAX + 2]; /* + the byte that says "too long", + NUL */
	size_t len = 0;
	unsigned lineno = 1;
	int fd = root_open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (len <= CONF_LINE_MAX)
					line[len++] = chunk[i];
				continue;
			}
			line[len] = '\0';
			fn(ctx, path, lineno++, line, len);
			len = 0;
		}
	}
	if (len) {
		line[len] = '\0';
		fn(ctx, path, lineno, line, len);
	}
	close(fd);
	return 0;
}
