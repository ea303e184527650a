/* conf.h -- tftpd's configuration files, read a line at a time.
 *
 * The same interface as app/init/conf.h, opening with open(2) where init
 * opens with root_open(): the one line reader both daemons should share
 * from app/lib/ once init's copy moves there.
 *
 * Every parser takes one line as bytes (line, len), without its newline,
 * and answers CONF_SKIP (blank or comment), CONF_OK (filled its struct) or
 * CONF_BAD (with a message saying why).  A line longer than CONF_LINE_MAX
 * reaches the parser cut to CONF_LINE_MAX + 1 bytes, so the parser reports
 * it ("line too long") with the right line number.
 */
#ifndef TERN_TFTPD_CONF_H
#define TERN_TFTPD_CONF_H

#include <stddef.h>

#define CONF_LINE_MAX 1024 /* bytes in a line, newline excluded */

enum conf_result { CONF_SKIP, CONF_OK, CONF_BAD };

typedef void conf_line_fn(void *ctx, const char *file, unsigned lineno,
			  const char *line, size_t len);

/* Call fn for every line of the file path, in order.  A last line without
 * a newline counts.  Returns 0, or -1 with errno when the file cannot be
 * opened or read. */
int conf_read(const char *path, conf_line_fn *fn, void *ctx);

#endif
