/* conf.h -- init's configuration files, read a line at a time.
 *
 * Every parser takes one line as bytes (line, len), without its newline,
 * and answers CONF_SKIP (blank or comment), CONF_OK (filled its struct) or
 * CONF_BAD (with a message saying why).  The reader hands a line longer
 * than CONF_LINE_MAX to the parser cut to CONF_LINE_MAX + 1 bytes, so the
 * parser reports it ("line too long") with the right line number.
 */
#ifndef TERN_INIT_CONF_H
#define TERN_INIT_CONF_H

#include <stddef.h>
#include <sys/types.h>

#define CONF_LINE_MAX 1024 /* bytes in a line, newline excluded */

enum conf_result { CONF_SKIP, CONF_OK, CONF_BAD };

typedef void conf_line_fn(void *ctx, const char *file, unsigned lineno,
			  const char *line, size_t len);

/* Call fn for every line of the file path (opened with root_open), in
 * order.  A last line without a newline counts.  Returns 0, or -1 with
 * errno when the file cannot be opened or read. */
int conf_read(const char *path, conf_line_fn *fn, void *ctx);

/* Up to size - 1 bytes of the small file path (opened with root_open),
 * NUL-terminated; the length, or -1 with errno. */
ssize_t conf_read_small(const char *path, char *buf, size_t size);

#endif
