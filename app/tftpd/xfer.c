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
