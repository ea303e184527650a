/* SPDX-License-Identifier: MIT */
/* init_netconf -- the lines of /etc/tern/network.conf and the tern.ip=
 * words (app/init/netconf.c): every accepted form, every bad one with its
 * message, lines that add to an interface, and command-line overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netconf.h"

static struct netconf nc;
static const char *err;

static int reset(void **state)
{
	(void)state;
	memset(&nc, 0, sizeof nc);
	err = NULL;
	return 0;
}

static enum conf_result parse(const char *line)
{
	err = NULL;
	return netconf_parse_line(&nc, line, strlen(line), &err);
}

static void assert_ok(const char *line)
{
	enum conf_result r = parse(line);

	if (r != CONF_OK)
		fail_msg("\"%s\": %s", line, err ? err : "skipped");
}

/* line is bad for why, and leaves nc as it was. */
static void assert_bad(const char *line, const char *why)
{
	struct netconf before = nc;

	assert_int_equal(parse(line), CONF_BAD);
	assert_non_null(err);
	assert_string_equal(err, why);
	assert_memory_equal(&before, &nc, sizeof nc);
}

static const char *str(const struct netconf_addr *a)
{
	static char buf[4][NETCONF_ADDR_STR_MAX];
	static int i;

	return netconf_addr_str(a, buf[i++ % 4]);
}

static struct cmdline cl;

static void set_cmdline(const char *line)
{
	assert_int_equal(cmdline_parse(&cl, line, strlen(line)), 0);
}

static const char *key;

static enum conf_result override(const char *line)
{
	set_cmdline(line);
	err = key = NULL;
	return netconf_override(&nc, &cl, "eth0", &key, &err);
}

static void assert_override_bad(const char *line, const char *k, const char *why)
{
	struct netconf before = nc;

	assert_int_equal(override(line), CONF_BAD);
	assert_non_null(key);
	assert_string_equal(key, k);
	assert_non_null(err);
	assert_string_equal(err, why);
	assert_memory_equal(&before, &nc, sizeof nc);
}

static void static_ipv4_with_gateway_and_mtu(void **state)
{
	const struct netconf_iface *e = &nc.iface[0];

	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1 mtu 1500");
	assert_int_equal(nc.n, 1);
	assert_string_equal(e->name, "eth0");
	assert_int_equal(e->method, NETCONF_STATIC);
	assert_int_equal(e->naddr, 1);
	assert_int_equal(e->addr[0].family, AF_INET);
	assert_int_equal(e->addr[0].prefix, 24);
	assert_string_equal(str(&e->addr[0]), "192.0.2.10/24");
	assert_int_equal(e->gw4.family, AF_INET);
	assert_string_equal(str(&e->gw4), "192.0.2.1");
	assert_int_equal(e->gw6.family, 0);
	assert_int_equal(e->mtu, 1500);
}

static void static_ipv6(void **state)
{
	const struct netconf_iface *e = &nc.iface[0];

	(void)state;
	assert_ok("eth0 static 2001:db8::10/64 gw 2001:db8::1");
	assert_int_equal(e->addr[0].family, AF_INET6);
	assert_int_equal(e->addr[0].prefix, 64);
	assert_string_equal(str(&e->addr[0]), "2001:db8::10/64");
	assert_string_equal(str(&e->gw6), "2001:db8::1");
	assert_int_equal(e->gw4.family, 0);
	assert_int_equal(e->mtu, 0);
}

static void words_in_any_order_and_blanks(void **state)
{
	const struct netconf_iface *e = &nc.iface[0];

	(void)state;
	assert_ok(" \teth0  static\tmtu 9000 gw 198.51.100.1  198.51.100.7/32 "
		  "2001:db8:1::7/128 gw fe80::1 \r");
	assert_int_equal(e->naddr, 2);
	assert_string_equal(str(&e->addr[0]), "198.51.100.7/32");
	assert_string_equal(str(&e->addr[1]), "2001:db8:1::7/128");
	assert_string_equal(str(&e->gw4), "198.51.100.1");
	assert_string_equal(str(&e->gw6), "fe80::1");
	assert_int_equal(e->mtu, 9000);
}

static void dhcp_and_up(void **state)
{
	(void)state;
	assert_ok("eth1 dhcp");
	assert_ok("eth2 up mtu 9000");
	assert_ok("eth3 dhcp mtu 1400");
	assert_int_equal(nc.n, 3);
	assert_int_equal(nc.iface[0].method, NETCONF_DHCP);
	assert_int_equal(nc.iface[0].naddr, 0);
	assert_int_equal(nc.iface[1].method, NETCONF_UP);
	assert_int_equal(nc.iface[1].mtu, 9000);
	assert_int_equal(nc.iface[2].mtu, 1400);
}

static void lines_add_to_an_interface(void **state)
{
	const struct netconf_iface *e = &nc.iface[0];

	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_ok("eth1 up");
	assert_ok("eth0 static 2001:db8::10/64 gw 2001:db8::1");
	assert_ok("eth0 static 192.0.2.11/24 mtu 1500");
	assert_ok("eth0 static 203.0.113.5/24 mtu 1500");
	assert_int_equal(nc.n, 2);
	assert_int_equal(e->naddr, 4);
	assert_string_equal(str(&e->addr[3]), "203.0.113.5/24");
	assert_string_equal(str(&e->gw4), "192.0.2.1");
	assert_string_equal(str(&e->gw6), "2001:db8::1");
	assert_int_equal(e->mtu, 1500);
	assert_string_equal(nc.iface[1].name, "eth1");
}

static void comments_and_blank_lines_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse(""), CONF_SKIP);
	assert_int_equal(parse(" \t\r"), CONF_SKIP);
	assert_int_equal(parse("# eth0 static 192.0.2.10/24"), CONF_SKIP);
	assert_int_equal(parse("   #x"), CONF_SKIP);
	assert_int_equal(nc.n, 0);
}

static void interface_names(void **state)
{
	static const char why[] = "bad interface name (1-15 of A-Z a-z 0-9 _ . -)";

	(void)state;
	assert_ok("eth0.100 dhcp");
	assert_ok("br_lan-2 up");
	assert_ok("abcdefghijklmno up"); /* 15: IFNAMSIZ - 1 */
	assert_bad("abcdefghijklmnop up", why);
	assert_bad("eth/0 up", why);
	assert_bad("eth:0 up", why);
	assert_bad("eth@0 up", why);
	assert_bad(". up", why);
	assert_bad(".. up", why);
	assert_bad("eth\001 up", why);
}

static void methods(void **state)
{
	(void)state;
	assert_bad("eth0", "missing method (static, dhcp or up)");
	assert_bad("eth0  \t", "missing method (static, dhcp or up)");
	assert_bad("eth0 manual", "unknown method (expected static, dhcp or up)");
	assert_bad("eth0 Static 192.0.2.1/24", "unknown method (expected static, dhcp or up)");
	assert_bad("eth0 192.0.2.1/24", "unknown method (expected static, dhcp or up)");
	assert_ok("eth0 dhcp");
	assert_bad("eth0 static 192.0.2.1/24",
		   "method differs from an earlier line for this interface");
	assert_bad("eth0 up", "method differs from an earlier line for this interface");
	assert_ok("eth0 dhcp mtu 1500");
}

static void bad_addresses(void **state)
{
	static const char why_addr[] = "bad address (expected IPv4 or IPv6 ADDRESS/PREFIX)";
	static const char why_prefix[] = "bad prefix (IPv4 1-32, IPv6 1-128)";
	static const char why_special[] = "unspecified, broadcast or multicast address";

	(void)state;
	assert_bad("eth0 static", "static needs at least one ADDRESS/PREFIX");
	assert_bad("eth0 static mtu 1500", "static needs at least one ADDRESS/PREFIX");
	assert_bad("eth0 static 192.0.2.10", "address without /PREFIX");
	assert_bad("eth0 static 2001:db8::1", "address without /PREFIX");
	assert_bad("eth0 static 192.0.2.256/24", why_addr);
	assert_bad("eth0 static 192.0.2/24", why_addr);
	assert_bad("eth0 static 2001:db8:::1/64", why_addr);
	assert_bad("eth0 static /24", why_addr);
	assert_bad("eth0 static 192.0.2.10/0", why_prefix);
	assert_bad("eth0 static 192.0.2.10/33", why_prefix);
	assert_bad("eth0 static 192.0.2.10/", why_prefix);
	assert_bad("eth0 static 192.0.2.10/+24", why_prefix);
	assert_bad("eth0 static 192.0.2.10/24x", why_prefix);
	assert_bad("eth0 static 192.0.2.10/000024", why_prefix);
	assert_bad("eth0 static 2001:db8::1/129", why_prefix);
	assert_bad("eth0 static 0.0.0.0/8", why_special);
	assert_bad("eth0 static 255.255.255.255/32", why_special);
	assert_bad("eth0 static 224.0.0.1/4", why_special);
	assert_bad("eth0 static 239.1.2.3/8", why_special);
	assert_bad("eth0 static ::/64", why_special);
	assert_bad("eth0 static ff02::1/64", why_special);
	assert_bad("eth0 static 192.0.2.10/24 192.0.2.10/25",
		   "address listed twice for this interface");
	assert_bad("eth0 static 192.0.2.10/24 address",
		   "unknown word (expected ADDRESS/PREFIX, gw GATEWAY or mtu N)");
	assert_bad("eth0 static 192.0.2.10/24 gateway 192.0.2.1",
		   "unknown word (expected ADDRESS/PREFIX, gw GATEWAY or mtu N)");
	assert_bad("eth0 static 192.0.2.10/24 # uplink",
		   "unknown word (expected ADDRESS/PREFIX, gw GATEWAY or mtu N)");
	assert_bad("eth0 dhcp 192.0.2.10/24", "unknown word (dhcp and up take only mtu N)");
	assert_bad("eth0 up foo", "unknown word (dhcp and up take only mtu N)");
	assert_ok("eth0 static 192.0.2.10/32 2001:db8::1/128 127.0.0.2/8");
}

static void address_limit(void **state)
{
	char line[512] = "eth0 static";

	(void)state;
	for (int i = 1; i <= NETCONF_ADDRS_MAX; i++)
		sprintf(line + strlen(line), " 192.0.2.%d/24", i);
	assert_ok(line);
	assert_int_equal(nc.iface[0].naddr, NETCONF_ADDRS_MAX);
	assert_bad("eth0 static 2001:db8::1/64", "more than 8 addresses on one interface");
}

/* eth0 ... eth7 dhcp: the table is full. */
static void fill_table(void)
{
	char line[64];

	for (int i = 0; i < NETCONF_IFACES_MAX; i++) {
		sprintf(line, "eth%d dhcp", i);
		assert_ok(line);
	}
}

static void interface_limit(void **state)
{
	(void)state;
	fill_table();
	assert_ok("eth0 dhcp mtu 1500"); /* a known one still takes lines */
	assert_bad("eth9 dhcp", "more than 8 interfaces");
}

static void gateways(void **state)
{
	(void)state;
	assert_bad("eth0 static 192.0.2.10/24 gw", "gw without a GATEWAY");
	assert_bad("eth0 static 192.0.2.10/24 gw 192.0.2.1/24",
		   "bad gateway (expected an IPv4 or IPv6 address)");
	assert_bad("eth0 static 192.0.2.10/24 gw router",
		   "bad gateway (expected an IPv4 or IPv6 address)");
	assert_bad("eth0 static 192.0.2.10/24 gw 0.0.0.0",
		   "unspecified, broadcast or multicast gateway");
	assert_bad("eth0 static 192.0.2.10/24 gw ff02::2",
		   "unspecified, broadcast or multicast gateway");
	assert_bad("eth0 static 192.0.2.10/24 gw 2001:db8::1",
		   "IPv6 gateway but no IPv6 address on this interface");
	assert_bad("eth0 static 2001:db8::10/64 gw 192.0.2.1",
		   "IPv4 gateway but no IPv4 address on this interface");
	assert_bad("eth0 static 192.0.2.10/24 gw 192.0.2.1 gw 192.0.2.2",
		   "second IPv4 gateway (one default route per address family)");
	assert_bad("eth0 dhcp gw 192.0.2.1", "gw only goes with static");
	assert_bad("eth0 up gw 192.0.2.1", "gw only goes with static");
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_bad("eth0 static 192.0.2.11/24 gw 192.0.2.2",
		   "second IPv4 gateway (one default route per address family)");
	assert_bad("eth1 static 198.51.100.2/24 gw 198.51.100.1",
		   "second IPv4 gateway (one default route per address family)");
	assert_ok("eth1 static 198.51.100.2/24 2001:db8::2/64 gw 2001:db8::1");
	assert_bad("eth0 static 2001:db8:1::2/64 gw 2001:db8:1::1",
		   "second IPv6 gateway (one default route per address family)");
	/* a gateway's address may come on an earlier line */
	assert_ok("eth2 static 203.0.113.2/24");
	assert_ok("eth2 static 2001:db8:2::2/64");
	assert_ok("eth3 static 203.0.113.3/24 2001:db8:3::3/64");
	assert_ok("eth3 static mtu 1500"); /* no address: it has some */
	assert_int_equal(nc.iface[3].mtu, 1500);
}

static void mtus(void **state)
{
	static const char why[] = "bad MTU (68-65535)";

	(void)state;
	assert_bad("eth0 up mtu", "mtu without a number");
	assert_bad("eth0 up mtu 67", why);
	assert_bad("eth0 up mtu 65536", why);
	assert_bad("eth0 up mtu 0", why);
	assert_bad("eth0 up mtu -1500", why);
	assert_bad("eth0 up mtu 1500b", why);
	assert_bad("eth0 up mtu 99999999999999999999", why);
	assert_ok("eth0 up mtu 68");
	assert_bad("eth0 up mtu 1500", "MTU differs from an earlier line for this interface");
	assert_ok("eth0 up mtu 68");
	assert_ok("eth1 up mtu 65535");
}

static void line_length_and_nul(void **state)
{
	char line[CONF_LINE_MAX + 2];
	static const char nul[] = "eth0 dhcp\0 mtu 1500";

	(void)state;
	memset(line, ' ', sizeof line);
	memcpy(line, "eth0 dhcp", 9);
	assert_int_equal(netconf_parse_line(&nc, line, CONF_LINE_MAX, &err), CONF_OK);
	assert_int_equal(netconf_parse_line(&nc, line, CONF_LINE_MAX + 1, &err), CONF_BAD);
	assert_string_equal(err, "line too long (more than 1024 bytes)");
	assert_int_equal(netconf_parse_line(&nc, nul, sizeof nul - 1, &err), CONF_BAD);
	assert_string_equal(err, "NUL byte in line");
}

static void addr_str(void **state)
{
	struct netconf_addr a = { .family = AF_INET6, .prefix = 128 };
	char buf[NETCONF_ADDR_STR_MAX];

	(void)state;
	memset(a.bytes, 0xab, sizeof a.bytes);
	assert_string_equal(netconf_addr_str(&a, buf),
			    "abab:abab:abab:abab:abab:abab:abab:abab/128");
	a.family = 0;
	assert_string_equal(netconf_addr_str(&a, buf), "?");
}

/* --- the kernel command line --- */

static void no_network_words_change_nothing(void **state)
{
	struct netconf before;

	(void)state;
	assert_ok("eth0 dhcp");
	before = nc;
	assert_int_equal(override("console=ttyS0 tern.hostname=x"), CONF_SKIP);
	assert_int_equal(override("tern.iface=eth1"), CONF_SKIP);
	assert_memory_equal(&before, &nc, sizeof nc);
}

static void ip_on_the_fallback_interface(void **state)
{
	const struct netconf_iface *e = &nc.iface[0];

	(void)state;
	assert_int_equal(override("tern.ip=192.0.2.10/24"), CONF_OK);
	assert_int_equal(nc.n, 1);
	assert_string_equal(e->name, "eth0");
	assert_int_equal(e->method, NETCONF_STATIC);
	assert_int_equal(e->naddr, 1);
	assert_string_equal(str(&e->addr[0]), "192.0.2.10/24");
	assert_int_equal(e->gw4.family, 0);
}

static void ip_replaces_the_first_interface(void **state)
{
	const struct netconf_iface *e;

	(void)state;
	assert_ok("lo static 192.0.2.254/32");
	assert_ok("eth1 static 198.51.100.2/24 2001:db8::2/64 gw 198.51.100.1 mtu 9000");
	assert_ok("eth2 dhcp");
	assert_int_equal(override("tern.ip=203.0.113.7/24,2001:db8:7::7/64 "
				  "tern.gw=2001:db8:7::1,203.0.113.1"), CONF_OK);
	assert_int_equal(nc.n, 3);
	e = &nc.iface[1];
	assert_string_equal(e->name, "eth1");
	assert_int_equal(e->naddr, 2);
	assert_string_equal(str(&e->addr[0]), "203.0.113.7/24");
	assert_string_equal(str(&e->addr[1]), "2001:db8:7::7/64");
	assert_string_equal(str(&e->gw4), "203.0.113.1");
	assert_string_equal(str(&e->gw6), "2001:db8:7::1");
	assert_int_equal(e->mtu, 9000); /* the link's, not the addressing's */
	assert_int_equal(nc.iface[0].naddr, 1);
}

static void ip_without_gw_drops_the_gateways(void **state)
{
	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_int_equal(override("tern.ip=192.0.2.20/24"), CONF_OK);
	assert_int_equal(nc.iface[0].naddr, 1);
	assert_string_equal(str(&nc.iface[0].addr[0]), "192.0.2.20/24");
	assert_int_equal(nc.iface[0].gw4.family, 0);
}

static void ip_dhcp_and_off(void **state)
{
	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_ok("eth1 dhcp");
	assert_int_equal(override("tern.ip=dhcp"), CONF_OK);
	assert_int_equal(nc.iface[0].method, NETCONF_DHCP);
	assert_int_equal(nc.iface[0].naddr, 0);
	assert_int_equal(nc.iface[0].gw4.family, 0);
	assert_int_equal(override("tern.ip=off"), CONF_OK);
	assert_int_equal(nc.n, 1);
	assert_string_equal(nc.iface[0].name, "eth1");
	assert_int_equal(override("tern.iface=eth7 tern.ip=off"), CONF_OK); /* not there */
	assert_int_equal(nc.n, 1);
}

static void iface_names_the_interface(void **state)
{
	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_int_equal(override("tern.iface=eth1 tern.ip=198.51.100.5/24 "
				  "tern.gw=198.51.100.1 tern.mtu=1400"), CONF_OK);
	assert_int_equal(nc.n, 2);
	assert_string_equal(nc.iface[1].name, "eth1");
	assert_int_equal(nc.iface[1].mtu, 1400);
	assert_string_equal(str(&nc.iface[1].gw4), "198.51.100.1");
	/* one IPv4 default route: the command line's */
	assert_int_equal(nc.iface[0].gw4.family, 0);
	assert_int_equal(nc.iface[0].naddr, 1);
}

static void gw_and_mtu_alone(void **state)
{
	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 2001:db8::10/64 gw 192.0.2.1 gw 2001:db8::1");
	assert_int_equal(override("tern.gw=192.0.2.254"), CONF_OK);
	assert_string_equal(str(&nc.iface[0].gw4), "192.0.2.254");
	assert_int_equal(nc.iface[0].gw6.family, 0); /* tern.gw= is the whole list */
	assert_int_equal(nc.iface[0].naddr, 2);
	assert_int_equal(override("tern.mtu=1280"), CONF_OK);
	assert_int_equal(nc.iface[0].mtu, 1280);
	assert_int_equal(override("tern.iface=eth3 tern.mtu=9000"), CONF_OK);
	assert_int_equal(nc.n, 2);
	assert_int_equal(nc.iface[1].method, NETCONF_UP);
	assert_int_equal(nc.iface[1].mtu, 9000);
}

static void bad_words_change_nothing(void **state)
{
	(void)state;
	assert_ok("eth0 static 192.0.2.10/24 gw 192.0.2.1");
	assert_ok("eth1 dhcp");
	assert_override_bad("tern.iface=eth/1 tern.ip=dhcp", "iface",
			    "bad interface name (1-15 of A-Z a-z 0-9 _ . -)");
	assert_override_bad("tern.ip=192.0.2.10", "ip", "address without /PREFIX");
	assert_override_bad("tern.ip=static", "ip",
			    "bad address (expected IPv4 or IPv6 ADDRESS/PREFIX)");
	assert_override_bad("tern.ip=", "ip", "empty item in the list");
	assert_override_bad("tern.ip=192.0.2.10/24,", "ip", "empty item in the list");
	assert_override_bad("tern.ip=192.0.2.10/24,192.0.2.10/24", "ip",
			    "address listed twice for this interface");
	assert_override_bad("tern.ip=192.0.2.10/40", "ip", "bad prefix (IPv4 1-32, IPv6 1-128)");
	assert_override_bad("tern.ip=dhcp tern.gw=192.0.2.1", "gw", "gw only goes with static");
	assert_override_bad("tern.iface=eth1 tern.gw=192.0.2.1", "gw", "gw only goes with static");
	assert_override_bad("tern.ip=off tern.gw=192.0.2.1", "gw",
			    "nothing to set: tern.ip=off leaves the interface alone");
	assert_override_bad("tern.ip=off tern.mtu=1500", "mtu",
			    "nothing to set: tern.ip=off leaves the interface alone");
	assert_override_bad("tern.gw=2001:db8::1", "gw",
			    "IPv6 gateway but no IPv6 address on this interface");
	assert_override_bad("tern.gw=192.0.2.1,192.0.2.2", "gw",
			    "second IPv4 gateway (one default route per address family)");
	assert_override_bad("tern.gw=192.0.2.1/24", "gw",
			    "bad gateway (expected an IPv4 or IPv6 address)");
	assert_override_bad("tern.mtu=big", "mtu", "bad MTU (68-65535)");
	assert_override_bad("tern.ip=192.0.2.10/24 tern.mtu=40", "mtu", "bad MTU (68-65535)");
}

static void override_full_table(void **state)
{
	(void)state;
	fill_table();
	assert_override_bad("tern.iface=eth9 tern.ip=dhcp", "ip", "more than 8 interfaces");
	assert_int_equal(override("tern.iface=eth7 tern.ip=192.0.2.7/24"), CONF_OK);
	assert_int_equal(nc.iface[7].method, NETCONF_STATIC);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(static_ipv4_with_gateway_and_mtu),
		T(static_ipv6),
		T(words_in_any_order_and_blanks),
		T(dhcp_and_up),
		T(lines_add_to_an_interface),
		T(comments_and_blank_lines_are_skipped),
		T(interface_names),
		T(methods),
		T(bad_addresses),
		T(address_limit),
		T(interface_limit),
		T(gateways),
		T(mtus),
		T(line_length_and_nul),
		T(addr_str),
		T(no_network_words_change_nothing),
		T(ip_on_the_fallback_interface),
		T(ip_replaces_the_first_interface),
		T(ip_without_gw_drops_the_gateways),
		T(ip_dhcp_and_off),
		T(iface_names_the_interface),
		T(gw_and_mtu_alone),
		T(bad_words_change_nothing),
		T(override_full_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
