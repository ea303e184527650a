/* SPDX-License-Identifier: MIT */
/* turn.h -- how an io_uring loop waits between turns: submit what the
 * turn queued and wait, coalescing after a busy turn, busy polling
 * before sleeping for a lone client, or plainly sleeping.
 * Header-only, like uring.h.
 *
 * Coalescing (coalesce_us): after a busy turn, one that handled more than
 * one packet, the loop waits as a NIC does its interrupts: for as many
 * completions as the caller expects (the answers to what it sent, a
 * batch), or until coalesce_us has passed, whichever comes first; fewer,
 * bigger turns cost less CPU a packet.  A lone packet is never held: a
 * quiet turn goes back to waking for each one.
 *
 * Busy polling (poll_us): for a few peers, the answer to what was just
 * sent comes back within tens of microseconds, and sleeping for it costs
 * a wakeup (an interrupt to an idle CPU; on a virtual machine, a trip
 * through the hypervisor) that can be most of a lockstep exchange.  So
 * before sleeping, the loop looks for the completions it wants for up to
 * poll_us without sleeping: the kernel flags the ring when work is
 * pending (IORING_SETUP_TASKRUN_FLAG on the ring, read with no system
 * call), and only then does io_uring_get_events run it.  A poll that gives
 * up (a peer farther away than poll_us, or slow) turns polling off until
 * a sleep ends with a packet within poll_us again (turn_done): a far peer
 * costs one poll, not one a packet. */
#ifndef TERN_TURN_H
#define TERN_TURN_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "uring.h"

struct turn {
	unsigned coalesce_us; /* 0: off */
	unsigned poll_us;     /* 0: off */
	bool poll_off;        /* the last poll gave up: sleep, timed */
	int64_t slept_us;     /* how long that timed sleep was; -1: none */
	uint64_t coalesced;   /* waits that asked for more than one packet */
	uint64_t polled;      /* waits answered while busy polling */
	uint64_t poll_slept;  /* polls that gave up and slept */
};

static inline struct turn turn_new(unsigned coalesce_us, unsigned poll_us)
{
	return (struct turn){ .coalesce_us = coalesce_us, .poll_us = poll_us, .slept_us = -1 };
}

/* Poll for up to us microseconds for want completions; true if they came. */
static inline bool turn_poll(struct turn *t, struct io_uring *ring, unsigned want, int64_t us)
{
	bool flagged = ring->flags & IORING_SETUP_TASKRUN_FLAG;
	int64_t end;

	if (io_uring_submit(ring) < 0)
		return false; /* the wait that follows reports it */
	end = clock_us() + us;
	do {
		if (io_uring_cq_ready(ring) >= want) {
			t->polled++;
			return true;
		}
		if (!flagged || (IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_TASKRUN))
			io_uring_get_events(ring);
		else
			cpu_relax();
	} while (clock_us() < end);
	if (io_uring_cq_ready(ring) >= want) {
		t->polled++;
		return true;
	}
	t->poll_slept++;
	return false;
}

/* Submit what this turn queued and wait.  owed: completions that come as
 * they are submitted (a lone UDP send's), waited for on top of the one
 * wanted, so that the wait returns with the next packet, not at once
 * with our own sends' (one io_uring_enter an exchange, not two).  more:
 * after a busy turn, the completions to coalesce for (0 or 1: none).
 * timeout_us: the caller's next deadline, or -1.  may_poll: whether a
 * busy poll may be worth it now (few peers).  io_uring's result. */
static inline int turn_wait(struct turn *t, struct io_uring *ring, unsigned owed, unsigned more,
			    int64_t timeout_us, bool may_poll)
{
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	unsigned want = owed + 1;
	int64_t us = timeout_us, slept = 0;
	int r;

	t->slept_us = -1;
	if (more > 1 && t->coalesce_us) {
		want = owed + more;
		t->coalesced++;
		if (us < 0 || us > t->coalesce_us)
			us = t->coalesce_us;
	} else if (t->poll_us && may_poll && us != 0) {
		if (t->poll_off)
			slept = clock_us();
		else if (turn_poll(t, ring, want, us < 0 || us > t->poll_us ? t->poll_us : us))
			return 0;
		else
			t->poll_off = true;
	}
	if (us < 0) {
		r = io_uring_submit_and_wait(ring, want);
	} else {
		ts.tv_sec = us / 1000000;
		ts.tv_nsec = (us % 1000000) * 1000;
		r = io_uring_submit_and_wait_timeout(ring, &cqe, want, &ts, NULL);
	}
	t->slept_us = slept && r >= 0 ? clock_us() - slept : -1;
	return r;
}

/* After the turn's completions: packets, how many came from peers.  A
 * timed sleep that a packet ended within poll_us turns polling back on:
 * polling would have caught it. */
static inline void turn_done(struct turn *t, unsigned packets)
{
	if (t->slept_us >= 0 && packets && t->slept_us < t->poll_us)
		t->poll_off = false;
}

#endif
