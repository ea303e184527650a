/* SPDX-License-Identifier: MIT */
/* uring.h -- the io_uring setup, the SQE helper and the tagged user data
 * every event loop uses (with bufring.h, its receive buffers, and turn.h,
 * how it waits).  Header-only (static inline): programs without io_uring
 * never see liburing. */
#ifndef TERN_URING_H
#define TERN_URING_H

#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
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

/* The end of a ring: cancel every operation still in flight, take their
 * completions, let go of registered files, free the ring.  A ring freed
 * with operations in flight ends them later, in a kernel worker, after
 * the process has exited (Linux 6.18: up to 8 ms after; 6.1 at once); until
 * then each keeps its file open, and a listening socket bound: a daemon
 * started again at once fails with "Address in use", or shares a
 * SO_REUSEPORT port with a socket nobody reads.  Bounded: 100 rounds of
 * at most 10 ms.  The completions taken here are dropped unread. */
#define URING_EXIT_DATA UINT64_MAX
static inline void uring_exit(struct io_uring *ring)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

	for (int round = 0; round < 100; round++) {
		struct io_uring_sqe *sqe = uring_sqe(ring);
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		bool none = false;

		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
		io_uring_sqe_set_data64(sqe, URING_EXIT_DATA);
		io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
		io_uring_for_each_cqe(ring, head, cqe) {
			/* the cancel found nothing left (or an old kernel
			 * knows no ANY: -EINVAL, as before) */
			if (cqe->user_data == URING_EXIT_DATA && (cqe->res == -ENOENT || cqe->res == -EINVAL))
				none = true;
			n++;
		}
		io_uring_cq_advance(ring, n);
		if (none)
			break;
	}
	io_uring_unregister_files(ring);
	io_uring_queue_exit(ring);
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
