/* SPDX-License-Identifier: MIT */
/* network.c -- see network.h. */
#include "network.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "root.h"
#include "netconf.h"
#include "rtnl.h"
#include "settings.h"
#include "supervise.h"
#include "watchdog.h"

/* BusyBox's DHCP client, in the foreground for the supervisor, releasing
 * its lease when it is stopped; the script applies the lease with ip(8). */
#define DHCP_SERVICE "dhcp-%s respawn /sbin/udhcpc -f -R -i %s -s /usr/share/udhcpc/default.script"
/* How often to look at the links again when no monitor socket opens. */
#define CARRIER_POLL_MS 100

struct link {
	const struct netconf_iface *conf;
	struct rtnl_link state; /* index 0: not there, left alone */
};

/* The line logged for one interface, built a piece at a time. */
struct summary {
	char text[640];
	size_t len;
};

static void say(struct summary *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct summary *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->text + s->len, sizeof s->text - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n < sizeof s->text - s->len ? (size_t)n : sizeof s->text - s->len - 1;
}

static void load_line(void *ctx, const char *file, unsigned lineno,
		      const char *line, size_t len)
{
	const char *err;

	if (netconf_parse_line(ctx, line, len, &err) == CONF_BAD)
		log_warn("%s:%u: %s", file, lineno, err);
}

/* nc from NETCONF_FILE (none: nothing) and the command line. */
static void load(struct netconf *nc, const struct cmdline *cl)
{
	const char *key, *err, *value;

	memset(nc, 0, sizeof *nc);
	if (root_conf_read(NETCONF_FILE, load_line, nc) < 0 && errno != ENOENT)
		log_errno("unable to read %s", NETCONF_FILE);
	if (netconf_override(nc, cl, CONFIG_NETWORK_IFACE, &key, &err) == CONF_BAD) {
		value = cmdline_get(cl, key);
		log_warn("/proc/cmdline: tern.%s=%s: %s; ignoring tern.iface, ip, gw and mtu",
			 key, value ? value : "", err);
	}
}

static void loopback_up(struct rtnl *r)
{
	struct rtnl_link lo;

	if (rtnl_link_get(r, 0, "lo", &lo) < 0 || rtnl_link_up(r, lo.index) < 0)
		log_errno("unable to bring up the loopback interface");
}

/* Look k up, set its MTU, bring it up; false if it is not there. */
static bool link_prepare(struct rtnl *r, struct link *k)
{
	const char *name = k->conf->name;
	int index;

	if (rtnl_link_get(r, 0, name, &k->state) < 0) {
		if (errno == ENODEV)
			log_warn("%s: no such interface; not configured", name);
		else
			log_errno("%s: unable to look the interface up", name);
		return false;
	}
	index = k->state.index;
	if (k->conf->mtu && rtnl_link_mtu(r, index, k->conf->mtu) < 0)
		log_errno("%s: unable to set the MTU to %u", name, k->conf->mtu);
	if (rtnl_link_up(r, index) < 0)
		log_errno("%s: unable to bring the link up", name);
	if (rtnl_link_get(r, index, NULL, &k->state) < 0) {
		log_errno("%s: unable to read the link's state", name);
		return false;
	}
	return true;
}

/* Look at each link without carrier again; true when none is left. */
static bool refresh(struct rtnl *r, struct link *k, size_t n)
{
	bool all = true;

	for (size_t i = 0; i < n; i++) {
		if (!k[i].state.index || rtnl_link_carrier(&k[i].state))
			continue;
		if (rtnl_link_get(r, k[i].state.index, NULL, &k[i].state) < 0)
			log_errno("%s: unable to read the link's state", k[i].conf->name);
		all = all && (!k[i].state.index || rtnl_link_carrier(&k[i].state));
	}
	return all;
}

/* Until every link has carrier, timeout_ms at most: woken by link events,
 * or every CARRIER_POLL_MS without them. */
static void wait_carrier(struct rtnl *r, struct link *k, size_t n, int timeout_ms)
{
	int mon = rtnl_monitor_open(); /* before the first look: no change is missed */
	int64_t deadline = clock_ms_after(timeout_ms), left;
	struct pollfd p = { .fd = mon, .events = POLLIN };

	while (!refresh(r, k, n) && (left = deadline - clock_ms()) > 0) {
		int64_t pet = watchdog_pet_due(); /* the wait may be longer than its timeout */

		if (mon < 0 && left > CARRIER_POLL_MS)
			left = CARRIER_POLL_MS;
		if (pet >= 0 && pet < left)
			left = pet;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (mon >= 0)
			rtnl_monitor_drain(mon);
	}
	if (mon >= 0)
		close(mon);
}

static void add_addresses(struct rtnl *r, const struct link *k, struct summary *s)
{
	const struct netconf_iface *c = k->conf;
	const struct netconf_addr *gw[] = { &c->gw4, &c->gw6 };
	char text[NETCONF_ADDR_STR_MAX];
	const char *sep = " via";

	for (size_t i = 0; i < c->naddr; i++) {
		const struct netconf_addr *a = &c->addr[i];
		netconf_addr_str(a, text);
		if (rtnl_addr_add(r, k->state.index, a->family, a->bytes, a->prefix) < 0)
			log_errno("%s: unable to add the address %s", c->name, text);
		else
			say(s, " %s", text);
	}
	for (size_t i = 0; i < 2; i++) {
		if (!gw[i]->family)
			continue;
		netconf_addr_str(gw[i], text);
		if (rtnl_route_default(r, k->state.index, gw[i]->family, gw[i]->bytes) < 0) {
			log_errno("%s: unable to add the default route via %s", c->name, text);
			continue;
		}
		say(s, "%s %s", sep, text);
		sep = "";
	}
}

/* Addresses and routes, or the DHCP client, for k; then its one line. */
static void configure(struct rtnl *r, const struct link *k, network_add_service_fn *add,
		      void *ctx)
{
	const struct netconf_iface *c = k->conf;
	struct summary s = { .len = 0 };
	char line[CONF_LINE_MAX];

	say(&s, "%s:", c->name);
	if (!rtnl_link_carrier(&k->state))
		log_warn("%s: no carrier after %d s; configuring anyway", c->name,
			 CONFIG_NETWORK_CARRIER_TIMEOUT);
	switch (c->method) {
	case NETCONF_STATIC:
		add_addresses(r, k, &s);
		break;
	case NETCONF_DHCP:
		snprintf(line, sizeof line, DHCP_SERVICE, c->name, c->name);
		say(&s, add(ctx, line) ? " dhcp (udhcpc)" : " dhcp client not started");
		break;
	case NETCONF_UP:
		say(&s, " up");
		break;
	}
	if (s.len == strlen(c->name) + 1) /* static, and every address refused */
		say(&s, " no address");
	say(&s, ", mtu %u, %s", k->state.mtu,
	    rtnl_link_carrier(&k->state) ? "carrier up" : "no carrier");
	log_info("%s", s.text);
}

void network_up(const struct cmdline *cl, network_add_service_fn *add, void *ctx)
{
	struct netconf nc;
	struct link links[NETCONF_IFACES_MAX];
	struct rtnl r;
	size_t n = 0;

	if (rtnl_open(&r) < 0) {
		log_errno("unable to open a netlink socket; the network stays down");
		return;
	}
	loopback_up(&r);
	load(&nc, cl);
	for (size_t i = 0; i < nc.n; i++) {
		links[n].conf = &nc.iface[i];
		if (link_prepare(&r, &links[n]))
			n++;
	}
	wait_carrier(&r, links, n, CONFIG_NETWORK_CARRIER_TIMEOUT * 1000);
	for (size_t i = 0; i < n; i++)
		if (links[i].state.index)
			configure(&r, &links[i], add, ctx);
	rtnl_close(&r);
}
