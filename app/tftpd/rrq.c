/* SPDX-License-Identifier: MIT */
/* rrq.c -- read transfers: DATA blocks out, as the window allows, straight
 * from the file's mapping (netascii: from a ring of converted blocks). */
#include "xfer.h"

#include <liburing.h>
#include <sys/mman.h>

#include "block.h"
#include "log.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; musl 1.2.3's header lacks it */
#endif

void rrq_start(struct xfer *x)
{
	x->enc = (struct netascii_enc)NETASCII_ENC_START;
	window_start(&x->w, x->t.oack.mask ? 0 : 1, x->t.windowsize, x->t.rollover);
	if (x->mode == TFTP_OCTET)
		x->w.last = x->file->size / x->t.blksize + 1;
	pump(x);
	if (x->srv->cfg->verbose)
		log_info("RRQ %s %s from %s: %llu bytes, blksize %u windowsize %u",
			 x->name, x->mode == TFTP_OCTET ? "octet" : "netascii", x->who,
			 (unsigned long long)x->file->size, x->t.blksize, x->t.windowsize);
}

/* Point slot's second iovec at block i's bytes (building them first for
 * netascii); false if the file was truncated under the transfer (the
 * netascii conversion reads its mapping, files.h). */
static bool block_bytes(struct xfer *x, uint64_t i, struct iovec *iov)
{
	uint64_t bs = x->t.blksize;

	if (x->mode == TFTP_OCTET) {
		uint64_t off = (i - 1) * bs, left = x->file->size - off;

		iov->iov_base = (void *)(x->file->data ? x->file->data + off : x->file->data);
		iov->iov_len = left < bs ? (size_t)left : (size_t)bs;
		return true;
	}
	/* netascii: blocks are made in order, kept in the ring for resends. */
	unsigned r = (unsigned)(i % x->nslots);
	uint8_t *out = x->ring + (size_t)r * bs;

	if (i > x->encoded) {
		uint64_t off = x->enc.offset, left = x->file->size - off;
		const uint8_t *in = x->file->data ? x->file->data + off : NULL;
		struct files_guard g;

		if (sigsetjmp(g.jb, 0))
			return false;
		files_guard_arm(&g, in, (size_t)left);
		x->ring_len[r] = netascii_encode(&x->enc, in, (size_t)left, out, (size_t)bs);
		files_guard_disarm();
		x->encoded = i;
		if (x->ring_len[r] < bs)
			x->w.last = i;
	}
	iov->iov_base = out;
	iov->iov_len = x->ring_len[r];
	return true;
}

/* -- reading ahead -----------------------------------------------------
 *
 * A DATA block leaves from the file's mapping, copied by the kernel in the
 * loop's sendmsg (netascii: read by block_bytes), and a page missing from
 * the page cache would be read from the disk right there: the loop, every
 * other transfer with it, would wait for the disk.  So a transfer of a
 * file of READ_AHEAD_MIN bytes or more on a disk (request.c) never sends
 * past x->ra_done, the bytes made resident off the loop: madvise(WILLNEED)
 * then madvise(POPULATE_READ) on the next READ_AHEAD bytes of the
 * mapping, both run by io_uring's workers (threads of this process: the
 * pages land in its page tables, and the sends take no fault either).
 * The next window's read starts as soon as sending enters the last one
 * read, so a transfer waits for the disk (x->ra_wait) at its start and
 * only where the disk is slower than its client; other transfers go on.
 * A read whose pages lie past the file's end fails (EFAULT): the file was
 * truncated under the transfer, which ends with an ERROR (events.c). */

/* The file's bytes block i reads, up to where: octet, up to its end;
 * netascii, up to a block's worth past where the encoder is (0: block i
 * is in the ring already). */
static uint64_t block_needs(const struct xfer *x, uint64_t i)
{
	uint64_t bs = x->t.blksize, end;

	if (x->mode == TFTP_OCTET)
		end = i * bs;
	else if (i > x->encoded)
		end = x->enc.offset + bs;
	else
		return 0;
	return end < x->file->size ? end : x->file->size;
}

/* Read the READ_AHEAD bytes from x->ra_done in (fewer at the end). */
static void read_ahead(struct xfer *x)
{
	struct server *s = x->srv;
	uint64_t at = x->ra_done, len = x->file->size - at;
	void *p = (void *)(uintptr_t)(x->file->data + at);
	struct io_uring_sqe *sqe;

	if (len > READ_AHEAD)
		len = READ_AHEAD;
	/* the disk's reads issued at once, large; then wait for them.  Only
	 * a failure of the first completes (ignored: the second still runs,
	 * IOSQE_IO_HARDLINK, and meets what matters) */
	sqe = sqe_get(s);
	io_uring_prep_madvise(sqe, p, (off_t)len, MADV_WILLNEED);
	sqe->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, 0);
	sqe = sqe_get(s);
	io_uring_prep_madvise(sqe, p, (off_t)len, MADV_POPULATE_READ);
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_READ));
	x->ra_to = at + len;
	x->ra_busy = true;
	x->pending++;
	s->st->reads_ahead++;
}

/* Are block i's bytes resident, so that it may be sent now?  Starts the
 * read it waits for, or the next one once sending is within a window of
 * the end of what is read. */
static bool resident(struct xfer *x, uint64_t i)
{
	uint64_t need;

	if (x->ra_done == UINT64_MAX)
		return true;
	need = block_needs(x, i);
	if (need <= x->ra_done) {
		if (!x->ra_busy && x->ra_done < x->file->size && need + READ_AHEAD > x->ra_done)
			read_ahead(x);
		return true;
	}
	if (!x->ra_busy)
		read_ahead(x);
	if (!x->ra_wait) {
		x->ra_wait = true;
		x->ra_since = x->srv->now;
	}
	return false;
}

void rrq_reread(struct xfer *x)
{
	uint64_t at;

	if (x->mode != TFTP_OCTET || x->ra_busy || x->w.acked == UINT64_MAX)
		return; /* netascii resends from its ring; a read runs; the OACK */
	at = x->w.acked * x->t.blksize / READ_AHEAD * READ_AHEAD;
	if (at < x->file->size && at < x->ra_done)
		x->ra_done = at;
}

/* Lockstep (one slot), block i goes with send_quick: its slot is free
 * again as soon as it is submitted.  A window's blocks may wait for
 * socket buffer space: each holds its slot until its completion.  false:
 * block i cannot be read (block_bytes), nothing sent. */
static bool send_block(struct xfer *x, uint64_t i, struct slot *sl)
{
	if (!block_bytes(x, i, &sl->iov[1]))
		return false;
	sl->x = x;
	tftp_build_data_header(sl->hdr, sizeof sl->hdr, tftp_block_number(i, x->t.rollover));
	sl->iov[0] = (struct iovec){ sl->hdr, sizeof sl->hdr };
	sl->msg = (struct msghdr){ .msg_name = &x->peer, .msg_namelen = x->peer_len,
				   .msg_iov = sl->iov, .msg_iovlen = 2 };
	if (x->nslots == 1) {
		send_quick(x->srv, x, &sl->msg);
		return true;
	}
	sl->busy = true;
	x->pending++;
	send_submit(x->srv, x->ufd, x->sqe_flags, &sl->msg, sl, TAG_SEND);
	return true;
}

void pump(struct xfer *x)
{
	uint64_t from, to, i;

	if (x->ending || x->put)
		return;
	window_due(&x->w, &from, &to);
	if (from == 0) { /* the OACK; data waits for its ACK 0 */
		x->clen = tftp_build_oack(x->cnext, sizeof x->cnext, &x->t.oack);
		send_ctl(x);
		window_sent(&x->w, 1);
		return;
	}
	if (x->w.acked == UINT64_MAX)
		return;
	for (i = from; i < to; i++) {
		struct slot *sl = &x->slots[i % x->nslots];

		if (sl->busy)
			break;
		/* netascii learns where the file ends while building blocks */
		if (x->w.last != WINDOW_LAST_UNKNOWN && i > x->w.last)
			break;
		if (!resident(x, i))
			break;
		if (!send_block(x, i, sl)) {
			xfer_fail(x, TFTP_EUNDEF, "the file was truncated while being sent", true);
			return;
		}
		if (i <= x->sent_max) { /* sent before: a retransmission */
			x->retransmits++;
			x->srv->st->retransmits++;
		} else {
			x->sent_max = i;
		}
		x->srv->st->bytes_sent += sl->iov[1].iov_len;
		window_sent(&x->w, i + 1);
	}
}

void rrq_ack(struct xfer *x, uint16_t n)
{
	switch (window_ack(&x->w, n)) {
	case WINDOW_IGNORED:
		return;
	case WINDOW_DONE:
		x->bytes = x->file->size;
		x->srv->st->completed++;
		xfer_log_end(x, true, NULL);
		xfer_end(x);
		return;
	case WINDOW_MOVED:
		arm_timer(x);
		pump(x);
		return;
	}
}
