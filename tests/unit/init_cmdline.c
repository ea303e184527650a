/* init's kernel command-line parser: tern.<key>=<value> words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

static struct cmdline cl;

static void keeps_tern_words_only(void **state)
{
	(void)state;
	cmdline_parse("console=ttyS0 quiet tern.hostname=lab1 panic=-1 tern.debug_shell=1\n", &cl);
	assert_int_equal(cl.n, 2);
	assert_string_equal(cmdline_get(&cl, "hostname"), "lab1");
	assert_string_equal(cmdline_get(&cl, "debug_shell"), "1");
	assert_null(cmdline_get(&cl, "console"));
	assert_null(cmdline_get(&cl, "quiet"));
	assert_int_equal(cl.bad, 0);
}

static void quotes_group_blanks(void **state)
{
	(void)state;
	cmdline_parse("a tern.motd=\"hello  world\" \"tern.x=a b\" b", &cl);
	assert_string_equal(cmdline_get(&cl, "motd"), "hello  world");
	assert_string_equal(cmdline_get(&cl, "x"), "a b");
}

static void unterminated_quote_runs_to_end(void **state)
{
	(void)state;
	cmdline_parse("tern.a=\"x y z", &cl);
	assert_string_equal(cmdline_get(&cl, "a"), "x y z");
}

static void bare_key_means_one_and_empty_value_is_kept(void **state)
{
	(void)state;
	cmdline_parse("tern.debug_shell tern.ip=", &cl);
	assert_string_equal(cmdline_get(&cl, "debug_shell"), "1");
	assert_string_equal(cmdline_get(&cl, "ip"), "");
	assert_true(cmdline_flag(&cl, "debug_shell"));
	assert_false(cmdline_flag(&cl, "ip"));
}

static void later_word_wins(void **state)
{
	(void)state;
	cmdline_parse("tern.hostname=a tern.hostname=b", &cl);
	assert_int_equal(cl.n, 1);
	assert_string_equal(cmdline_get(&cl, "hostname"), "b");
}

static void flags(void **state)
{
	(void)state;
	cmdline_parse("tern.a=yes tern.b=0 tern.c=ON tern.d=no", &cl);
	assert_true(cmdline_flag(&cl, "a"));
	assert_false(cmdline_flag(&cl, "b"));
	assert_true(cmdline_flag(&cl, "c"));
	assert_false(cmdline_flag(&cl, "d"));
	assert_false(cmdline_flag(&cl, "missing"));
}

static void oversized_words_are_dropped_and_counted(void **state)
{
	(void)state;
	char text[2048];
	char key[CMDLINE_KEY_MAX + 10], value[CMDLINE_VALUE_MAX + 10];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	memset(value, 'v', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	snprintf(text, sizeof text, "tern.%s=1 tern.ok=1 tern.long=%s tern.=x", key, value);
	cmdline_parse(text, &cl);
	assert_int_equal(cl.n, 1);
	assert_string_equal(cmdline_get(&cl, "ok"), "1");
	assert_null(cmdline_get(&cl, "long"));
	assert_int_equal(cl.bad, 3);
}

static void too_many_words_are_counted(void **state)
{
	(void)state;
	char text[4096] = "";
	for (int i = 0; i < CMDLINE_MAX + 3; i++) {
		char w[32];
		snprintf(w, sizeof w, "tern.k%d=%d ", i, i);
		strcat(text, w);
	}
	cmdline_parse(text, &cl);
	assert_int_equal(cl.n, CMDLINE_MAX);
	assert_int_equal(cl.bad, 3);
	assert_string_equal(cmdline_get(&cl, "k0"), "0");
	assert_null(cmdline_get(&cl, "k33"));
}

static void empty_line(void **state)
{
	(void)state;
	cmdline_parse("", &cl);
	assert_int_equal(cl.n, 0);
	cmdline_parse("   \n", &cl);
	assert_int_equal(cl.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_tern_words_only),
		cmocka_unit_test(quotes_group_blanks),
		cmocka_unit_test(unterminated_quote_runs_to_end),
		cmocka_unit_test(bare_key_means_one_and_empty_value_is_kept),
		cmocka_unit_test(later_word_wins),
		cmocka_unit_test(flags),
		cmocka_unit_test(oversized_words_are_dropped_and_counted),
		cmocka_unit_test(too_many_words_are_counted),
		cmocka_unit_test(empty_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
