/* SPDX-License-Identifier: MIT */
/* pxed_ra -- libFuzzer: ra_check (app/pxed/ra.c) on any ICMPv6 message,
 * with every hop limit and source kind: it returns a verdict, reads
 * nothing past the message (ASan: libFuzzer hands over exactly size
 * bytes), and accepts only what RFC 4861 6.1.1 does. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int hops[] = { 255, 254, 1, 0, -1 };

	for (size_t h = 0; h < sizeof hops / sizeof hops[0]; h++)
		for (int unspec = 0; unspec <= 1; unspec++) {
			enum ra_verdict v = ra_check(data, size, hops[h], unspec);

			assert((unsigned)v < RA_VERDICT_COUNT);
			if (v == RA_SOLICIT)
				assert(size >= 8 && data[0] == 133 && data[1] == 0 &&
				       hops[h] == 255);
		}
	return 0;
}
