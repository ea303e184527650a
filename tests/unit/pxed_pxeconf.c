/* SPDX-License-Identifier: MIT */
/* pxed_pxeconf -- pxed.conf (app/pxed/pxeconf.c): each directive, its bad
 * lines and their reasons, whole-file checks, and a file taken whole or
 * not at all (pxeconf_load.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxeconf.h"

static struct pxed_conf c;
static char why[PXECONF_WHY_MAX];

static enum conf_result line(const char *s)
{
	why[0] = '\0';
	return pxeconf_parse_line(&c, s, strlen(s), why);
}

static int setup(void **state)
{
	(void)state;
	pxeconf_init(&c);
	return 0;
}

static void assert_bad(const char *s, const char *reason)
{
	struct pxed_conf before = c;

	assert_int_equal(line(s), CONF_BAD);
	if (!strstr(why, reason))
		fail_msg("%s: said \"%s\", wanted \"%s\"", s, why, reason);
	assert_memory_equal(&before, &c, sizeof c);
}

static void defaults_and_skips(void **state)
{
	(void)state;
	assert_int_equal(c.mode, PXED_PROXY);
	assert_int_equal(c.lease, 3600);
	assert_int_equal(c.netmask, 0xffffff00);
	assert_int_equal(line(""), CONF_SKIP);
	assert_int_equal(line("   \t"), CONF_SKIP);
	assert_int_equal(line("# mode server"), CONF_SKIP);
	assert_true(pxeconf_check(&c, why));
}

static void every_directive(void **state)
{
	(void)state;
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("next-server 192.0.2.1"), CONF_OK);
	assert_int_equal(line("arch 0 file pxelinux.0   # BIOS"), CONF_OK);
	assert_int_equal(line("arch 7,9 file ipxe.efi"), CONF_OK);
	assert_int_equal(line("ipxe file http://192.0.2.1/boot.ipxe"), CONF_OK);
	assert_int_equal(line("host 52:54:00:12:34:56 file special.efi address 192.0.2.50"), CONF_OK);
	assert_int_equal(line("host 52:54:00:AB:CD:EF ipxe other.ipxe"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.2.199"), CONF_OK);
	assert_int_equal(line("netmask 255.255.255.0"), CONF_OK);
	assert_int_equal(line("lease 600"), CONF_OK);
	assert_int_equal(line("router 192.0.2.1"), CONF_OK);
	assert_int_equal(line("dns 192.0.2.1 198.51.100.53"), CONF_OK);
	assert_int_equal(line("domain lab.example"), CONF_OK);
	assert_int_equal(c.mode, PXED_SERVER);
	assert_int_equal(c.next_server, 0xc0000201);
	assert_int_equal(c.narch, 3);
	assert_int_equal(c.arch[2].arch, 9);
	assert_string_equal(c.arch[2].file, "ipxe.efi");
	assert_string_equal(c.ipxe, "http://192.0.2.1/boot.ipxe");
	assert_int_equal(c.nhost, 2);
	assert_int_equal(c.host[0].addr, 0xc0000232);
	assert_string_equal(c.host[0].file, "special.efi");
	assert_string_equal(c.host[1].ipxe, "other.ipxe");
	assert_non_null(pxeconf_host(&c, (const uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 0xef }));
	assert_null(pxeconf_host(&c, (const uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 0xee }));
	assert_int_equal(c.npool, 1);
	assert_int_equal(c.pool[0].lo, 0xc0000264);
	assert_int_equal(c.pool[0].hi, 0xc00002c7);
	assert_int_equal(c.lease, 600);
	assert_int_equal(c.ndns, 2);
	assert_int_equal(c.dns[1], 0xc6336435);
	assert_string_equal(c.domain, "lab.example");
	assert_true(pxeconf_check(&c, why));
}

static void bad_lines(void **state)
{
	(void)state;
	assert_int_equal(line("arch 7 file ipxe.efi"), CONF_OK);
	assert_bad("nonsense 1", "unknown directive nonsense");
	assert_bad("mode dhcp", "proxy or server");
	assert_int_equal(line("mode proxy"), CONF_OK);
	assert_bad("mode server", "mode given twice");
	assert_bad("mode", "expected: mode proxy|server");
	assert_bad("arch 7 file other.efi", "arch 7 given twice");
	assert_bad("arch 6,6 file x", "arch 6 given twice");
	assert_bad("arch 65536 file x", "0 to 65535");
	assert_bad("arch 6,,9 file x", "not a list");
	assert_bad("arch 6, file x", "not a list");
	assert_bad("arch -1 file x", "0 to 65535");
	assert_bad("arch 6 path x", "expected: arch");
	assert_bad("ipxe script boot.ipxe", "expected: ipxe file");
	assert_bad("host 52:54:00:12:34 file x", "not a MAC address");
	assert_bad("host 52:54:00:12:34:5g file x", "not a MAC address");
	/* sscanf's %x took "0x" for a zero (found by tests/fuzz/pxed_pxeconf). */
	assert_bad("host 0x:0x:0x:0x:0x:0x file x", "not a MAC address");
	assert_bad("host 52-54-00-12-34-56 file x", "not a MAC address");
	assert_bad("host 52:54:00:12:34:56", "expected: host");
	assert_bad("host 52:54:00:12:34:56 file", "expected: host");
	assert_bad("host 52:54:00:12:34:56 file a file b", "each once");
	assert_bad("host 52:54:00:12:34:56 color red", "expected file, ipxe or address");
	assert_bad("host 52:54:00:12:34:56 address 192.0.2.300", "not an IPv4 address");
	assert_bad("pool 192.0.2.199 192.0.2.100", "after the last");
	assert_bad("pool 10.0.0.1 10.2.0.1", "larger than");
	assert_bad("netmask 255.0.255.0", "not a netmask");
	assert_bad("lease 59", "60 to 31536000");
	assert_bad("lease 1h", "60 to 31536000");
	assert_bad("router 0.0.0.0", "not an IPv4 address");
	assert_bad("dns 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5", "expected: dns");
	assert_bad("domain lab/example", "not a domain name");
	assert_bad("next-server 2001:db8::1", "not an IPv4 address");
	{
		/* A NUL cut the line short: it parsed, not whole (found by
		 * tests/fuzz/pxed_pxeconf). */
		static const char l[] = "ipxe file boot.ipxe\0 junk";
		struct pxed_conf before = c;

		assert_int_equal(pxeconf_parse_line(&c, l, sizeof l - 1, why), CONF_BAD);
		assert_string_equal(why, "NUL byte in line");
		assert_memory_equal(&before, &c, sizeof c);
	}
	{
		char l[300] = "arch 1 file ";
		memset(l + strlen(l), 'a', 200);
		assert_bad(l, "name longer than 127 bytes");
	}
	{
		char l[CONF_LINE_MAX + 2];
		memset(l, 'a', sizeof l - 1);
		l[sizeof l - 1] = '\0';
		assert_bad(l, "line too long");
	}
}

static void whole_file_checks(void **state)
{
	(void)state;
	assert_int_equal(line("mode server"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "mode server needs a pool");
	assert_int_equal(line("pool 192.0.2.100 192.0.2.199"), CONF_OK);
	assert_true(pxeconf_check(&c, why));
	assert_int_equal(line("router 198.51.100.1"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "pool 192.0.2.100: router outside the pool's subnet (a pool line "
			    "takes router ADDRESS)");
	setup(NULL);
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.3.10"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
}

/* Several pools: each line's own parts, the file-wide lines for the rest,
 * one pool a subnet, and which pool an address belongs to. */
static void several_pools(void **state)
{
	struct pxed_pool p;

	(void)state;
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.2.199"), CONF_OK);
	assert_int_equal(line("router 192.0.2.1"), CONF_OK);
	assert_int_equal(line("lease 600"), CONF_OK);
	assert_int_equal(line("dns 192.0.2.53"), CONF_OK);
	assert_int_equal(line("pool 198.51.100.100 198.51.100.109 router 198.51.100.1 "
			      "dns 198.51.100.53,192.0.2.53 domain far.example lease 120"),
			 CONF_OK);
	assert_int_equal(line("pool 203.0.113.16 203.0.113.23 netmask 255.255.255.240 "
			      "router 203.0.113.17"),
			 CONF_OK);
	assert_true(pxeconf_check(&c, why));
	assert_int_equal(c.npool, 3);
	pxeconf_pool(&c, 0, &p);
	assert_int_equal(p.router, 0xc0000201);
	assert_int_equal(p.lease, 600);
	assert_int_equal(p.netmask, 0xffffff00);
	assert_int_equal(p.ndns, 1);
	pxeconf_pool(&c, 1, &p);
	assert_int_equal(p.lo, 0xc6336464);
	assert_int_equal(p.router, 0xc6336401);
	assert_int_equal(p.lease, 120);
	assert_int_equal(p.ndns, 2);
	assert_int_equal(p.dns[0], 0xc6336435);
	assert_int_equal(p.dns[1], 0xc0000235);
	assert_string_equal(p.domain, "far.example");
	pxeconf_pool(&c, 2, &p);
	assert_int_equal(p.netmask, 0xfffffff0);
	assert_int_equal(p.lease, 600);
	/* Which pool an address (a relay's giaddr) is in: by subnet. */
	assert_int_equal(pxeconf_pool_of(&c, 0xc0000201), 0);
	assert_int_equal(pxeconf_pool_of(&c, 0xc63364fe), 1);
	assert_int_equal(pxeconf_pool_of(&c, 0xcb007111), 2);
	assert_int_equal(pxeconf_pool_of(&c, 0xcb007101), -1); /* 203.0.113.1: another /28 */
	assert_int_equal(pxeconf_pool_of(&c, 0x0a000001), -1);
	/* A host's address must be in some pool's subnet. */
	assert_int_equal(line("host 52:54:00:12:34:56 address 198.51.100.7"), CONF_OK);
	assert_true(pxeconf_check(&c, why));
	assert_int_equal(line("host 52:54:00:12:34:57 address 10.0.0.7"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "host 2's address outside every pool's subnet");

	setup(NULL);
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("router 192.0.2.1"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.2.199"), CONF_OK);
	/* The file-wide router is every pool's that names none. */
	assert_int_equal(line("pool 198.51.100.100 198.51.100.199"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "pool 198.51.100.100: router outside the pool's subnet (a pool "
			    "line takes router ADDRESS)");
	setup(NULL);
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.2.109"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.200 192.0.2.209"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "pool 192.0.2.200: in the subnet of another pool (one pool a subnet)");
	setup(NULL);
	assert_int_equal(line("mode server"), CONF_OK);
	assert_int_equal(line("pool 192.0.2.100 192.0.2.109"), CONF_OK);
	assert_int_equal(line("pool 192.0.3.100 192.0.3.109 netmask 255.255.254.0"), CONF_OK);
	assert_false(pxeconf_check(&c, why));
	assert_string_equal(why, "pool 192.0.3.100: in the subnet of another pool (one pool a subnet)");

	setup(NULL);
	assert_bad("pool 192.0.2.100 192.0.2.109 router", "expected: pool FIRST LAST [netmask");
	assert_bad("pool 192.0.2.100 192.0.2.109 router 192.0.2.1 router 192.0.2.2", "each once");
	assert_bad("pool 192.0.2.100 192.0.2.109 gateway 192.0.2.1", "expected netmask, router");
	assert_bad("pool 192.0.2.100 192.0.2.109 netmask 255.0.255.0", "not a netmask");
	assert_bad("pool 192.0.2.100 192.0.2.109 lease 59", "60 to 31536000");
	assert_bad("pool 192.0.2.100 192.0.2.109 dns 192.0.2.1,,192.0.2.2", "not a list");
	assert_bad("pool 192.0.2.100 192.0.2.109 dns 192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5",
		   "more than 4 items");
	assert_bad("pool 192.0.2.100 192.0.2.109 domain a/b", "not a domain name");
	for (int i = 0; i < PXECONF_POOLS_MAX; i++) {
		char l[64];

		snprintf(l, sizeof l, "pool 10.%d.0.1 10.%d.0.9", i, i);
		assert_int_equal(line(l), CONF_OK);
	}
	assert_bad("pool 10.99.0.1 10.99.0.9", "too many pools (at most 16)");
}

/* serve lines: which clients this box answers. */
static void serve_lines(void **state)
{
	static const uint8_t qemu[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
			     other[6] = { 0x52, 0x54, 0x00, 0x13, 0x34, 0x56 },
			     one[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };

	(void)state;
	/* None: every client. */
	assert_true(pxeconf_serves(&c, other, false, 0));
	assert_int_equal(line("serve mac 52:54:00:12:*"), CONF_OK);
	assert_true(pxeconf_serves(&c, qemu, false, 0));
	assert_true(pxeconf_serves(&c, qemu, true, 7));
	assert_false(pxeconf_serves(&c, other, true, 7));
	/* A second line: either one will do; its two parts: both must. */
	assert_int_equal(line("serve mac 02:00:00:00:00:07,52:54:00:13:* arch 7,9"), CONF_OK);
	assert_true(pxeconf_serves(&c, other, true, 9));
	assert_true(pxeconf_serves(&c, one, true, 7));
	assert_false(pxeconf_serves(&c, one, true, 0));
	assert_false(pxeconf_serves(&c, one, false, 0)); /* no option 93: no arch matches */
	assert_int_equal(c.nserve, 2);
	assert_int_equal(c.serve[0].mac[0].len, 4);
	assert_int_equal(c.serve[1].nmac, 2);
	assert_int_equal(c.serve[1].mac[0].len, 6);
	assert_int_equal(c.serve[1].narch, 2);
	setup(NULL);
	assert_int_equal(line("serve arch 0"), CONF_OK);
	assert_true(pxeconf_serves(&c, one, true, 0));
	assert_false(pxeconf_serves(&c, one, true, 7));
	assert_int_equal(line("serve mac 52:*"), CONF_OK);
	assert_int_equal(c.serve[1].mac[0].len, 1);
	assert_int_equal(line("serve mac 52:54:00:12:34:*"), CONF_OK);
	assert_int_equal(c.serve[2].mac[0].len, 5);
	assert_bad("serve", "expected: serve");
	assert_bad("serve mac", "expected: serve [mac PATTERN");
	assert_bad("serve mac *", "not a MAC or a MAC's leading bytes");
	assert_bad("serve mac 52:54*", "not a MAC or a MAC's leading bytes");
	assert_bad("serve mac 52:5*", "not a MAC or a MAC's leading bytes");
	assert_bad("serve mac 52:54:00:12:34:56:*", "not a MAC or a MAC's leading bytes");
	assert_bad("serve mac 5g:*", "not a MAC or a MAC's leading bytes");
	assert_bad("serve mac 52-54-00:*", "not a MAC or a MAC's leading bytes");
	assert_bad("serve arch 7 arch 9", "each once");
	assert_bad("serve arch 65536", "0 to 65535");
	assert_bad("serve color red", "expected mac or arch");
	assert_bad("serve arch 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "more than 16 items");
}

static void http_server(void **state)
{
	(void)state;
	assert_int_equal(c.http, PXED_HTTP_OFF);
	assert_int_equal(line("http-server http"), CONF_OK);
	assert_int_equal(c.http, PXED_HTTP);
	assert_string_equal(c.http_host, "");
	assert_int_equal(c.http_port, 0);
	assert_bad("http-server https", "http-server given twice");
	setup(NULL);
	assert_int_equal(line("http-server http :8080"), CONF_OK);
	assert_string_equal(c.http_host, "");
	assert_int_equal(c.http_port, 8080);
	setup(NULL);
	assert_int_equal(line("http-server https boot.lab.example:8443"), CONF_OK);
	assert_int_equal(c.http, PXED_HTTPS);
	assert_string_equal(c.http_host, "boot.lab.example");
	assert_int_equal(c.http_port, 8443);
	setup(NULL);
	assert_int_equal(line("http-server http 192.0.2.1"), CONF_OK);
	assert_string_equal(c.http_host, "192.0.2.1");
	assert_int_equal(c.http_port, 0);
	setup(NULL);
	assert_bad("http-server", "expected: http-server http|https [HOST][:PORT]");
	assert_bad("http-server ftp", "scheme is http or https, not ftp");
	assert_bad("http-server HTTP", "scheme is http or https");
	assert_bad("http-server http 192.0.2.1:0", "not a port");
	assert_bad("http-server http 192.0.2.1:65536", "not a port");
	assert_bad("http-server http :", "not a port");
	assert_bad("http-server http :+80", "not a port");
	assert_bad("http-server http a/b", "not a host name");
	assert_bad("http-server http a:b:80", "not a host name");
	assert_bad("http-server http 192.0.2.1 80", "expected: http-server");
	{
		char l[200] = "http-server http ";
		memset(l + strlen(l), 'a', 80);
		assert_bad(l, "host longer than 63 bytes");
	}
}

static const char *write_file(const char *text)
{
	static char path[] = "/tmp/pxed_pxeconf.XXXXXX";
	int fd;

	strcpy(path, "/tmp/pxed_pxeconf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void load_whole_or_nothing(void **state)
{
	struct pxed_conf *p;
	const char *path;

	(void)state;
	path = write_file("mode server\npool 192.0.2.100 192.0.2.110\narch 0 file pxelinux.0\n");
	p = pxeconf_load(path);
	unlink(path);
	assert_non_null(p);
	assert_int_equal(p->mode, PXED_SERVER);
	assert_int_equal(p->narch, 1);
	free(p);
	path = write_file("arch 0 file pxelinux.0\nbogus line\n");
	assert_null(pxeconf_load(path));
	unlink(path);
	path = write_file("mode server\n");
	assert_null(pxeconf_load(path));
	unlink(path);
	assert_null(pxeconf_load("/nonexistent/pxed.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults_and_skips, setup),
		cmocka_unit_test_setup(every_directive, setup),
		cmocka_unit_test_setup(bad_lines, setup),
		cmocka_unit_test_setup(whole_file_checks, setup),
		cmocka_unit_test_setup(several_pools, setup),
		cmocka_unit_test_setup(serve_lines, setup),
		cmocka_unit_test_setup(http_server, setup),
		cmocka_unit_test_setup(load_whole_or_nothing, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
