/* SPDX-License-Identifier: MIT */
/* wheel.h -- a hashed timing wheel: O(1) to set, move or cancel a timer,
 * which a transfer does on every ACK; expiry walks only the slots whose
 * time has come.  Times are milliseconds on any monotonic clock.  Pure
 * (the caller passes the time in).
 *
 * WHEEL_SLOTS slots of WHEEL_TICK_MS each cover about 16 s; a later timer
 * waits in its slot for its turn (checked against its own time), so any
 * delay works, only less cheaply past the span.  A bitmap of the slots
 * holding timers lets wheel_next, called every loop turn, skip empty ones
 * 64 at a time.
 */
#ifndef TERN_TFTPD_WHEEL_H
#define TERN_TFTPD_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#define WHEEL_TICK_MS 4
#define WHEEL_SLOTS 4096

struct timer {
	struct timer *next, **pprev; /* pprev NULL: not set */
	int64_t at;
};

struct wheel {
	int64_t now;    /* the tick expiry has reached, in ms */
	unsigned count; /* timers set */
	struct timer *slot[WHEEL_SLOTS];
	uint64_t busy[WHEEL_SLOTS / 64]; /* bit i: slot[i] is not empty */
};

void wheel_init(struct wheel *w, int64_t now);
/* Set (or move) t to fire at time at. */
void wheel_set(struct wheel *w, struct timer *t, int64_t at);
void wheel_cancel(struct wheel *w, struct timer *t);
static inline bool timer_pending(const struct timer *t)
{
	return t->pprev != 0;
}

/* Call fire(t, ctx) for every timer due at or before now, unset first (so
 * fire may set it again, to a time after now). */
void wheel_expire(struct wheel *w, int64_t now, void (*fire)(struct timer *, void *),
		  void *ctx);

/* Milliseconds to wait for the next timer: until the end of the first
 * slot holding one.  Never more than WHEEL_TICK_MS after the earliest
 * timer's time; sometimes earlier (a slot holding only timers a whole
 * span ahead); the wheel's span at most; -1 when no timer is set.  Walks
 * no slot's list: the first busy slot may hold every timer, as every ACK
 * moves one to now + timeout. */
int wheel_next(const struct wheel *w, int64_t now);

#endif
