/* SPDX-License-Identifier: MIT */
/* bufring.h -- a ring of provided buffers for io_uring multishot receives
 * (IOSQE_BUFFER_SELECT): count buffers of size bytes in one mapping,
 * registered as one buffer group.  liburing 2.3 has no
 * io_uring_setup_buf_ring, so the ring's memory is ours.
 *
 * A completion with IORING_CQE_F_BUFFER owns buffer bufring_id(cqe) until
 * bufring_put gives it back; the kernel sees buffers given back at the
 * next bufring_flush (once per loop turn, before waiting).  A multishot
 * receive that finds the ring empty ends with -ENOBUFS and no
 * IORING_CQE_F_MORE: re-arm it once buffers are back.
 *
 * Header-only, like uring.h: programs without io_uring never link liburing.
 */
#ifndef TERN_BUFRING_H
#define TERN_BUFRING_H

#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

struct bufring {
	struct io_uring_buf_ring *br;
	uint8_t *mem;
	size_t size;       /* bytes in a buffer */
	unsigned count;    /* buffers, a power of 2 */
	unsigned returned; /* given back since the last flush */
	unsigned free;     /* buffers the kernel may fill */
	size_t br_bytes, mem_bytes;
};

/* count (a power of 2, at most 32768) buffers of size bytes as buffer
 * group bgid of ring, all given to the kernel.  0, or -errno (nothing
 * left allocated). */
static inline int bufring_init(struct bufring *b, struct io_uring *ring, unsigned short bgid,
				unsigned count, size_t size);
/* Unregister and free (after the ring is done with them). */
static inline void bufring_free(struct bufring *b, struct io_uring *ring, unsigned short bgid);

static inline unsigned bufring_id(const struct io_uring_cqe *cqe)
{
	return cqe->flags >> IORING_CQE_BUFFER_SHIFT;
}

static inline uint8_t *bufring_addr(const struct bufring *b, unsigned id)
{
	return b->mem + (size_t)id * b->size;
}

/* A completion's buffer back to the ring (seen by the kernel at the next
 * bufring_flush). */
static inline void bufring_put(struct bufring *b, unsigned id)
{
	io_uring_buf_ring_add(b->br, bufring_addr(b, id), (unsigned)b->size, (unsigned short)id,
			      io_uring_buf_ring_mask(b->count), (int)b->returned++);
	b->free++;
}

/* The kernel took one (call for every completion with a buffer). */
static inline void bufring_took(struct bufring *b)
{
	b->free--;
}

static inline void bufring_flush(struct bufring *b)
{
	if (b->returned) {
		io_uring_buf_ring_advance(b->br, (int)b->returned);
		b->returned = 0;
	}
}

/* Before each wait: the buffers given back go to the kernel.  True when
 * one is free, so that a receive that ended for want of them may be
 * armed again. */
static inline bool bufring_refill(struct bufring *b)
{
	bufring_flush(b);
	return b->free > 0;
}

static inline void bufring_unmap_(struct bufring *b)
{
	if (b->br && b->br != MAP_FAILED)
		munmap(b->br, b->br_bytes);
	if (b->mem && b->mem != MAP_FAILED)
		munmap(b->mem, b->mem_bytes);
	memset(b, 0, sizeof *b);
}

static inline int bufring_init(struct bufring *b, struct io_uring *ring, unsigned short bgid,
				unsigned count, size_t size)
{
	struct io_uring_buf_reg reg;
	int r;

	memset(b, 0, sizeof *b);
	if (!count || (count & (count - 1)) || count > 32768 || !size)
		return -EINVAL;
	b->count = count;
	b->size = size;
	b->br_bytes = count * sizeof(struct io_uring_buf);
	b->mem_bytes = count * size;
	/* Anonymous mappings: page-aligned, as the kernel wants the ring. */
	b->br = mmap(NULL, b->br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b->mem = mmap(NULL, b->mem_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->br == MAP_FAILED || b->mem == MAP_FAILED) {
		bufring_unmap_(b);
		return -ENOMEM;
	}
	io_uring_buf_ring_init(b->br);
	memset(&reg, 0, sizeof reg);
	reg.ring_addr = (uint64_t)(uintptr_t)b->br;
	reg.ring_entries = count;
	reg.bgid = bgid;
	r = io_uring_register_buf_ring(ring, &reg, 0);
	if (r < 0) {
		bufring_unmap_(b);
		return r;
	}
	for (unsigned i = 0; i < count; i++)
		bufring_put(b, i);
	bufring_flush(b);
	return 0;
}

static inline void bufring_free(struct bufring *b, struct io_uring *ring,
				 unsigned short bgid)
{
	if (!b->br)
		return;
	io_uring_unregister_buf_ring(ring, bgid);
	bufring_unmap_(b);
}

#endif
