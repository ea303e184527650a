/* SPDX-License-Identifier: MIT */
/* window.h -- the sender's side of one read transfer: which blocks go out
 * next, and what an ACK or a timeout means.  Pure.
 *
 * Blocks are counted by index (block.h): 0 is the OACK, 1 the first DATA
 * block.  Up to `size` blocks past the last acknowledged one are in flight
 * (RFC 7440; size 1 is RFC 1350's lockstep).
 *
 *   - An ACK of a block in flight moves the window.  If it is not the last
 *     block sent, the client saw a gap (RFC 7440 section 4: it acknowledges
 *     the last block it received in order): sending resumes right after it.
 *   - An ACK of a block already acknowledged, or of one never sent, is
 *     ignored: a duplicate ACK never causes a resend, which is what keeps
 *     the Sorcerer's Apprentice bug (RFC 1350 section 8 errata, RFC 1123
 *     4.2.3.1) away.
 *   - A timeout resends from the first unacknowledged block.
 */
#ifndef TERN_TFTPD_WINDOW_H
#define TERN_TFTPD_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define WINDOW_LAST_UNKNOWN UINT64_MAX

struct window {
	uint64_t acked;    /* highest index acknowledged */
	uint64_t next;     /* next index to send */
	uint64_t last;     /* index of the last block, or WINDOW_LAST_UNKNOWN */
	unsigned size;     /* blocks in flight at most, >= 1 */
	unsigned rollover; /* block numbers after 65535: 0 or 1 */
	unsigned retries;  /* timeouts in a row */
};

enum window_ack {
	WINDOW_IGNORED, /* duplicate, stale or never sent */
	WINDOW_MOVED,   /* send what window_due says */
	WINDOW_DONE,    /* the last block is acknowledged */
};

/* A window that starts by sending first (0: an OACK, 1: DATA 1). */
void window_start(struct window *w, uint64_t first, unsigned size, unsigned rollover);

/* The client acknowledged wire block number n. */
enum window_ack window_ack(struct window *w, uint16_t n);

/* No ACK in time: send from the first unacknowledged block again.  False
 * when that has happened max_retries times in a row already. */
bool window_timeout(struct window *w, unsigned max_retries);

/* The indexes to send now: [*from, *to); empty when from == to.  The
 * caller sends them and then calls window_sent(w, to). */
void window_due(const struct window *w, uint64_t *from, uint64_t *to);
void window_sent(struct window *w, uint64_t to);

#endif
