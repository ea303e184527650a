/* SPDX-License-Identifier: MIT */
/* init_netconf -- libFuzzer: netconf_parse_line (app/init/netconf.c) on
 * every line of any network.conf, and netconf_override on kernel command
 * lines: a line that starts with '@' (never a network.conf line) is
 * parsed by cmdline_parse and applied with netconf_override, as boot
 * does after reading the file.
 *
 * What netconf.c promises and is checked here, after every line: a bad
 * line (or command line) says why and changes nothing; at most 8
 * interfaces, with valid unique names; MTU 0 or 68-65535; a static
 * interface has 1-8 addresses, unique, none unspecified, broadcast or
 * multicast, with prefixes in range, others have none and no gateway;
 * at most one IPv4 and one IPv6 gateway in all, each on an interface
 * with an address of its family.  At the end the whole config, written
 * back as network.conf lines, reads back the same. */
#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netconf.h"

#include "lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct netconf nc, was, again;
static struct cmdline cl;

static bool special(const struct netconf_addr *a)
{
	static const unsigned char zero[16];

	if (a->family == AF_INET)
		return !memcmp(a->bytes, zero, 4) || !memcmp(a->bytes, "\377\377\377\377", 4) ||
		       (a->bytes[0] & 0xf0) == 0xe0;
	return !memcmp(a->bytes, zero, 16) || a->bytes[0] == 0xff;
}

static bool same_ip(const struct netconf_addr *a, const struct netconf_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->bytes, b->bytes, n);
}

static void check_addr(const struct netconf_addr *a, bool gateway)
{
	char text[NETCONF_ADDR_STR_MAX];

	assert(a->family == AF_INET || a->family == AF_INET6);
	assert(!special(a));
	if (gateway)
		assert(a->prefix == 0);
	else
		assert(a->prefix >= 1 && a->prefix <= (a->family == AF_INET ? 32 : 128));
	assert(strlen(netconf_addr_str(a, text)) < sizeof text && text[0] != '?');
}

static void check(const struct netconf *p)
{
	unsigned gw4 = 0, gw6 = 0;

	assert(p->n <= NETCONF_IFACES_MAX);
	for (size_t i = 0; i < p->n; i++) {
		const struct netconf_iface *t = &p->iface[i];
		size_t len = strnlen(t->name, sizeof t->name);
		bool v4 = false, v6 = false;

		assert(len >= 1 && len <= NETCONF_IFNAME_MAX);
		assert(strcmp(t->name, ".") && strcmp(t->name, ".."));
		for (size_t j = 0; j < len; j++)
			assert(conf_is_name_char(t->name[j]));
		for (size_t j = 0; j < i; j++)
			assert(strcmp(p->iface[j].name, t->name));
		assert(t->method == NETCONF_UP || t->method == NETCONF_STATIC ||
		       t->method == NETCONF_DHCP);
		assert(t->mtu == 0 || (t->mtu >= 68 && t->mtu <= 65535));
		assert(t->naddr <= NETCONF_ADDRS_MAX);
		assert((t->method == NETCONF_STATIC) == (t->naddr > 0));
		for (size_t j = 0; j < t->naddr; j++) {
			check_addr(&t->addr[j], false);
			v4 |= t->addr[j].family == AF_INET;
			v6 |= t->addr[j].family == AF_INET6;
			for (size_t k = 0; k < j; k++)
				assert(!same_ip(&t->addr[k], &t->addr[j]));
		}
		if (t->gw4.family) {
			check_addr(&t->gw4, true);
			assert(t->gw4.family == AF_INET && v4 && ++gw4 == 1);
		}
		if (t->gw6.family) {
			check_addr(&t->gw6, true);
			assert(t->gw6.family == AF_INET6 && v6 && ++gw6 == 1);
		}
	}
}

static bool same_addr(const struct netconf_addr *a, const struct netconf_addr *b)
{
	return a->family == b->family && (!a->family || same_ip(a, b)) && a->prefix == b->prefix;
}

static void add(struct netconf *p, const char *line, size_t n)
{
	const char *err = NULL;

	if (netconf_parse_line(p, line, n, &err) != CONF_OK) {
		fprintf(stderr, "written back: \"%s\": %s\n", line, err);
		abort();
	}
}

/* nc as network.conf lines, one an interface, read into again. */
static void round_trip(void)
{
	static const char *const method[] = { "up", "static", "dhcp" };
	char line[CONF_LINE_MAX + 1], text[NETCONF_ADDR_STR_MAX];

	memset(&again, 0, sizeof again);
	for (size_t i = 0; i < nc.n; i++) {
		const struct netconf_iface *t = &nc.iface[i];
		int n = snprintf(line, sizeof line, "%s %s", t->name, method[t->method]);

		for (size_t j = 0; j < t->naddr; j++)
			n += snprintf(line + n, sizeof line - (size_t)n, " %s",
				      netconf_addr_str(&t->addr[j], text));
		if (t->gw4.family)
			n += snprintf(line + n, sizeof line - (size_t)n, " gw %s",
				      netconf_addr_str(&t->gw4, text));
		if (t->gw6.family)
			n += snprintf(line + n, sizeof line - (size_t)n, " gw %s",
				      netconf_addr_str(&t->gw6, text));
		if (t->mtu)
			n += snprintf(line + n, sizeof line - (size_t)n, " mtu %u", t->mtu);
		assert((size_t)n < sizeof line);
		add(&again, line, (size_t)n);
	}
	assert(again.n == nc.n);
	for (size_t i = 0; i < nc.n; i++) {
		const struct netconf_iface *a = &again.iface[i], *b = &nc.iface[i];

		assert(!strcmp(a->name, b->name) && a->method == b->method && a->mtu == b->mtu);
		assert(a->naddr == b->naddr);
		for (size_t j = 0; j < a->naddr; j++)
			assert(same_addr(&a->addr[j], &b->addr[j]));
		assert(same_addr(&a->gw4, &b->gw4) && same_addr(&a->gw6, &b->gw6));
	}
}

static void line(const uint8_t *p, size_t len)
{
	size_t n = len <= CONF_LINE_MAX ? len : CONF_LINE_MAX + 1;
	char *l = malloc(n ? n : 1);
	const char *err = NULL, *key = NULL;
	enum conf_result r;

	assert(l);
	memcpy(l, p, n);
	was = nc;
	if (n && l[0] == '@') {
		cmdline_parse(&cl, l + 1, n - 1);
		r = netconf_override(&nc, &cl, "eth0", &key, &err);
		if (r == CONF_BAD)
			assert(key && err && *err);
	} else {
		r = netconf_parse_line(&nc, l, n, &err);
		if (r == CONF_BAD)
			assert(err && *err);
		if (r == CONF_OK)
			assert(!memchr(l, '\0', n));
	}
	if (r != CONF_OK)
		assert(!memcmp(&was, &nc, sizeof nc));
	free(l);
}

/* A line, then every invariant of what it left. */
static void line_checked(const uint8_t *p, size_t n)
{
	line(p, n);
	check(&nc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

	memset(&nc, 0, sizeof nc);
	fuzz_lines(data, size, line_checked);
	round_trip();
	return 0;
}
