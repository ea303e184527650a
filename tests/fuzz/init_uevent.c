/* SPDX-License-Identifier: MIT */
/* init_uevent -- libFuzzer: disk_uevent_parse (app/init/disk.c) on any
 * uevent text, into buffers of any size from 1 to 80 bytes (input bytes 0
 * and 1; the rest is the text).
 *
 * What disk.h promises and is checked here: true only when both keys are
 * there; then each value is the one of the first line that starts with
 * KEY=, cut to its buffer, NUL-terminated and not empty, and no byte is
 * written past either buffer. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of the first line of text that starts with key=, or NULL. */
static const char *first(const char *text, size_t len, const char *key, size_t *n)
{
	size_t k = strlen(key);

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;

		if ((size_t)(eol - p) > k && !memcmp(p, key, k) && p[k] == '=') {
			*n = (size_t)(eol - p) - k - 1;
			return p + k + 1;
		}
		p = eol + 1;
	}
	return NULL;
}

static void check_value(const char *text, size_t len, const char *key, const char *out,
			size_t size)
{
	size_t n;
	const char *v = first(text, len, key, &n);

	assert(v);
	if (n > size - 1)
		n = size - 1;
	assert(n > 0 && !memcmp(out, v, n) && out[n] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t dsize, psize, len;
	char *text, *dev, *part;

	if (size < 2)
		return 0;
	dsize = 1 + data[0] % 80;
	psize = 1 + data[1] % 80;
	len = size - 2;
	text = malloc(len ? len : 1);
	dev = malloc(dsize);
	part = malloc(psize);
	assert(text && dev && part);
	memcpy(text, data + 2, len);
	if (disk_uevent_parse(text, len, dev, dsize, part, psize)) {
		check_value(text, len, "DEVNAME", dev, dsize);
		check_value(text, len, "PARTNAME", part, psize);
	} else {
		size_t n;
		const char *d = first(text, len, "DEVNAME", &n);
		bool dev_ok = d && n && dsize > 1;
		const char *p = first(text, len, "PARTNAME", &n);

		assert(!dev_ok || !p || !n || psize == 1);
	}
	free(text);
	free(dev);
	free(part);
	return 0;
}
