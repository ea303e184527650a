/* SPDX-License-Identifier: MIT */
/* fwupdate_release -- /etc/tern/release lines (app/fwupdate/release.c):
 * board and version taken, comments and blanks skipped, anything else
 * refused with a reason; a file without both is refused whole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "release.h"

static enum conf_result line(const char *s, struct release *r, char why[CONF_WHY_MAX])
{
	return release_parse_line(s, strlen(s), r, why);
}

static void lines(void **state)
{
	struct release r = { 0 };
	char why[CONF_WHY_MAX];

	(void)state;
	assert_int_equal(line("", &r, why), CONF_SKIP);
	assert_int_equal(line("   \t", &r, why), CONF_SKIP);
	assert_int_equal(line("# board qemu", &r, why), CONF_SKIP);
	assert_int_equal(line("board pc_x86_64", &r, why), CONF_OK);
	assert_string_equal(r.board, "pc_x86_64");
	assert_int_equal(line("  version\t1.10.2  ", &r, why), CONF_OK);
	assert_string_equal(r.version, "1.10.2");
	assert_int_equal(r.v.minor, 10);

	static const char *const bad[] = {
		"board", "board PC", "board a b", "version 1.2", "version v1.2.3", "colour blue",
		"board 0123456789abcdef0123456789abcdef", "version 1.2.3 extra",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = 0;
		if (line(bad[i], &r, why) != CONF_BAD)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(strlen(why) > 0);
	}
	/* A refused line changed nothing, the parsed version included ("1.2"
	 * and "1.02.3" set parts of it before tests/fuzz/fwupdate_release). */
	assert_int_equal(line("version 1.02.3", &r, why), CONF_BAD);
	assert_string_equal(r.board, "pc_x86_64");
	assert_string_equal(r.version, "1.10.2");
	assert_true(r.v.major == 1 && r.v.minor == 10 && r.v.patch == 2);
	/* A NUL cut the value short: "board pc" taken from "board pc\0x". */
	assert_int_equal(release_parse_line("board pc\0x", 10, &r, why), CONF_BAD);
	assert_string_equal(r.board, "pc_x86_64");
}

static int load(const char *text, struct release *r, char why[RELEASE_WHY_MAX])
{
	char path[] = "/tmp/tern-release-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = release_load(path, r, why);
	unlink(path);
	return rc;
}

static void files(void **state)
{
	struct release r;
	char why[RELEASE_WHY_MAX];

	(void)state;
	assert_int_equal(load("# gen\nboard pc_x86_64\nversion 1.0.0", &r, why), 0);
	assert_string_equal(r.board, "pc_x86_64");
	assert_string_equal(r.version, "1.0.0");
	assert_int_equal(load("board pc_x86_64\n", &r, why), -1);
	assert_non_null(strstr(why, "no version line"));
	assert_int_equal(load("version 1.0.0\n", &r, why), -1);
	assert_non_null(strstr(why, "no board line"));
	assert_int_equal(load("board pc_x86_64\nversion 1.0\n", &r, why), -1);
	assert_non_null(strstr(why, ":2: version '1.0'"));
	assert_int_equal(release_load("/nonexistent/release", &r, why), -1);
	assert_non_null(strstr(why, "unable to read /nonexistent/release"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
		cmocka_unit_test(files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
