/* SPDX-License-Identifier: MIT */
/* pxed_pxeconf -- libFuzzer: pxeconf_parse_line (app/pxed/pxeconf.c) on
 * every line of any file, cut as conf_read_fd cuts them, then
 * pxeconf_check on the whole.
 *
 * What pxeconf.h promises and is checked here: a bad line says why and
 * leaves the config as it was; a line taken holds no NUL (it parsed
 * whole); every field stays in the range the syntax gives (counts, names
 * printable and NUL-terminated, addresses neither 0 nor broadcast, a
 * contiguous netmask, lease 60-31536000, a pool of at most 65536 in order,
 * no architecture or MAC twice; an http-server's scheme one of two, its
 * host a name of name characters or empty, its port 0 for none; the rpi
 * rule 1 to 16 OUIs, pad 0 to 3; a pool's
 * own parts each in range or unset, at most PXECONF_POOLS_MAX pools; a
 * serve line with a MAC pattern or an architecture, its patterns 1 to 6
 * bytes); a config pxeconf_check accepts in server mode has each pool in
 * one subnet with its router, pools in subnets of their own, and host
 * addresses each in some pool's subnet, the one pxeconf_pool_of names; and
 * the config, written back out as pxed.conf lines, reads back the same. */
#include <arpa/inet.h>
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pxeconf.h"

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pxed_conf c, was, again;

static void check_name(const char *s, size_t size, bool empty_ok)
{
	size_t n = strnlen(s, size);

	assert(n < size && (n > 0 || empty_ok));
	for (size_t i = 0; i < n; i++)
		assert((unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f);
}

static void check_address(uint32_t a, bool zero_ok)
{
	assert(a != 0xffffffffu && (a || zero_ok));
}

static void check_fields(const struct pxed_conf *p)
{
	assert(p->mode == PXED_PROXY || p->mode == PXED_SERVER);
	check_address(p->next_server, true);
	assert(p->narch <= PXECONF_ARCHES_MAX && p->nhost <= PXECONF_HOSTS_MAX);
	assert(p->ndns <= PXECONF_DNS_MAX);
	for (unsigned i = 0; i < p->narch; i++) {
		check_name(p->arch[i].file, sizeof p->arch[i].file, false);
		for (unsigned j = 0; j < i; j++)
			assert(p->arch[j].arch != p->arch[i].arch);
	}
	for (unsigned i = 0; i < p->nhost; i++) {
		const struct pxed_host *h = &p->host[i];

		check_name(h->file, sizeof h->file, true);
		check_name(h->ipxe, sizeof h->ipxe, true);
		check_address(h->addr, true);
		assert(h->file[0] || h->ipxe[0] || h->addr);
		for (unsigned j = 0; j < i; j++)
			assert(memcmp(p->host[j].mac, h->mac, 6));
		assert(pxeconf_host(p, h->mac) == h);
	}
	check_name(p->ipxe, sizeof p->ipxe, true);
	assert(p->npool <= PXECONF_POOLS_MAX && p->nserve <= PXECONF_SERVE_MAX);
	for (unsigned i = 0; i < p->npool; i++) {
		const struct pxed_pool *q = &p->pool[i];

		assert(q->lo && q->lo <= q->hi && q->hi - q->lo < PXECONF_POOL_MAX);
		check_address(q->lo, false);
		check_address(q->hi, false);
		assert(!q->netmask || !(~q->netmask & (~q->netmask + 1)));
		check_address(q->router, true);
		assert(!q->lease || (q->lease >= 60 && q->lease <= 31536000));
		assert(q->ndns <= PXECONF_DNS_MAX);
		for (unsigned j = 0; j < q->ndns; j++)
			check_address(q->dns[j], false);
		assert(strnlen(q->domain, sizeof q->domain) < sizeof q->domain);
		for (const char *d = q->domain; *d; d++)
			assert(conf_is_name_char(*d));
	}
	for (unsigned i = 0; i < p->nserve; i++) {
		const struct pxed_serve *sv = &p->serve[i];

		assert((sv->nmac || sv->narch) && sv->nmac <= PXECONF_SERVE_ITEMS &&
		       sv->narch <= PXECONF_SERVE_ITEMS);
		for (unsigned j = 0; j < sv->nmac; j++)
			assert(sv->mac[j].len >= 1 && sv->mac[j].len <= 6);
	}
	assert(p->netmask && !(~p->netmask & (~p->netmask + 1)));
	check_address(p->router, true);
	for (unsigned i = 0; i < p->ndns; i++)
		check_address(p->dns[i], false);
	assert(p->lease >= 60 && p->lease <= 31536000);
	assert(strnlen(p->domain, sizeof p->domain) < sizeof p->domain);
	for (const char *d = p->domain; *d; d++)
		assert(conf_is_name_char(*d));
	assert(p->http == PXED_HTTP_OFF || p->http == PXED_HTTP || p->http == PXED_HTTPS);
	assert(p->http || (!p->http_host[0] && !p->http_port));
	assert(strnlen(p->http_host, sizeof p->http_host) < sizeof p->http_host);
	for (const char *d = p->http_host; *d; d++)
		assert(conf_is_name_char(*d));
	assert(p->rpi.noui >= 1 && p->rpi.noui <= RPI_OUIS_MAX && p->rpi.pad <= RPI_PAD_MAX);
}

static void check_subnet(const struct pxed_conf *p)
{
	struct pxed_pool q, o;

	if (p->mode != PXED_SERVER)
		return;
	assert(p->npool);
	for (unsigned i = 0; i < p->npool; i++) {
		uint32_t net;

		pxeconf_pool(p, i, &q);
		net = q.lo & q.netmask;
		assert((q.hi & q.netmask) == net);
		assert(!q.router || (q.router & q.netmask) == net);
		assert(pxeconf_pool_of(p, q.lo) == (int)i && pxeconf_pool_of(p, q.hi) == (int)i);
		for (unsigned j = 0; j < i; j++) {
			pxeconf_pool(p, j, &o);
			assert((o.lo & o.netmask & q.netmask) != (net & o.netmask));
		}
	}
	for (unsigned i = 0; i < p->nhost; i++) {
		int k = p->host[i].addr ? pxeconf_pool_of(p, p->host[i].addr) : 0;

		assert(k >= 0);
		if (p->host[i].addr) {
			pxeconf_pool(p, (unsigned)k, &q);
			assert((p->host[i].addr & q.netmask) == (q.lo & q.netmask));
		}
	}
}

static const char *dotted(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* A pool line's dns list: A,B,... */
static int put_dns(char *line, size_t size, const uint32_t *dns, unsigned n)
{
	char a[INET_ADDRSTRLEN];
	int k = 0;

	for (unsigned i = 0; i < n; i++)
		k += snprintf(line + k, size - (size_t)k, "%s%s", i ? "," : "", dotted(dns[i], a));
	return k;
}

static void put(struct pxed_conf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line of the config written back, read into p. */
static void put(struct pxed_conf *p, const char *fmt, ...)
{
	char line[CONF_LINE_MAX + 1], why[PXECONF_WHY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	assert(n > 0 && (size_t)n < sizeof line);
	if (pxeconf_parse_line(p, line, (size_t)n, why) != CONF_OK) {
		fprintf(stderr, "written back: \"%s\": %s\n", line, why);
		abort();
	}
}

/* p as pxed.conf lines, read into again. */
static void round_trip(const struct pxed_conf *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	pxeconf_init(&again);
	if (p->seen & 1u << 0)
		put(&again, "mode %s", p->mode == PXED_SERVER ? "server" : "proxy");
	if (p->next_server)
		put(&again, "next-server %s", dotted(p->next_server, a));
	for (unsigned i = 0; i < p->narch; i++)
		put(&again, "arch %u file %s", p->arch[i].arch, p->arch[i].file);
	if (p->ipxe[0])
		put(&again, "ipxe file %s", p->ipxe);
	for (unsigned i = 0; i < p->nhost; i++) {
		const struct pxed_host *h = &p->host[i];
		char line[CONF_LINE_MAX + 1];
		int n = snprintf(line, sizeof line, "host %02x:%02x:%02x:%02x:%02x:%02x", h->mac[0],
				 h->mac[1], h->mac[2], h->mac[3], h->mac[4], h->mac[5]);

		if (h->file[0])
			n += snprintf(line + n, sizeof line - (size_t)n, " file %s", h->file);
		if (h->ipxe[0])
			n += snprintf(line + n, sizeof line - (size_t)n, " ipxe %s", h->ipxe);
		if (h->addr)
			snprintf(line + n, sizeof line - (size_t)n, " address %s", dotted(h->addr, a));
		put(&again, "%s", line);
	}
	for (unsigned i = 0; i < p->npool; i++) {
		const struct pxed_pool *q = &p->pool[i];
		char line[CONF_LINE_MAX + 1];
		size_t z = sizeof line;
		int n = snprintf(line, z, "pool %s %s", dotted(q->lo, a), dotted(q->hi, b));

		if (q->netmask)
			n += snprintf(line + n, z - (size_t)n, " netmask %s", dotted(q->netmask, a));
		if (q->router)
			n += snprintf(line + n, z - (size_t)n, " router %s", dotted(q->router, a));
		if (q->lease)
			n += snprintf(line + n, z - (size_t)n, " lease %u", q->lease);
		if (q->ndns) {
			n += snprintf(line + n, z - (size_t)n, " dns ");
			n += put_dns(line + n, z - (size_t)n, q->dns, q->ndns);
		}
		if (q->domain[0])
			snprintf(line + n, z - (size_t)n, " domain %s", q->domain);
		put(&again, "%s", line);
	}
	for (unsigned i = 0; i < p->nserve; i++) {
		const struct pxed_serve *sv = &p->serve[i];
		char line[CONF_LINE_MAX + 1];
		size_t z = sizeof line;
		int n = snprintf(line, z, "serve");

		for (unsigned j = 0; j < sv->nmac; j++) {
			n += snprintf(line + n, z - (size_t)n, "%s", j ? "," : " mac ");
			for (unsigned k = 0; k < sv->mac[j].len; k++)
				n += snprintf(line + n, z - (size_t)n, "%s%02x", k ? ":" : "",
					      sv->mac[j].mac[k]);
			if (sv->mac[j].len < 6)
				n += snprintf(line + n, z - (size_t)n, ":*");
		}
		for (unsigned j = 0; j < sv->narch; j++)
			n += snprintf(line + n, z - (size_t)n, "%s%u", j ? "," : " arch ", sv->arch[j]);
		put(&again, "%s", line);
	}
	put(&again, "netmask %s", dotted(p->netmask, a));
	put(&again, "lease %u", p->lease);
	if (p->router)
		put(&again, "router %s", dotted(p->router, a));
	if (p->ndns) {
		char line[CONF_LINE_MAX + 1];
		int n = snprintf(line, sizeof line, "dns");

		for (unsigned i = 0; i < p->ndns; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, " %s", dotted(p->dns[i], a));
		put(&again, "%s", line);
	}
	if (p->domain[0])
		put(&again, "domain %s", p->domain);
	if (p->http) {
		char port[8] = "";

		if (p->http_port)
			snprintf(port, sizeof port, ":%u", p->http_port);
		put(&again, "http-server %s %s%s", p->http == PXED_HTTPS ? "https" : "http",
		    p->http_host, port);
	}
	if (p->rpi.on) {
		char line[CONF_LINE_MAX + 1];
		int n = snprintf(line, sizeof line, "rpi on pad %u mac ", p->rpi.pad);

		for (unsigned i = 0; i < p->rpi.noui; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, "%s%02x:%02x:%02x",
				      i ? "," : "", p->rpi.oui[i][0], p->rpi.oui[i][1], p->rpi.oui[i][2]);
		put(&again, "%s", line);
	} else {
		put(&again, "rpi off");
	}

	assert(again.mode == p->mode && again.next_server == p->next_server);
	assert(again.narch == p->narch && again.nhost == p->nhost && again.ndns == p->ndns);
	for (unsigned i = 0; i < p->narch; i++)
		assert(again.arch[i].arch == p->arch[i].arch &&
		       !strcmp(again.arch[i].file, p->arch[i].file));
	for (unsigned i = 0; i < p->nhost; i++)
		assert(!memcmp(again.host[i].mac, p->host[i].mac, 6) &&
		       !strcmp(again.host[i].file, p->host[i].file) &&
		       !strcmp(again.host[i].ipxe, p->host[i].ipxe) &&
		       again.host[i].addr == p->host[i].addr);
	assert(!strcmp(again.ipxe, p->ipxe) && !strcmp(again.domain, p->domain));
	assert(again.npool == p->npool && again.nserve == p->nserve);
	assert(!memcmp(again.pool, p->pool, p->npool * sizeof p->pool[0]));
	for (unsigned i = 0; i < p->nserve; i++) {
		const struct pxed_serve *x = &again.serve[i], *y = &p->serve[i];

		assert(x->nmac == y->nmac && x->narch == y->narch);
		assert(!memcmp(x->arch, y->arch, y->narch * sizeof y->arch[0]));
		for (unsigned j = 0; j < y->nmac; j++)
			assert(x->mac[j].len == y->mac[j].len &&
			       !memcmp(x->mac[j].mac, y->mac[j].mac, y->mac[j].len));
	}
	assert(again.netmask == p->netmask && again.router == p->router);
	assert(again.lease == p->lease);
	assert(!memcmp(again.dns, p->dns, p->ndns * sizeof p->dns[0]));
	assert(again.http == p->http && again.http_port == p->http_port &&
	       !strcmp(again.http_host, p->http_host));
	assert(again.rpi.on == p->rpi.on && again.rpi.noui == p->rpi.noui &&
	       !memcmp(again.rpi.oui, p->rpi.oui, sizeof p->rpi.oui) &&
	       (!p->rpi.on || again.rpi.pad == p->rpi.pad));
}

/* The MAC of a host line taken is the line's second word, in hex. */
static void check_mac_word(const char *l, size_t n, const uint8_t mac[6])
{
	char text[18];
	size_t i = 0, w;

	while (conf_is_blank(l[i]))
		i++;
	i += 4; /* "host" */
	while (conf_is_blank(l[i]))
		i++;
	for (w = 0; i + w < n && !conf_is_blank(l[i + w]); w++)
		;
	snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	assert(w == 17 && !strncasecmp(l + i, text, 17));
}

/* One line as conf_read_fd hands it over: cut to CONF_LINE_MAX + 1
 * bytes, in a buffer of exactly its length (ASan sees a read past it). */
static void line(const uint8_t *p, size_t len)
{
	char why[PXECONF_WHY_MAX];
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1;
	char *l = malloc(n ? n : 1);
	enum conf_result r;

	assert(l);
	memcpy(l, p, n);
	why[0] = '\0';
	was = c;
	r = pxeconf_parse_line(&c, l, n, why);
	if (r == CONF_BAD) {
		assert(why[0] && strnlen(why, sizeof why) < sizeof why);
		assert(!memcmp(&was, &c, sizeof c));
	} else if (r == CONF_SKIP) {
		assert(!memcmp(&was, &c, sizeof c));
	} else {
		assert(r == CONF_OK && !memchr(l, '\0', n));
		if (c.nhost > was.nhost)
			check_mac_word(l, n, c.host[c.nhost - 1].mac);
	}
	free(l);
}

/* A line, then every invariant of what it left. */
static void line_checked(const uint8_t *p, size_t n)
{
	line(p, n);
	check_fields(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[PXECONF_WHY_MAX];

	pxeconf_init(&c);
	fuzz_lines(data, size, line_checked);
	if (pxeconf_check(&c, why))
		check_subnet(&c);
	else
		assert(why[0] && c.mode == PXED_SERVER);
	round_trip(&c);
	return 0;
}
