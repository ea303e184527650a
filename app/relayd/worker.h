/* SPDX-License-Identifier: MIT */
/* worker.h -- a relayd worker's insides (relay.h says what it does),
 * shared by the files of its thread:
 *
 *   worker.c    the thread: its loop, its commands, the control thread's API
 *   input.c     a rule's sockets: opened, retried, reopened, retired
 *   datapath.c  a datagram's trip: received, sent (one by one or in GSO
 *               runs), its buffer given back
 */
#ifndef TERN_RELAYD_WORKER_H
#define TERN_RELAYD_WORKER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bufring.h"
#include "relay.h"
#include "turn.h"
#include "uring.h"

#define BGID 1        /* our one buffer group */
#define TICK_SECONDS 2

/* What a completion is about: uring.h's tag in the low LOOP_TAG_BITS of
 * its user data.  A send carries its output (bits 3-7) and buffer id
 * (bits 8-23), a GSO send its output (bits 3-7) and its run (a struct
 * run: RUN_ALIGN-aligned); the others a pointer (8-byte aligned). */
enum tag {
	TAG_RECV = 1, /* multishot recvmsg of an input: a struct input */
	TAG_SEND,     /* send of a datagram to one output */
	TAG_CANCEL,   /* cancel of a retired input's receive: a struct input */
	TAG_WAKE,     /* read on the eventfd: commands queued */
	TAG_TICK,     /* the 2 s timeout */
	TAG_GSO,      /* sendmsg of a run to one output, with UDP_SEGMENT */
};
#define RUN_ALIGN 256u
_Static_assert(LOOP_TAG_BITS == 3 && RELAY_OUTPUTS_MAX <= 32 && (8u << 5) <= RUN_ALIGN,
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
	struct turn turn;     /* how it waits (turn.h): coalescing only */
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

static inline struct io_uring_sqe *sqe_get(struct worker *w)
{
	return uring_sqe(&w->ring);
}

static inline void set_error(struct rule *x, int err)
{
	atomic_store_explicit(&x->error, err, memory_order_relaxed);
}

/* Back to the kernel at the next loop turn. */
static inline void buf_return(struct worker *w, unsigned bid)
{
	bufring_put(&w->rb, bid);
}

/* input.c */
void arm_recv(struct worker *w, struct input *in);
/* Open the input and the outputs; a rule that cannot is retried at each
 * tick, and the others run. */
void input_start(struct worker *w, struct input *in);
struct input *input_new(struct rule *x);
void input_free(struct input *in);
void rule_put(struct rule *x);
/* A retired input with nothing in the kernel: out of the list, freed. */
void input_idle(struct worker *w, struct input *in);
/* Cancel its receive; it is freed once the kernel has answered for every
 * SQE (its sends complete first).  Its run, if any, is flushed already
 * (run_flush): input.c calls down into datapath.c, never back. */
void input_retire(struct worker *w, struct input *in);
struct input *live_input(struct worker *w, const struct rule *x);
/* GSO: the largest datagram output i takes as a segment. */
void output_seg_max(struct worker *w, struct input *in, unsigned i);
/* The tick: inputs and outputs that could not be opened tried again,
 * those whose interface was made again reopened. */
void inputs_tick(struct worker *w);

/* datapath.c */
/* A completion of an input's multishot receive; returns the datagrams it
 * relayed (0 or 1). */
unsigned on_recv(struct worker *w, struct input *in, struct io_uring_cqe *cqe);
void on_send(struct worker *w, uint64_t data, int res);
void on_gso(struct worker *w, uint64_t data, int res);
/* in's run to every output; at the end of each loop turn, every run. */
void run_flush(struct worker *w, struct input *in);
void runs_flush(struct worker *w);

#endif
