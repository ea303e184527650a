/* SPDX-License-Identifier: MIT */
/* pxed_lease -- libFuzzer: lease_parse_line (app/pxed/lease.c) on every
 * line of any lease file, cut as conf_read_fd cuts them.
 *
 * What lease.h promises and is checked here: a line taken is the four
 * words of the format and nothing else (address, MAC, key in hex, expiry
 * in decimal): written back by lease_format it is the same words, up to
 * the case of hex digits and leading zeros of the expiry; and what
 * lease_format writes parses back to the same lease. */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The words of l, lower case, the expiry's leading zeros dropped, one
 * blank between them, in out; false when there are not four. */
static bool canonical(const char *l, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0;
	int words = 0;

	for (;;) {
		while (i < n && conf_is_blank(l[i]))
			i++;
		if (i == n)
			break;
		if (++words > 4)
			return false;
		if (words > 1)
			out[o++] = ' ';
		if (words == 4)
			while (i + 1 < n && l[i] == '0' && !conf_is_blank(l[i + 1]))
				i++;
		while (i < n && !conf_is_blank(l[i])) {
			if (o + 2 > size)
				return false;
			out[o++] = (char)tolower((unsigned char)l[i++]);
		}
	}
	out[o] = '\0';
	return words == 4;
}

static void line(const uint8_t *p, size_t len)
{
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1, m;
	char *l = malloc(n ? n : 1), text[LEASE_LINE_MAX], words[CONF_LINE_MAX + 2];
	struct lease a, b;

	assert(l);
	memcpy(l, p, n);
	if (lease_parse_line(l, n, &a) == CONF_OK) {
		assert(!memchr(l, '\0', n));
		assert(a.state == LEASE_BOUND && a.key_len >= 1 && a.key_len <= LEASE_KEY_MAX);
		assert(a.expires >= 0);
		m = lease_format(&a, text);
		assert(m > 0 && m < LEASE_LINE_MAX && strlen(text) == m);
		assert(canonical(l, n, words, sizeof words) && !strcmp(words, text));
		assert(lease_parse_line(text, m, &b) == CONF_OK);
		assert(b.addr == a.addr && b.expires == a.expires && b.key_len == a.key_len);
		assert(!memcmp(b.mac, a.mac, 6) && !memcmp(b.key, a.key, a.key_len));
	}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line);
	return 0;
}
