/* SPDX-License-Identifier: MIT */
/* lib_fwfloor -- the anti-rollback floor on the ESP (app/lib/fwfloor.c), on
 * a temporary directory standing in for the ESP: no file is no floor; it
 * only rises by fwfloor_raise; fwfloor_write replaces it; its text is one
 * version and a newline, anything else is refused and left as it is; no
 * temporary file is left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwfloor.h"

struct esp {
	char dir[64];
	int fd;
};

static int setup(void **state)
{
	struct esp *e = calloc(1, sizeof *e);

	if (!e)
		return -1;
	strcpy(e->dir, "/tmp/fwfloor-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	e->fd = open(e->dir, O_RDONLY | O_DIRECTORY);
	*state = e;
	return e->fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct esp *e = *state;
	char cmd[128];

	close(e->fd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static struct fw_version ver(const char *s)
{
	struct fw_version v;

	assert_int_equal(fw_version_parse(s, &v), 0);
	return v;
}

/* The floor file's bytes, NUL-terminated ("" when missing). */
static const char *text(struct esp *e)
{
	static char buf[64];
	int fd = openat(e->fd, FWFLOOR_FILE, O_RDONLY);
	ssize_t n = 0;

	buf[0] = '\0';
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void put(struct esp *e, const char *bytes, size_t n)
{
	int fd;

	mkdirat(e->fd, "EFI", 0755);
	mkdirat(e->fd, FWFLOOR_DIR, 0755);
	fd = openat(e->fd, FWFLOOR_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	close(fd);
}

static void parse(void **state)
{
	static const char *const bad[] = {
		"", "\n", "1.2", "1.2.3\n\n", "1.2.3 \n", " 1.2.3", "1.2.3\r\n", "01.2.3",
		"1.2.3x", "1000000000.0.0", "999999999.999999999.999999999 ",
	};
	struct fw_version v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (fwfloor_parse(bad[i], strlen(bad[i]), &v) == 0)
			fail_msg("\"%s\" taken as a floor", bad[i]);
	assert_int_equal(fwfloor_parse("1.2.3\0", 6, &v), -1);
	assert_int_equal(fwfloor_parse("1.2.3", 5, &v), 0);
	assert_int_equal(fwfloor_parse("1.2.3\n", 6, &v), 0);
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 3);
	assert_int_equal(fwfloor_parse("999999999.999999999.999999999\n", 30, &v), 0);
	assert_int_equal(v.patch, 999999999);
}

static void no_file_is_no_floor(void **state)
{
	struct esp *e = *state;
	struct fw_version v = ver("9.9.9");
	bool present = true;

	assert_int_equal(fwfloor_read(e->fd, &v, &present), 0);
	assert_false(present);
	assert_true(v.major == 0 && v.minor == 0 && v.patch == 0);
}

static void it_only_rises(void **state)
{
	struct esp *e = *state;
	struct fw_version v = ver("1.1.0"), got;
	bool present;

	assert_int_equal(fwfloor_raise(e->fd, &v), 1);
	assert_string_equal(text(e), "1.1.0\n");
	assert_int_equal(fwfloor_read(e->fd, &got, &present), 0);
	assert_true(present && fw_version_cmp(&got, &v) == 0);
	v = ver("1.1.0");
	assert_int_equal(fwfloor_raise(e->fd, &v), 0);
	v = ver("1.0.9");
	assert_int_equal(fwfloor_raise(e->fd, &v), 0);
	assert_string_equal(text(e), "1.1.0\n");
	v = ver("1.10.0"); /* numbers, not text */
	assert_int_equal(fwfloor_raise(e->fd, &v), 1);
	assert_string_equal(text(e), "1.10.0\n");
	v = ver("1.9.0");
	assert_int_equal(fwfloor_raise(e->fd, &v), 0);
	assert_string_equal(text(e), "1.10.0\n");
	/* Only the floor is left in its directory: no temporary file. */
	assert_int_equal(faccessat(e->fd, FWFLOOR_DIR "/.floor.tmp", F_OK, 0), -1);
}

static void write_replaces_it(void **state)
{
	struct esp *e = *state;
	struct fw_version v = ver("2.0.0");

	assert_int_equal(fwfloor_write(e->fd, &v), 0);
	v = ver("1.0.5");
	assert_int_equal(fwfloor_write(e->fd, &v), 0);
	assert_string_equal(text(e), "1.0.5\n");
	/* A stale temporary file (a power cut before the rename) is no bar. */
	int fd = openat(e->fd, FWFLOOR_DIR "/.floor.tmp", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	v = ver("1.0.6");
	assert_int_equal(fwfloor_raise(e->fd, &v), 1);
	assert_string_equal(text(e), "1.0.6\n");
	assert_int_equal(faccessat(e->fd, FWFLOOR_DIR "/.floor.tmp", F_OK, 0), -1);
}

static void a_bad_floor_is_refused_and_kept(void **state)
{
	struct esp *e = *state;
	struct fw_version v = ver("3.0.0"), got;
	bool present = true;

	put(e, "garbage\n", 8);
	errno = 0;
	assert_int_equal(fwfloor_read(e->fd, &got, &present), -1);
	assert_int_equal(errno, EINVAL);
	assert_false(present);
	errno = 0;
	assert_int_equal(fwfloor_raise(e->fd, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(text(e), "garbage\n");
	/* An empty file (a torn write) is not "no floor". */
	put(e, "", 0);
	assert_int_equal(fwfloor_read(e->fd, &got, &present), -1);
	/* Written anew, it reads again. */
	assert_int_equal(fwfloor_write(e->fd, &v), 0);
	assert_int_equal(fwfloor_read(e->fd, &got, &present), 0);
	assert_true(present && got.major == 3);
	/* A symbolic link is not followed. */
	assert_int_equal(unlinkat(e->fd, FWFLOOR_FILE, 0), 0);
	assert_int_equal(symlinkat("/etc/hostname", e->fd, FWFLOOR_FILE), 0);
	assert_int_equal(fwfloor_read(e->fd, &got, &present), -1);
	assert_int_equal(errno, ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse),
		cmocka_unit_test_setup_teardown(no_file_is_no_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(it_only_rises, setup, teardown),
		cmocka_unit_test_setup_teardown(write_replaces_it, setup, teardown),
		cmocka_unit_test_setup_teardown(a_bad_floor_is_refused_and_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
