/* SPDX-License-Identifier: MIT */
/* httpd_target -- a request target to a path under the root
 * (app/httpd/target.c): percent-decoding first, then the shared path
 * policy, so every spelling of a traversal is refused, each spelling a
 * named test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

static char out[PATH_MAX];

static enum target_cause decode(const char *t)
{
	memset(out, 'x', sizeof out);
	return target_decode(t, strlen(t), out, sizeof out);
}

static void assert_target(const char *t, const char *rel)
{
	assert_int_equal(decode(t), TARGET_OK);
	assert_string_equal(out, rel);
}

static void assert_refused(const char *t, enum target_cause c, int status)
{
	assert_int_equal(decode(t), c);
	assert_int_equal(target_status(c), status);
}

static void plain_paths(void **state)
{
	(void)state;
	assert_target("/vmlinuz", "vmlinuz");
	assert_target("/boot/ipxe/boot.ipxe", "boot/ipxe/boot.ipxe");
	assert_target("/a/./b", "a/./b");
	assert_target("//a//b", "a//b");
	assert_target("/...", "...");   /* an ordinary name on Linux */
	assert_target("/..a/a..", "..a/a..");
}

static void query_is_dropped(void **state)
{
	(void)state;
	assert_target("/boot.ipxe?mac=52:54:00:12:34:56", "boot.ipxe");
	assert_target("/x?../../etc/passwd", "x");
	assert_refused("/?x", TARGET_EMPTY, 404);
}

static void percent_decoding(void **state)
{
	(void)state;
	assert_target("/caf%C3%A9%20menu.cfg", "caf\xc3\xa9 menu.cfg");
	assert_target("/%41%62c", "Abc");
	assert_target("/a%3fb", "a?b"); /* an escaped '?' is part of the name */
	assert_target("/100%25", "100%");
}

static void dotdot_plain(void **state)
{
	(void)state;
	assert_refused("/../etc/passwd", TARGET_DOTDOT, 403);
	assert_refused("/a/../../etc/passwd", TARGET_DOTDOT, 403);
	assert_refused("/a/..", TARGET_DOTDOT, 403);
	assert_refused("/..", TARGET_DOTDOT, 403);
}

static void dotdot_percent_encoded(void **state)
{
	(void)state;
	assert_refused("/%2e%2e/etc/passwd", TARGET_DOTDOT, 403);
	assert_refused("/%2E%2E/etc/passwd", TARGET_DOTDOT, 403);
	assert_refused("/a/%2e%2e", TARGET_DOTDOT, 403);
}

static void dotdot_half_encoded(void **state)
{
	(void)state;
	assert_refused("/.%2e/etc/passwd", TARGET_DOTDOT, 403);
	assert_refused("/%2e./etc/passwd", TARGET_DOTDOT, 403);
}

static void double_encoding_decoded_once(void **state)
{
	(void)state;
	/* %252e is "%2e" literally: a file named "%2e%2e", not a traversal */
	assert_target("/%252e%252e/x", "%2e%2e/x");
}

static void escaped_slash(void **state)
{
	(void)state;
	assert_refused("/..%2fetc%2fpasswd", TARGET_ESCAPED_SLASH, 400);
	assert_refused("/a%2Fb", TARGET_ESCAPED_SLASH, 400);
}

static void escaped_backslash(void **state)
{
	(void)state;
	assert_refused("/..%5c..%5cwindows", TARGET_ESCAPED_SLASH, 400);
	assert_refused("/a%5Cb", TARGET_ESCAPED_SLASH, 400);
}

static void literal_backslash(void **state)
{
	(void)state;
	assert_refused("/..\\..\\etc\\passwd", TARGET_BACKSLASH, 400);
}

static void escaped_nul(void **state)
{
	(void)state;
	assert_refused("/vmlinuz%00.ipxe", TARGET_ESCAPED_NUL, 400);
}

static void escaped_control_characters(void **state)
{
	(void)state;
	assert_refused("/a%0ab", TARGET_CONTROL_CHAR, 400);
	assert_refused("/a%0d%0aX-Injected:%201", TARGET_CONTROL_CHAR, 400);
	assert_refused("/a%7f", TARGET_CONTROL_CHAR, 400);
}

static void overlong_utf8_dot(void **state)
{
	(void)state;
	/* '.' and '/' in overlong two- and three-byte forms (the IIS 2000 bug) */
	assert_refused("/%c0%ae%c0%ae/etc/passwd", TARGET_BAD_UTF8, 400);
	assert_refused("/%e0%80%ae%e0%80%ae/x", TARGET_BAD_UTF8, 400);
	assert_refused("/..%c0%afetc", TARGET_BAD_UTF8, 400);
	assert_refused("/..%c1%9cetc", TARGET_BAD_UTF8, 400);
	assert_refused("/%f0%80%80%ae", TARGET_BAD_UTF8, 400);
}

static void other_bad_utf8(void **state)
{
	(void)state;
	assert_refused("/%ed%a0%80", TARGET_BAD_UTF8, 400);    /* a surrogate */
	assert_refused("/%f4%90%80%80", TARGET_BAD_UTF8, 400); /* over U+10FFFF */
	assert_refused("/%c3", TARGET_BAD_UTF8, 400);          /* cut short */
	assert_refused("/%80", TARGET_BAD_UTF8, 400);          /* a lone continuation */
	assert_refused("/\xff", TARGET_BAD_UTF8, 400);
	assert_target("/%f0%9f%90%a7", "\xf0\x9f\x90\xa7");    /* U+1F427 */
}

static void bad_escapes(void **state)
{
	(void)state;
	assert_refused("/a%", TARGET_BAD_ESCAPE, 400);
	assert_refused("/a%4", TARGET_BAD_ESCAPE, 400);
	assert_refused("/a%zz", TARGET_BAD_ESCAPE, 400);
	assert_refused("/a%-1", TARGET_BAD_ESCAPE, 400);
}

static void fragment(void **state)
{
	(void)state;
	assert_refused("/a#b", TARGET_FRAGMENT, 400);
}

static void nothing_named(void **state)
{
	(void)state;
	assert_refused("/", TARGET_EMPTY, 404);
	assert_refused("///", TARGET_EMPTY, 404);
}

static void too_long(void **state)
{
	size_t n = PATH_MAX + 10;
	char *t = malloc(n + 1);
	char small[8];

	(void)state;
	t[0] = '/';
	memset(t + 1, 'a', n - 1);
	t[n] = '\0';
	assert_refused(t, TARGET_TOO_LONG, 414);
	/* out must hold the decoded path, its leading '/' and a NUL (path.h) */
	assert_int_equal(target_decode("/abcdefg", 8, small, sizeof small), TARGET_TOO_LONG);
	assert_int_equal(target_decode("/abcdef", 7, small, sizeof small), TARGET_OK);
	assert_string_equal(small, "abcdef");
	free(t);
}

static void every_cause_has_words(void **state)
{
	(void)state;
	for (int c = 0; c < TARGET_CAUSE_COUNT; c++)
		assert_true(strlen(target_cause_message(c)) > 1);
	assert_int_equal(target_status(TARGET_OK), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_paths),
		cmocka_unit_test(query_is_dropped),
		cmocka_unit_test(percent_decoding),
		cmocka_unit_test(dotdot_plain),
		cmocka_unit_test(dotdot_percent_encoded),
		cmocka_unit_test(dotdot_half_encoded),
		cmocka_unit_test(double_encoding_decoded_once),
		cmocka_unit_test(escaped_slash),
		cmocka_unit_test(escaped_backslash),
		cmocka_unit_test(literal_backslash),
		cmocka_unit_test(escaped_nul),
		cmocka_unit_test(escaped_control_characters),
		cmocka_unit_test(overlong_utf8_dot),
		cmocka_unit_test(other_bad_utf8),
		cmocka_unit_test(bad_escapes),
		cmocka_unit_test(fragment),
		cmocka_unit_test(nothing_named),
		cmocka_unit_test(too_long),
		cmocka_unit_test(every_cause_has_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
