/* SPDX-License-Identifier: MIT */
/* lib_journal -- libFuzzer: a ring file's bytes (journal_ring_events, the
 * only parser of them; the status page maps files any root process could
 * have written), then the summary over what it returns.  Whatever the
 * bytes: no read outside them, at most max events, only published ones
 * (seq matching its slot), strings terminated, and a summary whose every
 * row is bounded and named. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct journal_event out[MAX];
	static struct journal_client cl[8];
	/* a mapping is page aligned: the ring's atomics want that */
	void *ring = aligned_alloc(64, (size + 63) / 64 * 64 + 64);
	struct journal_rules rules = { .now_ms = 1800000000000LL, .stall_ms = 30000,
				       .booted_files = "rootfs.cpio.gz b" };
	unsigned n, c;

	memcpy(ring, data, size);
	n = journal_ring_events(ring, size, out, MAX);
	assert(n <= MAX);
	for (unsigned i = 0; i < n; i++) {
		assert(out[i].seq != 0);
		assert(i == 0 || out[i].seq > out[i - 1].seq);
		assert(strlen(out[i].file) < sizeof out[i].file);
		assert(strlen(out[i].cause) < sizeof out[i].cause);
		assert(strlen(out[i].vendor) < sizeof out[i].vendor);
	}
	c = journal_summary(out, n, &rules, cl, 8);
	assert(c <= 8 && c <= n);
	for (unsigned i = 0; i < c; i++) {
		assert(cl[i].nfiles <= JOURNAL_FILES_MAX);
		assert(cl[i].stage < JOURNAL_STAGE_COUNT && cl[i].stall < JOURNAL_STALL_COUNT);
		assert(strlen(cl[i].cause) < sizeof cl[i].cause);
		assert(journal_stall_name(cl[i].stall)[0] || cl[i].stall == JOURNAL_STALL_NONE);
		assert(i == 0 || cl[i].last_ms <= cl[i - 1].last_ms);
	}
	free(ring);
	return 0;
}
