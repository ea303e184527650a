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
	D_ROUTER, D_DNS, D_DOMAIN, D_HTTP_SERVER, D_ROUTER_ADVERT, D_RPI, D_COUNT
};

typedef enum conf_result parse_fn(struct pxed_conf *c, const struct words *w, char *why);

static parse_fn parse_mode, parse_next_server, parse_arch, parse_ipxe, parse_host,
	parse_pool, parse_netmask, parse_lease, parse_router, parse_dns, parse_domain,
	parse_http_server, parse_router_advert, parse_rpi;

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
	[D_POOL] = { "pool", 3, 3, false, parse_pool, "pool FIRST LAST" },
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

static enum conf_result parse_pool(struct pxed_conf *c, const struct words *w, char *why)
{
	uint32_t lo, hi;

	if (want_address(w->w[1], &lo, why) != CONF_OK || want_address(w->w[2], &hi, why) != CONF_OK)
		return CONF_BAD;
	if (lo > hi)
		return conf_badf(why, "pool %s %s: the first address is after the last", w->w[1], w->w[2]);
	if (hi - lo >= PXECONF_POOL_MAX)
		return conf_badf(why, "pool larger than %d addresses", PXECONF_POOL_MAX);
	c->pool_lo = lo;
	c->pool_hi = hi;
	return CONF_OK;
}

static enum conf_result parse_netmask(struct pxed_conf *c, const struct words *w, char *why)
{
	uint32_t m;

	if (!address(w->w[1], &m) || m == 0 || (~m & (~m + 1)))
		return conf_badf(why, "not a netmask: %s", w->w[1]);
	c->netmask = m;
	return CONF_OK;
}

static enum conf_result parse_lease(struct pxed_conf *c, const struct words *w, char *why)
{
	unsigned long v;

	if (!number(w->w[1], 60, 31536000, &v))
		return conf_badf(why, "lease is 60 to 31536000 seconds, not %s", w->w[1]);
	c->lease = (uint32_t)v;
	return CONF_OK;
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
	const char *s = w->w[1];

	for (const char *p = s; *p; p++)
		if (!conf_is_name_char(*p))
			return conf_badf(why, "not a domain name: %s", s);
	if (strlen(s) >= sizeof c->domain)
		return conf_badf(why, "domain longer than %zu bytes", sizeof c->domain - 1);
	strcpy(c->domain, s);
	return CONF_OK;
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

bool pxeconf_check(const struct pxed_conf *c, char why[PXECONF_WHY_MAX])
{
	uint32_t net = c->pool_lo & c->netmask;

	if (c->mode != PXED_SERVER)
		return true;
	if (!c->pool_lo)
		return conf_badf(why, "mode server needs a pool"), false;
	if ((c->pool_hi & c->netmask) != net)
		return conf_badf(why, "pool crosses its subnet (netmask)"), false;
	if (c->router && (c->router & c->netmask) != net)
		return conf_badf(why, "router outside the pool's subnet"), false;
	for (unsigned i = 0; i < c->nhost; i++)
		if (c->host[i].addr && (c->host[i].addr & c->netmask) != net)
			return conf_badf(why, "host %u's address outside the pool's subnet", i + 1), false;
	return true;
}

const struct pxed_host *pxeconf_host(const struct pxed_conf *c, const uint8_t mac[6])
{
	for (unsigned i = 0; i < c->nhost; i++)
		if (!memcmp(c->host[i].mac, mac, 6))
			return &c->host[i];
	return NULL;
}
