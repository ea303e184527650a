/* SPDX-License-Identifier: MIT */
/* relayd_rules -- relayd.conf lines (app/relayd/rules.c): every form of
 * input and output, the defaults, each bad line's message, rule equality
 * for SIGHUP, and a file read whole or not at all (rules_load.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules.h"

static char why[RELAY_WHY_MAX];

static enum conf_result parse(const char *line, struct relay_rule *r)
{
	return relay_parse_line(line, strlen(line), r, why);
}

static struct relay_rule ok(const char *line)
{
	struct relay_rule r;

	if (parse(line, &r) != CONF_OK)
		fail_msg("%s: %s", line, why);
	return r;
}

static void assert_bad(const char *line, const char *message)
{
	struct relay_rule r;

	assert_int_equal(parse(line, &r), CONF_BAD);
	assert_string_equal(why, message);
}

static const char *in_text(const struct relay_rule *r)
{
	static char buf[RELAY_TEXT_MAX];

	relay_input_text(r, buf);
	return buf;
}

static const char *out_text(const struct relay_rule *r, unsigned i)
{
	static char buf[RELAY_TEXT_MAX];

	relay_output_text(&r->out[i], buf);
	return buf;
}

static void comments_and_blank_lines(void **state)
{
	struct relay_rule r;

	(void)state;
	assert_int_equal(parse("", &r), CONF_SKIP);
	assert_int_equal(parse(" \t\r", &r), CONF_SKIP);
	assert_int_equal(parse("# relay from eth0 group 239.1.1.1 port 1 to 239.2.2.2 dev eth1", &r),
			 CONF_SKIP);
	assert_int_equal(parse("   #", &r), CONF_SKIP);
}

static void multicast_to_multicast(void **state)
{
	struct relay_rule r = ok("relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 ttl 8");

	(void)state;
	assert_string_equal(r.dev, "eth0");
	assert_true(r.multicast);
	assert_int_equal(r.in.sa.sa_family, AF_INET);
	assert_int_equal(r.in.in.sin_addr.s_addr, inet_addr("239.1.1.1"));
	assert_int_equal(ntohs(r.in.in.sin_port), 5000);
	assert_int_equal(r.source.sa.sa_family, AF_UNSPEC);
	assert_int_equal(r.nout, 1);
	assert_int_equal(r.out[0].to.in.sin_addr.s_addr, inet_addr("239.2.2.2"));
	assert_int_equal(ntohs(r.out[0].to.in.sin_port), 6000);
	assert_string_equal(r.out[0].dev, "eth1");
	assert_int_equal(r.out[0].ttl, 8);
	assert_int_equal(r.out[0].src.sa.sa_family, AF_UNSPEC);
	assert_string_equal(in_text(&r), "eth0 239.1.1.1:5000");
	assert_string_equal(out_text(&r, 0), "239.2.2.2:6000 dev eth1");
}

static void source_and_fan_out(void **state)
{
	struct relay_rule r = ok("relay from eth0 group 239.1.1.1 port 5001 source 192.0.2.1 to "
				 "239.2.2.2 dev eth1, 198.51.100.7:7000 dev eth2,203.0.113.9 ,"
				 "198.51.100.8:1 src 198.51.100.1 ttl 255 dev eth2 # comment");

	(void)state;
	assert_int_equal(r.source.in.sin_addr.s_addr, inet_addr("192.0.2.1"));
	assert_string_equal(in_text(&r), "eth0 239.1.1.1:5001 source 192.0.2.1");
	assert_int_equal(r.nout, 4);
	assert_string_equal(out_text(&r, 0), "239.2.2.2:5001 dev eth1"); /* the input's port */
	assert_string_equal(out_text(&r, 1), "198.51.100.7:7000 dev eth2");
	assert_string_equal(out_text(&r, 2), "203.0.113.9:5001");
	assert_string_equal(r.out[2].dev, "");
	assert_int_equal(r.out[2].ttl, 0);
	assert_string_equal(out_text(&r, 3), "198.51.100.8:1 dev eth2");
	assert_int_equal(r.out[3].ttl, 255);
	assert_int_equal(r.out[3].src.in.sin_addr.s_addr, inet_addr("198.51.100.1"));
}

static void ipv6(void **state)
{
	struct relay_rule r = ok("relay from eth1 address 2001:db8:1::1 port 7000 to "
				 "[ff0e::db8:5]:7001 dev eth2 src 2001:db8:2::1, ff0e::db8:6 dev eth2, "
				 "[2001:db8::9], 192.0.2.9:9");
	struct in6_addr a;

	(void)state;
	assert_false(r.multicast);
	assert_int_equal(r.in.sa.sa_family, AF_INET6);
	assert_string_equal(in_text(&r), "eth1 [2001:db8:1::1]:7000");
	assert_int_equal(r.nout, 4);
	assert_string_equal(out_text(&r, 0), "[ff0e::db8:5]:7001 dev eth2");
	inet_pton(AF_INET6, "2001:db8:2::1", &a);
	assert_memory_equal(&r.out[0].src.in6.sin6_addr, &a, sizeof a);
	assert_string_equal(out_text(&r, 1), "[ff0e::db8:6]:7000 dev eth2"); /* no brackets, no port */
	assert_string_equal(out_text(&r, 2), "[2001:db8::9]:7000");
	assert_string_equal(out_text(&r, 3), "192.0.2.9:9"); /* another family than the input's */
	r = ok("relay from eth0 group ff0e::db8:1 port 5000 source 2001:db8::7 to 203.0.113.9");
	assert_string_equal(in_text(&r), "eth0 [ff0e::db8:1]:5000 source 2001:db8::7");
}

static void any_address(void **state)
{
	struct relay_rule r = ok("relay from eth0 address 0.0.0.0 port 53 to 192.0.2.53");

	(void)state;
	assert_string_equal(in_text(&r), "eth0 0.0.0.0:53");
	r = ok("relay from eth0 address :: port 53 to 192.0.2.53");
	assert_string_equal(in_text(&r), "eth0 [::]:53");
}

static void bad_lines(void **state)
{
	(void)state;
	assert_bad("mroute from eth0 group 239.1.1.1", "expected 'relay', not 'mroute'");
	assert_bad("relay", "expected 'from' after 'relay'");
	assert_bad("relay from", "'from' wants an interface name");
	assert_bad("relay from eth/0 group 239.1.1.1 port 1 to 192.0.2.1",
		   "bad interface name 'eth/0' (1-15 of A-Z a-z 0-9 _ . -)");
	assert_bad("relay from abcdefghijklmnop group 239.1.1.1 port 1 to 192.0.2.1",
		   "bad interface name 'abcdefghijklmnop' (1-15 of A-Z a-z 0-9 _ . -)");
	assert_bad("relay from eth0 239.1.1.1", "expected 'group' or 'address' after the interface");
	assert_bad("relay from eth0 group", "'group' wants an IPv4 or IPv6 address");
	assert_bad("relay from eth0 group 239.1.1", "'239.1.1' is not an IPv4 or IPv6 address");
	assert_bad("relay from eth0 group 192.0.2.1 port 1 to 192.0.2.2",
		   "192.0.2.1 is not a multicast group (say 'address' for unicast)");
	assert_bad("relay from eth0 address ff0e::1 port 1 to 192.0.2.2",
		   "ff0e::1 is a multicast group (say 'group')");
	assert_bad("relay from eth0 group 239.1.1.1 to 192.0.2.2", "expected 'port' after the group");
	assert_bad("relay from eth0 group 239.1.1.1 port", "'port' wants a number from 1 to 65535");
	assert_bad("relay from eth0 group 239.1.1.1 port 0 to 192.0.2.2",
		   "port wants a number from 1 to 65535, not '0'");
	assert_bad("relay from eth0 group 239.1.1.1 port 65536 to 192.0.2.2",
		   "port wants a number from 1 to 65535, not '65536'");
	assert_bad("relay from eth0 group 239.1.1.1 port -1 to 192.0.2.2",
		   "port wants a number from 1 to 65535, not '-1'");
	assert_bad("relay from eth0 group 239.1.1.1 port 5", "missing 'to' and the outputs");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 from 192.0.2.2",
		   "expected 'to', not 'from'");
	assert_bad("relay from eth0 address 192.0.2.1 port 5 source 192.0.2.7 to 192.0.2.2",
		   "'source' goes with a group, not an address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 source 2001:db8::1 to 192.0.2.2",
		   "source 2001:db8::1 is not of the group's family");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 source 239.1.1.2 to 192.0.2.2",
		   "source 239.1.1.2 is not a unicast address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 source 0.0.0.0 to 192.0.2.2",
		   "source 0.0.0.0 is not a unicast address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 source", "'source' wants a unicast address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to", "'to' wants an output");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to , 192.0.2.1", "'to' wants an output");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1,", "output 2 is empty");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1,,192.0.2.2",
		   "output 2 is empty");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to host.example",
		   "output 1: 'host.example' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1:0",
		   "output 1: '192.0.2.1:0' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1:",
		   "output 1: '192.0.2.1:' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to [192.0.2.1]:5",
		   "output 1: '[192.0.2.1]:5' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to [2001:db8::1]5",
		   "output 1: '[2001:db8::1]5' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to [2001:db8::1",
		   "output 1: '[2001:db8::1' is not an address, address:port or [IPv6]:port");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 0.0.0.0:5",
		   "output 1: 0.0.0.0:5 is not a destination");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 239.2.2.2:6000",
		   "output 1: a multicast destination needs 'dev IFACE'");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 dev eth1 dev eth2",
		   "output 1: dev given twice");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 dev",
		   "'dev' wants an interface name");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 dev , 192.0.2.2",
		   "'dev' wants an interface name");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 dev e:1",
		   "output 1: bad interface name 'e:1' (1-15 of A-Z a-z 0-9 _ . -)");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 ttl 0",
		   "output 1: ttl wants a number from 1 to 255, not '0'");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 ttl 256",
		   "output 1: ttl wants a number from 1 to 255, not '256'");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 ttl 2 ttl 3",
		   "output 1: ttl given twice");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 ttl",
		   "'ttl' wants a number from 1 to 255");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 src 2001:db8::1",
		   "output 1: src 2001:db8::1 is not of the destination's family");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 src 239.0.0.1",
		   "output 1: src 239.0.0.1 is not a unicast address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 src x",
		   "output 1: src 'x' is not an address");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 src 192.0.2.2 src 192.0.2.3",
		   "output 1: src given twice");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1 via eth1",
		   "output 1: unknown word 'via' (expected dev, ttl, src or ',')");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1, 239.1.1.1:5 dev eth0",
		   "output 2 is the rule's own input (a loop)");
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to 239.1.1.1 dev eth0",
		   "output 1 is the rule's own input (a loop)");
}

static void too_many_and_too_long(void **state)
{
	char line[CONF_LINE_MAX + 64];
	struct relay_rule r;
	size_t n;

	(void)state;
	n = (size_t)sprintf(line, "relay from eth0 group 239.1.1.1 port 5 to 192.0.2.1");
	for (int i = 2; i <= RELAY_OUTPUTS_MAX; i++)
		n += (size_t)sprintf(line + n, ", 192.0.2.%d", i);
	r = ok(line);
	assert_int_equal(r.nout, RELAY_OUTPUTS_MAX);
	sprintf(line + n, ", 192.0.2.99");
	assert_bad(line, "too many outputs (at most 16)");

	memset(line, ' ', sizeof line);
	assert_int_equal(relay_parse_line(line, CONF_LINE_MAX + 1, &r, why), CONF_BAD);
	assert_string_equal(why, "line too long (more than 1024 bytes)");
	assert_int_equal(relay_parse_line("relay\0from", 10, &r, why), CONF_BAD);
	assert_string_equal(why, "NUL byte in line");
	/* a word longer than any address */
	assert_bad("relay from eth0 group 239.1.1.1 port 5 to "
		   "1111111111111111111111111111111111111111111111111111111111111111111111",
		   "output 1: '1111111111111111111111111111111111111111' is not an address, "
		   "address:port or [IPv6]:port");
}

static void equality(void **state)
{
	struct relay_rule a = ok("relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1");
	struct relay_rule b = ok("relay  from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 # same");
	struct relay_rule c = ok("relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 ttl 2");
	struct relay_rule d = ok("relay from eth0 group 239.1.1.1 port 5000 source 192.0.2.1 to 192.0.2.9");
	struct relay_rule e = ok("relay from eth1 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1");

	(void)state;
	assert_true(relay_rule_equal(&a, &b));
	assert_false(relay_rule_equal(&a, &c));
	assert_true(relay_same_input(&a, &c));
	assert_false(relay_same_input(&a, &d)); /* (S,G) is another input than (*,G) */
	assert_false(relay_same_input(&a, &e));
}

static struct relay_rules rs;

static int load_text(const char *text)
{
	char path[] = "/tmp/relayd_rules.XXXXXX";
	int fd = mkstemp(path);
	int r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r = rules_load(path, &rs, NULL, 0);
	unlink(path);
	return r;
}

static void load_whole_or_nothing(void **state)
{
	(void)state;
	assert_int_equal(load_text("# relays\n\nrelay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2 dev eth1\n"
		       "relay from eth0 group 239.1.1.1 port 5001 to 192.0.2.9\n"
		       "relay from eth0 group 239.1.1.1 port 5000 source 192.0.2.1 to 192.0.2.9"), 0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.line[0], 3);
	assert_int_equal(rs.line[2], 5);
	assert_int_equal(load_text("relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2 dev eth1\n"
			      "relay from eth0 group 239.1.1.1 port 5000 to 192.0.2.9\n"), -1);
	assert_int_equal(load_text("relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2 dev eth1\n"
			      "relay from eth0\n"), -1);
	assert_int_equal(rules_load("/nonexistent/relayd.conf", &rs, NULL, 0), -1);
	assert_int_equal(load_text(""), 0);
	assert_int_equal(rs.n, 0);
}

/* What relayctl reload answers: each bad line, as logged. */
static void load_errors_collected(void **state)
{
	char path[] = "/tmp/relayd_rules.XXXXXX", errors[200], small[40];
	const char *text = "relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2 dev eth1\n"
			   "relay from eth0 group 239.1.1.1 port 5000 to 192.0.2.9\n"
			   "relay from eth0\n";
	int fd = mkstemp(path);
	char want[300];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(rules_load(path, &rs, errors, sizeof errors), -1);
	snprintf(want, sizeof want, "%s:2: the same input as line 1\n"
		 "%s:3: expected 'group' or 'address' after the interface\n", path, path);
	assert_string_equal(errors, want);
	/* Cut short, never overrun, always a string. */
	assert_int_equal(rules_load(path, &rs, small, sizeof small), -1);
	assert_int_equal(strlen(small), sizeof small - 1);
	unlink(path);
	assert_int_equal(rules_load(path, &rs, errors, sizeof errors), -1);
	assert_non_null(strstr(errors, "unable to read"));
}

/* relay_rule_line: the rule as relayctl list shows it, and it reads back. */
static void written_back(void **state)
{
	static const char *lines[] = {
		"relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1 ttl 8",
		"relay from eth0 group 239.1.1.1 port 5001 source 192.0.2.1 to 239.2.2.2:5001 dev "
		"eth1, 198.51.100.7:7000 dev eth2 src 198.51.100.1",
		"relay from eth1 address 2001:db8:1::1 port 7000 to [ff0e::db8:5]:7000 dev eth2 ttl 4 "
		"src 2001:db8:2::1",
		"relay from eth0 address 0.0.0.0 port 53 to 192.0.2.53:53",
	};
	char buf[RELAY_LINE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		struct relay_rule r = ok(lines[i]), again;

		assert_int_equal(relay_rule_line(&r, buf), strlen(lines[i]));
		assert_string_equal(buf, lines[i]);
		again = ok(buf);
		assert_true(relay_rule_equal(&r, &again));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(comments_and_blank_lines),
		cmocka_unit_test(multicast_to_multicast),
		cmocka_unit_test(source_and_fan_out),
		cmocka_unit_test(ipv6),
		cmocka_unit_test(any_address),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(too_many_and_too_long),
		cmocka_unit_test(equality),
		cmocka_unit_test(load_whole_or_nothing),
		cmocka_unit_test(load_errors_collected),
		cmocka_unit_test(written_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
