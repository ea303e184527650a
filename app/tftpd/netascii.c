/* SPDX-License-Identifier: MIT */
/* netascii.c -- see netascii.h.  Pure. */
#include "netascii.h"

size_t netascii_encode(struct netascii_enc *e, const uint8_t *in, size_t len,
		       uint8_t *out, size_t size)
{
	size_t n = 0, i = 0;

	if (e->owed >= 0 && n < size) {
		out[n++] = (uint8_t)e->owed;
		e->owed = -1;
	}
	while (n < size && i < len) {
		uint8_t c = in[i++];
		if (c != '\n' && c != '\r') {
			out[n++] = c;
			continue;
		}
		out[n++] = '\r';
		if (n < size)
			out[n++] = c == '\n' ? '\n' : '\0';
		else
			e->owed = c == '\n' ? '\n' : '\0';
	}
	e->offset += i;
	return n;
}

size_t netascii_decode(struct netascii_dec *d, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		if (d->cr) {
			d->cr = false;
			if (c == '\n' || c == '\0') {
				out[n++] = c == '\n' ? '\n' : '\r';
				continue;
			}
			out[n++] = '\r';
		}
		if (c == '\r')
			d->cr = true;
		else
			out[n++] = c;
	}
	return n;
}

size_t netascii_decode_end(struct netascii_dec *d, uint8_t *out)
{
	if (!d->cr)
		return 0;
	d->cr = false;
	out[0] = '\r';
	return 1;
}
