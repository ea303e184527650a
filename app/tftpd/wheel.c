/* SPDX-License-Identifier: MIT */
/* wheel.c -- see wheel.h.  Pure. */
#include "wheel.h"

#include <string.h>

static unsigned slot_of(int64_t at)
{
	return (unsigned)((uint64_t)(at / WHEEL_TICK_MS) % WHEEL_SLOTS);
}

void wheel_init(struct wheel *w, int64_t now)
{
	memset(w, 0, sizeof *w);
	w->now = now;
}

void wheel_cancel(struct wheel *w, struct timer *t)
{
	unsigned i;

	if (!t->pprev)
		return;
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = 0;
	t->pprev = 0;
	w->count--;
	i = slot_of(t->at);
	if (!w->slot[i])
		w->busy[i / 64] &= ~(1ull << (i % 64));
}

void wheel_set(struct wheel *w, struct timer *t, int64_t at)
{
	struct timer **head;

	wheel_cancel(w, t);
	if (at < w->now)
		at = w->now; /* due at once: the next expiry takes it */
	t->at = at;
	head = &w->slot[slot_of(at)];
	t->next = *head;
	if (*head)
		(*head)->pprev = &t->next;
	t->pprev = head;
	*head = t;
	w->count++;
	w->busy[slot_of(at) / 64] |= 1ull << (slot_of(at) % 64);
}

void wheel_expire(struct wheel *w, int64_t now, void (*fire)(struct timer *, void *),
		  void *ctx)
{
	int64_t tick = w->now / WHEEL_TICK_MS, end = now / WHEEL_TICK_MS;

	if (end - tick >= WHEEL_SLOTS) /* asleep for a whole turn: see them all */
		tick = end - WHEEL_SLOTS + 1;
	for (; tick <= end && w->count; tick++) {
		struct timer **p = &w->slot[(uint64_t)tick % WHEEL_SLOTS];

		while (*p) {
			struct timer *t = *p;

			if (t->at > now) {
				p = &t->next;
				continue;
			}
			wheel_cancel(w, t);
			fire(t, ctx);
			/* fire may have set timers anywhere, this slot too:
			 * start the slot again; what is due goes now. */
			p = &w->slot[(uint64_t)tick % WHEEL_SLOTS];
		}
	}
	if (now > w->now)
		w->now = now;
}

int wheel_next(const struct wheel *w, int64_t now)
{
	/* No timer is earlier than the last expiry (wheel_set sees to it):
	 * scan from there. */
	int64_t tick = (w->now < now ? w->now : now) / WHEEL_TICK_MS;

	if (!w->count)
		return -1;
	for (int64_t i = 0; i < WHEEL_SLOTS; i++) {
		unsigned k = (unsigned)((uint64_t)(tick + i) % WHEEL_SLOTS);
		uint64_t bits = w->busy[k / 64] >> (k % 64);

		if (!bits) { /* the rest of this word is empty */
			i += 63 - k % 64;
			continue;
		}
		i += __builtin_ctzll(bits);
		if (i >= WHEEL_SLOTS)
			break;
		/* The end of this slot's turn, without walking its timers: it
		 * may hold all of them (every ACK moves one to now + timeout). */
		int64_t end = (tick + i + 1) * WHEEL_TICK_MS;

		return end <= now ? 0 : (int)(end - now);
	}
	return WHEEL_SLOTS * WHEEL_TICK_MS;
}
