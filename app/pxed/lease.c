/* SPDX-License-Identifier: MIT */
/* lease.c -- the pool's slots and the lease file's lines; see lease.h.
 * Pure: memory only. */
#include "lease.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "hex.h"

uint8_t lease_key(const uint8_t *opt61, uint8_t len61, const uint8_t mac[6],
		  uint8_t key[LEASE_KEY_MAX])
{
	if (opt61 && len61) {
		uint8_t n = len61 < LEASE_KEY_MAX ? len61 : LEASE_KEY_MAX;

		memcpy(key, opt61, n);
		return n;
	}
	key[0] = 1; /* htype Ethernet, RFC 2132 9.14 */
	memcpy(key + 1, mac, 6);
	return 7;
}

bool lease_pool_init(struct leases *ls, uint32_t lo, uint32_t hi)
{
	ls->lo = lo;
	ls->hi = hi;
	ls->v = calloc((size_t)(hi - lo) + 1, sizeof *ls->v);
	if (!ls->v)
		return false;
	for (uint32_t a = lo; a <= hi && a; a++)
		ls->v[a - lo].addr = a;
	return true;
}

void lease_pool_free(struct leases *ls)
{
	free(ls->v);
	ls->v = NULL;
}

struct leases *lease_pool_of(struct leases *ls, unsigned n, uint32_t addr)
{
	for (unsigned i = 0; i < n; i++)
		if (lease_at(&ls[i], addr))
			return &ls[i];
	return NULL;
}

bool lease_pools_move(struct leases *ls, unsigned n, const uint32_t *lo, const uint32_t *hi,
		      unsigned m)
{
	struct leases *nv = calloc(m ? m : 1, sizeof *nv);

	if (!nv)
		return false;
	for (unsigned i = 0; i < m; i++) {
		if (!lease_pool_init(&nv[i], lo[i], hi[i])) {
			while (i--)
				lease_pool_free(&nv[i]);
			free(nv);
			return false;
		}
		for (uint32_t a = lo[i]; a <= hi[i] && a; a++) {
			struct leases *old = lease_pool_of(ls, n, a);

			if (old) {
				nv[i].v[a - lo[i]] = *lease_at(old, a);
				if (old->seq > nv[i].seq)
					nv[i].seq = old->seq;
			}
		}
	}
	for (unsigned i = 0; i < n; i++)
		lease_pool_free(&ls[i]);
	memcpy(ls, nv, m * sizeof *nv);
	free(nv);
	return true;
}

struct lease *lease_at(struct leases *ls, uint32_t addr)
{
	if (!ls->v || addr < ls->lo || addr > ls->hi)
		return NULL;
	return &ls->v[addr - ls->lo];
}

static bool owns(const struct lease *l, const uint8_t *key, uint8_t key_len)
{
	return (l->state == LEASE_OFFERED || l->state == LEASE_BOUND) && l->key_len == key_len &&
	       !memcmp(l->key, key, key_len);
}

struct lease *lease_of(struct leases *ls, const uint8_t *key, uint8_t key_len)
{
	if (!ls->v)
		return NULL;
	for (uint32_t a = ls->lo; a <= ls->hi && a; a++)
		if (owns(&ls->v[a - ls->lo], key, key_len))
			return &ls->v[a - ls->lo];
	return NULL;
}

bool lease_usable(struct leases *ls, uint32_t addr, const uint8_t *key, uint8_t key_len,
		  time_t now, lease_reserved_fn *reserved, const void *ctx)
{
	struct lease *l = lease_at(ls, addr);

	if (!l || (reserved && reserved(addr, ctx)))
		return false;
	return l->state == LEASE_FREE || l->expires <= now || owns(l, key, key_len);
}

uint32_t lease_pick(struct leases *ls, const uint8_t *key, uint8_t key_len, uint32_t want,
		    time_t now, lease_reserved_fn *reserved, const void *ctx)
{
	struct lease *own = lease_of(ls, key, key_len), *best = NULL;

	if (own && lease_usable(ls, own->addr, key, key_len, now, reserved, ctx))
		return own->addr;
	if (want && lease_usable(ls, want, key, key_len, now, reserved, ctx))
		return want;
	for (uint32_t a = ls->lo; ls->v && a <= ls->hi && a; a++) {
		struct lease *l = &ls->v[a - ls->lo];

		if (!lease_usable(ls, a, key, key_len, now, reserved, ctx))
			continue;
		if (!best || (l->state == LEASE_FREE && best->state != LEASE_FREE) ||
		    ((l->state == LEASE_FREE) == (best->state == LEASE_FREE) && l->expires < best->expires))
			best = l;
	}
	return best ? best->addr : 0;
}

uint32_t lease_reclaim_offer(struct leases *ls, time_t now, lease_reserved_fn *reserved,
			     const void *ctx)
{
	struct lease *oldest = NULL;

	for (uint32_t a = ls->lo; ls->v && a <= ls->hi && a; a++) {
		struct lease *l = &ls->v[a - ls->lo];

		if (l->state != LEASE_OFFERED || l->expires <= now || (reserved && reserved(a, ctx)))
			continue;
		if (!oldest || l->expires < oldest->expires ||
		    (l->expires == oldest->expires && l->seq < oldest->seq))
			oldest = l;
	}
	return oldest ? oldest->addr : 0;
}

void lease_set(struct leases *ls, uint32_t addr, enum lease_state state, const uint8_t *key,
	       uint8_t key_len, const uint8_t mac[6], time_t expires)
{
	struct lease *l = lease_at(ls, addr);

	if (!l)
		return;
	l->state = state;
	l->key_len = key ? key_len : 0;
	if (key)
		memcpy(l->key, key, key_len);
	if (mac)
		memcpy(l->mac, mac, 6);
	l->expires = expires;
	l->seq = ++ls->seq;
}

enum conf_result lease_parse_line(const char *line, size_t len, struct lease *l)
{
	/* Each word read one byte past its longest, so a longer word is
	 * refused whole rather than cut into two. */
	char buf[LEASE_LINE_MAX + 1], a[16 + 1], m[18 + 1], k[2 * LEASE_KEY_MAX + 1 + 1], e[21 + 1];
	unsigned long long exp;
	struct in_addr in;
	size_t i = 0, kl;
	int n = 0;

	while (i < len && conf_is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return CONF_SKIP;
	if (len >= sizeof buf || memchr(line, '\0', len))
		return CONF_BAD;
	memcpy(buf, line, len);
	buf[len] = '\0';
	memset(l, 0, sizeof *l);
	if (sscanf(buf, " %16s %18s %129s %21s %n", a, m, k, e, &n) != 4 || buf[n] ||
	    inet_pton(AF_INET, a, &in) != 1 || !dhcp_mac_parse(m, strlen(m), l->mac))
		return CONF_BAD;
	/* The expiry: decimal digits, a time_t (64 bits on every board). */
	if (strlen(e) > 20 || strspn(e, "0123456789") != strlen(e) ||
	    (exp = strtoull(e, NULL, 10)) > INT64_MAX)
		return CONF_BAD;
	kl = strlen(k);
	if (kl == 0 || kl % 2 || kl > 2 * LEASE_KEY_MAX)
		return CONF_BAD;
	for (i = 0; i < kl; i += 2) {
		int hi = hex_digit(k[i]), lo = hex_digit(k[i + 1]);

		if (hi < 0 || lo < 0)
			return CONF_BAD;
		l->key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	l->key_len = (uint8_t)(kl / 2);
	l->addr = ntohl(in.s_addr);
	l->state = LEASE_BOUND;
	l->expires = (time_t)exp;
	return CONF_OK;
}

size_t lease_format(const struct lease *l, char buf[LEASE_LINE_MAX])
{
	struct in_addr in = { htonl(l->addr) };
	char a[INET_ADDRSTRLEN], k[2 * LEASE_KEY_MAX + 1];
	int n;

	inet_ntop(AF_INET, &in, a, sizeof a);
	for (unsigned i = 0; i < l->key_len; i++)
		snprintf(k + 2 * i, 3, "%02x", l->key[i]);
	k[2 * l->key_len] = '\0';
	n = snprintf(buf, LEASE_LINE_MAX, "%s %02x:%02x:%02x:%02x:%02x:%02x %s %llu", a,
		     l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5], k,
		     (unsigned long long)(l->expires < 0 ? 0 : l->expires));
	return n < 0 ? 0 : (size_t)n;
}
