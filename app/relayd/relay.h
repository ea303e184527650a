/* SPDX-License-Identifier: MIT */
/* relay.h -- relayd's workers: each one thread with its own io_uring
 * (SINGLE_ISSUER | DEFER_TASKRUN) and its own ring of provided receive
 * buffers, running the rules it was given.  Every rule's input socket has
 * one multishot recvmsg in its worker's ring; a datagram is sent to every
 * output of its rule from the buffer it arrived in (one send per output,
 * on a connected socket), and the buffer goes back to the ring when the
 * last of those sends completes.
 *
 * UDP GSO (gso_segs): datagrams of one rule that came in one loop turn,
 * all of one size (the last may be shorter), go to each output whose path
 * MTU takes that size as one sendmsg with UDP_SEGMENT, which the kernel
 * or the NIC cuts into the same datagrams: one trip down the stack for up
 * to 64.  Their buffers go back when every send covering them completes.
 * An output that refuses it (a device without checksum offload, a kernel
 * without UDP_SEGMENT) is logged once and sent one datagram at a time.
 *
 * One loop turn is one io_uring_submit_and_wait(): the sends of up to
 * `batch` datagrams, the buffers returned and the receives re-armed go to
 * the kernel together.  A 2 s tick retries rules whose interface or
 * sockets were missing, and reopens an input whose interface was
 * recreated (a new ifindex) without losing its counters.
 *
 * A rule is one flow and runs in one worker, so its datagrams stay in
 * order; the control thread (control.h) gives each new rule to the worker
 * with the fewest, and tells workers to start and remove rules through a
 * command queue and an eventfd each worker reads in its ring: nothing the
 * control thread does (reload, relayctl, counters) waits on a datapath
 * syscall, and no worker waits on the control thread.
 */
#ifndef TERN_RELAYD_RELAY_H
#define TERN_RELAYD_RELAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "rules.h"

struct relay_config {
	struct daemon_args args; /* -c FILE, -t, -u: whom to run as once the socket
				  * is bound, -v: log every send error (daemon.h) */
	const char *socket_path; /* relayctl's; NULL or "": none */
	unsigned workers;      /* threads, each with its own ring */
	unsigned depth;        /* SQ entries and receive buffers of each worker: a power of 2 */
	unsigned batch;        /* datagrams relayed per loop turn, at most */
	unsigned max_datagram; /* bytes; longer ones are dropped as truncated */
	int sndbuf, rcvbuf;    /* SO_SNDBUF of outputs, SO_RCVBUF of inputs */
	unsigned gso_segs;     /* UDP GSO: datagrams a send carries at most, 2-64; 0: off */
	unsigned coalesce_us;  /* after a busy turn, wait this long for a batch; 0: off */
};

/* A counter written by one thread (the rule's worker) and read by any:
 * relaxed atomics, plain moves on x86-64, no locked instruction. */
typedef _Atomic uint64_t counter;

static inline void counter_add(counter *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t counter_get(const counter *c)
{
	return atomic_load_explicit((counter *)c, memory_order_relaxed);
}

struct rule {
	/* Set by the control thread before any worker sees the rule. */
	struct relay_rule r;
	unsigned id;            /* relayctl's handle, kept across reloads */
	unsigned worker;
	char name[RELAY_TEXT_MAX]; /* "eth0 239.1.1.1:5000" */
	_Atomic unsigned line;  /* in the file; 0: added with relayctl */

	/* Written by the worker, read by any thread. */
	_Atomic int error;      /* 0: running; else errno of why it is not */
	counter packets, bytes, no_buffer, truncated;
	struct {
		counter packets, bytes, send_errors, no_route;
		counter gso_packets, gso_sends; /* of packets, those sent in GSO sends */
	} out[RELAY_OUTPUTS_MAX];

	/* The control thread's. */
	struct rule *next;
	uint64_t pps, last_packets;
	uint64_t out_pps[RELAY_OUTPUTS_MAX], out_last[RELAY_OUTPUTS_MAX];

	/* The worker's: its inputs that point here, plus 1 until removed. */
	unsigned refs;
};

/* record.c: a zeroed struct rule that is the values area of its own
 * stats file, <run>/stats/relayd-rule.<id> (stats.h), its counters
 * described with labels rule="<name>" and output="<output>"; private
 * memory when that cannot be.  Freed with stats_close(x, true), which
 * removes the file. */
struct rule *record_rule(const struct relay_rule *r, unsigned id, const char *name);

/* "#3 eth0 239.1.1.1:5000 (line 2)" or "(relayctl)": for log lines. */
#define RULE_LABEL_MAX (RELAY_TEXT_MAX + 40)
const char *rule_label(const struct rule *x, char buf[RULE_LABEL_MAX]); /* text.c */

struct worker;

/* Worker number index: its thread started, its ring and buffers ready.
 * NULL if not (logged). */
struct worker *worker_new(unsigned index, const struct relay_config *cfg);

/* Queue a command: start rule x (the worker takes it over: the control
 * thread reads it until it posts its removal, never after), or remove x
 * (freed by the worker once its last send has completed). */
void worker_start_rule(struct worker *w, struct rule *x);
void worker_remove_rule(struct worker *w, struct rule *x);

/* Wake the worker and wait until it has done every queued command. */
void worker_sync(struct worker *w);

/* Stop the thread (its rules removed first with worker_remove_rule),
 * free everything. */
void worker_stop(struct worker *w);

#endif
