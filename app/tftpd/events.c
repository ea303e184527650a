/* SPDX-License-Identifier: MIT */
/* events.c -- what the kernel answers about a transfer: its receives
 * (a packet: an ACK to rrq.c, DATA to wrq.c), its sends, its cancel, and
 * its timer; loop.c hands each completion here (xfer.h). */
#include "xfer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static void on_sent(struct xfer *x, int res)
{
	if (res < 0) {
		x->srv->st->send_errors++;
		if (!x->ending && res != -ECONNREFUSED && res != -EAGAIN) {
			char why[96];

			snprintf(why, sizeof why, "send failed: %s", strerror(-res));
			xfer_fail(x, TFTP_EUNDEF, why, false);
		}
	}
}

/* -- what comes back on a transfer's socket --------------------------- */

static void on_packet(struct xfer *x, const uint8_t *buf, size_t len, bool truncated)
{
	struct server *s = x->srv;
	struct tftp_packet p = { 0 };
	enum tftp_cause c = truncated ? TFTP_OVERSIZED : tftp_parse(buf, len, &p);

	if (!same_peer(&x->rpeer, &x->peer)) {
		/* RFC 1350 section 4: another TID.  Tell it; the transfer goes on. */
		s->st->wrong_tid++;
		reply_error(s, x->fd, &x->rpeer, x->rpeer_len, TFTP_EBADID, "unknown transfer ID");
		return;
	}
	if (c == TFTP_OK || (c != TFTP_OK && p.opcode == TFTP_ERROR)) {
		if (p.opcode == TFTP_ERROR) {
			char msg[64];
			size_t k = 0;

			/* The client's words, without control characters, for the log. */
			for (const char *m = c == TFTP_OK ? p.error.message : ""; *m && k + 1 < sizeof msg; m++)
				msg[k++] = (*m >= 0x20 && *m < 0x7f) ? *m : '?';
			msg[k] = '\0';
			if (p.error.code == TFTP_EOPTION && !x->put && x->w.acked == UINT64_MAX) {
				/* UEFI asks for tsize, then ends with ERROR 8 and asks again. */
				s->st->uefi_probes++;
				if (s->cfg->verbose)
					log_info("RRQ %s from %s: size probe (client ended it after the OACK)",
						 x->name, x->who);
			} else {
				s->st->client_errors++;
				log_warn("%s %s from %s: the client ended it: error %u \"%s\"",
					 x->put ? "WRQ" : "RRQ", x->name, x->who, p.error.code, msg);
			}
			record_end(x, JOURNAL_END_ABORTED, msg,
				   p.error.code == TFTP_EOPTION && !x->put && x->w.acked == UINT64_MAX);
			xfer_end(x);
			return;
		}
		if (!x->put && p.opcode == TFTP_ACK) {
			rrq_ack(x, p.ack);
			return;
		}
		if (x->put && p.opcode == TFTP_DATA) {
			wrq_data(x, p.data.block, p.data.data, p.data.len);
			return;
		}
		c = TFTP_BAD_OPCODE; /* a request, or DATA/ACK the wrong way */
	}
	s->st->bad_packet[c]++;
	xfer_fail(x, tftp_cause_code(c), tftp_cause_message(c), true);
}

void on_recv_one(struct xfer *x, int res)
{
	x->pending--;
	if (x->ending) {
		xfer_idle(x);
		return;
	}
	if (res < 0) {
		if (res == -EINTR || res == -EAGAIN || res == -ECONNREFUSED) {
			arm_recv(x); /* ICMP from an earlier send, or nothing: again */
			return;
		}
		errno = -res;
		log_errno("%s from %s: unable to receive", x->name, x->who);
		xfer_fail(x, TFTP_EUNDEF, "receive failed", false);
		xfer_idle(x);
		return;
	}
	x->rpeer_len = x->rmsg.msg_namelen;
	x->srv->packets++;
	on_packet(x, x->rbuf, (size_t)res, x->rmsg.msg_flags & MSG_TRUNC);
	if (!x->ending)
		arm_recv(x);
	xfer_idle(x);
}

void on_recv_ring(struct xfer *x, const struct io_uring_cqe *cqe)
{
	struct server *s = x->srv;
	int res = cqe->res;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned id = bufring_id(cqe);
		struct io_uring_recvmsg_out *o;

		bufring_took(&s->rb);
		o = io_uring_recvmsg_validate(bufring_addr(&s->rb, id), res, &s->mmsg);
		s->packets++;
		if (o && !x->ending && o->namelen <= sizeof x->rpeer) {
			memcpy(&x->rpeer, io_uring_recvmsg_name(o), o->namelen);
			x->rpeer_len = o->namelen;
			on_packet(x, io_uring_recvmsg_payload(o, &s->mmsg),
				  io_uring_recvmsg_payload_length(o, res, &s->mmsg),
				  o->flags & MSG_TRUNC);
		}
		bufring_put(&s->rb, id);
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	/* The kernel ended it: cancelled (the transfer is over), out of
	 * buffers (again once some are back), or an error. */
	x->armed = false;
	x->pending--;
	if (!x->ending) {
		if (res >= 0 || res == -ENOBUFS || res == -EINTR || res == -EAGAIN ||
		    res == -ECONNREFUSED) {
			x->starved = true;
			s->starved++;
			s->st->recv_starved += res == -ENOBUFS;
		} else {
			errno = -res;
			log_errno("%s from %s: unable to receive", x->name, x->who);
			xfer_fail(x, TFTP_EUNDEF, "receive failed", false);
		}
	}
	xfer_idle(x);
}

void on_timer(struct timer *t, void *ctx)
{
	struct xfer *x = (struct xfer *)((char *)t - offsetof(struct xfer, timer));
	struct server *s = ctx;

	if (x->ending)
		return;
	if (x->dallying) { /* no resend of the last block came: done */
		xfer_end(x);
		return;
	}
	if (x->ra_wait && x->w.next == x->w.acked + 1) {
		/* nothing in flight, the next block waits for its read: the
		 * disk is late, not the client; as long as retries would wait */
		if (s->now - x->ra_since >= (int64_t)s->cfg->retries * x->t.timeout * 1000) {
			xfer_fail(x, TFTP_EUNDEF, "timed out reading the file", true);
			return;
		}
		arm_timer(x);
		return;
	}
	if (!window_timeout(&x->w, s->cfg->retries)) {
		s->st->timeouts++;
		x->timed_out = true;
		xfer_fail(x, TFTP_EUNDEF, "timed out", true);
		return;
	}
	arm_timer(x);
	if (x->put) { /* say again where we are */
		x->retransmits++;
		s->st->retransmits++;
		send_ack(x, x->received);
		return;
	}
	if (x->w.next == 0) { /* the OACK again */
		x->retransmits++;
		s->st->retransmits++;
	}
	rrq_reread(x);
	pump(x);
}

void on_read(struct xfer *x, int res)
{
	x->pending--;
	x->ra_busy = false;
	if (x->ending) {
		xfer_idle(x);
		return;
	}
	if (res == -EFAULT) { /* a page past the file's end: truncated */
		xfer_fail(x, TFTP_EUNDEF, "the file was truncated while being sent", true);
		xfer_idle(x);
		return;
	}
	/* done; or failed otherwise, and the sends will take their chance
	 * (EINVAL: a kernel before 5.14, without MADV_POPULATE_READ: no more
	 * reads ahead for this transfer; nor after a timeout's read again of
	 * a file not read ahead otherwise) */
	x->ra_done = res == -EINVAL || !read_ahead_wanted(x->file) ? UINT64_MAX : x->ra_to;
	if (x->ra_wait) {
		x->ra_wait = false;
		pump(x);
	}
	xfer_idle(x);
}

void on_block_sent(struct slot *sl, int res)
{
	struct xfer *x = sl->x;

	sl->busy = false;
	x->pending--;
	on_sent(x, res);
	pump(x); /* a slot is free: the window may go on */
	xfer_idle(x);
}

void on_ctl_sent(struct xfer *x, int res)
{
	x->ctl_busy = false;
	x->pending--;
	on_sent(x, res);
	if (x->ctl_again) {
		x->ctl_again = false;
		send_ctl(x);
	}
	xfer_idle(x);
}

void on_cancelled(struct xfer *x)
{
	x->pending--;
	xfer_idle(x);
}

