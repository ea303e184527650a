/* SPDX-License-Identifier: MIT */
/* pxed_answer -- libFuzzer: answer() (app/pxed/answer.c) on a run of
 * DHCP requests whose options come from the fuzzer, in proxy and server
 * mode, on port 67 and 4011, against one lease pool that lives for the
 * whole run.
 *
 * Input byte 0 picks the config (below); then records, each
 *   hdr0  bits 0-1 the client's MAC (a host line's, another host line's,
 *         an unknown one, a Raspberry Pi's), bit 2 port 4011, bits 3-4 ciaddr (0, a pool
 *         address, the client's host address, the server), bits 5-7 how
 *         far the clock moves first
 *   hdr1  bits 0-3 which pool address ciaddr is (the first pool's first
 *         - 2 on), bits 4 and 7 giaddr (0, a relay on a subnet with no
 *         pool, on the far pool's, on the near pool's), bit 5 broadcast
 *         flag, bit 6 option 50 of that address added (as well as any the
 *         options carry)
 *   len   then len bytes of raw options (253 options of any kind: 50, 53,
 *         54, 60, 61, 93, 97...), 255 appended
 * Every datagram goes through dhcp_parse first, as on the wire.
 *
 * What answer.h promises and is checked here: a reply exactly when the
 * outcome sends one, which fits DHCP_REPLY_MAX and parses back with the
 * client's xid and MAC, the message type of its outcome and our server
 * id; no address in proxy mode or on port 4011; a boot reply carries the
 * file boot_file gives, a UEFI HTTP Boot client's (option 60 "HTTPClient")
 * an http(s) URL with option 60 "HTTPClient" and no PXE options, a PXE
 * client's "PXEClient" and, unless it is iPXE, never a URL; a Raspberry
 * Pi's (rpi.h; the fourth MAC is a Pi's) no file, "PXEClient" and its
 * option 43 whatever its architecture's file; option 82
 * echoed whole as the last option exactly when the request had it; a
 * relayed request's reply to giaddr:67; nothing for a client no serve
 * line matches, and for no other reason; in server mode, an address only
 * from the pool pool_choose gives (giaddr's subnet's for a relayed one)
 * and no answer when there is none; and the pools never hand out an
 * address another client holds unexpired, never a host line's address,
 * never two leases to one client in one pool, with every bound lease
 * surviving the lease file's format and parse. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "boot.h"
#include "rpi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOCAL 0xc0000201u  /* 192.0.2.1: where the requests came in */
#define NOW0 1700000000
#define POOL_MAX 16       /* addresses in the largest pool below */
#define POOLS 2           /* pools in the config with most */

static const char *const common[] = {
	"arch 0 file pxelinux.0", "arch 7,9 file ipxe.efi", "arch 16 file http://192.0.2.1/x.efi",
	"arch 15 file x86.efi", "arch 19 file tftp://192.0.2.1/arm64.efi",
	"ipxe file boot.ipxe", "host 52:54:00:12:34:56 file special.efi address 192.0.2.50",
	"host 52:54:00:ab:cd:ef ipxe own.ipxe address 192.0.2.101", NULL,
};
static const char *const proxy_next[] = { "next-server 198.51.100.7",
					   "rpi on mac b8:27:eb,dc:a6:32 pad 3", NULL };
static const char *const proxy_http[] = { "http-server http", "rpi off", NULL };
static const char *const server[] = {
	"mode server", "pool 192.0.2.100 192.0.2.103", "lease 60", "router 192.0.2.1", "rpi on",
	"dns 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4",
	"domain a-domain-name-of-sixty-three-bytes-to-fill-the-reply.example", NULL,
};
static const char *const server_roomy[] = {
	"mode server", "pool 192.0.2.100 192.0.2.115", "lease 31536000", "netmask 255.255.0.0",
	"next-server 198.51.100.7", "http-server https boot.lab.example:8443", NULL,
};
static const char *const proxy_serve[] = { "serve mac 52:54:00:12:*", "serve arch 7,16", NULL };
static const char *const server_relayed[] = {
	"mode server", "pool 192.0.2.100 192.0.2.103", "router 192.0.2.1", "lease 600",
	"pool 198.51.100.100 198.51.100.107 router 198.51.100.1 lease 120 dns 198.51.100.53 "
	"domain far.example", NULL,
};
static const char *const *const configs[][2] = {
	{ common, NULL }, { common, proxy_next }, { common, server }, { common, server_roomy },
	{ common, proxy_http }, { common, server_relayed }, { common, proxy_serve },
};
static const uint32_t giaddrs[4] = { 0, 0xcb007101u, 0xc6336401u, 0xc00002feu };
#define NCONFIGS (sizeof configs / sizeof configs[0])
static struct pxed_conf conf[NCONFIGS];

static const uint8_t macs[4][6] = {
	{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef },
	{ 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 }, { 0xb8, 0x27, 0xeb, 0x00, 0x00, 0x02 },
};
static const time_t steps[8] = { 0, 1, 10, 30, 61, 600, 3600, 40000000 };

static void init(void)
{
	char why[PXECONF_WHY_MAX];

	for (size_t i = 0; i < NCONFIGS; i++) {
		pxeconf_init(&conf[i]);
		for (size_t j = 0; j < 2; j++)
			for (const char *const *l = configs[i][j]; l && *l; l++)
				assert(pxeconf_parse_line(&conf[i], *l, strlen(*l), why) == CONF_OK);
		assert(pxeconf_check(&conf[i], why));
	}
}

static bool reserved(const struct pxed_conf *c, uint32_t a)
{
	for (unsigned i = 0; i < c->nhost; i++)
		if (c->host[i].addr == a)
			return true;
	return false;
}

static bool holds(const struct lease *l)
{
	return l->state == LEASE_OFFERED || l->state == LEASE_BOUND;
}

static bool same_key(const struct lease *l, const uint8_t *key, uint8_t len)
{
	return l->key_len == len && !memcmp(l->key, key, len);
}

/* A pool as a whole, after any answer. */
static void check_pool(const struct pxed_conf *c, struct leases *ls)
{
	for (uint32_t a = ls->lo; a <= ls->hi; a++) {
		const struct lease *l = lease_at(ls, a);

		assert(l && l->addr == a && l->state <= LEASE_DECLINED);
		if (!holds(l))
			continue;
		assert(!reserved(c, a));
		for (uint32_t b = a + 1; b <= ls->hi; b++) {
			const struct lease *o = lease_at(ls, b);
			assert(!holds(o) || !same_key(o, l->key, l->key_len));
		}
	}
}

/* Every bound lease as its lease file line, and back. */
static void check_file(struct leases *ls)
{
	for (uint32_t a = ls->lo; a <= ls->hi; a++) {
		const struct lease *l = lease_at(ls, a);
		char line[LEASE_LINE_MAX];
		struct lease back;
		size_t n;

		if (l->state != LEASE_BOUND)
			continue;
		n = lease_format(l, line);
		assert(n > 0 && n < LEASE_LINE_MAX && strlen(line) == n);
		assert(lease_parse_line(line, n, &back) == CONF_OK);
		assert(back.addr == a && back.state == LEASE_BOUND && back.expires == l->expires);
		assert(!memcmp(back.mac, l->mac, 6) && same_key(&back, l->key, l->key_len));
	}
}

static enum dhcp_type reply_type(enum answer_outcome o)
{
	switch (o) {
	case ANS_PROXY_OFFER:
	case ANS_OFFER:
	case ANS_OFFER_RECLAIMED:
		return DHCP_OFFER;
	case ANS_NAK:
		return DHCP_NAK;
	default:
		return DHCP_ACK;
	}
}

static void check_reply(const struct answer_ctx *x, const struct dhcp_msg *m, enum answer_port port,
			enum answer_outcome o, const struct dhcp_reply *r)
{
	uint8_t out[DHCP_REPLY_MAX];
	struct dhcp_msg back;
	char file[DHCP_FILE_LEN];
	enum boot_why why = boot_file(x->conf, m, x->local, file);
	bool pi = rpi_is_client(&x->conf->rpi, m);
	size_t n = dhcp_build(out, sizeof out, r);
	uint32_t dst;
	uint16_t dport;

	assert(n >= DHCP_REPLY_MIN && n <= sizeof out);
	assert(dhcp_parse(out, n, DHCP_BOOTREPLY, &back) == DHCP_OK);
	assert(back.xid == m->xid && !memcmp(back.chaddr, m->chaddr, 16));
	assert(back.type == reply_type(o));
	assert(back.server_id == x->local && back.yiaddr == r->yiaddr);
	/* RFC 3046 2.2: option 82 back whole, last, only when it came. */
	assert(dhcp_has(&back, DHCP_F_AGENT) == dhcp_has(m, DHCP_F_AGENT));
	if (dhcp_has(m, DHCP_F_AGENT)) {
		size_t k = m->opt[DHCP_F_AGENT].len, end = n;

		assert(back.opt[DHCP_F_AGENT].len == k &&
		       !memcmp(back.opt[DHCP_F_AGENT].p, m->opt[DHCP_F_AGENT].p, k));
		while (out[end - 1] == 0)
			end--;
		assert(out[end - 1] == DHCP_OPT_END && back.opt[DHCP_F_AGENT].p + k == out + end - 1);
	}
	answer_dest(m, r, port, 0xc0000263u, 68, &dst, &dport);
	assert(dst && (dport == 67 || dport == 68));
	if (port == PORT_DHCP && m->giaddr)
		assert(dst == m->giaddr && dport == 67);
	if (o == ANS_NAK) {
		assert(!r->yiaddr && !r->file[0]);
		return;
	}
	/* The boot fields: the file boot_file gives, for an HTTP client a
	 * URL it can fetch with its vendor class, for a PXE client with the
	 * vendor class and its UUID echoed, and a URL only for iPXE. */
	if (pi) {
		uint8_t v43[64];
		size_t n43 = rpi_option43(&x->conf->rpi, v43);

		assert(!r->file[0] && !r->sname[0] && boot_is_pxe(m) && m->arch == 0);
		assert(r->siaddr == (x->conf->next_server ? x->conf->next_server : x->local));
		assert(back.opt[DHCP_F_VENDOR].len == n43 &&
		       !memcmp(back.opt[DHCP_F_VENDOR].p, v43, n43));
		assert(back.opt[DHCP_F_VENDOR_CLASS].len == 9 &&
		       !memcmp(back.opt[DHCP_F_VENDOR_CLASS].p, "PXEClient", 9));
	} else if (why != BOOT_NONE) {
		assert(!strcmp(r->file, file));
		assert(r->siaddr == (x->conf->next_server ? x->conf->next_server : x->local));
		if (boot_is_http(m)) {
			assert(!strncmp(r->file, "http://", 7) || !strncmp(r->file, "https://", 8));
			assert(back.opt[DHCP_F_VENDOR_CLASS].len == 10);
			assert(!memcmp(back.opt[DHCP_F_VENDOR_CLASS].p, "HTTPClient", 10));
			assert(!dhcp_has(&back, DHCP_F_VENDOR) && !dhcp_has(&back, DHCP_F_UUID));
		} else if (boot_is_pxe(m)) {
			assert(boot_is_ipxe(m) || !boot_is_url(r->file));
			assert(back.opt[DHCP_F_VENDOR_CLASS].len == 9);
			assert(!memcmp(back.opt[DHCP_F_VENDOR_CLASS].p, "PXEClient", 9));
			assert(dhcp_has(&back, DHCP_F_UUID) == dhcp_has(m, DHCP_F_UUID));
			if (dhcp_has(m, DHCP_F_UUID))
				assert(!memcmp(back.opt[DHCP_F_UUID].p, m->opt[DHCP_F_UUID].p, 17));
		}
	} else {
		assert(!r->file[0] && o != ANS_PROXY_OFFER && o != ANS_PXE_ACK);
	}
	if (o == ANS_PXE_ACK || (o == ANS_PROXY_OFFER && m->arch < 6 && !boot_is_http(m)))
		assert(dhcp_has(&back, DHCP_F_VENDOR));
	/* "HTTPClient" only to an HTTP client. */
	if (!boot_is_http(m))
		assert(back.opt[DHCP_F_VENDOR_CLASS].len != 10 ||
		       memcmp(back.opt[DHCP_F_VENDOR_CLASS].p, "HTTPClient", 10));
	if (port == PORT_PXE || x->conf->mode == PXED_PROXY || o == ANS_INFORM)
		assert(!r->yiaddr);
}

/* An address given to the client key: its host line's, or in the pool,
 * usable by it before (free, expired or its own), and now its lease. */
static void check_address(const struct answer_ctx *x, const struct dhcp_msg *m,
			  enum answer_outcome o, const struct dhcp_reply *r,
			  const struct lease *before, const uint8_t *key, uint8_t key_len)
{
	const struct pxed_host *h = pxeconf_host(x->conf, m->chaddr);
	int k = pool_choose(x->conf, m, x->local);
	struct leases *ls = k >= 0 ? &x->leases[k] : NULL;
	struct pxed_pool pool;
	const struct lease *l;

	/* No pool for it (a relay's subnet with none): never an answer. */
	assert((k < 0) == (o == ANS_NO_POOL));
	if (k < 0)
		return;
	pxeconf_pool(x->conf, (unsigned)k, &pool);
	if (m->giaddr)
		assert((m->giaddr & pool.netmask) == (pool.lo & pool.netmask));
	if (answer_sends(o) && o != ANS_NAK && o != ANS_INFORM)
		assert((r->yiaddr & pool.netmask) == (pool.lo & pool.netmask));

	if (o == ANS_OFFER_RECLAIMED) {
		/* Only another client's offer, never a binding, and only when
		 * nothing else was left. */
		l = lease_at(ls, r->yiaddr);
		assert(l && !reserved(x->conf, r->yiaddr) && before->state == LEASE_OFFERED &&
		       before->expires > x->now && !same_key(before, key, key_len));
		assert(holds(l) && same_key(l, key, key_len) && l->expires > x->now);
		return;
	}
	if (o != ANS_OFFER && o != ANS_ACK)
		return;
	assert(r->yiaddr);
	if (h && h->addr && (h->addr & pool.netmask) == (pool.lo & pool.netmask)) {
		assert(r->yiaddr == h->addr);
		return;
	}
	l = lease_at(ls, r->yiaddr);
	assert(l && !reserved(x->conf, r->yiaddr));
	assert(before->state == LEASE_FREE || before->expires <= x->now ||
	       (holds(before) && same_key(before, key, key_len)));
	assert(holds(l) && same_key(l, key, key_len) && l->expires > x->now);
	if (o == ANS_ACK)
		assert(l->state == LEASE_BOUND && l->expires == x->now + (time_t)pool.lease);
}

static void one(struct answer_ctx *x, const uint8_t *hdr, const uint8_t *opts, size_t nopts)
{
	uint8_t pkt[DHCP_MIN_LEN + 255 + 6 + 1], key[LEASE_KEY_MAX], key_len;
	struct dhcp_msg m;
	struct dhcp_reply r;
	struct lease before = { 0 }, was[POOLS][POOL_MAX];
	enum answer_port port = hdr[0] & 4 ? PORT_PXE : PORT_DHCP;
	const struct pxed_host *h;
	uint32_t ciaddr = 0, pool = x->conf->npool ? x->conf->pool[0].lo : 0xc0000264u;
	uint32_t giaddr = giaddrs[(hdr[1] >> 4 & 1) | (hdr[1] >> 6 & 2)];
	struct leases *ls;
	size_t len = DHCP_MIN_LEN;
	enum answer_outcome o;
	bool save;

	x->now += steps[hdr[0] >> 5];
	memset(pkt, 0, sizeof pkt);
	pkt[0] = DHCP_BOOTREQUEST, pkt[1] = 1, pkt[2] = 6;
	memcpy(pkt + 4, hdr, 3); /* the xid */
	if (hdr[1] & 32)
		pkt[10] = 0x80;
	h = pxeconf_host(x->conf, macs[hdr[0] & 3]);
	switch (hdr[0] >> 3 & 3) {
	case 1: ciaddr = pool - 2 + (hdr[1] & 15); break;
	case 2: ciaddr = h ? h->addr : 0; break;
	case 3: ciaddr = x->local; break;
	}
	pkt[12] = (uint8_t)(ciaddr >> 24), pkt[13] = (uint8_t)(ciaddr >> 16);
	pkt[14] = (uint8_t)(ciaddr >> 8), pkt[15] = (uint8_t)ciaddr;
	pkt[24] = (uint8_t)(giaddr >> 24), pkt[25] = (uint8_t)(giaddr >> 16);
	pkt[26] = (uint8_t)(giaddr >> 8), pkt[27] = (uint8_t)giaddr;
	memcpy(pkt + 28, macs[hdr[0] & 3], 6);
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	if (hdr[1] & 64) {
		uint32_t want = pool - 2 + (hdr[1] & 15);
		uint8_t o50[6] = { DHCP_OPT_REQUESTED_IP, 4, (uint8_t)(want >> 24),
				   (uint8_t)(want >> 16), (uint8_t)(want >> 8), (uint8_t)want };
		memcpy(pkt + len, o50, 6);
		len += 6;
	}
	memcpy(pkt + len, opts, nopts);
	len += nopts;
	pkt[len++] = DHCP_OPT_END;
	if (dhcp_parse(pkt, len, DHCP_BOOTREQUEST, &m) != DHCP_OK)
		return;

	key_len = lease_key(m.opt[DHCP_F_CLIENT_ID].p, m.opt[DHCP_F_CLIENT_ID].len, m.chaddr, key);
	for (unsigned i = 0; x->conf->mode == PXED_SERVER && i < x->conf->npool; i++)
		memcpy(was[i], x->leases[i].v, (x->leases[i].hi - x->leases[i].lo + 1) * sizeof was[i][0]);
	o = answer(x, &m, port, &r, &save);
	assert((unsigned)o < ANS_COUNT && answer_name(o));
	assert((o == ANS_NOT_SERVED) ==
	       !pxeconf_serves(x->conf, m.chaddr, dhcp_has(&m, DHCP_F_ARCH), m.arch));
	if (answer_sends(o))
		check_reply(x, &m, port, o, &r);
	if (x->conf->mode == PXED_SERVER && port == PORT_DHCP && o != ANS_NOT_SERVED) {
		if ((ls = lease_pool_of(x->leases, x->conf->npool, r.yiaddr)))
			before = was[ls - x->leases][r.yiaddr - ls->lo];
		check_address(x, &m, o, &r, &before, key, key_len);
		for (unsigned i = 0; i < x->conf->npool; i++) {
			check_pool(x->conf, &x->leases[i]);
			if (save)
				check_file(&x->leases[i]);
		}
	} else {
		assert(!save && o != ANS_NO_POOL);
	}
	if (save)
		assert(o == ANS_ACK || o == ANS_RELEASED || o == ANS_DECLINED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leases ls[POOLS] = { { 0 } };
	struct answer_ctx x = { .leases = ls, .now = NOW0, .local = LOCAL };
	uint32_t lo[POOLS], hi[POOLS];

	if (!conf[0].lease)
		init();
	if (size < 1)
		return 0;
	x.conf = &conf[data[0] % NCONFIGS];
	assert(x.conf->npool <= POOLS);
	for (unsigned i = 0; i < x.conf->npool; i++) {
		lo[i] = x.conf->pool[i].lo, hi[i] = x.conf->pool[i].hi;
		assert(hi[i] - lo[i] < POOL_MAX);
	}
	if (x.conf->mode == PXED_SERVER)
		assert(lease_pools_move(ls, 0, lo, hi, x.conf->npool));
	data++, size--;
	while (size >= 3) {
		size_t n = data[2];

		if (n > 253 || n > size - 3)
			n = size - 3 < 253 ? size - 3 : 253;
		one(&x, data, data + 3, n);
		data += 3 + n;
		size -= 3 + n;
	}
	for (unsigned i = 0; i < POOLS; i++)
		lease_pool_free(&ls[i]);
	return 0;
}
