/* SPDX-License-Identifier: MIT */
/* fwupdate_url -- tftp:// URLs (app/fwupdate/fetch.c): host names, IPv4,
 * [IPv6], ports, and everything else refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fetch.h"

static void assert_url(const char *s, const char *host, const char *port, const char *path)
{
	struct url u;
	char why[64];

	if (url_parse(s, &u, why))
		fail_msg("%s refused: %s", s, why);
	assert_string_equal(u.host, host);
	assert_string_equal(u.port, port);
	assert_string_equal(u.path, path);
}

static void good_urls(void **state)
{
	(void)state;
	assert_url("tftp://192.0.2.1/tern-1.1.0-pc_x86_64.tfw", "192.0.2.1", "69",
		   "tern-1.1.0-pc_x86_64.tfw");
	assert_url("tftp://boot.example/fw/a.tfw", "boot.example", "69", "fw/a.tfw");
	assert_url("tftp://192.0.2.1:6969/a", "192.0.2.1", "6969", "a");
	assert_url("tftp://[2001:db8::1]/a", "2001:db8::1", "69", "a");
	assert_url("tftp://[2001:db8::1]:65535/a/b", "2001:db8::1", "65535", "a/b");
	assert_url("tftp://[fe80::1%eth0]/a", "fe80::1%eth0", "69", "a");
}

static void bad_urls(void **state)
{
	static const char *const bad[] = {
		"http://192.0.2.1/a", "tftp:/192.0.2.1/a", "tftp://192.0.2.1", "tftp://192.0.2.1/",
		"tftp:///a", "tftp://:69/a", "tftp://192.0.2.1:/a", "tftp://192.0.2.1:0/a",
		"tftp://192.0.2.1:65536/a", "tftp://192.0.2.1:069/a", "tftp://192.0.2.1:6x/a",
		"tftp://[2001:db8::1/a", "tftp://[2001:db8::1]x/a", "tftp://[]/a",
		"tftp://192.0.2.1/a b", "tftp://192.0.2.1/a\n", "tftp://192.0.2.1:-1/a",
		/* Taken before tests/fuzz/fwupdate_url: brackets in a host,
		 * and around a name. */
		"tftp://[[]/a", "tftp://a]b/a", "tftp://a[b:69/a", "tftp://[boot.example]/a",
	};
	struct url u;
	char why[64];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = 0;
		if (url_parse(bad[i], &u, why) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(strlen(why) > 0);
	}
	assert_true(url_is_url("tftp://x/y"));
	assert_false(url_is_url("/tmp/tern.tfw"));
	assert_false(url_is_url("-"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_urls),
		cmocka_unit_test(bad_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
