/* SPDX-License-Identifier: MIT */
/* init_unmount -- reading /proc/mounts lines at shutdown
 * (mounts_parse_line in app/init/unmount.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "unmount.h"

static enum conf_result parse(const char *line, struct mount_entry *m, const char **err)
{
	return mounts_parse_line(line, strlen(line), m, err);
}

static void a_plain_line_gives_dir_and_type(void **state)
{
	struct mount_entry m;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("/dev/vda2 /data ext4 rw,relatime 0 0", &m, &err), CONF_OK);
	assert_string_equal(m.dir, "/data");
	assert_string_equal(m.type, "ext4");
	assert_int_equal(parse("rootfs / rootfs rw 0 0", &m, &err), CONF_OK);
	assert_string_equal(m.dir, "/");
	assert_string_equal(m.type, "rootfs");
}

static void octal_escapes_are_decoded(void **state)
{
	struct mount_entry m;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("tmpfs /mnt/a\\040b\\134c tmpfs rw 0 0", &m, &err), CONF_OK);
	assert_string_equal(m.dir, "/mnt/a b\\c");
	/* Not an escape: kept as it is. */
	assert_int_equal(parse("x /mnt/\\9x tmpfs rw 0 0", &m, &err), CONF_OK);
	assert_string_equal(m.dir, "/mnt/\\9x");
}

static void blank_lines_are_skipped(void **state)
{
	struct mount_entry m;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("", &m, &err), CONF_SKIP);
	assert_int_equal(parse("  \t", &m, &err), CONF_SKIP);
}

static void bad_lines_say_why(void **state)
{
	char line[600];
	struct mount_entry m;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("none", &m, &err), CONF_BAD);
	assert_string_equal(err, "no mount point, or one too long");
	assert_int_equal(parse("none relative tmpfs", &m, &err), CONF_BAD);
	assert_int_equal(parse("none /x", &m, &err), CONF_BAD);
	assert_string_equal(err, "no filesystem type");
	memset(line, 'a', sizeof line);
	memcpy(line, "x /", 3);
	memcpy(line + sizeof line - 9, " tmpfs 0", 9);
	assert_int_equal(parse(line, &m, &err), CONF_BAD);
	assert_string_equal(err, "no mount point, or one too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_plain_line_gives_dir_and_type),
		cmocka_unit_test(octal_escapes_are_decoded),
		cmocka_unit_test(blank_lines_are_skipped),
		cmocka_unit_test(bad_lines_say_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
