/* SPDX-License-Identifier: MIT */
/* lib_files -- files mapped once (app/lib/files.c): one mapping shared by
 * the transfers of a file, a file changed since mapped anew, and idle
 * mappings kept only as many as asked, the oldest dropped first; a read
 * of a mapping under files_guard survives the file's truncation, twice. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

static char dir[64];

static char *path_of(const char *name)
{
	static char p[128];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct mapped *get(const char *name)
{
	int fd = open(path_of(name), O_RDONLY);
	struct mapped *m;

	assert_true(fd >= 0);
	m = files_get(fd);
	close(fd);
	assert_non_null(m);
	return m;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/lib_files.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_file("a", "alpha\n");
	write_file("b", "bravo\n");
	write_file("c", "charlie\n");
	write_file("empty", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	files_keep_idle(0);
	for (const char *n = "a\0b\0c\0empty\0cut\0"; *n; n += strlen(n) + 1)
		unlink(path_of(n));
	return rmdir(dir);
}

static void one_mapping_per_file(void **state)
{
	struct mapped *m1 = get("a"), *m2 = get("a"), *e = get("empty");

	(void)state;
	assert_ptr_equal(m1, m2);
	assert_int_equal(m1->refs, 2);
	assert_int_equal(m1->size, 6);
	assert_memory_equal(m1->data, "alpha\n", 6);
	assert_null(e->data);
	assert_int_equal(files_count(), 2);
	files_put(m1);
	files_put(m2);
	files_put(e);
	assert_int_equal(files_count(), 0); /* keep 0: unmapped once unused */
}

/* files_get_stat, given the caller's fstat, finds the same mapping. */
static void get_with_a_stat(void **state)
{
	struct mapped *m1 = get("c"), *m2;
	int fd = open(path_of("c"), O_RDONLY);
	struct stat st;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	m2 = files_get_stat(fd, &st);
	close(fd);
	assert_ptr_equal(m1, m2);
	assert_int_equal(m2->refs, 2);
	assert_memory_equal(m2->data, "charlie\n", 8);
	files_put(m1);
	files_put(m2);
	assert_int_equal(files_count(), 0);
}

static void changed_file_mapped_anew(void **state)
{
	struct mapped *old = get("b"), *m;
	struct timespec later[2] = { { 0, UTIME_OMIT }, { 1, 0 } };

	(void)state;
	utimensat(AT_FDCWD, path_of("b"), later, 0); /* same size, another mtime */
	m = get("b");
	assert_ptr_not_equal(old, m);
	assert_int_equal(files_count(), 2);
	files_put(old);
	files_put(m);
	assert_int_equal(files_count(), 0);
}

static void idle_mappings_kept_oldest_dropped(void **state)
{
	struct mapped *a, *b, *c;

	(void)state;
	files_keep_idle(2);
	a = get("a");
	b = get("b");
	c = get("c");
	files_put(a);
	files_put(b);
	assert_int_equal(files_count(), 3); /* two idle, one in use */
	assert_ptr_equal(get("a"), a);      /* found again, still mapped */
	files_put(a);                       /* now b is the oldest idle */
	files_put(c);                       /* three idle: b dropped */
	assert_int_equal(files_count(), 2);
	assert_ptr_equal(get("c"), c);
	assert_ptr_equal(get("a"), a);
	files_put(a);
	files_put(c);
	files_keep_idle(0);
	assert_int_equal(files_count(), 0);
}

/* Byte at of m's mapping read under a guard: the byte, or -1 if the read
 * faulted (the page is gone). */
static int guarded_read(const struct mapped *m, size_t at)
{
	struct files_guard g;
	volatile uint8_t b;

	if (sigsetjmp(g.jb, 0))
		return -1;
	files_guard_arm(&g, m->data, m->size);
	b = m->data[at];
	files_guard_disarm();
	return b;
}

static void guard_survives_truncation(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	char *text = malloc((size_t)page * 3 + 1);
	struct mapped *m;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', (size_t)page * 3);
	text[page * 3] = '\0';
	write_file("cut", text);
	free(text);
	m = get("cut");
	assert_non_null(m);
	files_guard_init();
	assert_int_equal(guarded_read(m, (size_t)page * 2), 'x');
	assert_int_equal(truncate(path_of("cut"), page), 0);
	assert_int_equal(guarded_read(m, 0), 'x');          /* the first page stays */
	assert_int_equal(guarded_read(m, (size_t)page * 2), -1); /* gone: caught */
	assert_int_equal(guarded_read(m, (size_t)page + 1), -1); /* and again: not blocked */
	files_put(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_mapping_per_file),
		cmocka_unit_test(get_with_a_stat),
		cmocka_unit_test(changed_file_mapped_anew),
		cmocka_unit_test(idle_mappings_kept_oldest_dropped),
		cmocka_unit_test(guard_survives_truncation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
