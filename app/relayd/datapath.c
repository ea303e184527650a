/* SPDX-License-Identifier: MIT */
/* datapath.c -- a datagram's trip through a worker: see worker.h. */
#include "worker.h"

#include <errno.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* -- the datapath -------------------------------------------------------- */

static void count_drops(struct input *in, struct io_uring_recvmsg_out *o)
{
	for (struct cmsghdr *c = io_uring_recvmsg_cmsg_firsthdr(o, &in->msg); c;
	     c = io_uring_recvmsg_cmsg_nexthdr(o, &in->msg, c)) {
		uint32_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&n, CMSG_DATA(c), sizeof n);
		counter_add(&in->rule->no_buffer, n - in->drops_seen); /* a running count, wrapping */
		in->drops_seen = n;
	}
}

/* One send of buffer bid's datagram to output i; the buffer is held until
 * it completes. */
static void send_one(struct worker *w, struct input *in, unsigned i, unsigned bid,
		     const struct iovec *d)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_send(sqe, in->out_fd[i], d->iov_base, d->iov_len, 0);
	io_uring_sqe_set_data64(sqe, TAG_SEND | (uint64_t)i << LOOP_TAG_BITS | (uint64_t)bid << 8);
	w->bufs[bid].refs++;
	in->pending++;
}

/* Datagram d, in buffer bid, to every output one by one. */
static void send_each(struct worker *w, struct input *in, unsigned bid, const struct iovec *d)
{
	struct rule *x = in->rule;

	for (unsigned i = 0; i < x->r.nout; i++) {
		if (in->out_fd[i] < 0)
			counter_add(&x->out[i].no_route, 1);
		else
			send_one(w, in, i, bid, d);
	}
	if (!w->bufs[bid].refs)
		buf_return(w, bid);
}

static bool is_no_route(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN || err == ENODEV ||
	       err == EADDRNOTAVAIL;
}

/* -- GSO: runs ----------------------------------------------------------- */

static struct run *run_get(struct worker *w)
{
	struct run *r = w->runs_free;

	if (r) {
		w->runs_free = r->next;
		return r;
	}
	r = aligned_alloc(RUN_ALIGN, (sizeof *r + RUN_ALIGN - 1) & ~(size_t)(RUN_ALIGN - 1));
	if (r) {
		r->all = w->runs_all;
		w->runs_all = r;
	}
	return r;
}

static void run_put(struct worker *w, struct run *r)
{
	r->next = w->runs_free;
	w->runs_free = r;
}

/* One sendmsg of run r to output i: UDP_SEGMENT r->seg. */
static void send_run(struct worker *w, struct run *r, unsigned i)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_sendmsg(sqe, r->in->out_fd[i], &r->msg, 0);
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | TAG_GSO | (uint64_t)i << LOOP_TAG_BITS);
	for (unsigned k = 0; k < r->n; k++)
		w->bufs[r->bid[k]].refs++;
	r->sends++;
	r->in->pending++;
}

/* in's run to every output: one sendmsg to each that takes its segment
 * size, one send a datagram to the others; a run of one is one datagram. */
void run_flush(struct worker *w, struct input *in)
{
	struct run *r = in->run;
	struct rule *x = in->rule;
	struct cmsghdr *c;
	uint16_t seg = (uint16_t)r->seg;

	in->run = NULL;
	w->runs_open--;
	if (r->n == 1) {
		send_each(w, in, r->bid[0], &r->iov[0]);
		run_put(w, r);
		return;
	}
	r->msg = (struct msghdr){ .msg_iov = r->iov, .msg_iovlen = r->n,
				  .msg_control = r->control.buf,
				  .msg_controllen = CMSG_SPACE(sizeof(uint16_t)) };
	c = CMSG_FIRSTHDR(&r->msg);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof seg);
	memcpy(CMSG_DATA(c), &seg, sizeof seg);
	r->sends = 0;
	for (unsigned i = 0; i < x->r.nout; i++) {
		if (in->out_fd[i] < 0)
			counter_add(&x->out[i].no_route, r->n);
		else if (r->seg <= in->out_seg_max[i])
			send_run(w, r, i);
		else
			for (unsigned k = 0; k < r->n; k++)
				send_one(w, in, i, r->bid[k], &r->iov[k]);
	}
	for (unsigned k = 0; k < r->n; k++)
		if (!w->bufs[r->bid[k]].refs)
			buf_return(w, r->bid[k]);
	if (!r->sends)
		run_put(w, r);
}

/* Datagram d (in buffer bid) joins in's run, or starts one; false if no
 * run can be had (then it goes on its own).  A shorter datagram ends the
 * run, a longer one or a full run starts the next. */
static bool run_add(struct worker *w, struct input *in, unsigned bid, const struct iovec *d)
{
	struct run *r = in->run;
	unsigned len = (unsigned)d->iov_len;

	if (r && (len > r->seg || r->n == w->cfg->gso_segs || r->bytes + len > RUN_BYTES_MAX)) {
		run_flush(w, in);
		r = NULL;
	}
	if (!r) {
		if (!(r = run_get(w)))
			return false;
		r->in = in;
		r->n = r->bytes = 0;
		r->seg = len;
		in->run = r;
		w->runs_open++;
	}
	r->bid[r->n] = (uint16_t)bid;
	r->iov[r->n++] = *d;
	r->bytes += len;
	if (len < r->seg)
		run_flush(w, in);
	return true;
}

/* At the end of each loop turn. */
void runs_flush(struct worker *w)
{
	for (struct input *in = w->inputs; in && w->runs_open; in = in->next)
		if (in->run)
			run_flush(w, in);
}

/* Output i refused a GSO send: EMSGSIZE, its path MTU went down (read it
 * again; if that does not explain it, as below); EIO, its device cannot
 * checksum, so it cannot segment either, or EINVAL, a kernel without
 * UDP_SEGMENT: one send a datagram to it from now on, logged once. */
static void gso_refused(struct worker *w, struct input *in, unsigned i, unsigned seg, int err)
{
	char text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

	if (in->out_gso_refused[i] || in->out_fd[i] < 0)
		return;
	output_seg_max(w, in, i);
	if (err == EMSGSIZE && seg > in->out_seg_max[i])
		return;
	in->out_gso_refused[i] = true;
	output_seg_max(w, in, i);
	relay_output_text(&in->rule->r.out[i], text);
	log_warn("%s: output %s refuses UDP GSO (%s); sending it one datagram a send",
		 rule_label(in->rule, label), text, strerror(err));
}

void on_gso(struct worker *w, uint64_t data, int res)
{
	struct run *r = (struct run *)(uintptr_t)(data & ~(uint64_t)(RUN_ALIGN - 1));
	unsigned i = (unsigned)(data >> LOOP_TAG_BITS) & 31;
	struct input *in = r->in;
	struct rule *x = in->rule;

	if (res >= 0) {
		counter_add(&x->out[i].packets, r->n);
		counter_add(&x->out[i].bytes, (unsigned)res);
		counter_add(&x->out[i].gso_packets, r->n);
		counter_add(&x->out[i].gso_sends, 1);
	} else {
		/* All its datagrams are lost: each is counted. */
		counter_add(is_no_route(-res) ? &x->out[i].no_route : &x->out[i].send_errors, r->n);
		if (w->cfg->args.verbose) {
			char text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

			relay_output_text(&x->r.out[i], text);
			log_warn("%s: GSO send of %u datagrams to %s: %s", rule_label(x, label), r->n,
				 text, strerror(-res));
		}
		if (res == -EIO || res == -EINVAL || res == -EMSGSIZE)
			gso_refused(w, in, i, r->seg, -res);
	}
	in->pending--;
	for (unsigned k = 0; k < r->n; k++)
		if (--w->bufs[r->bid[k]].refs == 0)
			buf_return(w, r->bid[k]);
	if (--r->sends == 0)
		run_put(w, r);
	input_idle(w, in);
}

/* -- the datagram -------------------------------------------------------- */

/* The datagram in buffer bid, res bytes of it filled: to every output,
 * from the buffer; with GSO, in a run with the others of its size that
 * came this turn.  Either way each output gets them in the order they
 * came. */
static void relay_datagram(struct worker *w, struct input *in, unsigned bid, int res)
{
	uint8_t *base = bufring_addr(&w->rb, bid);
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(base, res, &in->msg);
	struct buf *b = &w->bufs[bid];
	struct rule *x = in->rule;
	struct iovec d;

	if (!o || in->retired) {
		buf_return(w, bid);
		return;
	}
	count_drops(in, o);
	/* Longer than -m: the buffer's slack may have held it, but -m is
	 * the promise. */
	if ((o->flags & MSG_TRUNC) || o->payloadlen > w->cfg->max_datagram) {
		counter_add(&x->truncated, 1);
		buf_return(w, bid);
		return;
	}
	d.iov_base = io_uring_recvmsg_payload(o, &in->msg);
	d.iov_len = io_uring_recvmsg_payload_length(o, res, &in->msg);
	counter_add(&x->packets, 1);
	counter_add(&x->bytes, d.iov_len);
	b->in = in;
	b->refs = 0;
	if (d.iov_len && d.iov_len <= in->seg_max && run_add(w, in, bid, &d))
		return;
	if (in->run)
		run_flush(w, in);
	send_each(w, in, bid, &d);
}

void on_send(struct worker *w, uint64_t data, int res)
{
	unsigned i = (unsigned)(data >> LOOP_TAG_BITS) & 31, bid = (unsigned)(data >> 8) & 0xffff;
	struct buf *b = &w->bufs[bid];
	struct input *in = b->in;
	struct rule *x = in->rule;

	if (res >= 0) {
		counter_add(&x->out[i].packets, 1);
		counter_add(&x->out[i].bytes, (unsigned)res);
	} else {
		counter_add(is_no_route(-res) ? &x->out[i].no_route : &x->out[i].send_errors, 1);
		if (w->cfg->args.verbose) {
			char text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

			relay_output_text(&x->r.out[i], text);
			log_warn("%s: send to %s: %s", rule_label(x, label), text, strerror(-res));
		}
	}
	in->pending--;
	if (--b->refs == 0)
		buf_return(w, bid);
	input_idle(w, in);
}

unsigned on_recv(struct worker *w, struct input *in, struct io_uring_cqe *cqe)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned n = 0;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		bufring_took(&w->rb);
		relay_datagram(w, in, cqe->flags >> IORING_CQE_BUFFER_SHIFT, cqe->res);
		n = 1;
	} else if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -ECANCELED) {
		char label[RULE_LABEL_MAX];

		log_err("%s: unable to receive: %s", rule_label(in->rule, label), strerror(-cqe->res));
	}
	if (!more) {
		/* The kernel ended the multishot receive: out of buffers (the
		 * loop re-arms it once some are back), or an error (the tick
		 * does), or a cancel. */
		in->armed = false;
		in->pending--;
		in->starved = !in->retired && (cqe->res >= 0 || cqe->res == -ENOBUFS);
		input_idle(w, in);
	}
	return n;
}
