/* SPDX-License-Identifier: MIT */
/* fwupdate_revoked -- a line of a revocation list (app/fwupdate/revoked.c):
 * a key id of 16 hex digits, then a note if wanted; blank lines and
 * comments skipped; anything else refused with why. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "revoked.h"

static enum conf_result parse(const char *line, uint8_t id[TFW_KEY_ID_SIZE], char *why)
{
	why[0] = '\0';
	return revoked_parse_line(line, strlen(line), id, why);
}

static void good_lines(void **state)
{
	static const uint8_t want[TFW_KEY_ID_SIZE] = { 0x69, 0x71, 0x1f, 0xef, 0x6c, 0xf9, 0xe0, 0xdb };
	static const char *const lines[] = {
		"69711fef6cf9e0db", "69711FEF6CF9E0DB", "  69711fef6cf9e0db\t",
		"69711fef6cf9e0db lab laptop key, leaked 2026-12-01",
		"69711fef6cf9e0db\t# with a comment",
	};
	uint8_t id[TFW_KEY_ID_SIZE];
	char why[CONF_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		memset(id, 0, sizeof id);
		assert_int_equal(parse(lines[i], id, why), CONF_OK);
		assert_memory_equal(id, want, sizeof want);
	}
}

static void skipped_lines(void **state)
{
	uint8_t id[TFW_KEY_ID_SIZE];
	char why[CONF_WHY_MAX];

	(void)state;
	assert_int_equal(parse("", id, why), CONF_SKIP);
	assert_int_equal(parse(" \t ", id, why), CONF_SKIP);
	assert_int_equal(parse("# 69711fef6cf9e0db", id, why), CONF_SKIP);
	assert_int_equal(parse("  #", id, why), CONF_SKIP);
}

static void bad_lines(void **state)
{
	static const char *const lines[] = {
		"69711fef6cf9e0d", "69711fef6cf9e0dbb", "69711fef6cf9e0dg", "0x69711fef6cf9e0",
		"69711fef-6cf9e0db", "key 69711fef6cf9e0db", "69711fef6cf9e0db#",
	};
	uint8_t id[TFW_KEY_ID_SIZE];
	char why[CONF_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		if (parse(lines[i], id, why) != CONF_BAD)
			fail_msg("\"%s\" taken as a key id", lines[i]);
		assert_non_null(strstr(why, "16 hexadecimal digits"));
	}
	/* A NUL inside the id. */
	assert_int_equal(revoked_parse_line("69711fef\0cf9e0db", 16, id, why), CONF_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_lines),
		cmocka_unit_test(skipped_lines),
		cmocka_unit_test(bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
