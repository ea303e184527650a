/* SPDX-License-Identifier: MIT */
/* uring.h -- the io_uring setup, the SQE helper and the tagged user data
 * every event loop uses (with bufring.h, its receive buffers, and turn.h,
 * how it waits).  Header-only (static inline): programs without io_uring
 * never see liburing. */
#ifndef TERN_URING_H
#define TERN_URING_H

#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <string.h>

/* A ring of entries SQEs and cq_entries CQEs.  Linux 6.1: one thread
 * submits (SINGLE_ISSUER), and completions run when the loop waits, not on
 * interrupts (DEFER_TASKRUN); older kernels refuse the flags with EINVAL:
 * then without.  flags: more setup flags for the first try (say
 * IORING_SETUP_TASKRUN_FLAG).  0 or -errno. */
static inline int uring_init_flags(struct io_uring *ring, unsigned entries, unsigned cq_entries,
				   unsigned flags)
{
	struct io_uring_params p;
	int r;

	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  flags;
	p.cq_entries = cq_entries;
	r = io_uring_queue_init_params(entries, ring, &p);
	if (r == -EINVAL) {
		memset(&p, 0, sizeof p);
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
		r = io_uring_queue_init_params(entries, ring, &p);
	}
	return r;
}

static inline int uring_init(struct io_uring *ring, unsigned entries, unsigned cq_entries)
{
	return uring_init_flags(ring, entries, cq_entries, 0);
}

/* An SQE, submitting what is queued if the ring is full. */
static inline struct io_uring_sqe *uring_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	while (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	return sqe;
}

/* What a completion is about: a tag (1-7, the program's enum) in the low
 * LOOP_TAG_BITS of its user data, the object it is about in the rest (at
 * least 8-byte aligned) -- or, for a tag that says so, other fields the
 * program packs above the tag. */
#define LOOP_TAG_BITS 3
#define LOOP_TAG_MASK ((1u << LOOP_TAG_BITS) - 1)

static inline uint64_t tagged(const void *p, unsigned tag)
{
	return (uint64_t)(uintptr_t)p | tag;
}

static inline unsigned tag_of(uint64_t data)
{
	return (unsigned)(data & LOOP_TAG_MASK);
}

static inline void *tag_ptr(uint64_t data)
{
	return (void *)(uintptr_t)(data & ~(uint64_t)LOOP_TAG_MASK);
}

#endif
