/* relay.c -- see relay.h.  Needs Linux 6.0 (multishot recvmsg); 5.19 for
 * the provided buffer ring; 6.1 for DEFER_TASKRUN, without which it runs
 * all the same. */
#include "relay.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bufring.h"
#include "log.h"
#include "sockets.h"
#include "uring.h"

#define BGID 1        /* our one buffer group */
#define TICK_SECONDS 2

/* What a completion is about: the low 3 bits of its user_data.  A send
 * carries its output (bits 3-7) and buffer id (bits 8-23), a GSO send its
 * output (bits 3-7) and its run (a struct run: RUN_ALIGN-aligned); the
 * others a pointer (8-byte aligned). */
enum tag {
	TAG_RECV = 1, /* multishot recvmsg of an input: a struct input */
	TAG_SEND,     /* send of a datagram to one output */
	TAG_CANCEL,   /* cancel of a retired input's receive: a struct input */
	TAG_WAKE,     /* read on the eventfd: commands queued */
	TAG_TICK,     /* the 2 s timeout */
	TAG_GSO,      /* sendmsg of a run to one output, with UDP_SEGMENT */
};
#define TAG_MASK 7u
#define RUN_ALIGN 256u
_Static_assert(RELAY_OUTPUTS_MAX <= 32 && (8u << 5) <= RUN_ALIGN,
	       "an output's index fits bits 3-7 of user_data");

/* UDP GSO (-G): the most one send carries.  64 segments (Linux 6.1
 * takes 128); 65,507 bytes, the largest IPv4 UDP payload (IPv6 takes 20
 * more). */
#define RUN_SEGS_MAX 64
#define RUN_BYTES_MAX 65507u

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
	/* GSO: the largest segment each output takes (its path MTU less the
	 * IP and UDP headers; 0: none), the largest any takes, and whether
	 * the output's socket refused a GSO send (plain sends until it is
	 * opened again). */
	unsigned out_seg_max[RELAY_OUTPUTS_MAX], seg_max;
	bool out_gso_refused[RELAY_OUTPUTS_MAX];
	struct run *run;      /* datagrams of this turn not sent yet, or NULL */
	struct input *next;
} __attribute__((aligned(8)));

/* A run: datagrams of one input that came in one loop turn, each the
 * size of the first but the last, which may be shorter (UDP_SEGMENT cuts
 * a send into segments of the first's size and lets the last be short).
 * Each output whose path MTU takes that size gets them as one sendmsg;
 * the others, and every output when the run is one datagram, one send
 * each.  Every send holds each buffer it covers (struct buf's refs); the
 * run lives until its last sendmsg completes. */
struct run {
	struct input *in;
	unsigned n;           /* datagrams */
	unsigned seg;         /* bytes of each but the last */
	unsigned bytes;       /* of all */
	unsigned sends;       /* sendmsgs in flight */
	struct run *next;     /* on the worker's free list */
	struct run *all;      /* every run the worker has made */
	struct msghdr msg;
	uint16_t bid[RUN_SEGS_MAX];
	struct iovec iov[RUN_SEGS_MAX];
	/* UDP_SEGMENT's cmsg.  A cmsghdr and 8 bytes: CMSG_SPACE is no
	 * integer constant expression to clang (with glibc's headers). */
	union {
		char buf[sizeof(struct cmsghdr) + 8];
		struct cmsghdr align;
	} control;
};

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
	unsigned runs_open;   /* inputs with a run */
	struct run *runs_free, *runs_all;
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

/* Whether output i's interface, when it names one, checksums what it
 * sends: Linux before 6.11 refuses GSO sends (EIO) out of one that does
 * not (a virtio NIC without a vnet header, tx-checksumming off). */
static bool output_checksums(const struct input *in, unsigned i)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GTXCSUM };
	struct ifreq ifr;

	if (!in->rule->r.out[i].dev[0])
		return true; /* its route's device: known only by trying */
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", in->rule->r.out[i].dev);
	ifr.ifr_data = (void *)&v;
	return ioctl(in->out_fd[i], SIOCETHTOOL, &ifr) < 0 || v.data;
}

/* GSO: the largest datagram output i takes as a segment, from its path
 * MTU (read again at every tick: it changes with the interface's MTU and
 * with path MTU discovery), and the largest any output of in takes. */
static void output_seg_max(struct worker *w, struct input *in, unsigned i)
{
	bool v4 = in->rule->r.out[i].to.sa.sa_family == AF_INET;
	unsigned headers = v4 ? 20 + 8 : 40 + 8;
	int mtu = 0;
	socklen_t len = sizeof mtu;

	in->out_seg_max[i] = 0;
	if (w->cfg->gso_segs > 1 && in->out_fd[i] >= 0 && !in->out_gso_refused[i] &&
	    output_checksums(in, i) &&
	    getsockopt(in->out_fd[i], v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU,
		       &mtu, &len) == 0 && mtu > (int)headers)
		in->out_seg_max[i] = (unsigned)mtu - headers;
	in->seg_max = 0;
	for (unsigned k = 0; k < in->rule->r.nout; k++)
		if (in->out_seg_max[k] > in->seg_max)
			in->seg_max = in->out_seg_max[k];
}

static void output_open(struct worker *w, struct input *in, unsigned i)
{
	struct rule *x = in->rule;
	char what[SOCK_WHAT_MAX], text[RELAY_TEXT_MAX], label[RULE_LABEL_MAX];

	in->out_fd[i] = sock_output(&x->r.out[i], w->cfg->sndbuf, what);
	in->out_ifindex[i] = x->r.out[i].dev[0] ? (int)if_nametoindex(x->r.out[i].dev) : 0;
	in->out_gso_refused[i] = false;
	output_seg_max(w, in, i);
	relay_output_text(&x->r.out[i], text);
	if (in->out_fd[i] >= 0) {
		if (in->out_err[i])
			log_info("%s: output %s is back", rule_label(x, label), text);
		in->out_err[i] = 0;
		if (w->cfg->gso_segs > 1 && !output_checksums(in, i))
			log_info("%s: output %s: %s has no checksum offload, so no UDP GSO: one "
				 "datagram a send", rule_label(x, label), text, x->r.out[i].dev);
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
static void run_flush(struct worker *w, struct input *in);

static void input_retire(struct worker *w, struct input *in)
{
	if (in->run)
		run_flush(w, in); /* what came before the retirement goes out */
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

/* One send of buffer bid's datagram to output i; the buffer is held until
 * it completes. */
static void send_one(struct worker *w, struct input *in, unsigned i, unsigned bid,
		     const struct iovec *d)
{
	struct io_uring_sqe *sqe = sqe_get(w);

	io_uring_prep_send(sqe, in->out_fd[i], d->iov_base, d->iov_len, 0);
	io_uring_sqe_set_data64(sqe, TAG_SEND | (uint64_t)i << 3 | (uint64_t)bid << 8);
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
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | TAG_GSO | (uint64_t)i << 3);
	for (unsigned k = 0; k < r->n; k++)
		w->bufs[r->bid[k]].refs++;
	r->sends++;
	r->in->pending++;
}

/* in's run to every output: one sendmsg to each that takes its segment
 * size, one send a datagram to the others; a run of one is one datagram. */
static void run_flush(struct worker *w, struct input *in)
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
static void runs_flush(struct worker *w)
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

static void on_gso(struct worker *w, uint64_t data, int res)
{
	struct run *r = (struct run *)(uintptr_t)(data & ~(uint64_t)(RUN_ALIGN - 1));
	unsigned i = (unsigned)(data >> 3) & 31;
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
		if (w->cfg->verbose) {
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
	uint8_t *base = buf_addr(w, bid);
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
	else
		output_seg_max(w, in, i);
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

/* Wait for completions, submitting what is queued.  After a busy turn
 * (more than one datagram relayed: they come faster than one a wakeup),
 * coalesce as a NIC does its interrupts: wait for a batch of completions
 * or cfg->coalesce_us, whichever comes first, so that the next turn
 * relays more at once (longer GSO runs, fewer sends, fewer wakeups of
 * this thread and of the CPUs the outputs' packets go to).  A quiet
 * input's datagram is never held: a turn of one datagram or none goes
 * back to waking for each. */
static int wait_turn(struct worker *w, bool busy)
{
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;

	if (!busy || !w->cfg->coalesce_us)
		return io_uring_submit_and_wait(&w->ring, 1);
	ts.tv_sec = w->cfg->coalesce_us / 1000000;
	ts.tv_nsec = (long long)(w->cfg->coalesce_us % 1000000) * 1000;
	return io_uring_submit_and_wait_timeout(&w->ring, &cqe, w->cfg->batch, &ts, NULL);
}

static void run(struct worker *w)
{
	bool busy = false;

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
