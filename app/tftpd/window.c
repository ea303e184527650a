/* SPDX-License-Identifier: MIT */
/* window.c -- see window.h.  Pure. */
#include "window.h"

#include "block.h"

void window_start(struct window *w, uint64_t first, unsigned size, unsigned rollover)
{
	*w = (struct window){
		.acked = first - 1, /* "the block before first": nothing yet */
		.next = first,
		.last = WINDOW_LAST_UNKNOWN,
		.size = size ? size : 1,
		.rollover = rollover,
	};
	if (first == 0)
		w->acked = UINT64_MAX; /* wraps to 0 as acked + 1 */
}

enum window_ack window_ack(struct window *w, uint16_t n)
{
	uint64_t from = w->acked + 1; /* the oldest block in flight */
	uint64_t i = tftp_block_index(n, from, w->rollover);

	if (i == UINT64_MAX || i >= w->next)
		return WINDOW_IGNORED;
	w->acked = i;
	w->retries = 0;
	if (i == w->last)
		return WINDOW_DONE;
	w->next = i + 1; /* after a gap, resume right after the ACK */
	return WINDOW_MOVED;
}

bool window_timeout(struct window *w, unsigned max_retries)
{
	if (w->retries >= max_retries)
		return false;
	w->retries++;
	w->next = w->acked + 1;
	return true;
}

void window_due(const struct window *w, uint64_t *from, uint64_t *to)
{
	uint64_t end = w->acked + 1 + w->size; /* one past the window */

	if (w->last != WINDOW_LAST_UNKNOWN && end > w->last + 1)
		end = w->last + 1;
	*from = w->next;
	*to = end > w->next ? end : w->next;
}

void window_sent(struct window *w, uint64_t to)
{
	if (to > w->next)
		w->next = to;
}
