/* SPDX-License-Identifier: MIT */
/* relayd_ctl -- relayctl's requests as relayd reads them
 * (app/relayd/ctl_request.c): each verb, IDs, rules, and every refusal's
 * message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ctl.h"
#include "ctl_request.h"

static struct ctl_request req;
static char why[RELAY_WHY_MAX];

static int parse(const char *text)
{
	return ctl_parse_request(text, strlen(text), &req, why);
}

static void assert_refused(const char *text, const char *message)
{
	assert_int_equal(parse(text), -1);
	assert_string_equal(why, message);
}

static void verbs(void **state)
{
	(void)state;
	assert_int_equal(parse("list\n"), 0);
	assert_int_equal(req.verb, CTL_LIST);
	assert_int_equal(parse("stats"), 0); /* the newline is optional */
	assert_int_equal(req.verb, CTL_STATS);
	assert_int_equal(parse("reload \t\n"), 0);
	assert_int_equal(req.verb, CTL_RELOAD);
	assert_refused("list all\n", "this request takes no argument");
	assert_refused("lists\n", "unknown request 'lists' (list, stats, add, remove, reload)");
	assert_refused("\n", "unknown request '' (list, stats, add, remove, reload)");
	assert_refused("list\nstats\n", "more than one line in the request");
	assert_int_equal(ctl_parse_request("list\0\n", 6, &req, why), -1);
	assert_string_equal(why, "NUL byte in the request");
}

static void add_and_remove(void **state)
{
	(void)state;
	assert_int_equal(parse("add relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2:6000 dev eth1\n"), 0);
	assert_int_equal(req.verb, CTL_ADD);
	assert_int_equal(req.rule.nout, 1);
	assert_string_equal(req.rule.dev, "eth0");
	assert_int_equal(parse("remove 42\n"), 0);
	assert_int_equal(req.verb, CTL_REMOVE);
	assert_int_equal(req.id, 42);
	assert_int_equal(parse("remove 4294967295"), 0);
	assert_int_equal(req.id, 4294967295u);
	assert_int_equal(parse("remove relay from eth1 address 0.0.0.0 port 7 to 192.0.2.9\n"), 0);
	assert_int_equal(req.id, 0);
	assert_int_equal(req.rule.nout, 1);
	assert_refused("add\n", "add wants a rule");
	assert_refused("remove  \n", "remove wants a rule ID or the rule");
	assert_refused("add # nothing\n", "add wants a rule, not a comment");
	assert_refused("remove 0\n", "a rule ID is a number from 1 to 4294967295");
	assert_refused("remove 4294967296\n", "a rule ID is a number from 1 to 4294967295");
	assert_refused("remove 12abc\n", "a rule ID is a number from 1 to 4294967295");
	/* A bad rule says what relayd.conf would. */
	assert_refused("add relay from eth0 group 239.1.1.1 port 5000 to 239.2.2.2\n",
		       "output 1: a multicast destination needs 'dev IFACE'");
}

static void too_long(void **state)
{
	char text[CTL_REQUEST_MAX + 2];

	(void)state;
	memset(text, 'x', sizeof text);
	assert_int_equal(ctl_parse_request(text, sizeof text, &req, why), -1);
	assert_string_equal(why, "request too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verbs),
		cmocka_unit_test(add_and_remove),
		cmocka_unit_test(too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
