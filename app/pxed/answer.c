/* SPDX-License-Identifier: MIT */
/* answer.c -- see answer.h. */
#include "answer.h"

#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "rpi.h"

#define PXE_VENDOR "PXEClient"
#define HTTP_VENDOR "HTTPClient"
#define PXE_DISCOVERY_BOOT_FILE 8 /* bit 3: download the file of this packet */
#define ARCH_FIRST_EFI 6          /* RFC 4578: 0-5 are BIOS-era, 6 on EFI */

static const struct {
	const char *name;
	bool sends;
} outcome_table[ANS_COUNT] = {
	[ANS_PROXY_OFFER] = { "proxy offer", true },
	[ANS_PXE_ACK] = { "boot server ack", true },
	[ANS_OFFER] = { "offer", true },
	[ANS_OFFER_RECLAIMED] = { "offer of a reclaimed address", true },
	[ANS_ACK] = { "ack", true },
	[ANS_NAK] = { "nak", true },
	[ANS_INFORM] = { "inform ack", true },
	[ANS_RELEASED] = { "released", false },
	[ANS_DECLINED] = { "declined", false },
	[ANS_NOT_PXE] = { "not a PXE or HTTP boot client", false },
	[ANS_NO_FILE] = { "no boot file for it", false },
	[ANS_NOT_HANDLED] = { "not handled here", false },
	[ANS_OTHER_SERVER] = { "chose another server", false },
	[ANS_POOL_FULL] = { "pool full", false },
	[ANS_UNKNOWN_CLIENT] = { "not our client", false },
	[ANS_NO_POOL] = { "no pool for its subnet", false },
	[ANS_NOT_SERVED] = { "not served here (serve lines)", false },
};

bool answer_sends(enum answer_outcome o)
{
	return outcome_table[o].sends;
}

const char *answer_name(enum answer_outcome o)
{
	return outcome_table[o].name;
}

static void dotted(char *buf, size_t size, uint32_t a)
{
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
}

/* Option 43 with one PXE suboption. */
static void add_pxe_sub(struct dhcp_reply *r, uint8_t code, const void *data, uint8_t len)
{
	uint8_t v[2 + 255 + 1];

	v[0] = code;
	v[1] = len;
	memcpy(v + 2, data, len);
	v[2 + len] = DHCP_OPT_END;
	dhcp_reply_add(r, DHCP_OPT_VENDOR, v, (size_t)len + 3);
}

enum vendor43 { V43_NONE, V43_DISCOVERY, V43_ECHO_ITEM };

/* siaddr, sname, file (boot_file's), for an HTTP client 60 "HTTPClient",
 * for a PXE client 60 "PXEClient", 97 and 43. */
static uint32_t tftp_server(const struct answer_ctx *x)
{
	return x->conf->next_server ? x->conf->next_server : x->local;
}

static void add_boot(const struct answer_ctx *x, const struct dhcp_msg *m, struct dhcp_reply *r,
		     const char *file, bool sname, enum vendor43 v43)
{
	static const uint8_t discovery = PXE_DISCOVERY_BOOT_FILE;
	struct dhcp_bytes item;

	r->siaddr = tftp_server(x);
	snprintf(r->file, sizeof r->file, "%s", file);
	if (sname)
		dotted(r->sname, sizeof r->sname, r->siaddr);
	if (boot_is_http(m)) {
		dhcp_reply_add(r, DHCP_OPT_VENDOR_CLASS, HTTP_VENDOR, sizeof HTTP_VENDOR - 1);
		return;
	}
	if (!boot_is_pxe(m))
		return;
	dhcp_reply_add(r, DHCP_OPT_VENDOR_CLASS, PXE_VENDOR, sizeof PXE_VENDOR - 1);
	if (dhcp_has(m, DHCP_F_UUID))
		dhcp_reply_add(r, DHCP_OPT_UUID, m->opt[DHCP_F_UUID].p, m->opt[DHCP_F_UUID].len);
	if (v43 == V43_ECHO_ITEM && dhcp_find_sub(m->opt[DHCP_F_VENDOR], PXE_BOOT_ITEM, &item) &&
	    item.len == 4)
		add_pxe_sub(r, PXE_BOOT_ITEM, item.p, item.len);
	else if (v43 != V43_NONE)
		add_pxe_sub(r, PXE_DISCOVERY_CONTROL, &discovery, 1);
}

static enum answer_outcome answer_proxy(const struct answer_ctx *x, const struct dhcp_msg *m,
					struct dhcp_reply *r)
{
	char file[DHCP_FILE_LEN];
	bool http = boot_is_http(m), efi = m->arch >= ARCH_FIRST_EFI;
	bool pi = rpi_is_client(&x->conf->rpi, m);

	if (m->type != DHCP_DISCOVER)
		return ANS_NOT_HANDLED;
	if (!boot_is_pxe(m) && !http)
		return ANS_NOT_PXE;
	if (!pi && boot_file(x->conf, m, x->local, file) == BOOT_NONE)
		return ANS_NO_FILE;
	dhcp_reply_init(r, m, DHCP_OFFER);
	r->flags |= DHCP_BROADCAST;
	dhcp_reply_add32(r, DHCP_OPT_SERVER_ID, x->local);
	if (pi) /* a Raspberry Pi: its option 43 and 66, no file (rpi.h) */
		rpi_answer(&x->conf->rpi, m, tftp_server(x), r);
	else if (http) /* EDK2 takes a proxy offer's URL at once: no port 4011 */
		add_boot(x, m, r, file, false, V43_NONE);
	else
		add_boot(x, m, r, file, efi, efi ? V43_NONE : V43_DISCOVERY);
	return ANS_PROXY_OFFER;
}

static enum answer_outcome answer_pxe(const struct answer_ctx *x, const struct dhcp_msg *m,
				      struct dhcp_reply *r)
{
	char file[DHCP_FILE_LEN];
	bool pi = rpi_is_client(&x->conf->rpi, m);

	if (m->type != DHCP_REQUEST && m->type != DHCP_INFORM)
		return ANS_NOT_HANDLED;
	if (!boot_is_pxe(m))
		return ANS_NOT_PXE;
	if (!pi && boot_file(x->conf, m, x->local, file) == BOOT_NONE)
		return ANS_NO_FILE;
	dhcp_reply_init(r, m, DHCP_ACK);
	dhcp_reply_add32(r, DHCP_OPT_SERVER_ID, x->local);
	if (pi)
		rpi_answer(&x->conf->rpi, m, tftp_server(x), r);
	else
		add_boot(x, m, r, file, true, V43_ECHO_ITEM);
	return ANS_PXE_ACK;
}

/* -- server mode --------------------------------------------------------- */

static bool host_reserved(uint32_t addr, const void *ctx)
{
	const struct pxed_conf *c = ctx;

	for (unsigned i = 0; i < c->nhost; i++)
		if (c->host[i].addr == addr)
			return true;
	return false;
}

int pool_choose(const struct pxed_conf *c, const struct dhcp_msg *m, uint32_t local)
{
	int i;

	if (m->giaddr)
		return pxeconf_pool_of(c, m->giaddr);
	if (c->npool == 1)
		return 0;
	if (m->ciaddr && (i = pxeconf_pool_of(c, m->ciaddr)) >= 0)
		return i;
	return pxeconf_pool_of(c, local);
}

/* A server-mode message's pool, its leases, and the client. */
struct client {
	uint8_t key[LEASE_KEY_MAX], key_len;
	uint32_t host_addr;          /* its host line's, when in the pool's subnet */
	struct pxed_pool pool;       /* pxeconf_pool's */
	struct leases *leases;
};

/* netmask, router, DNS, domain of cl's pool; the lease times when lease. */
static void add_site(const struct answer_ctx *x, const struct client *cl, struct dhcp_reply *r,
		     bool lease)
{
	const struct pxed_pool *c = &cl->pool;
	uint8_t dns[4 * PXECONF_DNS_MAX];

	dhcp_reply_add32(r, DHCP_OPT_SERVER_ID, x->local);
	if (lease) {
		dhcp_reply_add32(r, DHCP_OPT_LEASE_TIME, c->lease);
		dhcp_reply_add32(r, DHCP_OPT_RENEWAL, c->lease / 2);
		dhcp_reply_add32(r, DHCP_OPT_REBINDING, c->lease / 8 * 7);
	}
	dhcp_reply_add32(r, DHCP_OPT_NETMASK, c->netmask);
	if (c->router)
		dhcp_reply_add32(r, DHCP_OPT_ROUTER, c->router);
	for (unsigned i = 0; i < c->ndns; i++) {
		dns[4 * i] = (uint8_t)(c->dns[i] >> 24);
		dns[4 * i + 1] = (uint8_t)(c->dns[i] >> 16);
		dns[4 * i + 2] = (uint8_t)(c->dns[i] >> 8);
		dns[4 * i + 3] = (uint8_t)c->dns[i];
	}
	if (c->ndns)
		dhcp_reply_add(r, DHCP_OPT_DNS, dns, 4 * c->ndns);
	if (c->domain[0])
		dhcp_reply_add(r, DHCP_OPT_DOMAIN, c->domain, strlen(c->domain));
}

static void add_server_boot(const struct answer_ctx *x, const struct dhcp_msg *m,
			    struct dhcp_reply *r)
{
	char file[DHCP_FILE_LEN];

	if (rpi_is_client(&x->conf->rpi, m))
		rpi_answer(&x->conf->rpi, m, tftp_server(x), r);
	else if (boot_file(x->conf, m, x->local, file) != BOOT_NONE)
		add_boot(x, m, r, file, false, V43_DISCOVERY);
}

static enum answer_outcome offer(const struct answer_ctx *x, const struct dhcp_msg *m,
				 const struct client *cl, struct dhcp_reply *r)
{
	struct leases *ls = cl->leases;
	uint32_t a = cl->host_addr;
	bool reclaimed = false;
	struct lease *l;

	if (!a) {
		a = lease_pick(ls, cl->key, cl->key_len, m->requested_ip, x->now, host_reserved,
			       x->conf);
		if (!a && (a = lease_reclaim_offer(ls, x->now, host_reserved, x->conf)))
			reclaimed = true;
		if (!a)
			return ANS_POOL_FULL;
		l = lease_at(ls, a);
		if (l->state != LEASE_BOUND || l->expires <= x->now)
			lease_set(ls, a, LEASE_OFFERED, cl->key, cl->key_len, m->chaddr,
				  x->now + LEASE_OFFER_SECONDS);
	}
	dhcp_reply_init(r, m, DHCP_OFFER);
	r->yiaddr = a;
	add_site(x, cl, r, true);
	add_server_boot(x, m, r);
	return reclaimed ? ANS_OFFER_RECLAIMED : ANS_OFFER;
}

static enum answer_outcome nak(const struct answer_ctx *x, const struct dhcp_msg *m,
			       struct dhcp_reply *r)
{
	static const char why[] = "address not available";

	dhcp_reply_init(r, m, DHCP_NAK);
	/* RFC 2131 4.3.2: through a relay the broadcast bit, so the relay
	 * broadcasts it to a client whose address may be wrong. */
	if (m->giaddr)
		r->flags |= DHCP_BROADCAST;
	dhcp_reply_add32(r, DHCP_OPT_SERVER_ID, x->local);
	dhcp_reply_add(r, DHCP_OPT_MESSAGE, why, sizeof why - 1);
	return ANS_NAK;
}

static enum answer_outcome request(const struct answer_ctx *x, const struct dhcp_msg *m,
				   const struct client *cl, struct dhcp_reply *r, bool *save)
{
	struct leases *ls = cl->leases;
	uint32_t want = m->requested_ip ? m->requested_ip : m->ciaddr;
	struct lease *own = lease_of(ls, cl->key, cl->key_len);

	if (dhcp_has(m, DHCP_F_SERVER_ID) && m->server_id != x->local) {
		if (own && own->state == LEASE_OFFERED)
			lease_set(ls, own->addr, LEASE_FREE, NULL, 0, NULL, x->now);
		return ANS_OTHER_SERVER;
	}
	if (!want)
		return ANS_UNKNOWN_CLIENT;
	if (cl->host_addr) {
		if (want != cl->host_addr)
			return nak(x, m, r);
	} else {
		if (!lease_usable(ls, want, cl->key, cl->key_len, x->now, host_reserved, x->conf))
			return nak(x, m, r);
		if (own && own->addr != want)
			lease_set(ls, own->addr, LEASE_FREE, NULL, 0, NULL, x->now);
		lease_set(ls, want, LEASE_BOUND, cl->key, cl->key_len, m->chaddr,
			  x->now + (time_t)cl->pool.lease);
		*save = true;
	}
	dhcp_reply_init(r, m, DHCP_ACK);
	r->yiaddr = want;
	r->ciaddr = m->ciaddr;
	add_site(x, cl, r, true);
	add_server_boot(x, m, r);
	return ANS_ACK;
}

/* DECLINE (RFC 2131 4.3.3): the address is in use by someone else; keep
 * it out of the pool for a lease time.  RELEASE: the client is done. */
static enum answer_outcome give_back(const struct answer_ctx *x, const struct dhcp_msg *m,
				     const struct client *cl, bool *save)
{
	bool decline = m->type == DHCP_DECLINE;
	uint32_t a = decline ? m->requested_ip : m->ciaddr;
	struct lease *l = lease_at(cl->leases, a);

	if (dhcp_has(m, DHCP_F_SERVER_ID) && m->server_id != x->local)
		return ANS_OTHER_SERVER;
	if (!l || (l->state != LEASE_OFFERED && l->state != LEASE_BOUND) ||
	    l->key_len != cl->key_len || memcmp(l->key, cl->key, cl->key_len))
		return ANS_UNKNOWN_CLIENT;
	*save = l->state == LEASE_BOUND;
	if (decline)
		lease_set(cl->leases, a, LEASE_DECLINED, NULL, 0, NULL, x->now + (time_t)cl->pool.lease);
	else
		lease_set(cl->leases, a, LEASE_FREE, NULL, 0, NULL, x->now);
	return decline ? ANS_DECLINED : ANS_RELEASED;
}

static enum answer_outcome answer_server(const struct answer_ctx *x, const struct dhcp_msg *m,
					 struct dhcp_reply *r, bool *save)
{
	const struct pxed_host *h = pxeconf_host(x->conf, m->chaddr);
	int i = pool_choose(x->conf, m, x->local);
	struct client cl;

	if (i < 0)
		return ANS_NO_POOL;
	pxeconf_pool(x->conf, (unsigned)i, &cl.pool);
	cl.leases = &x->leases[i];
	cl.key_len = lease_key(m->opt[DHCP_F_CLIENT_ID].p, m->opt[DHCP_F_CLIENT_ID].len,
			       m->chaddr, cl.key);
	cl.host_addr = h && h->addr && (h->addr & cl.pool.netmask) == (cl.pool.lo & cl.pool.netmask)
			       ? h->addr
			       : 0;
	switch (m->type) {
	case DHCP_DISCOVER:
		return offer(x, m, &cl, r);
	case DHCP_REQUEST:
		return request(x, m, &cl, r, save);
	case DHCP_DECLINE:
	case DHCP_RELEASE:
		return give_back(x, m, &cl, save);
	case DHCP_INFORM:
		dhcp_reply_init(r, m, DHCP_ACK);
		r->ciaddr = m->ciaddr;
		add_site(x, &cl, r, false);
		add_server_boot(x, m, r);
		return ANS_INFORM;
	default:
		return ANS_NOT_HANDLED;
	}
}

enum answer_outcome answer(const struct answer_ctx *x, const struct dhcp_msg *m,
			   enum answer_port port, struct dhcp_reply *r, bool *save)
{
	*save = false;
	if (!pxeconf_serves(x->conf, m->chaddr, dhcp_has(m, DHCP_F_ARCH), m->arch))
		return ANS_NOT_SERVED;
	if (port == PORT_PXE)
		return answer_pxe(x, m, r);
	if (x->conf->mode == PXED_PROXY)
		return answer_proxy(x, m, r);
	return answer_server(x, m, r, save);
}

void answer_dest(const struct dhcp_msg *m, const struct dhcp_reply *r, enum answer_port port,
		 uint32_t src, uint16_t sport, uint32_t *dst, uint16_t *dport)
{
	if (port == PORT_PXE) {
		*dst = m->ciaddr ? m->ciaddr : src ? src : 0xffffffffu;
		*dport = sport;
	} else if (m->giaddr) {
		*dst = m->giaddr;
		*dport = 67;
	} else if (m->ciaddr && r->type != DHCP_NAK) {
		*dst = m->ciaddr;
		*dport = 68;
	} else {
		*dst = 0xffffffffu;
		*dport = 68;
	}
}
