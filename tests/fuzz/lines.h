/* SPDX-License-Identifier: MIT */
/* lines.h -- a harness's input cut into lines the way conf_read_fd cuts a
 * file (at '\n', the last line with or without one), each handed to fn as
 * (bytes, length): what the harnesses of line parsers share. */
#ifndef TERN_FUZZ_LINES_H
#define TERN_FUZZ_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void fuzz_lines(const uint8_t *data, size_t size,
			      void (*fn)(const uint8_t *p, size_t n))
{
	const uint8_t *end = data + size;

	while (data < end) {
		const uint8_t *nl = memchr(data, '\n', (size_t)(end - data));
		const uint8_t *eol = nl ? nl : end;

		fn(data, (size_t)(eol - data));
		data = eol + 1;
	}
}

#endif
