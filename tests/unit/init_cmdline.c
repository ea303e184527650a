/* SPDX-License-Identifier: MIT */
/* init_cmdline -- the tern.<key>=<value> words of the kernel command line
 * (app/init/cmdline.c): split as the kernel splits, quotes removed, bad
 * words rejected with a reason and a position, the good ones kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cmdline.h"

static struct cmdline c;

static size_t parse(const char *line)
{
	return cmdline_parse(&c, line, strlen(line));
}

/* "tern.<key>=" followed by n copies of ch, into buf. */
static const char *word_with_value(char *buf, const char *key, size_t n, char ch)
{
	int len = sprintf(buf, "tern.%s=", key);
	memset(buf + len, ch, n);
	buf[len + n] = '\0';
	return buf;
}

static void keeps_tern_words_and_skips_the_rest(void **state)
{
	(void)state;
	assert_int_equal(parse("console=ttyS0 quiet tern.hostname=lab1 panic=-1 "
			       "tern.debug_shell=1\n"), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(cmdline_get(&c, "hostname"), "lab1");
	assert_string_equal(cmdline_get(&c, "debug_shell"), "1");
	assert_null(cmdline_get(&c, "console"));
	assert_null(cmdline_get(&c, "quiet"));
	assert_null(c.err);
}

static void prefix_must_be_exact(void **state)
{
	(void)state;
	assert_int_equal(parse("tern=1 ternx.a=1 xtern.b=1 TERN.c=1 tern"), 0);
	assert_int_equal(c.n, 0);
}

static void quoted_value_keeps_blanks(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.motd=\"hello  world\" tern.x=1"), 0);
	assert_string_equal(cmdline_get(&c, "motd"), "hello  world");
	assert_string_equal(cmdline_get(&c, "x"), "1");
}

static void quoted_whole_word(void **state)
{
	(void)state;
	assert_int_equal(parse("\"tern.motd=a b\" quiet"), 0);
	assert_string_equal(cmdline_get(&c, "motd"), "a b");
	assert_int_equal(c.n, 1);
}

static void quotes_in_other_words_hide_tern_words(void **state)
{
	(void)state;
	/* As for the kernel: the quoted part belongs to foo's value. */
	assert_int_equal(parse("foo=\"a tern.hostname=x\" tern.y=2"), 0);
	assert_null(cmdline_get(&c, "hostname"));
	assert_string_equal(cmdline_get(&c, "y"), "2");
}

static void unterminated_quote_is_rejected(void **state)
{
	static const char line[] = "tern.a=1 tern.hostname=\"abc tern.c=3";

	(void)state;
	assert_int_equal(parse(line), 1);
	assert_string_equal(c.err, "unterminated quote");
	assert_int_equal(c.err_at, strlen("tern.a=1 "));
	assert_int_equal(c.err_len, strlen("tern.hostname=\"abc tern.c=3"));
	assert_string_equal(cmdline_get(&c, "a"), "1");
	assert_null(cmdline_get(&c, "hostname"));
	assert_null(cmdline_get(&c, "c")); /* swallowed by the open quote */
}

static void unterminated_quote_in_other_word_is_not_ours(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.a=1 foo=\"bar"), 0);
	assert_int_equal(c.n, 1);
}

static void empty_key_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.=x tern.ok=1"), 1);
	assert_string_equal(c.err, "empty key");
	assert_int_equal(c.err_at, 0);
	assert_int_equal(c.err_len, 7);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.arg[0].key, "ok");
}

static void key_length_limit(void **state)
{
	char line[128];
	char key[CMDLINE_KEY_MAX + 2];

	(void)state;
	memset(key, 'k', CMDLINE_KEY_MAX);
	key[CMDLINE_KEY_MAX] = '\0';
	snprintf(line, sizeof line, "tern.%s=v", key);
	assert_int_equal(parse(line), 0);
	assert_string_equal(cmdline_get(&c, key), "v");

	key[CMDLINE_KEY_MAX] = 'k';
	key[CMDLINE_KEY_MAX + 1] = '\0';
	snprintf(line, sizeof line, "tern.%s=v", key);
	assert_int_equal(parse(line), 1);
	assert_string_equal(c.err, "key longer than 31 bytes");
	assert_int_equal(c.n, 0);
}

static void very_long_key_without_value(void **state)
{
	char line[1024];

	(void)state;
	strcpy(line, "tern.");
	memset(line + 5, 'k', 900);
	line[905] = '\0';
	assert_int_equal(parse(line), 1);
	assert_string_equal(c.err, "key longer than 31 bytes");
}

static void value_length_limit(void **state)
{
	char line[512];

	(void)state;
	assert_int_equal(parse(word_with_value(line, "v", CMDLINE_VALUE_MAX, 'x')), 0);
	assert_int_equal(strlen(cmdline_get(&c, "v")), CMDLINE_VALUE_MAX);

	assert_int_equal(parse(word_with_value(line, "v", CMDLINE_VALUE_MAX + 1, 'x')), 1);
	assert_string_equal(c.err, "value longer than 255 bytes");
	assert_null(cmdline_get(&c, "v"));
}

static void bad_key_character_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.a/b=1 tern.a:b=2 tern.a_b.c-d=3"), 2);
	assert_string_equal(c.err, "bad character in key (allowed: A-Z a-z 0-9 _ . -)");
	assert_int_equal(c.err_at, 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(cmdline_get(&c, "a_b.c-d"), "3");
}

static void control_character_in_value_is_rejected(void **state)
{
	static const char line[] = "tern.a=b\001c tern.z=\"x\0y\"";

	(void)state;
	assert_int_equal(cmdline_parse(&c, line, sizeof line - 1), 2);
	assert_string_equal(c.err, "control character in value");
	assert_int_equal(c.n, 0);
}

static void later_word_wins(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.hostname=a tern.hostname=b"), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(cmdline_get(&c, "hostname"), "b");
}

static void table_full_rejects_new_keys_only(void **state)
{
	char line[1024];
	size_t len = 0;

	(void)state;
	for (int i = 0; i <= CMDLINE_ARGS_MAX; i++)
		len += (size_t)sprintf(line + len, "tern.k%d=%d ", i, i);
	sprintf(line + len, "tern.k0=again");
	assert_int_equal(parse(line), 1);
	assert_string_equal(c.err, "more than 16 tern. keys");
	assert_int_equal(c.n, CMDLINE_ARGS_MAX);
	assert_null(cmdline_get(&c, "k16"));
	assert_string_equal(cmdline_get(&c, "k15"), "15");
	assert_string_equal(cmdline_get(&c, "k0"), "again"); /* replacing still works */
}

static void bare_word_is_a_set_flag(void **state)
{
	(void)state;
	assert_int_equal(parse("tern.debug_shell"), 0);
	assert_true(c.arg[0].bare);
	assert_string_equal(cmdline_get(&c, "debug_shell"), "");
	assert_true(cmdline_flag(&c, "debug_shell"));
}

static void flag_values(void **state)
{
	static const char *const on[] = { "1", "y", "yes", "on", "true", "YES", "On" };
	static const char *const off[] = { "0", "n", "no", "off", "false", "", "2", "yess" };
	char line[64];

	(void)state;
	for (size_t i = 0; i < sizeof on / sizeof *on; i++) {
		snprintf(line, sizeof line, "tern.f=%s", on[i]);
		parse(line);
		assert_true(cmdline_flag(&c, "f"));
	}
	for (size_t i = 0; i < sizeof off / sizeof *off; i++) {
		snprintf(line, sizeof line, "tern.f=%s", off[i]);
		parse(line);
		assert_false(cmdline_flag(&c, "f"));
	}
	parse("tern.g=1");
	assert_false(cmdline_flag(&c, "f"));
}

static void length_not_nul_bounds_the_line(void **state)
{
	static const char line[] = "tern.a=1 tern.b=2";

	(void)state;
	assert_int_equal(cmdline_parse(&c, line, 8), 0);
	assert_int_equal(c.n, 1);
	assert_null(cmdline_get(&c, "b"));
}

static void empty_and_blank_lines(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse(" \t\n"), 0);
	assert_int_equal(c.n, 0);
}

static void parse_clears_previous_result(void **state)
{
	(void)state;
	parse("tern.=bad tern.a=1");
	assert_int_equal(parse("tern.b=2"), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.bad, 0);
	assert_null(c.err);
	assert_null(cmdline_get(&c, "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_tern_words_and_skips_the_rest),
		cmocka_unit_test(prefix_must_be_exact),
		cmocka_unit_test(quoted_value_keeps_blanks),
		cmocka_unit_test(quoted_whole_word),
		cmocka_unit_test(quotes_in_other_words_hide_tern_words),
		cmocka_unit_test(unterminated_quote_is_rejected),
		cmocka_unit_test(unterminated_quote_in_other_word_is_not_ours),
		cmocka_unit_test(empty_key_is_rejected),
		cmocka_unit_test(key_length_limit),
		cmocka_unit_test(very_long_key_without_value),
		cmocka_unit_test(value_length_limit),
		cmocka_unit_test(bad_key_character_is_rejected),
		cmocka_unit_test(control_character_in_value_is_rejected),
		cmocka_unit_test(later_word_wins),
		cmocka_unit_test(table_full_rejects_new_keys_only),
		cmocka_unit_test(bare_word_is_a_set_flag),
		cmocka_unit_test(flag_values),
		cmocka_unit_test(length_not_nul_bounds_the_line),
		cmocka_unit_test(empty_and_blank_lines),
		cmocka_unit_test(parse_clears_previous_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
