/* SPDX-License-Identifier: MIT */
/* rrq.c -- read transfers: DATA blocks out, as the window allows, straight
 * from the file's mapping (netascii: from a ring of converted blocks). */
#include "xfer.h"

#include "block.h"
#include "log.h"

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
