/* conf.c -- see conf.h.  read(2) into fixed buffers: no stdio, no malloc. */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Feed the n bytes of chunk to the line being gathered in line (len bytes
 * so far), calling fn at each newline. */
static void split_lines(const char *chunk, size_t n, char *line, size_t *len,
			unsigned *lineno, const char *path, conf_line_fn *fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			if (*len <= CONF_LINE_MAX)
				line[(*len)++] = chunk[i];
			continue;
		}
		line[*len] = '\0';
		fn(ctx, path, (*lineno)++, line, *len);
		*len = 0;
	}
}

int conf_read(const char *path, conf_line_fn *fn, void *ctx)
{
	char chunk[4096];
	char line[CONF_LINE_MAX + 2]; /* + the byte that says "too long", + NUL */
	size_t len = 0;
	unsigned lineno = 1;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		split_lines(chunk, (size_t)n, line, &len, &lineno, path, fn, ctx);
	}
	if (len) {
		line[len] = '\0';
		fn(ctx, path, lineno, line, len);
	}
	close(fd);
	return 0;
}
