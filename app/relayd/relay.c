/* relay.c -- see relay.h.  Needs Linux 6.0 (multishot recvmsg); 5.19 for
 * the provided buffer ring; 6.1 for DEFER_TASKRUN, without which it runs
 * all the same. */
#include "relay.h"

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "sockets.h"
#include "uring.h"

#define BGID 1        /* our one buffer group */
#define TICK_SECONDS 2

/* What a completion is about: the low 3 bits of its user_data.  A send
 * carries its output (bits 3-7) and buffer id (bits 8-23); the others a
 * pointer (8-byte aligned). */
enum tag {
	TAG_RECV = 1, /* multishot recvmsg of a rule's input: a struct rule */
	TAG_SEND,     /* send of a datagram to one output */
	TAG_CANCEL,   /* cancel of a removed rule's receive: a struct rule */
	TAG_SIGNAL,   /* read on the signalfd */
	TAG_TICK,     /* the 2 s timeout */
};
#define TAG_MASK 7u

struct output {
	int fd;               /* connected; -1 while it cannot be opened */
	int err;              /* errno of its last failed open, reported once */
	uint64_t packets, bytes, send_errors, no_route;
};

struct rule {
	struct relay_rule r;
	unsigned line;
	char name[RELAY_TEXT_MAX]; /* "eth0 239.1.1.1:5000" */
	int fd;               /* input; -1 while it cannot be opened */
	int ifindex;          /* of r.dev when fd was opened */
	int err;              /* errno of its last failed open, reported once */
	bool armed;           /* its multishot receive is in the kernel */
	bool starved;         /* receive ended for want of buffers: re-arm */
	bool removed;         /* no longer in the rules: freed once idle */
	unsigned pending;     /* SQEs of ours the kernel has not answered */
	uint32_t drops_seen;  /* the input's SO_RXQ_OVFL count so far */
	struct msghdr msg;    /* the layout of each received buffer */
	uint64_t packets, bytes, no_buffer, truncated;
	struct output out[RELAY_OUTPUTS_MAX];
	struct rule *next;
} __attribute__((aligned(8)));

/* A receive buffer in use: the rule it came in on, its sends in flight. */
struct buf {
	struct rule *rule;
	unsigned refs;
};

struct relay {
	const struct relay_config *cfg;
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	size_t br_bytes;
	uint8_t *mem;         /* depth buffers of buf_size bytes */
	size_t mem_bytes, buf_size;
	struct buf *bufs;
	unsigned returned;    /* buffers added to the ring since the last advance */
	unsigned free_bufs;
	struct rule *rules;   /* in file order */
	int sfd;
	struct signalfd_siginfo si;
	struct __kernel_timespec tick;
	bool stopping;
	struct relay_rules spare; /* a reload is read into it */
};

static uint64_t tagged(void *p, enum tag t)
{
	return (uint64_t)(uintptr_t)p | t;
}

static struct io_uring_sqe *sqe_get(struct relay *s)
{
	return uring_sqe(&s->ring);
}

/* -- buffers ------------------------------------------------------------- */

static uint8_t *buf_addr(struct relay *s, unsigned bid)
{
	return s->mem + (size_t)bid * s->buf_size;
}

/* Back to the kernel at the next loop turn. */
static void buf_return(struct relay *s, unsigned bid)
{
	io_uring_buf_ring_add(s->br, buf_addr(s, bid), (unsigned)s->buf_size, (unsigned short)bid,
			      io_uring_buf_ring_mask(s->cfg->depth), (int)s->returned++);
	s->free_bufs++;
}

/* liburing 2.3 has no io_uring_setup_buf_ring: the ring's memory is ours,
 * page-aligned, registered as buffer group BGID. */
static int buffers_init(struct relay *s)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned depth = s->cfg->depth;
	int r;

	s->buf_size = (sizeof(struct io_uring_recvmsg_out) + CMSG_SPACE(sizeof(uint32_t)) +
		       s->cfg->max_datagram + 63) & ~(size_t)63;
	s->br_bytes = depth * sizeof(struct io_uring_buf);
	s->mem_bytes = depth * s->buf_size;
	s->br = mmap(NULL, s->br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->mem = mmap(NULL, s->mem_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->bufs = calloc(depth, sizeof *s->bufs);
	if (s->br == MAP_FAILED || s->mem == MAP_FAILED || !s->bufs) {
		log_errno("unable to allocate %u receive buffers of %zu bytes", depth, s->buf_size);
		return -1;
	}
	io_uring_buf_ring_init(s->br);
	reg.ring_addr = (uint64_t)(uintptr_t)s->br;
	reg.ring_entries = depth;
	reg.bgid = BGID;
	r = io_uring_register_buf_ring(&s->ring, &reg, 0);
	if (r < 0) {
		errno = -r;
		log_errno("unable to register the buffer ring (Linux 5.19 or later)");
		return -1;
	}
	for (unsigned i = 0; i < depth; i++)
		buf_return(s, i);
	return 0;
}

/* -- rules --------------------------------------------------------------- */

static void arm_recv(struct relay *s, struct rule *x)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_recvmsg_multishot(sqe, x->fd, &x->msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, tagged(x, TAG_RECV));
	x->armed = true;
	x->starved = false;
	x->pending++;
}

/* Report a failure once per cause, not on every retry. */
static bool first_failure(int *last, int err)
{
	bool first = *last != err;

	*last = err;
	return first;
}

static void output_open(struct relay *s, struct rule *x, unsigned i)
{
	struct output *o = &x->out[i];
	char what[SOCK_WHAT_MAX], text[RELAY_TEXT_MAX];

	o->fd = sock_output(&x->r.out[i], s->cfg->sndbuf, what);
	relay_output_text(&x->r.out[i], text);
	if (o->fd >= 0) {
		if (o->err)
			log_info("%s (line %u): output %s is back", x->name, x->line, text);
		o->err = 0;
	} else if (first_failure(&o->err, errno)) {
		log_err("%s (line %u): output %s: unable to %s: %s; its datagrams are counted "
			"as no route, retried every %d s", x->name, x->line, text, what,
			strerror(errno), TICK_SECONDS);
	}
}

/* Open the input and the outputs; a rule that cannot is retried at each
 * tick, and the others run. */
static void rule_start(struct relay *s, struct rule *x)
{
	char what[SOCK_WHAT_MAX];

	x->fd = sock_input(&x->r, s->cfg->rcvbuf, what);
	if (x->fd < 0) {
		if (first_failure(&x->err, errno))
			log_err("%s (line %u): unable to %s: %s; not relayed, retried every %d s",
				x->name, x->line, what, strerror(errno), TICK_SECONDS);
		return;
	}
	x->err = 0;
	x->ifindex = (int)if_nametoindex(x->r.dev);
	x->drops_seen = 0;
	for (unsigned i = 0; i < x->r.nout; i++)
		if (x->out[i].fd < 0)
			output_open(s, x, i);
	log_info("%s (line %u): relaying to %u output%s", x->name, x->line, x->r.nout,
		 x->r.nout > 1 ? "s" : "");
	arm_recv(s, x);
}

static struct rule *rule_new(const struct relay_rule *r, unsigned line)
{
	struct rule *x = calloc(1, sizeof *x);

	if (!x) {
		log_errno("unable to allocate a rule");
		return NULL;
	}
	x->r = *r;
	x->line = line;
	x->fd = -1;
	relay_input_text(r, x->name);
	for (unsigned i = 0; i < RELAY_OUTPUTS_MAX; i++)
		x->out[i].fd = -1;
	/* Each buffer: the recvmsg_out header, the SO_RXQ_OVFL cmsg, the
	 * datagram; no sender address (nothing needs it). */
	x->msg.msg_controllen = CMSG_SPACE(sizeof(uint32_t));
	return x;
}

static void rule_free(struct rule *x)
{
	if (x->fd >= 0)
		close(x->fd);
	for (unsigned i = 0; i < x->r.nout; i++)
		if (x->out[i].fd >= 0)
			close(x->out[i].fd);
	free(x);
}

static void rule_idle(struct rule *x)
{
	if (x->removed && x->pending == 0)
		rule_free(x);
}

/* Out of the list already: cancel its receive, free it once the kernel
 * has answered for every SQE (its sends complete first). */
static void rule_remove(struct relay *s, struct rule *x)
{
	x->removed = true;
	if (x->armed) {
		struct io_uring_sqe *sqe = sqe_get(s);

		io_uring_prep_cancel64(sqe, tagged(x, TAG_RECV), 0);
		io_uring_sqe_set_data64(sqe, tagged(x, TAG_CANCEL));
		x->pending++;
	}
	rule_idle(x);
}

/* -- the datapath -------------------------------------------------------- */

static void count_drops(struct rule *x, struct io_uring_recvmsg_out *o)
{
	for (struct cmsghdr *c = io_uring_recvmsg_cmsg_firsthdr(o, &x->msg); c;
	     c = io_uring_recvmsg_cmsg_nexthdr(o, &x->msg, c)) {
		uint32_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&n, CMSG_DATA(c), sizeof n);
		x->no_buffer += n - x->drops_seen; /* a running count, wrapping */
		x->drops_seen = n;
	}
}

/* The datagram in buffer bid, res bytes of it filled: one send per
 * output, all from the buffer. */
static void relay_datagram(struct relay *s, struct rule *x, unsigned bid, int res)
{
	uint8_t *base = buf_addr(s, bid);
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(base, res, &x->msg);
	struct buf *b = &s->bufs[bid];
	void *payload;
	unsigned len;

	if (!o || x->removed) {
		buf_return(s, bid);
		return;
	}
	count_drops(x, o);
	/* Longer than -m: the buffer's slack may have held it, but -m is
	 * the promise. */
	if ((o->flags & MSG_TRUNC) || o->payloadlen > s->cfg->max_datagram) {
		x->truncated++;
		buf_return(s, bid);
		return;
	}
	payload = io_uring_recvmsg_payload(o, &x->msg);
	len = io_uring_recvmsg_payload_length(o, res, &x->msg);
	x->packets++;
	x->bytes += len;
	b->rule = x;
	b->refs = 0;
	for (unsigned i = 0; i < x->r.nout; i++) {
		struct io_uring_sqe *sqe;

		if (x->out[i].fd < 0) {
			x->out[i].no_route++;
			continue;
		}
		sqe = sqe_get(s);
		io_uring_prep_send(sqe, x->out[i].fd, payload, len, 0);
		io_uring_sqe_set_data64(sqe, TAG_SEND | (uint64_t)i << 3 | (uint64_t)bid << 8);
		b->refs++;
		x->pending++;
	}
	if (!b->refs)
		buf_return(s, bid);
}

static bool is_no_route(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN || err == ENODEV ||
	       err == EADDRNOTAVAIL;
}

static void on_send(struct relay *s, uint64_t data, int res)
{
	unsigned i = (unsigned)(data >> 3) & 31, bid = (unsigned)(data >> 8) & 0xffff;
	struct buf *b = &s->bufs[bid];
	struct rule *x = b->rule;
	struct output *o = &x->out[i];

	if (res >= 0) {
		o->packets++;
		o->bytes += (unsigned)res;
	} else {
		if (is_no_route(-res))
			o->no_route++;
		else
			o->send_errors++;
		if (s->cfg->verbose) {
			char text[RELAY_TEXT_MAX];

			relay_output_text(&x->r.out[i], text);
			log_warn("%s (line %u): send to %s: %s", x->name, x->line, text,
				 strerror(-res));
		}
	}
	x->pending--;
	if (--b->refs == 0)
		buf_return(s, bid);
	rule_idle(x);
}

/* Returns the datagrams it relayed (0 or 1). */
static unsigned on_recv(struct relay *s, struct rule *x, struct io_uring_cqe *cqe)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned n = 0;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		s->free_bufs--;
		relay_datagram(s, x, cqe->flags >> IORING_CQE_BUFFER_SHIFT, cqe->res);
		n = 1;
	} else if (cqe->res < 0 && cqe->res != -ENOBUFS && cqe->res != -ECANCELED) {
		log_err("%s (line %u): unable to receive: %s", x->name, x->line,
			strerror(-cqe->res));
	}
	if (!more) {
		/* The kernel ended the multishot receive: out of buffers (the
		 * loop re-arms it once some are back), or an error (the tick
		 * does), or a cancel. */
		x->armed = false;
		x->pending--;
		x->starved = !x->removed && (cqe->res >= 0 || cqe->res == -ENOBUFS);
		rule_idle(x);
	}
	return n;
}

/* -- signals, reload, counters ------------------------------------------- */

static void log_stats(const struct relay *s)
{
	for (const struct rule *x = s->rules; x; x = x->next) {
		log_info("stats: %s (line %u): %llu packets, %llu bytes in; dropped: %llu no "
			 "buffer, %llu truncated%s", x->name, x->line,
			 (unsigned long long)x->packets, (unsigned long long)x->bytes,
			 (unsigned long long)x->no_buffer, (unsigned long long)x->truncated,
			 x->fd < 0 ? "; not running" : "");
		for (unsigned i = 0; i < x->r.nout; i++) {
			const struct output *o = &x->out[i];
			char text[RELAY_TEXT_MAX];

			relay_output_text(&x->r.out[i], text);
			log_info("stats:   to %s: %llu packets, %llu bytes; dropped: %llu send "
				 "error, %llu no route", text, (unsigned long long)o->packets,
				 (unsigned long long)o->bytes, (unsigned long long)o->send_errors,
				 (unsigned long long)o->no_route);
		}
	}
}

static void log_running(const struct relay *s)
{
	unsigned n = 0, up = 0;

	for (const struct rule *x = s->rules; x; x = x->next, n++)
		up += x->fd >= 0;
	log_info("%u of %u rules running", up, n);
}

/* Unchanged rules keep their sockets, receive and counters; the others
 * go, the new ones start.  A bad file changes nothing. */
static void reload(struct relay *s)
{
	struct rule *old = s->rules, *head = NULL, **tail = &head;
	unsigned kept = 0, added = 0, removed = 0;

	if (rules_load(s->cfg->conf_file, &s->spare) < 0) {
		log_err("SIGHUP: %s not loaded; the running rules stay in force", s->cfg->conf_file);
		return;
	}
	for (size_t i = 0; i < s->spare.n; i++) {
		struct rule **p = &old, *x;

		while (*p && !relay_rule_equal(&(*p)->r, &s->spare.rule[i]))
			p = &(*p)->next;
		if (*p) {
			x = *p;
			*p = x->next;
			x->line = s->spare.line[i];
			kept++;
		} else if ((x = rule_new(&s->spare.rule[i], s->spare.line[i]))) {
			added++;
		} else {
			continue;
		}
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	while (old) {
		struct rule *x = old;

		old = x->next;
		removed++;
		rule_remove(s, x);
	}
	s->rules = head;
	for (struct rule *x = s->rules; x; x = x->next)
		if (x->fd < 0 && !x->err)
			rule_start(s, x);
	log_info("SIGHUP: %s reloaded: %u rules kept, %u added, %u removed", s->cfg->conf_file,
		 kept, added, removed);
	log_running(s);
}

/* An input whose interface was deleted and made again (another ifindex)
 * receives nothing: a fresh rule takes its place, counters and all. */
static struct rule *rule_reopen(struct relay *s, struct rule *x)
{
	struct rule *y = rule_new(&x->r, x->line);

	if (!y)
		return x;
	memcpy(y, x, offsetof(struct rule, next));
	y->fd = -1;
	y->armed = y->starved = false;
	y->pending = 0;
	for (unsigned i = 0; i < RELAY_OUTPUTS_MAX; i++)
		y->out[i].fd = -1;
	y->next = x->next;
	log_warn("%s (line %u): interface %s changed; reopening", x->name, x->line, x->r.dev);
	rule_remove(s, x);
	rule_start(s, y);
	return y;
}

static void on_tick(struct relay *s)
{
	for (struct rule **p = &s->rules; *p; p = &(*p)->next) {
		struct rule *x = *p;

		if (x->fd < 0) {
			rule_start(s, x);
			continue;
		}
		if ((int)if_nametoindex(x->r.dev) != x->ifindex) {
			*p = rule_reopen(s, x);
			continue;
		}
		for (unsigned i = 0; i < x->r.nout; i++)
			if (x->out[i].fd < 0)
				output_open(s, x, i);
		if (!x->armed && !x->starved)
			arm_recv(s, x);
	}
}

static void arm_signal(struct relay *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_read(sqe, s->sfd, &s->si, sizeof s->si, 0);
	io_uring_sqe_set_data64(sqe, TAG_SIGNAL);
}

static void arm_tick(struct relay *s)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	s->tick = (struct __kernel_timespec){ .tv_sec = TICK_SECONDS };
	io_uring_prep_timeout(sqe, &s->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TICK);
}

static void on_signal(struct relay *s, int res)
{
	if (res == (int)sizeof s->si) {
		switch (s->si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping", strsignal((int)s->si.ssi_signo));
			s->stopping = true;
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

/* -- the loop ------------------------------------------------------------ */

/* Returns the datagrams relayed (0 or 1). */
static unsigned complete(struct relay *s, struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	void *p = (void *)(uintptr_t)(data & ~(uint64_t)TAG_MASK);

	switch ((enum tag)(data & TAG_MASK)) {
	case TAG_RECV:
		return on_recv(s, p, cqe);
	case TAG_SEND:
		on_send(s, data, cqe->res);
		break;
	case TAG_CANCEL: {
		struct rule *x = p;

		x->pending--;
		rule_idle(x);
		break;
	}
	case TAG_SIGNAL:
		on_signal(s, cqe->res);
		break;
	case TAG_TICK:
		on_tick(s);
		arm_tick(s);
		break;
	}
	return 0;
}

static int ring_init(struct relay *s)
{
	/* A CQ large enough for every buffer's sends to every output. */
	unsigned cq = s->cfg->depth * 16 < 65536 ? s->cfg->depth * 16 : 65536;
	int r = uring_init(&s->ring, s->cfg->depth, cq);

	if (r < 0) {
		errno = -r;
		log_errno("unable to set up io_uring");
	}
	return r;
}

/* Before each wait: buffers back to the kernel, starved receives re-armed. */
static void refill(struct relay *s)
{
	if (s->returned) {
		io_uring_buf_ring_advance(s->br, (int)s->returned);
		s->returned = 0;
	}
	if (!s->free_bufs)
		return;
	for (struct rule *x = s->rules; x; x = x->next)
		if (x->starved && x->fd >= 0 && !x->armed)
			arm_recv(s, x);
}

static void relay_free(struct relay *s)
{
	while (s->rules) {
		struct rule *x = s->rules;

		s->rules = x->next;
		rule_free(x);
	}
	io_uring_queue_exit(&s->ring);
	if (s->br && s->br != MAP_FAILED)
		munmap(s->br, s->br_bytes);
	if (s->mem && s->mem != MAP_FAILED)
		munmap(s->mem, s->mem_bytes);
	free(s->bufs);
}

int relay_run(const struct relay_config *cfg, const struct relay_rules *rules, int sfd)
{
	static struct relay relay; /* the spare rules are big: not on the stack */
	struct relay *s = &relay;
	struct rule **tail = &s->rules;
	int r;

	s->cfg = cfg;
	s->sfd = sfd;
	if (ring_init(s) < 0)
		return EXIT_SYSCALL;
	if (buffers_init(s) < 0) {
		relay_free(s);
		return EXIT_SYSCALL;
	}
	for (size_t i = 0; i < rules->n; i++) {
		struct rule *x = rule_new(&rules->rule[i], rules->line[i]);

		if (!x)
			continue;
		*tail = x;
		tail = &x->next;
		rule_start(s, x);
	}
	log_running(s);
	arm_signal(s);
	arm_tick(s);
	while (!s->stopping) {
		struct io_uring_cqe *cqe;
		unsigned relayed = 0;

		refill(s);
		r = io_uring_submit_and_wait(&s->ring, 1);
		if (r < 0 && r != -EINTR && r != -EBUSY && r != -ETIME) {
			errno = -r;
			log_errno("unable to wait for io_uring completions");
			relay_free(s);
			return EXIT_SYSCALL;
		}
		while (relayed < cfg->batch && !s->stopping && io_uring_peek_cqe(&s->ring, &cqe) == 0) {
			relayed += complete(s, cqe);
			io_uring_cqe_seen(&s->ring, cqe);
		}
	}
	log_stats(s);
	relay_free(s);
	return 0;
}
