/* SPDX-License-Identifier: MIT */
/* pxeconf.c -- one pxed.conf line, and the file's consistency; see
 * pxeconf.h.  Pure: no I/O. */
#include "pxeconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX 16

struct words {
	unsigned n;
	char w[WORDS_MAX][CONF_LINE_MAX + 1];
};

enum directive {
	D_MODE, D_NEXT_SERVER, D_ARCH, D_IPXE, D_HOST, D_POOL, D_NETMASK, D_LEASE,
	D_ROUTER, D_DNS, D_DOMAIN, D_HTTP_SERVER, D_ROUTER_ADVERT, D_RPI, D_SERVE, D_COUNT
};

typedef enum conf_result parse_fn(struct pxed_conf *c, const struct words *w, char *why);

/* One parse_fn a directive, each of the same shape (the words after
 * the keyword checked into c, or CONF_BAD with why): alike by design. */
static parse_fn parse_mode, parse_next_server, parse_arch, parse_ipxe, parse_host,
	parse_pool, parse_netmask, parse_lease, parse_router, parse_dns, parse_domain,
	parse_http_server, parse_router_advert, parse_rpi,
	parse_serve;

/* Each directive: its words (with the keyword) min..max, whether it may
 * be given more than once. */
static const struct {
	const char *name;
	unsigned min, max;
	bool repeat;
	parse_fn *fn;
	const char *usage;
} directive_table[D_COUNT] = {
	[D_MODE] = { "mode", 2, 2, false, parse_mode, "mode proxy|server" },
	[D_NEXT_SERVER] = { "next-server", 2, 2, false, parse_next_server, "next-server ADDRESS" },
	[D_ARCH] = { "arch", 4, 4, true, parse_arch, "arch N[,N...] file NAME" },
	[D_IPXE] = { "ipxe", 3, 3, false, parse_ipxe, "ipxe file NAME|URL" },
	[D_HOST] = { "host", 4, 8, true, parse_host,
		     "host MAC [file NAME] [ipxe NAME] [address ADDRESS]" },
	[D_POOL] = { "pool", 3, 13, true, parse_pool,
		     "pool FIRST LAST [netmask MASK] [router ADDRESS] [lease SECONDS] "
		     "[dns ADDRESS[,ADDRESS...]] [domain NAME]" },
	[D_NETMASK] = { "netmask", 2, 2, false, parse_netmask, "netmask MASK" },
	[D_LEASE] = { "lease", 2, 2, false, parse_lease, "lease SECONDS" },
	[D_ROUTER] = { "router", 2, 2, false, parse_router, "router ADDRESS" },
	[D_DNS] = { "dns", 2, 1 + PXECONF_DNS_MAX, false, parse_dns, "dns ADDRESS [ADDRESS...]" },
	[D_DOMAIN] = { "domain", 2, 2, false, parse_domain, "domain NAME" },
	[D_HTTP_SERVER] = { "http-server", 2, 3, false, parse_http_server,
			    "http-server http|https [HOST][:PORT]" },
	[D_ROUTER_ADVERT] = { "router-advert", 2, 2, false, parse_router_advert,
			      "router-advert on|off" },
	[D_RPI] = { "rpi", 2, 6, false, parse_rpi, "rpi off | rpi on [mac OUI[,OUI...]] [pad N]" },
	[D_SERVE] = { "serve", 3, 5, true, parse_serve,
		      "serve [mac PATTERN[,PATTERN...]] [arch N[,N...]]" },
};

/* Split at blanks, up to a '#' that starts a word.  False when there are
 * more than WORDS_MAX words. */
static bool split(const char *line, size_t len, struct words *w)
{
	size_t i = 0;

	w->n = 0;
	for (;;) {
		size_t n = 0;

		while (i < len && conf_is_blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			return true;
		if (w->n == WORDS_MAX)
			return false;
		while (i < len && !conf_is_blank(line[i]))
			w->w[w->n][n++] = line[i++];
		w->w[w->n++][n] = '\0';
	}
}

static bool address(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return false;
	*a = ntohl(in.s_addr);
	return true;
}

static enum conf_result want_address(const char *s, uint32_t *a, char *why)
{
	uint32_t v;

	if (!address(s, &v) || v == 0 || v == 0xffffffffu)
		return conf_badf(why, "not an IPv4 address: %s", s);
	*a = v;
	return CONF_OK;
}

/* A file name or URL: printable, no blanks, fits the file field. */
static enum conf_result want_name(const char *s, char *out, size_t size, char *why)
{
	size_t n = strlen(s);

	if (n >= size)
		return conf_badf(why, "name longer than %zu bytes: %.32s...", size - 1, s);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return conf_badf(why, "control or non-ASCII character in %s", s);
	memcpy(out, s, n + 1);
	return CONF_OK;
}

static bool number(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*v = strtoul(s, &end, 10);
	return !*end && *v >= lo && *v <= hi && end - s <= 10;
}

static enum conf_result parse_mode(struct pxed_conf *c, const struct words *w, char *why)
{
	if (!strcmp(w->w[1], "proxy"))
		c->mode = PXED_PROXY;
	else if (!strcmp(w->w[1], "server"))
		c->mode = PXED_SERVER;
	else
		return conf_badf(why, "mode is proxy or server, not %s", w->w[1]);
	return CONF_OK;
}

static enum conf_result parse_next_server(struct pxed_conf *c, const struct words *w, char *why)
{
	return want_address(w->w[1], &c->next_server, why);
}

static struct pxed_arch *find_arch(struct pxed_conf *c, unsigned long a)
{
	for (unsigned i = 0; i < c->narch; i++)
		if (c->arch[i].arch == a)
			return &c->arch[i];
	return NULL;
}

static enum conf_result parse_arch(struct pxed_conf *c, const struct words *w, char *why)
{
	char file[PXECONF_NAME_MAX];
	unsigned long a[PXECONF_ARCHES_MAX];
	unsigned n = 0;
	char list[CONF_LINE_MAX + 1], *save = NULL;

	if (strcmp(w->w[2], "file"))
		return conf_badf(why, "expected: arch N[,N...] file NAME");
	if (want_name(w->w[3], file, sizeof file, why) != CONF_OK)
		return CONF_BAD;
	strcpy(list, w->w[1]);
	if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return conf_badf(why, "not a list of architectures: %s", w->w[1]);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!number(t, 0, 65535, &a[n]))
			return conf_badf(why, "an architecture is a number from 0 to 65535, not %s", t);
		if (find_arch(c, a[n]))
			return conf_badf(why, "arch %lu given twice", a[n]);
		for (unsigned i = 0; i < n; i++)
			if (a[i] == a[n])
				return conf_badf(why, "arch %lu given twice", a[n]);
		if (c->narch + ++n > PXECONF_ARCHES_MAX)
			return conf_badf(why, "too many architectures (at most %d)", PXECONF_ARCHES_MAX);
	}
	for (unsigned i = 0; i < n; i++) {
		c->arch[c->narch].arch = (uint16_t)a[i];
		strcpy(c->arch[c->narch++].file, file);
	}
	return CONF_OK;
}

static enum conf_result parse_ipxe(struct pxed_conf *c, const struct words *w, char *why)
{
	if (strcmp(w->w[1], "file"))
		return conf_badf(why, "expected: ipxe file NAME|URL");
	return want_name(w->w[2], c->ipxe, sizeof c->ipxe, why);
}

static enum conf_result parse_host(struct pxed_conf *c, const struct words *w, char *why)
{
	struct pxed_host h = { .addr = 0 };

	if (!dhcp_mac_parse(w->w[1], strlen(w->w[1]), h.mac))
		return conf_badf(why, "not a MAC address (like 52:54:00:12:34:56): %s", w->w[1]);
	if (pxeconf_host(c, h.mac))
		return conf_badf(why, "host %s given twice", w->w[1]);
	if (c->nhost == PXECONF_HOSTS_MAX)
		return conf_badf(why, "too many hosts (at most %d)", PXECONF_HOSTS_MAX);
	if (w->n % 2)
		return conf_badf(why, "expected: %s", directive_table[D_HOST].usage);
	for (unsigned i = 2; i < w->n; i += 2) {
		const char *k = w->w[i], *v = w->w[i + 1];
		enum conf_result r;

		if (!strcmp(k, "file") && !h.file[0])
			r = want_name(v, h.file, sizeof h.file, why);
		else if (!strcmp(k, "ipxe") && !h.ipxe[0])
			r = want_name(v, h.ipxe, sizeof h.ipxe, why);
		else if (!strcmp(k, "address") && !h.addr)
			r = want_address(v, &h.addr, why);
		else
			return conf_badf(why, "%s: expected file, ipxe or address, each once", k);
		if (r != CONF_OK)
			return r;
	}
	c->host[c->nhost++] = h;
	return CONF_OK;
}

static enum conf_result want_netmask(const char *s, uint32_t *m, char *why)
{
	uint32_t v;

	if (!address(s, &v) || v == 0 || (~v & (~v + 1)))
		return conf_badf(why, "not a netmask: %s", s);
	*m = v;
	return CONF_OK;
}

static enum conf_result want_lease(const char *s, uint32_t *lease, char *why)
{
	unsigned long v;

	if (!number(s, 60, 31536000, &v))
		return conf_badf(why, "lease is 60 to 31536000 seconds, not %s", s);
	*lease = (uint32_t)v;
	return CONF_OK;
}

static enum conf_result want_domain(const char *s, char out[PXECONF_DOMAIN_MAX], char *why)
{
	for (const char *p = s; *p; p++)
		if (!conf_is_name_char(*p))
			return conf_badf(why, "not a domain name: %s", s);
	if (strlen(s) >= PXECONF_DOMAIN_MAX)
		return conf_badf(why, "domain longer than %d bytes", PXECONF_DOMAIN_MAX - 1);
	strcpy(out, s);
	return CONF_OK;
}

/* A list "A,B,..." of at most max items, each by item(); their count. */
typedef enum conf_result item_fn(const char *s, void *out, unsigned i, char *why);

static enum conf_result want_list(const char *s, unsigned max, item_fn *item, void *out,
				  unsigned *n, char *why)
{
	char list[CONF_LINE_MAX + 1], *save = NULL;

	if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return conf_badf(why, "not a list (A,B,...): %s", s);
	strcpy(list, s);
	*n = 0;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (*n == max)
			return conf_badf(why, "more than %u items in %s", max, s);
		if (item(t, out, (*n)++, why) != CONF_OK)
			return CONF_BAD;
	}
	return CONF_OK;
}

static enum conf_result dns_item(const char *s, void *out, unsigned i, char *why)
{
	return want_address(s, &((uint32_t *)out)[i], why);
}

static enum conf_result parse_pool(struct pxed_conf *c, const struct words *w, char *why)
{
	struct pxed_pool p = { .lo = 0 };

	if (want_address(w->w[1], &p.lo, why) != CONF_OK || want_address(w->w[2], &p.hi, why) != CONF_OK)
		return CONF_BAD;
	if (p.lo > p.hi)
		return conf_badf(why, "pool %s %s: the first address is after the last", w->w[1], w->w[2]);
	if (p.hi - p.lo >= PXECONF_POOL_MAX)
		return conf_badf(why, "pool larger than %d addresses", PXECONF_POOL_MAX);
	if (c->npool == PXECONF_POOLS_MAX)
		return conf_badf(why, "too many pools (at most %d)", PXECONF_POOLS_MAX);
	if (w->n % 2 == 0)
		return conf_badf(why, "expected: %s", directive_table[D_POOL].usage);
	for (unsigned i = 3; i < w->n; i += 2) {
		const char *k = w->w[i], *v = w->w[i + 1];
		enum conf_result r;

		if (!strcmp(k, "netmask") && !p.netmask)
			r = want_netmask(v, &p.netmask, why);
		else if (!strcmp(k, "router") && !p.router)
			r = want_address(v, &p.router, why);
		else if (!strcmp(k, "lease") && !p.lease)
			r = want_lease(v, &p.lease, why);
		else if (!strcmp(k, "dns") && !p.ndns)
			r = want_list(v, PXECONF_DNS_MAX, dns_item, p.dns, &p.ndns, why);
		else if (!strcmp(k, "domain") && !p.domain[0])
			r = want_domain(v, p.domain, why);
		else
			return conf_badf(why, "%s: expected netmask, router, lease, dns or domain, each once", k);
		if (r != CONF_OK)
			return r;
	}
	c->pool[c->npool++] = p;
	return CONF_OK;
}

static enum conf_result parse_netmask(struct pxed_conf *c, const struct words *w, char *why)
{
	return want_netmask(w->w[1], &c->netmask, why);
}

static enum conf_result parse_lease(struct pxed_conf *c, const struct words *w, char *why)
{
	return want_lease(w->w[1], &c->lease, why);
}

static enum conf_result parse_router(struct pxed_conf *c, const struct words *w, char *why)
{
	return want_address(w->w[1], &c->router, why);
}

static enum conf_result parse_dns(struct pxed_conf *c, const struct words *w, char *why)
{
	uint32_t a[PXECONF_DNS_MAX];

	for (unsigned i = 1; i < w->n; i++)
		if (want_address(w->w[i], &a[i - 1], why) != CONF_OK)
			return CONF_BAD;
	memcpy(c->dns, a, sizeof a);
	c->ndns = w->n - 1;
	return CONF_OK;
}

static enum conf_result parse_domain(struct pxed_conf *c, const struct words *w, char *why)
{
	return want_domain(w->w[1], c->domain, why);
}

/* A host name or IPv4 address: letters, digits, '.', '-', '_'. */
static bool host_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!conf_is_name_char(s[i]))
			return false;
	return true;
}

static enum conf_result parse_http_server(struct pxed_conf *c, const struct words *w, char *why)
{
	const char *hp = w->n > 2 ? w->w[2] : "", *colon = strrchr(hp, ':');
	size_t hn = colon ? (size_t)(colon - hp) : strlen(hp);
	unsigned long port = 0;

	if (strcmp(w->w[1], "http") && strcmp(w->w[1], "https"))
		return conf_badf(why, "http-server's scheme is http or https, not %s", w->w[1]);
	if (colon && !number(colon + 1, 1, 65535, &port))
		return conf_badf(why, "not a port (1 to 65535): %s", colon + 1);
	if (hn && !host_name(hp, hn))
		return conf_badf(why, "not a host name or address: %.*s", (int)hn, hp);
	if (hn >= sizeof c->http_host)
		return conf_badf(why, "host longer than %zu bytes", sizeof c->http_host - 1);
	c->http = w->w[1][4] == 's' ? PXED_HTTPS : PXED_HTTP;
	memcpy(c->http_host, hp, hn);
	c->http_host[hn] = '\0';
	c->http_port = (uint16_t)port;
	return CONF_OK;
}

static enum conf_result parse_router_advert(struct pxed_conf *c, const struct words *w, char *why)
{
	if (!strcmp(w->w[1], "on"))
		c->router_advert = PXED_RA_ON;
	else if (!strcmp(w->w[1], "off"))
		c->router_advert = PXED_RA_OFF;
	else
		return conf_badf(why, "router-advert is on or off, not %s", w->w[1]);
	return CONF_OK;
}

static enum conf_result parse_rpi(struct pxed_conf *c, const struct words *w, char *why)
{
	const char *argv[WORDS_MAX];

	for (unsigned i = 1; i < w->n; i++)
		argv[i - 1] = w->w[i];
	return rpi_parse(&c->rpi, argv, w->n - 1, why);
}

/* "52:54:00:12:34:56", or leading bytes then '*' ("52:54:00:*"). */
static enum conf_result mac_item(const char *s, void *out, unsigned i, char *why)
{
	struct pxed_serve *sv = out;
	size_t n = strlen(s);
	uint8_t full[6];
	unsigned len = 0;

	if (dhcp_mac_parse(s, n, full)) {
		len = 6;
	} else if (n >= 4 && n <= 16 && n % 3 == 1 && s[n - 1] == '*' && s[n - 2] == ':') {
		char whole[18];

		/* The leading bytes, padded out to a whole MAC to parse it. */
		len = (unsigned)n / 3;
		memcpy(whole, "00:00:00:00:00:00", 18);
		memcpy(whole, s, n - 2);
		if (!dhcp_mac_parse(whole, 17, full))
			len = 0;
	}
	if (!len)
		return conf_badf(why, "not a MAC or a MAC's leading bytes and * (like 52:54:00:*): %s", s);
	memcpy(sv->mac[i].mac, full, 6);
	sv->mac[i].len = (uint8_t)len;
	return CONF_OK;
}

static enum conf_result arch_item(const char *s, void *out, unsigned i, char *why)
{
	unsigned long a;

	if (!number(s, 0, 65535, &a))
		return conf_badf(why, "an architecture is a number from 0 to 65535, not %s", s);
	((struct pxed_serve *)out)->arch[i] = (uint16_t)a;
	return CONF_OK;
}

static enum conf_result parse_serve(struct pxed_conf *c, const struct words *w, char *why)
{
	struct pxed_serve sv = { .nmac = 0 };

	if (c->nserve == PXECONF_SERVE_MAX)
		return conf_badf(why, "too many serve lines (at most %d)", PXECONF_SERVE_MAX);
	if (w->n % 2 == 0)
		return conf_badf(why, "expected: %s", directive_table[D_SERVE].usage);
	for (unsigned i = 1; i < w->n; i += 2) {
		const char *k = w->w[i], *v = w->w[i + 1];
		enum conf_result r;

		if (!strcmp(k, "mac") && !sv.nmac)
			r = want_list(v, PXECONF_SERVE_ITEMS, mac_item, &sv, &sv.nmac, why);
		else if (!strcmp(k, "arch") && !sv.narch)
			r = want_list(v, PXECONF_SERVE_ITEMS, arch_item, &sv, &sv.narch, why);
		else
			return conf_badf(why, "%s: expected mac or arch, each once", k);
		if (r != CONF_OK)
			return r;
	}
	c->serve[c->nserve++] = sv;
	return CONF_OK;
}

static bool serve_matches(const struct pxed_serve *sv, const uint8_t mac[6], bool has_arch,
			  uint16_t arch)
{
	bool mac_ok = !sv->nmac, arch_ok = !sv->narch;

	for (unsigned i = 0; i < sv->nmac && !mac_ok; i++)
		mac_ok = !memcmp(sv->mac[i].mac, mac, sv->mac[i].len);
	for (unsigned i = 0; i < sv->narch && !arch_ok; i++)
		arch_ok = has_arch && sv->arch[i] == arch;
	return mac_ok && arch_ok;
}

bool pxeconf_serves(const struct pxed_conf *c, const uint8_t mac[6], bool has_arch, uint16_t arch)
{
	for (unsigned i = 0; i < c->nserve; i++)
		if (serve_matches(&c->serve[i], mac, has_arch, arch))
			return true;
	return c->nserve == 0;
}

bool pxeconf_router_advert(const struct pxed_conf *c)
{
	return c->router_advert == PXED_RA_ON ||
	       (c->router_advert == PXED_RA_MODE && c->mode == PXED_SERVER);
}

void pxeconf_init(struct pxed_conf *c)
{
	memset(c, 0, sizeof *c);
	c->mode = PXED_PROXY;
	c->lease = 3600;
	c->netmask = 0xffffff00u;
	rpi_init(&c->rpi);
}

enum conf_result pxeconf_parse_line(struct pxed_conf *c, const char *line, size_t len,
				    char why[PXECONF_WHY_MAX])
{
	static struct words w; /* 17 KB: not on the stack of a small thread */
	unsigned d;

	if (len > CONF_LINE_MAX)
		return conf_badf(why, "line too long (more than %d bytes)", CONF_LINE_MAX);
	if (memchr(line, '\0', len))
		return conf_badf(why, "NUL byte in line");
	if (!split(line, len, &w))
		return conf_badf(why, "too many words");
	if (w.n == 0)
		return CONF_SKIP;
	for (d = 0; d < D_COUNT && strcmp(w.w[0], directive_table[d].name); d++)
		;
	if (d == D_COUNT)
		return conf_badf(why, "unknown directive %s", w.w[0]);
	if (w.n < directive_table[d].min || w.n > directive_table[d].max)
		return conf_badf(why, "expected: %s", directive_table[d].usage);
	if (!directive_table[d].repeat && (c->seen & 1u << d))
		return conf_badf(why, "%s given twice", w.w[0]);
	if (directive_table[d].fn(c, &w, why) != CONF_OK)
		return CONF_BAD;
	c->seen |= 1u << d;
	return CONF_OK;
}

void pxeconf_pool(const struct pxed_conf *c, unsigned i, struct pxed_pool *out)
{
	*out = c->pool[i];
	if (!out->netmask)
		out->netmask = c->netmask;
	if (!out->router)
		out->router = c->router;
	if (!out->lease)
		out->lease = c->lease;
	if (!out->ndns) {
		out->ndns = c->ndns;
		memcpy(out->dns, c->dns, sizeof out->dns);
	}
	if (!out->domain[0])
		strcpy(out->domain, c->domain);
}

int pxeconf_pool_of(const struct pxed_conf *c, uint32_t addr)
{
	for (unsigned i = 0; i < c->npool; i++) {
		uint32_t m = c->pool[i].netmask ? c->pool[i].netmask : c->netmask;

		if ((addr & m) == (c->pool[i].lo & m))
			return (int)i;
	}
	return -1;
}

static bool pool_bad(const struct pxed_pool *p, char *why, const char *what)
{
	struct in_addr in = { htonl(p->lo) };
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &in, a, sizeof a);
	conf_badf(why, "pool %s: %s", a, what);
	return false;
}

bool pxeconf_check(const struct pxed_conf *c, char why[PXECONF_WHY_MAX])
{
	struct pxed_pool p, q;

	if (c->mode != PXED_SERVER)
		return true;
	if (!c->npool)
		return conf_badf(why, "mode server needs a pool"), false;
	for (unsigned i = 0; i < c->npool; i++) {
		uint32_t net;

		pxeconf_pool(c, i, &p);
		net = p.lo & p.netmask;
		if ((p.hi & p.netmask) != net)
			return pool_bad(&p, why, "crosses its subnet (netmask)");
		if (p.router && (p.router & p.netmask) != net)
			return pool_bad(&p, why, "router outside the pool's subnet (a pool line takes "
					"router ADDRESS)");
		for (unsigned j = 0; j < i; j++) {
			uint32_t m;

			pxeconf_pool(c, j, &q);
			m = p.netmask & q.netmask;
			if ((p.lo & m) == (q.lo & m))
				return pool_bad(&p, why, "in the subnet of another pool (one pool a subnet)");
		}
	}
	for (unsigned i = 0; i < c->nhost; i++)
		if (c->host[i].addr && pxeconf_pool_of(c, c->host[i].addr) < 0)
			return conf_badf(why, "host %u's address outside every pool's subnet", i + 1), false;
	return true;
}

const struct pxed_host *pxeconf_host(const struct pxed_conf *c, const uint8_t mac[6])
{
	for (unsigned i = 0; i < c->nhost; i++)
		if (!memcmp(c->host[i].mac, mac, 6))
			return &c->host[i];
	return NULL;
}
