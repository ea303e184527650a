/* SPDX-License-Identifier: MIT */
/* loop.c -- tftpd's loop, server.h's server_run (its other files: xfer.h). */
#include "xfer.h"

#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

/* Coalescing asks for at most this many packets more. */
#define COALESCE_MAX 1024
/* Busy polling (-Q) only while this few transfers run: more, and the
 * answers come in faster than a wakeup costs anyway. */
#define POLL_MAX 4

static void arm_request(struct server *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	s->liov = (struct iovec){ s->lbuf, sizeof s->lbuf };
	s->lmsg = (struct msghdr){ .msg_name = &s->lpeer, .msg_namelen = sizeof s->lpeer,
				   .msg_iov = &s->liov, .msg_iovlen = 1,
				   .msg_control = s->lctl, .msg_controllen = sizeof s->lctl };
	io_uring_prep_recvmsg(sqe, s->fd, &s->lmsg, 0);
	io_uring_sqe_set_data64(sqe, tagged(s, TAG_SERVER));
}

static void arm_signal(struct server *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_read(sqe, s->sfd, &s->si, sizeof s->si, 0);
	io_uring_sqe_set_data64(sqe, tagged(&s->si, TAG_SERVER));
}

/* -- the loop ---------------------------------------------------------- */

/* SIGUSR1's lines; a cause array a line a cause that counted, as pxed's
 * server.c does (the shape is alike, the names differ). */
static void log_stats(const struct server *s)
{
	const struct stats *st = s->st;
	uint64_t bad = 0, path = 0;

	for (int i = 0; i < TFTP_CAUSE_COUNT; i++)
		bad += st->bad_packet[i];
	for (int i = 0; i < PATH_CAUSE_COUNT; i++)
		path += st->bad_path[i];
	log_info("stats: %u transfers running, %u files mapped; %" PRIu64 " requests (%" PRIu64
		 " RRQ, %" PRIu64 " WRQ), %" PRIu64 " completed, %" PRIu64 " failed (%" PRIu64
		 " timed out, %" PRIu64 " ended by the client), %" PRIu64 " UEFI size probes",
		 s->nxfers, files_count(), st->requests, st->rrq, st->wrq, st->completed,
		 st->failed, st->timeouts, st->client_errors, st->uefi_probes);
	log_info("stats: %" PRIu64 " bytes sent, %" PRIu64 " received, %" PRIu64 " blocks "
		 "retransmitted, %" PRIu64 " send errors; %" PRIu64 " not found, %" PRIu64
		 " denied, %" PRIu64 " busy, %" PRIu64 " duplicate requests, %" PRIu64
		 " wrong TID", st->bytes_sent, st->bytes_received, st->retransmits,
		 st->send_errors, st->not_found, st->denied, st->busy, st->dup_requests,
		 st->wrong_tid);
	log_info("stats: %" PRIu64 " bad packets, %" PRIu64 " bad filenames; receive buffers "
		 "%u of %u free, %" PRIu64 " times all full; %" PRIu64 " waits coalesced; %" PRIu64
		 " answers polled for, %" PRIu64 " polls gave up", bad, path, s->rb.free,
		 s->rb.count, st->recv_starved, s->turn.coalesced, s->turn.polled,
		 s->turn.poll_slept);
	log_info("stats: %" PRIu64 " lockstep blocks sent with no completion; %" PRIu64
		 " transfers on fixed files, %u of %u slots free; %" PRIu64 " reads ahead",
		 st->quick_sends, st->fixed, s->nfree, s->nfixed, st->reads_ahead);
	for (int i = 1; i < TFTP_CAUSE_COUNT; i++)
		if (st->bad_packet[i])
			log_info("stats:   %llu %s", (unsigned long long)st->bad_packet[i],
				 tftp_cause_message((enum tftp_cause)i));
	for (int i = 1; i < PATH_CAUSE_COUNT; i++)
		if (st->bad_path[i])
			log_info("stats:   %llu %s", (unsigned long long)st->bad_path[i],
				 path_cause_message((enum path_cause)i));
}

static void reload(struct server *s)
{
	struct remap_rules *r;

	if (!s->cfg->remap_file) {
		log_info("SIGHUP: no remap file to reload");
		return;
	}
	/* logs every bad line */
	r = remap_load_at(s->cfg->remap_dir, s->cfg->remap_name, s->cfg->remap_file);
	if (!r) {
		log_err("SIGHUP: %s not loaded; the running rules stay in force",
			s->cfg->remap_file);
		return;
	}
	remap_free(s->cfg->remap);
	s->cfg->remap = r;
	log_info("SIGHUP: %s reloaded", s->cfg->remap_file);
}

static void on_signal(struct server *s, int res)
{
	if (res == (int)sizeof s->si) {
		for (unsigned i = 0; i < s->cfg->nworkers; i++)
			kill(s->cfg->workers[i], (int)s->si.ssi_signo);
		switch (s->si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping; %u transfer(s) cut short",
				 strsignal((int)s->si.ssi_signo), s->nxfers);
			s->stopping = true;
			for (struct xfer *x = s->xfers; x; x = x->next)
				if (!x->ending)
					xfer_fail(x, TFTP_EUNDEF, "server shutting down", true);
			break;
		case SIGHUP:
			reload(s);
			break;
		case SIGUSR1:
			log_stats(s);
			break;
		}
	}
	arm_signal(s);
}

static void complete(struct server *s, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	enum tag t = (enum tag)tag_of(data);
	void *p = tag_ptr(data);
	int res = cqe->res;

	send_answered(s, t, p);
	switch (t) {
	case TAG_SERVER:
		if (p == &s->si) {
			on_signal(s, res);
			break;
		}
		if (res >= 0)
			on_request(s, (size_t)res, s->lmsg.msg_flags & MSG_TRUNC);
		else if (res != -EINTR && res != -EAGAIN)
			log_err("unable to receive a request: %s", strerror(-res));
		arm_request(s);
		break;
	case TAG_RECV: {
		struct xfer *x = p;

		if (x->put)
			on_recv_one(x, res);
		else
			on_recv_ring(x, cqe);
		break;
	}
	case TAG_SEND:
		if (p)
			on_block_sent(p, res);
		else /* send_quick's: the transfer's timeout sends it again */
			s->st->send_errors++;
		break;
	case TAG_CTL:
		on_ctl_sent(p, res);
		break;
	case TAG_CANCEL:
		on_cancelled(p);
		break;
	case TAG_REPLY:
		((struct reply *)p)->busy = false;
		break;
	case TAG_READ:
		on_read(p, res);
		break;
	}
}

/* Before each wait: ring buffers back to the kernel, and the receives
 * that ran out of them armed again. */
static void refill(struct server *s)
{
	if (!bufring_refill(&s->rb) || !s->starved)
		return;
	for (struct xfer *x = s->xfers; x && s->starved; x = x->next)
		if (x->starved) {
			x->starved = false;
			s->starved--;
			if (!x->ending)
				arm_recv(x);
		}
}

/* Submit what this turn queued and wait (turn.h).  A lone UDP packet's
 * send completes as it is submitted, so the wait asks for the completions
 * of those not answered yet (s->sends) and one more: it returns with the
 * next client packet.  After a busy turn it coalesces for as many packets
 * as that turn had (the answers to what it sent); otherwise, while at
 * most POLL_MAX transfers run, it may first poll.  wait_ms: the timer
 * wheel's, or -1. */
static int wait_turn(struct server *s, int wait_ms)
{
	unsigned more = s->packets > 1 ? (s->packets < COALESCE_MAX ? s->packets : COALESCE_MAX) : 0;
	bool may_poll = s->nxfers && s->nxfers <= POLL_MAX;
	uint64_t gave_up = s->turn.poll_slept, answered = s->turn.polled;
	int r;

	if (may_poll && s->poll_skip) {
		s->poll_skip--;
		may_poll = false;
	}
	r = turn_wait(&s->turn, &s->ring, s->sends, more, wait_ms < 0 ? -1 : wait_ms * 1000LL,
		      may_poll);
	poll_backoff(&s->poll_backoff, &s->poll_skip, s->turn.poll_slept > gave_up,
		     s->turn.polled > answered);
	return r;
}

void poll_backoff(unsigned *backoff, unsigned *skip, bool gave_up, bool answered)
{
	if (gave_up) {
		*backoff = *backoff ? *backoff * 2 : 1;
		if (*backoff > POLL_BACKOFF_MAX)
			*backoff = POLL_BACKOFF_MAX;
		*skip = *backoff;
	} else if (answered) {
		*backoff = 0;
	}
}

/* Ring buffers: one per transfer that may have an ACK waiting in the same
 * loop turn, a power of 2 from 256 to 4096 (576 bytes each). */
static unsigned recv_buffers(const struct config *cfg)
{
	unsigned n = 256;

	while (n < cfg->max_transfers && n < 4096)
		n *= 2;
	return n;
}

int server_run(struct config *cfg, int fd, int family, int sfd)
{
	static struct server srv; /* big (receive buffer, reply slots): not on the stack */
	struct server *s = &srv;
	int r;

	s->cfg = cfg;
	s->st = cfg->st;
	s->fd = fd;
	s->family = family;
	s->sfd = sfd;
	s->now = clock_ms();
	s->turn = turn_new(cfg->coalesce_us, cfg->poll_us);
	wheel_init(&s->wheel, s->now);
	srandom((unsigned)clock_ms() ^ (unsigned)getpid());
	/* -Q: the kernel flags the ring when work waits (turn_poll) */
	if ((r = uring_init_flags(&s->ring, s->cfg->ring_entries, s->cfg->ring_entries * 4,
				  cfg->poll_us ? IORING_SETUP_TASKRUN_FLAG : 0)) < 0) {
		errno = -r;
		log_errno("unable to set up io_uring");
		return EXIT_SYSCALL;
	}
	if ((r = bufring_init(&s->rb, &s->ring, BGID, recv_buffers(cfg), RECV_BUF_SIZE)) < 0) {
		errno = -r;
		log_errno("unable to set up %u receive buffers (Linux 5.19 or later)",
			  recv_buffers(cfg));
		return EXIT_SYSCALL;
	}
	fixed_init(s);
	s->mmsg.msg_namelen = sizeof(struct sockaddr_in6);
	arm_request(s);
	arm_signal(s);
	while (!(s->stopping && s->nxfers == 0)) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		s->now = clock_ms();
		wheel_expire(&s->wheel, s->now, on_timer, s);
		refill(s);
		r = wait_turn(s, wheel_next(&s->wheel, s->now));
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY) {
			errno = -r;
			log_errno("unable to wait for io_uring completions");
			return EXIT_SYSCALL;
		}
		s->now = clock_ms();
		s->packets = 0;
		io_uring_for_each_cqe(&s->ring, head, cqe) {
			complete(s, cqe);
			n++;
		}
		io_uring_cq_advance(&s->ring, n);
		turn_done(&s->turn, s->packets);
	}
	log_stats(s);
	bufring_free(&s->rb, &s->ring, BGID);
	uring_exit(&s->ring);
	free(s->free_fixed);
	/* the worker's end: all it holds given back (LeakSanitizer's exit in
	 * the host build) */
	remap_free(s->cfg->remap);
	s->cfg->remap = NULL;
	journal_close(s->cfg->journal);
	s->cfg->journal = NULL;
	return 0;
}
