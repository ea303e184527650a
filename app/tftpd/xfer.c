/* SPDX-License-Identifier: MIT */
/* xfer.c -- a transfer's I/O, its timeouts and its end: see xfer.h. */
#include "xfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

void arm_recv(struct xfer *x)
{
	struct io_uring_sqe *sqe = sqe_get(x->srv);

	if (x->put) {
		x->riov = (struct iovec){ x->rbuf, x->rsize };
		x->rmsg = (struct msghdr){ .msg_name = &x->rpeer, .msg_namelen = sizeof x->rpeer,
					   .msg_iov = &x->riov, .msg_iovlen = 1 };
		io_uring_prep_recvmsg(sqe, x->ufd, &x->rmsg, 0);
	} else {
		io_uring_prep_recvmsg_multishot(sqe, x->ufd, &x->srv->mmsg, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID;
		x->armed = true;
	}
	sqe->flags |= x->sqe_flags;
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_RECV));
	x->pending++;
}

void send_ctl(struct xfer *x)
{
	if (x->ctl_busy) { /* the last one is still going: this one after it */
		x->ctl_again = true;
		return;
	}
	x->ctl_busy = true;
	memcpy(x->cbuf, x->cnext, x->clen);
	x->ciov = (struct iovec){ x->cbuf, x->clen };
	x->cmsg = (struct msghdr){ .msg_name = &x->peer, .msg_namelen = x->peer_len,
				   .msg_iov = &x->ciov, .msg_iovlen = 1 };
	x->pending++;
	send_submit(x->srv, x->ufd, x->sqe_flags, &x->cmsg, x, TAG_CTL);
}

void arm_timer(struct xfer *x)
{
	wheel_set(&x->srv->wheel, &x->timer, x->srv->now + x->t.timeout * 1000LL);
}

void xfer_log_end(struct xfer *x, bool ok, const char *why)
{
	int64_t ms = clock_ms() - x->started_ms;
	double mib = (double)x->bytes / (1024.0 * 1024.0);
	double s = ms > 0 ? ms / 1000.0 : 0.001;

	record_end(x, ok ? JOURNAL_END_DONE : x->timed_out ? JOURNAL_END_TIMED_OUT : JOURNAL_END_ERROR,
		   why, false);
	if (ok)
		log_info("%s %s %s from %s: %llu bytes in %.3f s (%.2f MiB/s), blksize %u "
			 "windowsize %u, %llu retransmitted", x->put ? "WRQ" : "RRQ",
			 x->name, x->mode == TFTP_OCTET ? "octet" : "netascii", x->who,
			 (unsigned long long)x->bytes, s, mib / s, x->t.blksize,
			 x->t.windowsize, (unsigned long long)x->retransmits);
	else
		log_warn("%s %s from %s failed after %llu bytes: %s", x->put ? "WRQ" : "RRQ",
			 x->name, x->who, (unsigned long long)x->bytes, why);
}

static void xfer_free(struct xfer *x)
{
	struct server *s = x->srv;

	if (x->prev)
		x->prev->next = x->next;
	else
		s->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	s->nxfers--;
	s->st->running = s->nxfers;
	s->starved -= x->starved;
	wheel_cancel(&s->wheel, &x->timer);
	/* A reply to a stranger may still be queued on this fd: let the
	 * kernel take it before the number can be reused. */
	io_uring_submit(&s->ring);
	fixed_put(x);
	close(x->fd);
	if (x->file)
		files_put(x->file);
	upload_abort(&x->up);
	free(x->rbuf);
	free(x->slots);
	free(x->ring);
	free(x->ring_len);
	free(x->wbuf);
	free(x);
}

void xfer_end(struct xfer *x)
{
	struct io_uring_sqe *sqe;

	if (x->ending)
		return;
	x->ending = true;
	wheel_cancel(&x->srv->wheel, &x->timer);
	sqe = sqe_get(x->srv);
	io_uring_prep_cancel64(sqe, tagged(x, TAG_RECV), 0);
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_CANCEL));
	x->pending++;
}

void xfer_idle(struct xfer *x)
{
	if (x->ending && x->pending == 0)
		xfer_free(x);
}

void xfer_fail(struct xfer *x, enum tftp_error code, const char *why, bool tell)
{
	x->srv->st->failed++;
	xfer_log_end(x, false, why);
	if (tell) {
		x->clen = tftp_build_error(x->cnext, sizeof x->cnext, code, why);
		send_ctl(x);
	}
	xfer_end(x);
}

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
	pump(x);
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

