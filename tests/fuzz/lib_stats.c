/* SPDX-License-Identifier: MIT */
/* lib_stats -- libFuzzer: a stats file's bytes (stats_check, what the
 * status page trusts before it reads a field).  What it accepts, a
 * reader walks without reading outside the bytes: every field's name,
 * labels and help are terminated inside the file and every value lies
 * inside the values area. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = aligned_alloc(64, (size + 63) / 64 * 64 + 64);
	const struct stats_head *h = buf;
	struct stats_view v;
	uint64_t sum = 0;

	memcpy(buf, data, size);
	if (!stats_check(buf, size)) {
		v = (struct stats_view){
			.file = "fuzz", .head = h,
			.fields = (const struct stats_field *)((const char *)buf + h->fields_off),
			.values = (const unsigned char *)buf + h->values_off,
		};
		for (unsigned i = 0; i < h->nfields; i++) {
			assert(strlen(v.fields[i].name) < sizeof v.fields[i].name);
			assert(strlen(v.fields[i].labels) < sizeof v.fields[i].labels);
			assert(strlen(v.fields[i].help) < sizeof v.fields[i].help);
			sum += stats_value(&v, i);
		}
	}
	free(buf);
	return (int)(sum & 0);
}
