/* SPDX-License-Identifier: MIT */
/* netconf.c -- the lines of /etc/tern/network.conf and the tern.ip= words.
 * Pure: no I/O.
 *
 * The file says how init configures each interface at boot, one line per
 * interface, or several lines that add to one interface:
 *
 *     interface  static  ADDRESS/PREFIX...  [gw GATEWAY]...  [mtu N]
 *     interface  dhcp    [mtu N]
 *     interface  up      [mtu N]
 *
 * for example
 *
 *     eth0 static 192.0.2.10/24 gw 192.0.2.1 mtu 1500
 *     eth0 static 2001:db8::10/64 gw 2001:db8::1
 *     eth1 dhcp
 *     eth2 up mtu 9000
 *
 *   interface  1-15 of A-Z a-z 0-9 _ . - (not "." or ".."); at most 8
 *              interfaces
 *   static     these addresses, IPv4 (PREFIX 1-32) or IPv6 (1-128), at
 *              most 8 per interface, none unspecified, broadcast or
 *              multicast
 *   gw         a default route through GATEWAY: at most one IPv4 and one
 *              IPv6 in the whole file, each on an interface with an
 *              address of its family
 *   dhcp       an IPv4 address from DHCP: init runs BusyBox udhcpc as the
 *              service dhcp-<interface>
 *   up         the link up and no address of ours (the kernel still gives
 *              IPv6 its link-local address and SLAAC)
 *   mtu N      68-65535; without it the driver's MTU stays
 *
 * The words after the method come in any order.  Every line of one
 * interface names the same method, and no two name different MTUs.  A line
 * whose first non-blank character is '#' is a comment; blank lines are
 * ignored.  A bad line (or one of more than 1024 bytes, or with a NUL) is
 * reported as file:line and changes nothing; the other lines still apply.
 *
 * The kernel command line changes one interface for one boot: the one
 * tern.iface= names, else the first in the file other than lo, else the
 * fallback (Kconfig's NETWORK_IFACE):
 *
 *   tern.ip=ADDRESS/PREFIX[,...]  static: these addresses instead of the
 *                                 interface's addresses and gateways
 *   tern.ip=dhcp                  DHCP instead
 *   tern.ip=off                   leave the interface alone
 *   tern.gw=GATEWAY[,GATEWAY]     the interface's default routes (one
 *                                 IPv4, one IPv6), instead of its own and
 *                                 of any other interface's of that family
 *   tern.mtu=N                    its MTU
 *
 * One bad word and the command line changes nothing: the file stays in
 * force.
 */
#include "netconf.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define MTU_MIN 68 /* IPv4's minimum; the kernel refuses less */
#define MTU_MAX 65535

static const char *const method_names[] = {
	[NETCONF_UP] = "up",
	[NETCONF_STATIC] = "static",
	[NETCONF_DHCP] = "dhcp",
};

static const char why_name[] = "bad interface name (1-15 of A-Z a-z 0-9 _ . -)";
static const char why_address[] = "bad address (expected IPv4 or IPv6 ADDRESS/PREFIX)";
static const char why_mtu[] = "bad MTU (68-65535)";
static const char why_gw_static[] = "gw only goes with static";

/* The next word of [*p, end) in *w, *n bytes; false at the end. */
static bool next_word(const char **p, const char *end, const char **w, size_t *n)
{
	const char *s = *p;

	while (s < end && conf_is_blank(*s))
		s++;
	if (s == end)
		return false;
	*w = s;
	while (s < end && !conf_is_blank(*s))
		s++;
	*n = (size_t)(s - *w);
	*p = s;
	return true;
}

static bool word_is(const char *w, size_t n, const char *literal)
{
	return strlen(literal) == n && !memcmp(w, literal, n);
}

/* A name the kernel takes (dev_valid_name) and that makes a service name. */
static bool name_ok(const char *w, size_t n)
{
	if (n == 0 || n > NETCONF_IFNAME_MAX || word_is(w, n, ".") || word_is(w, n, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!conf_is_name_char(w[i]))
			return false;
	return true;
}

/* Decimal digits only, lo <= value <= hi. */
static bool number(const char *w, size_t n, unsigned lo, unsigned hi, unsigned *v)
{
	unsigned long x = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		x = x * 10 + (unsigned)(w[i] - '0');
	}
	*v = (unsigned)x;
	return x >= lo && x <= hi;
}

/* An IPv4 or IPv6 address, without prefix. */
static bool ip(const char *w, size_t n, struct netconf_addr *a)
{
	char text[NETCONF_ADDR_STR_MAX];

	if (n >= sizeof text)
		return false;
	memcpy(text, w, n);
	text[n] = '\0';
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, text, a->bytes) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, text, a->bytes) == 1)
		a->family = AF_INET6;
	return a->family != 0;
}

/* Not a host's address: unspecified, IPv4 broadcast, multicast. */
static bool ip_special(const struct netconf_addr *a)
{
	static const unsigned char zero[16], ones[4] = { 255, 255, 255, 255 };

	if (a->family == AF_INET)
		return !memcmp(a->bytes, zero, 4) || !memcmp(a->bytes, ones, 4) ||
		       (a->bytes[0] & 0xf0) == 0xe0;
	return !memcmp(a->bytes, zero, 16) || a->bytes[0] == 0xff;
}

static const char *parse_gateway(const char *w, size_t n, struct netconf_addr *a)
{
	if (!ip(w, n, a))
		return "bad gateway (expected an IPv4 or IPv6 address)";
	if (ip_special(a))
		return "unspecified, broadcast or multicast gateway";
	return NULL;
}

static const char *parse_address(const char *w, size_t n, struct netconf_addr *a)
{
	const char *slash = memchr(w, '/', n);
	unsigned prefix;

	if (!slash)
		return ip(w, n, a) ? "address without /PREFIX" : why_address;
	if (!ip(w, (size_t)(slash - w), a))
		return why_address;
	if (ip_special(a))
		return "unspecified, broadcast or multicast address";
	if (!number(slash + 1, (size_t)(w + n - slash - 1), 1,
		    a->family == AF_INET ? 32 : 128, &prefix))
		return "bad prefix (IPv4 1-32, IPv6 1-128)";
	a->prefix = (unsigned char)prefix;
	return NULL;
}

static bool same_ip(const struct netconf_addr *a, const struct netconf_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

static const char *add_address(struct netconf_iface *t, const struct netconf_addr *a)
{
	for (size_t i = 0; i < t->naddr; i++)
		if (same_ip(&t->addr[i], a))
			return "address listed twice for this interface";
	if (t->naddr == NETCONF_ADDRS_MAX)
		return "more than 8 addresses on one interface";
	t->addr[t->naddr++] = *a;
	return NULL;
}

static struct netconf_addr *gw_slot(struct netconf_iface *t, int family)
{
	return family == AF_INET ? &t->gw4 : &t->gw6;
}

static const char *why_second_gw(int family)
{
	return family == AF_INET ? "second IPv4 gateway (one default route per address family)"
				 : "second IPv6 gateway (one default route per address family)";
}

static const char *add_gateway(struct netconf_iface *t, const struct netconf_addr *g)
{
	struct netconf_addr *slot = gw_slot(t, g->family);

	if (slot->family)
		return why_second_gw(g->family);
	*slot = *g;
	return NULL;
}

/* Each gateway of t has an address of its family on t. */
static const char *check_gateways(const struct netconf_iface *t)
{
	bool v4 = false, v6 = false;

	for (size_t i = 0; i < t->naddr; i++) {
		v4 |= t->addr[i].family == AF_INET;
		v6 |= t->addr[i].family == AF_INET6;
	}
	if (t->gw4.family && !v4)
		return "IPv4 gateway but no IPv4 address on this interface";
	if (t->gw6.family && !v6)
		return "IPv6 gateway but no IPv6 address on this interface";
	return NULL;
}

static struct netconf_iface *find(struct netconf *nc, const char *name, size_t n)
{
	for (size_t i = 0; i < nc->n; i++)
		if (word_is(name, n, nc->iface[i].name))
			return &nc->iface[i];
	return NULL;
}

/* Another interface than t's in nc with a gateway of family. */
static bool gw_elsewhere(struct netconf *nc, const struct netconf_iface *t, int family)
{
	for (size_t i = 0; i < nc->n; i++)
		if (strcmp(nc->iface[i].name, t->name) &&
		    gw_slot(&nc->iface[i], family)->family)
			return true;
	return false;
}

/* Put t, for an interface of that name or a new one, into nc. */
static const char *commit(struct netconf *nc, const struct netconf_iface *t)
{
	struct netconf_iface *old = find(nc, t->name, strlen(t->name));

	if (!old && nc->n == NETCONF_IFACES_MAX)
		return "more than 8 interfaces";
	*(old ? old : &nc->iface[nc->n++]) = *t;
	return NULL;
}

/* A copy of nc's interface called name (n bytes), or a new one that only
 * goes up. */
static void start_iface(struct netconf *nc, const char *name, size_t n, struct netconf_iface *t)
{
	struct netconf_iface *old = find(nc, name, n);

	if (old) {
		*t = *old;
		return;
	}
	memset(t, 0, sizeof *t);
	memcpy(t->name, name, n);
	t->method = NETCONF_UP;
}

static bool method_of(const char *w, size_t n, enum netconf_method *m)
{
	for (size_t i = 0; i < sizeof method_names / sizeof *method_names; i++)
		if (word_is(w, n, method_names[i])) {
			*m = (enum netconf_method)i;
			return true;
		}
	return false;
}

static const char *address_item(struct netconf_iface *t, const char *w, size_t n)
{
	struct netconf_addr a;
	const char *why = parse_address(w, n, &a);

	return why ? why : add_address(t, &a);
}

static const char *option_gw(struct netconf *nc, struct netconf_iface *t,
			     const char *w, size_t n)
{
	struct netconf_addr g;
	const char *why = parse_gateway(w, n, &g);

	if (why)
		return why;
	if (t->method != NETCONF_STATIC)
		return why_gw_static;
	if (gw_elsewhere(nc, t, g.family))
		return why_second_gw(g.family);
	return add_gateway(t, &g);
}

static const char *option_mtu(struct netconf_iface *t, const char *w, size_t n)
{
	unsigned mtu;

	if (!number(w, n, MTU_MIN, MTU_MAX, &mtu))
		return why_mtu;
	if (t->mtu && t->mtu != mtu)
		return "MTU differs from an earlier line for this interface";
	t->mtu = mtu;
	return NULL;
}

/* The words after the method on a line for t. */
static const char *parse_options(struct netconf *nc, struct netconf_iface *t,
				 const char *p, const char *end)
{
	struct netconf_addr a;
	const char *w, *v, *why;
	size_t n, vn;

	while (next_word(&p, end, &w, &n)) {
		bool gw = word_is(w, n, "gw");

		if (gw || word_is(w, n, "mtu")) {
			if (!next_word(&p, end, &v, &vn))
				return gw ? "gw without a GATEWAY" : "mtu without a number";
			why = gw ? option_gw(nc, t, v, vn) : option_mtu(t, v, vn);
		} else if (t->method != NETCONF_STATIC) {
			why = "unknown word (dhcp and up take only mtu N)";
		} else if (!memchr(w, '/', n) && !ip(w, n, &a)) {
			why = "unknown word (expected ADDRESS/PREFIX, gw GATEWAY or mtu N)";
		} else {
			why = address_item(t, w, n);
		}
		if (why)
			return why;
	}
	if (t->method == NETCONF_STATIC && t->naddr == 0)
		return "static needs at least one ADDRESS/PREFIX";
	return check_gateways(t);
}

enum conf_result netconf_parse_line(struct netconf *nc, const char *line, size_t len,
				    const char **err)
{
	const char *p = line, *end = line + len, *w, *why;
	struct netconf_iface t;
	enum netconf_method m;
	size_t n;
	bool known;

	if (len > CONF_LINE_MAX)
		return conf_bad(err, "line too long (more than 1024 bytes)");
	if (memchr(line, '\0', len))
		return conf_bad(err, "NUL byte in line");
	if (!next_word(&p, end, &w, &n) || *w == '#')
		return CONF_SKIP;
	if (!name_ok(w, n))
		return conf_bad(err, why_name);
	known = find(nc, w, n) != NULL;
	start_iface(nc, w, n, &t);
	if (!next_word(&p, end, &w, &n))
		return conf_bad(err, "missing method (static, dhcp or up)");
	if (!method_of(w, n, &m))
		return conf_bad(err, "unknown method (expected static, dhcp or up)");
	if (known && m != t.method)
		return conf_bad(err, "method differs from an earlier line for this interface");
	t.method = m;
	if ((why = parse_options(nc, &t, p, end)) || (why = commit(nc, &t)))
		return conf_bad(err, why);
	return CONF_OK;
}

/* Call fn for each comma-separated item of list; the first error it
 * returns (an empty item is one). */
static const char *each_item(const char *list, struct netconf_iface *t,
			     const char *(*fn)(struct netconf_iface *, const char *, size_t))
{
	const char *why;

	for (;;) {
		size_t n = strcspn(list, ",");
		if (n == 0)
			return "empty item in the list";
		if ((why = fn(t, list, n)))
			return why;
		if (!list[n])
			return NULL;
		list += n + 1;
	}
}

static const char *gateway_item(struct netconf_iface *t, const char *w, size_t n)
{
	struct netconf_addr g;
	const char *why = parse_gateway(w, n, &g);

	return why ? why : add_gateway(t, &g);
}

/* tern.ip=VALUE on t; *off when the interface is to be left alone. */
static const char *override_ip(struct netconf_iface *t, const char *value, bool *off)
{
	t->naddr = 0;
	memset(&t->gw4, 0, sizeof t->gw4);
	memset(&t->gw6, 0, sizeof t->gw6);
	*off = !strcmp(value, "off");
	if (*off || !strcmp(value, "dhcp")) {
		t->method = *off ? NETCONF_UP : NETCONF_DHCP;
		return NULL;
	}
	t->method = NETCONF_STATIC;
	return each_item(value, t, address_item);
}

static const char *override_gw(struct netconf_iface *t, const char *value)
{
	const char *why;

	if (t->method != NETCONF_STATIC)
		return why_gw_static;
	memset(&t->gw4, 0, sizeof t->gw4);
	memset(&t->gw6, 0, sizeof t->gw6);
	if ((why = each_item(value, t, gateway_item)))
		return why;
	return check_gateways(t);
}

/* The interface the words are about when tern.iface= is not given. */
static const char *default_iface(const struct netconf *nc, const char *fallback)
{
	for (size_t i = 0; i < nc->n; i++)
		if (strcmp(nc->iface[i].name, "lo"))
			return nc->iface[i].name;
	return fallback;
}

/* Take the interface called name out of nc, keeping the others' order. */
static void remove_iface(struct netconf *nc, const char *name)
{
	struct netconf_iface *old = find(nc, name, strlen(name));
	size_t i;

	if (!old)
		return;
	i = (size_t)(old - nc->iface);
	memmove(old, old + 1, (nc->n - i - 1) * sizeof *old);
	nc->n--;
}

/* The other interfaces lose their gateways of the families t has. */
static void take_gateways(struct netconf *nc, const struct netconf_iface *t)
{
	for (size_t i = 0; i < nc->n; i++) {
		if (!strcmp(nc->iface[i].name, t->name))
			continue;
		if (t->gw4.family)
			memset(&nc->iface[i].gw4, 0, sizeof nc->iface[i].gw4);
		if (t->gw6.family)
			memset(&nc->iface[i].gw6, 0, sizeof nc->iface[i].gw6);
	}
}

enum conf_result netconf_override(struct netconf *nc, const struct cmdline *cl,
				  const char *fallback, const char **key, const char **err)
{
	const char *name = cmdline_get(cl, "iface"), *ipw = cmdline_get(cl, "ip");
	const char *gw = cmdline_get(cl, "gw"), *mtu = cmdline_get(cl, "mtu");
	struct netconf_iface t;
	const char *why;
	bool off = false;

	if (!ipw && !gw && !mtu)
		return CONF_SKIP;
	*key = "iface";
	if (!name)
		name = default_iface(nc, fallback);
	if (!name_ok(name, strlen(name)))
		return conf_bad(err, why_name);
	start_iface(nc, name, strlen(name), &t);
	if (ipw) {
		*key = "ip";
		if ((why = override_ip(&t, ipw, &off)))
			return conf_bad(err, why);
	}
	if (off && (gw || mtu)) {
		*key = gw ? "gw" : "mtu";
		return conf_bad(err, "nothing to set: tern.ip=off leaves the interface alone");
	}
	if (gw) {
		*key = "gw";
		if ((why = override_gw(&t, gw)))
			return conf_bad(err, why);
	}
	if (mtu) {
		*key = "mtu";
		if (!number(mtu, strlen(mtu), MTU_MIN, MTU_MAX, &t.mtu))
			return conf_bad(err, why_mtu);
	}
	if (off) {
		remove_iface(nc, t.name);
		return CONF_OK;
	}
	*key = ipw ? "ip" : gw ? "gw" : "mtu";
	if ((why = commit(nc, &t)))
		return conf_bad(err, why);
	if (gw)
		take_gateways(nc, &t);
	return CONF_OK;
}

const char *netconf_addr_str(const struct netconf_addr *a, char buf[NETCONF_ADDR_STR_MAX])
{
	size_t n;

	if (!inet_ntop(a->family, a->bytes, buf, NETCONF_ADDR_STR_MAX)) {
		strcpy(buf, "?");
		return buf;
	}
	n = strlen(buf);
	if (a->prefix)
		snprintf(buf + n, NETCONF_ADDR_STR_MAX - n, "/%u", a->prefix);
	return buf;
}
