/* SPDX-License-Identifier: MIT */
/* lease.h -- the address pools of server mode and who holds what.
 *
 * A struct leases is one pool: one slot per pool address.  Server mode has
 * one a pool line, and a lease belongs to the pool whose range holds its
 * address (pools never overlap), so a lease needs no pool field.  A client is known by its key: option 61 as
 * sent, or 0x01 and its MAC when it sends none (what udhcpc's own option
 * 61 is), so a client keeps its address whichever way it asks.  Times are
 * wall-clock seconds (time(2)): leases outlive a restart.
 *
 * The lease file (lease_save, lease_load in lease_file.c) holds the bound
 * leases, one a line:
 *
 *   192.0.2.100 52:54:00:12:34:56 01525400123456 1732370000
 *   address     MAC               key (hex)      expiry (Unix time)
 *
 * written whole to a temporary file, fsync'ed, renamed over the old one
 * and the directory fsync'ed: a crash or a power cut leaves the old file
 * or the new one, never a torn one.  Every pool's leases go to the one
 * file, in the format a single pool always had: its address says a
 * line's pool, so a pxed of one pool (an older one included) reads the
 * file and keeps the lines of its pool.
 */
#ifndef TERN_PXED_LEASE_H
#define TERN_PXED_LEASE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"

#define LEASE_KEY_MAX 64
#define LEASE_OFFER_SECONDS 60  /* an offer holds its address this long */

enum lease_state { LEASE_FREE, LEASE_OFFERED, LEASE_BOUND, LEASE_DECLINED };

struct lease {
	uint32_t addr;
	enum lease_state state;
	uint8_t mac[6];
	uint8_t key_len;
	uint8_t key[LEASE_KEY_MAX];
	time_t expires;
	uint64_t seq;    /* when lease_set last wrote it: orders offers of one second */
};

struct leases {
	uint32_t lo, hi; /* the pool */
	struct lease *v; /* hi - lo + 1 slots */
	uint64_t seq;    /* lease_set's count */
};

/* A key from option 61 (may be NULL) or the MAC; its length. */
uint8_t lease_key(const uint8_t *opt61, uint8_t len61, const uint8_t mac[6],
		  uint8_t key[LEASE_KEY_MAX]);

/* A pool lo..hi, all free; false when out of memory. */
bool lease_pool_init(struct leases *ls, uint32_t lo, uint32_t hi);
void lease_pool_free(struct leases *ls);

/* The n pools ls[0..n) become the m pools lo[i]..hi[i] (ls has room for
 * them), each address keeping its lease from whichever old pool held it:
 * a reload.  false, ls unchanged, when out of memory. */
bool lease_pools_move(struct leases *ls, unsigned n, const uint32_t *lo, const uint32_t *hi,
		      unsigned m);

/* The pool of ls[0..n) that holds addr, or NULL. */
struct leases *lease_pool_of(struct leases *ls, unsigned n, uint32_t addr);

/* The slot of addr, or NULL when it is outside the pool. */
struct lease *lease_at(struct leases *ls, uint32_t addr);

/* The client's lease (offered or bound, expired or not), or NULL. */
struct lease *lease_of(struct leases *ls, const uint8_t *key, uint8_t key_len);

/* Whether addr may be given to the client key now: inside the pool, not
 * reserved (reserved(addr, ctx) true: a host line's), and free, expired,
 * or the client's own. */
typedef bool lease_reserved_fn(uint32_t addr, const void *ctx);
bool lease_usable(struct leases *ls, uint32_t addr, const uint8_t *key, uint8_t key_len,
		  time_t now, lease_reserved_fn *reserved, const void *ctx);

/* An address for the client key: its own lease, else want if usable,
 * else the free slot that has been free longest (lowest expiry, so an
 * address a client just left stays his a while); 0 when the pool is full. */
uint32_t lease_pick(struct leases *ls, const uint8_t *key, uint8_t key_len, uint32_t want,
		    time_t now, lease_reserved_fn *reserved, const void *ctx);

/* When lease_pick finds the pool full: the address of the oldest offer
 * still held (never requested, so never bound), taken from its client for
 * another; 0 when every address is bound, declined or reserved.  Random
 * MACs flooding DISCOVERs hold a pool's offers for LEASE_OFFER_SECONDS,
 * but a real client coming after them still gets an address. */
uint32_t lease_reclaim_offer(struct leases *ls, time_t now, lease_reserved_fn *reserved,
			     const void *ctx);

/* Give addr (inside the pool) to the client until expires. */
void lease_set(struct leases *ls, uint32_t addr, enum lease_state state, const uint8_t *key,
	       uint8_t key_len, const uint8_t mac[6], time_t expires);

/* One lease file line into *l (CONF_SKIP for blank and comment lines). */
enum conf_result lease_parse_line(const char *line, size_t len, struct lease *l);
/* The line of l, NUL-terminated, without newline: its length. */
#define LEASE_LINE_MAX (16 + 18 + 2 * LEASE_KEY_MAX + 1 + 21 + 1)
size_t lease_format(const struct lease *l, char buf[LEASE_LINE_MAX]);

/* The bound leases of the n pools ls to path (atomically); 0, or -1
 * with errno. */
int lease_save(const struct leases *ls, unsigned n, const char *path);
/* The leases of path into the n pools ls (those inside a pool, not
 * expired by now); bad lines are logged as file:line and skipped.
 * Returns the number loaded, or -1 with errno when path cannot be read
 * (ENOENT: no file yet). */
int lease_load(struct leases *ls, unsigned n, const char *path, time_t now);

#endif
