/* relay.c -- see relay.h.  Needs Linux 6.0 (multishot recvmsg); 5.19 for
 * the provided buffer ring; 6.1 for DEFER_TASKRUN, without which it runs
 * all the same. */
#include "relay.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bufring.h"
#include "log.h"
#include "sockets.h"
#include "uring.h"

#define BGID 1        /* our one buffer group */
#define TICK_SECONDS 2

/* What a completion is about: the low 3 bits of its user_data.  A send
 * carries its output (bits 3-7) and buffer id (bits 8-23); the others a
 * pointer (8-byte aligned). */
enum tag {
	TAG_RECV = 1, /* multishot recvmsg of an input: a struct input */
	TAG_SEND,     /* send of a datagram to one output */
	TAG_CANCEL,   /* cancel of a retired input's receive: a struct input */
	TAG_WAKE,     /* read on the eventfd: commands queued */
	TAG_TICK,     /* the 2 s timeout */
};
#define TAG_MASK 7u

/* A rule's sockets as opened once.  An input whose interface was made
 * again is retired and a fresh one takes its place; both count into the
 * same rule. */
struct input {
	struct rule *rule;
	int fd;               /* -1 while it cannot be opened */
	int ifindex;          /* of the rule's dev when fd was opened */
	int err;              /* errno of its last failed open, reported once */
	bool armed;           /* its multishot receive is in the kernel */
	bool starved;         /* receive ended for want of buffers: re-arm */
	bool retired;         /* the rule is gone or reopened: freed once idle */
	unsigned pending;     /* SQEs of ours the kernel has not answered */
	uint32_t drops_seen;  /* the socket's SO_RXQ_OVFL count so far */
	struct msghdr msg;    /* the layout of each received buffer */
	int out_fd[RELAY_OUTPUTS_MAX];  /* connected; -1 while it cannot be opened */
	int out_err[RELAY_OUTPUTS_MAX]; /* errno of the last failed open */
	int out_ifindex[RELAY_OUTPUTS_MAX]; /* of its dev when opened; 0: no dev */
	struct input *next;
} __attribute__((aligned(8)));

/* A receive buffer in use: the input it came in on, its sends in flight. */
struct buf {
	struct input *in;
	unsigned refs;
};

enum command { CMD_START, CMD_REMOVE, CMD_STOP };

struct cmd {
	enum command what;
	struct rule *rule;
};

struct worker {
	unsigned index;
	const struct relay_config *cfg;
	pthread_t thread;
	int efd;              /* the control thread writes it after queueing */

	/* The worker thread's. */
	struct io_uring ring;
	struct bufring rb;    /* depth receive buffers */
	struct buf *bufs;     /* what each is doing */
	struct input *inputs; /* live and retired */
	uint64_t wake;
	struct __kernel_timespec tick;
	bool stopping;

	/* Shared, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cmd *queue;
	size_t queued, cap;
	bool ready;           /* the thread has set up (init is its result) */
	int init;
};

const char *rule_label(const struct rule *x, char buf[RULE_LABEL_MAX])
{
	unsigned line = atomic_load_explicit(&x->line, memory_order_relaxed);

	if (line)
		snprintf(buf, RULE_LABEL_MAX, "#%u %s (line %u)", x->id, x->name, line);
	else
		snprintf(buf, RULE_LABEL_MAX, "#%u %s (relayctl)", x->id, x->name);
	return buf;
}

static void set_error(struct rule *x, int err)
{
	atomic_store_explicit(&x->error, err, memory_order_relaxed);
}

static uint64_t tagged(void *p, enum tag t)
{
	return (uint64_t)(uintptr_t)p | t;
}

static struct io_uring_sqe *sqe_get(struct worker *w)
{
	return uring_sqe(&w->ring);
}

/* -- buffers ------------------------------------------------------------- */

static uint8_t *buf_addr(struct worker *w, unsigned bid)
{
	return bufring_addr(&w->rb, bid);
}

/* Back to the kernel at the next loop turn. */
static void buf_return(struct worker *w, unsigned bid)
{
	bufring_put(&w->rb, bid);
}

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

/* -- inputs -------------------------------------------------------------- */

static void arm_recv(struct worker *w, struct input *in)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_recvmsg_multishot(sqe, in->fd, &in->msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, tagged(in, TAG_RECV));
	in->armed = true;
	in->starved = false;
	in->pending++;
}

/* Report a failure once per cause, not on every retry. */
static bool first_failure(int *last, int err)
{
	bool first = *last != err;

	*last = err;
	return first;
}

static void output_open(struct worker *w, struct input *in, unsigned i)
{
	struct rule *x = in->rule;
	char what[SOCK_WHAT_MAX], text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

	in->out_fd[i] = sock_output(&x->r.out[i], w->cfg->sndbuf, what);
	in->out_ifindex[i] = x->r.out[i].dev[0] ? (int)if_nametoindex(x->r.out[i].dev) : 0;
	relay_output_text(&x->r.out[i], text);
	if (in->out_fd[i] >= 0) {
		if (in->out_err[i])
			log_info("%s: output %s is back", rule_label(x, label), text);
		in->out_err[i] = 0;
	} else if (first_failure(&in->out_err[i], errno)) {
		log_err("%s: output %s: unable to %s: %s; its datagrams are counted as no route, "
			"retried every %d s", rule_label(x, label), text, what, strerror(errno),
			TICK_SECONDS);
	}
}

/* Open the input and the outputs; a rule that cannot is retried at each
 * tick, and the others run. */
static void input_start(struct worker *w, struct input *in)
{
	struct rule *x = in->rule;
	char what[SOCK_WHAT_MAX], label[RULE_LABEL_MAX];

	in->fd = sock_input(&x->r, w->cfg->rcvbuf, what);
	if (in->fd < 0) {
		set_error(x, errno);
		if (first_failure(&in->err, errno))
			log_err("%s: unable to %s: %s; not relayed, retried every %d s",
				rule_label(x, label), what, strerror(errno), TICK_SECONDS);
		return;
	}
	in->err = 0;
	in->ifindex = (int)if_nametoindex(x->r.dev);
	in->drops_seen = 0;
	for (unsigned i = 0; i < x->r.nout; i++)
		if (in->out_fd[i] < 0)
			output_open(w, in, i);
	set_error(x, 0);
	log_info("%s: relaying to %u output%s (worker %u)", rule_label(x, label), x->r.nout,
		 x->r.nout > 1 ? "s" : "", w->index);
	arm_recv(w, in);
}

static struct input *input_new(struct rule *x)
{
	struct input *in = calloc(1, sizeof *in);

	if (!in) {
		log_errno("unable to allocate a rule's input");
		set_error(x, ENOMEM);
		return NULL;
	}
	in->rule = x;
	in->fd = -1;
	for (unsigned i = 0; i < RELAY_OUTPUTS_MAX; i++)
		in->out_fd[i] = -1;
	/* Each buffer: the recvmsg_out header, the SO_RXQ_OVFL cmsg, the
	 * datagram; no sender address (nothing needs it). */
	in->msg.msg_controllen = CMSG_SPACE(sizeof(uint32_t));
	x->refs++;
	return in;
}

static void rule_put(struct rule *x)
{
	if (--x->refs == 0)
		free(x);
}

static void input_free(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	for (unsigned i = 0; i < in->rule->r.nout; i++)
		if (in->out_fd[i] >= 0)
			close(in->out_fd[i]);
	rule_put(in->rule);
	free(in);
}

/* A retired input with nothing in the kernel: out of the list, freed. */
static void input_idle(struct worker *w, struct input *in)
{
	if (!in->retired || in->pending)
		return;
	for (struct input **p = &w->inputs; *p; p = &(*p)->next) {
		if (*p == in) {
			*p = in->next;
			break;
		}
	}
	input_free(in);
}

/* Cancel its receive; it is freed once the kernel has answered for every
 * SQE (its sends complete first). */
static void input_retire(struct worker *w, struct input *in)
{
	in->retired = true;
	if (in->armed) {
		struct io_uring_sqe *sqe = sqe_get(w);

		io_uring_prep_cancel64(sqe, tagged(in, TAG_RECV), 0);
		io_uring_sqe_set_data64(sqe, tagged(in, TAG_CANCEL));
		in->pending++;
	}
	input_idle(w, in);
}

static struct input *live_input(struct worker *w, const struct rule *x)
{
	for (struct input *in = w->inputs; in; in = in->next)
		if (in->rule == x && !in->retired)
			return in;
	return NULL;
}

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

/* The datagram in buffer bid, res bytes of it filled: one send per
 * output, all from the buffer. */
static void relay_datagram(struct worker *w, struct input *in, unsigned bid, int res)
{
	uint8_t *base = buf_addr(w, bid);
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(base, res, &in->msg);
	struct buf *b = &w->bufs[bid];
	struct rule *x = in->rule;
	void *payload;
	unsigned len;

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
	payload = io_uring_recvmsg_payload(o, &in->msg);
	len = io_uring_recvmsg_payload_length(o, res, &in->msg);
	counter_add(&x->packets, 1);
	counter_add(&x->bytes, len);
	b->in = in;
	b->refs = 0;
	for (unsigned i = 0; i < x->r.nout; i++) {
		struct io_uring_sqe *sqe;

		if (in->out_fd[i] < 0) {
			counter_add(&x->out[i].no_route, 1);
			continue;
		}
		sqe = sqe_get(w);
		io_uring_prep_send(sqe, in->out_fd[i], payload, len, 0);
		io_uring_sqe_set_data64(sqe, TAG_SEND | (uint64_t)i << 3 | (uint64_t)bid << 8);
		b->refs++;
		in->pending++;
	}
	if (!b->refs)
		buf_return(w, bid);
}

static bool is_no_route(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN || err == ENODEV ||
	       err == EADDRNOTAVAIL;
}

static void on_send(struct worker *w, uint64_t data, int res)
{
	unsigned i = (unsigned)(data >> 3) & 31, bid = (unsigned)(data >> 8) & 0xffff;
	struct buf *b = &w->bufs[bid];
	struct input *in = b->in;
	struct rule *x = in->rule;

	if (res >= 0) {
		counter_add(&x->out[i].packets, 1);
		counter_add(&x->out[i].bytes, (unsigned)res);
	} else {
		counter_add(is_no_route(-res) ? &x->out[i].no_route : &x->out[i].send_errors, 1);
		if (w->cfg->verbose) {
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

/* Returns the datagrams it relayed (0 or 1). */
static unsigned on_recv(struct worker *w, struct input *in, struct io_uring_cqe *cqe)
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

/* An input whose interface was deleted and made again (another ifindex)
 * receives nothing: a fresh input takes its place, counting into the
 * same rule. */
static void input_reopen(struct worker *w, struct input *in)
{
	struct input *fresh = input_new(in->rule);
	char label[RULE_LABEL_MAX];

	if (!fresh)
		return;
	log_warn("%s: interface %s changed; reopening", rule_label(in->rule, label),
		 in->rule->r.dev);
	input_retire(w, in);
	fresh->next = w->inputs;
	w->inputs = fresh;
	input_start(w, fresh);
}

/* An output that could not be opened is tried again; one whose interface
 * was deleted and made again (another ifindex; its socket is bound to the
 * old one) is opened anew.  Sends already queued on the old socket fail
 * and are counted. */
static void output_check(struct worker *w, struct input *in, unsigned i)
{
	const char *dev = in->rule->r.out[i].dev;

	if (in->out_fd[i] >= 0 && dev[0] && (int)if_nametoindex(dev) != in->out_ifindex[i]) {
		char text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

		relay_output_text(&in->rule->r.out[i], text);
		log_warn("%s: output %s: interface %s changed; reopening",
			 rule_label(in->rule, label), text, dev);
		close(in->out_fd[i]);
		in->out_fd[i] = -1;
	}
	if (in->out_fd[i] < 0)
		output_open(w, in, i);
}

static void on_tick(struct worker *w)
{
	struct input *next;

	for (struct input *in = w->inputs; in; in = next) {
		next = in->next; /* a reopen puts the fresh input first */
		if (in->retired)
			continue;
		if (in->fd < 0) {
			input_start(w, in);
			continue;
		}
		if ((int)if_nametoindex(in->rule->r.dev) != in->ifindex) {
			input_reopen(w, in);
			continue;
		}
		for (unsigned i = 0; i < in->rule->r.nout; i++)
			output_check(w, in, i);
		if (!in->armed && !in->starved)
			arm_recv(w, in);
	}
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
	void *p = (void *)(uintptr_t)(data & ~(uint64_t)TAG_MASK);

	switch ((enum tag)(data & TAG_MASK)) {
	case TAG_RECV:
		return on_recv(w, p, cqe);
	case TAG_SEND:
		on_send(w, data, cqe->res);
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
		on_tick(w);
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
	bufring_flush(&w->rb);
	if (!w->rb.free)
		return;
	for (struct input *in = w->inputs; in; in = in->next)
		if (in->starved && in->fd >= 0 && !in->armed && !in->retired)
			arm_recv(w, in);
}

static void run(struct worker *w)
{
	arm_wake(w);
	arm_tick(w);
	while (!w->stopping) {
		struct io_uring_cqe *cqe;
		unsigned relayed = 0;
		int r;

		refill(w);
		r = io_uring_submit_and_wait(&w->ring, 1);
		if (r < 0 && r != -EINTR && r != -EBUSY && r != -ETIME) {
			errno = -r;
			die_errno("worker %u: unable to wait for io_uring completions", w->index);
		}
		while (relayed < w->cfg->batch && !w->stopping &&
		       io_uring_peek_cqe(&w->ring, &cqe) == 0) {
			relayed += complete(w, cqe);
			io_uring_cqe_seen(&w->ring, cqe);
		}
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
	bufring_free(&w->rb, &w->ring, BGID);
	io_uring_queue_exit(&w->ring);
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
