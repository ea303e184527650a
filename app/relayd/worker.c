/* SPDX-License-Identifier: MIT */
/* worker.c -- see relay.h (its other files: worker.h).  Needs Linux 6.0 (multishot recvmsg); 5.19 for
 * the provided buffer ring; 6.1 for DEFER_TASKRUN, without which it runs
 * all the same. */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "turn.h"

/* depth buffers for the largest datagram, laid out as input_new says. */
static int buffers_init(struct worker *w)
{
	unsigned depth = w->cfg->depth;
	size_t size = (sizeof(struct io_uring_recvmsg_out) + CMSG_SPACE(sizeof(uint32_t)) +
		       w->cfg->max_datagram + 63) & ~(size_t)63;
	int r;

	if (!(w->bufs = calloc(depth, sizeof *w->bufs))) {
		log_errno("worker %u: unable to allocate %u receive buffers", w->index, depth);
		return -1;
	}
	if ((r = bufring_init(&w->rb, &w->ring, BGID, depth, size)) < 0) {
		errno = -r;
		log_errno("worker %u: unable to set up %u receive buffers of %zu bytes "
			  "(Linux 5.19 or later)", w->index, depth, size);
		return -1;
	}
	return 0;
}

/* -- commands, the tick -------------------------------------------------- */

static void start_rule(struct worker *w, struct rule *x)
{
	struct input *in = input_new(x);

	if (!in)
		return;
	in->next = w->inputs;
	w->inputs = in;
	input_start(w, in);
}

/* The control thread's reference goes; the input follows once idle. */
static void remove_rule(struct worker *w, struct rule *x)
{
	struct input *in = live_input(w, x);

	if (in && in->run)
		run_flush(w, in); /* what came before the removal goes out */
	if (in)
		input_retire(w, in);
	rule_put(x);
}

static void arm_wake(struct worker *w)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_read(sqe, w->efd, &w->wake, sizeof w->wake, 0);
	io_uring_sqe_set_data64(sqe, TAG_WAKE);
}

static void on_wake(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->queued; i++) {
		struct cmd *c = &w->queue[i];

		switch (c->what) {
		case CMD_START:
			start_rule(w, c->rule);
			break;
		case CMD_REMOVE:
			remove_rule(w, c->rule);
			break;
		case CMD_STOP:
			w->stopping = true;
			break;
		}
	}
	w->queued = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (!w->stopping)
		arm_wake(w);
}

static void arm_tick(struct worker *w)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	w->tick = (struct __kernel_timespec){ .tv_sec = TICK_SECONDS };
	io_uring_prep_timeout(sqe, &w->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TICK);
}

/* -- the loop ------------------------------------------------------------ */

/* Returns the datagrams relayed (0 or 1). */
static unsigned complete(struct worker *w, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	void *p = tag_ptr(data);

	switch ((enum tag)tag_of(data)) {
	case TAG_RECV:
		return on_recv(w, p, cqe);
	case TAG_SEND:
		on_send(w, data, cqe->res);
		break;
	case TAG_GSO:
		on_gso(w, data, cqe->res);
		break;
	case TAG_CANCEL: {
		struct input *in = p;

		in->pending--;
		input_idle(w, in);
		break;
	}
	case TAG_WAKE:
		on_wake(w);
		break;
	case TAG_TICK:
		runs_flush(w); /* a reopen retires an input: its run goes out first */
		inputs_tick(w);
		arm_tick(w);
		break;
	}
	return 0;
}

static int ring_init(struct worker *w)
{
	/* A CQ large enough for every buffer's sends to every output. */
	unsigned cq = w->cfg->depth * 16 < 65536 ? w->cfg->depth * 16 : 65536;
	int r = uring_init(&w->ring, w->cfg->depth, cq);

	if (r < 0) {
		errno = -r;
		log_errno("worker %u: unable to set up io_uring", w->index);
	}
	return r;
}

/* Before each wait: buffers back to the kernel, starved receives re-armed. */
static void refill(struct worker *w)
{
	if (!bufring_refill(&w->rb))
		return;
	for (struct input *in = w->inputs; in; in = in->next)
		if (in->starved && in->fd >= 0 && !in->armed && !in->retired)
			arm_recv(w, in);
}

/* Wait for completions, submitting what is queued (turn.h).  After a busy
 * turn (more than one datagram relayed: they come faster than one a
 * wakeup), coalesce for a batch, so that the next turn relays more at
 * once (longer GSO runs, fewer sends, fewer wakeups of this thread and of
 * the CPUs the outputs' packets go to). */
static int wait_turn(struct worker *w, bool busy)
{
	return turn_wait(&w->turn, &w->ring, 0, busy ? w->cfg->batch : 0, -1, false);
}

static void run(struct worker *w)
{
	bool busy = false;

	w->turn = turn_new(w->cfg->coalesce_us, 0);
	arm_wake(w);
	arm_tick(w);
	while (!w->stopping) {
		struct io_uring_cqe *cqe;
		unsigned relayed = 0;
		int r;

		refill(w);
		r = wait_turn(w, busy);
		if (r < 0 && r != -EINTR && r != -EBUSY && r != -ETIME) {
			errno = -r;
			die_errno("worker %u: unable to wait for io_uring completions", w->index);
		}
		while (relayed < w->cfg->batch && !w->stopping &&
		       io_uring_peek_cqe(&w->ring, &cqe) == 0) {
			relayed += complete(w, cqe);
			io_uring_cqe_seen(&w->ring, cqe);
		}
		runs_flush(w);
		busy = relayed > 1;
	}
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	/* The ring is made here: SINGLE_ISSUER ties it to this thread. */
	int r = ring_init(w);

	if (r == 0 && (r = buffers_init(w)) < 0)
		io_uring_queue_exit(&w->ring);
	pthread_mutex_lock(&w->lock);
	w->init = r;
	w->ready = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (r < 0)
		return NULL;
	run(w);
	while (w->inputs) {
		struct input *in = w->inputs;

		w->inputs = in->next;
		input_free(in);
	}
	while (w->runs_all) {
		struct run *r = w->runs_all;

		w->runs_all = r->all;
		free(r);
	}
	bufring_free(&w->rb, &w->ring, BGID);
	uring_exit(&w->ring);
	return NULL;
}

static void worker_free(struct worker *w)
{
	free(w->bufs);
	free(w->queue);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

struct worker *worker_new(unsigned index, const struct relay_config *cfg)
{
	struct worker *w = calloc(1, sizeof *w);
	int r;

	if (!w) {
		log_errno("unable to allocate worker %u", index);
		return NULL;
	}
	w->index = index;
	w->cfg = cfg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC);
	if (w->efd < 0) {
		log_errno("worker %u: unable to create an eventfd", index);
		worker_free(w);
		return NULL;
	}
	r = pthread_create(&w->thread, NULL, thread_main, w);
	if (r) {
		errno = r;
		log_errno("unable to start worker %u", index);
		worker_free(w);
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->ready)
		pthread_cond_wait(&w->cond, &w->lock);
	r = w->init;
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		pthread_join(w->thread, NULL);
		worker_free(w);
		return NULL;
	}
	return w;
}

static void post(struct worker *w, enum command what, struct rule *x)
{
	pthread_mutex_lock(&w->lock);
	if (w->queued == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct cmd *q = realloc(w->queue, cap * sizeof *q);

		if (!q)
			die_errno("unable to queue a command for worker %u", w->index);
		w->queue = q;
		w->cap = cap;
	}
	w->queue[w->queued++] = (struct cmd){ what, x };
	pthread_mutex_unlock(&w->lock);
}

void worker_start_rule(struct worker *w, struct rule *x)
{
	x->worker = w->index;
	x->refs = 1; /* the control thread's, until it posts the removal */
	set_error(x, EINPROGRESS);
	post(w, CMD_START, x);
}

void worker_remove_rule(struct worker *w, struct rule *x)
{
	post(w, CMD_REMOVE, x);
}

void worker_sync(struct worker *w)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	if (w->queued) {
		if (write(w->efd, &one, sizeof one) != sizeof one)
			die_errno("unable to wake worker %u", w->index);
		while (w->queued)
			pthread_cond_wait(&w->cond, &w->lock);
	}
	pthread_mutex_unlock(&w->lock);
}

void worker_stop(struct worker *w)
{
	post(w, CMD_STOP, NULL);
	worker_sync(w);
	pthread_join(w->thread, NULL);
	worker_free(w);
}