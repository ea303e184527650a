/* SPDX-License-Identifier: MIT */
/* lib_stats -- a daemon's counters in a shared file (app/lib/stats.c):
 * the struct the daemon counts in is the file's mapping, the file
 * describes itself (names, labels escaped, types, offsets), a reader
 * sees the writer's increments, skips broken files and knows a dead
 * writer; without the directory the counters are private memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_dir.h"
#include "stats.h"

struct demo {
	uint64_t requests, bytes_sent;
	uint64_t running;   /* a gauge */
	uint64_t bad[4];    /* [1..3] by cause */
};

static const char *cause_of(unsigned i)
{
	static const char *const names[] = { NULL, "bad \"opcode\"", "", "a\\b" };

	return i < 4 ? names[i] : NULL;
}

static const struct stats_def defs[] = {
	STATS_U64(struct demo, requests, STATS_COUNTER, "tern_demo_requests_total", "requests"),
	STATS_U64(struct demo, bytes_sent, STATS_COUNTER, "tern_demo_bytes_sent_total", "bytes"),
	STATS_U64(struct demo, running, STATS_GAUGE, "tern_demo_transfers", "running now"),
	STATS_ARRAY(struct demo, bad, STATS_COUNTER, "tern_demo_bad_packets_total", "refused",
		    "cause", 1, 4, cause_of),
};
#define NDEFS (sizeof defs / sizeof *defs)

#define statsdir run_sub

static int setup(void **state)
{
	(void)state;
	return run_dir_make("stats");
}

static void fields_rendered_with_labels_escaped(void **state)
{
	struct stats_field f[8];
	unsigned n = stats_fields(defs, NDEFS, sizeof(struct demo), f, 8);

	(void)state;
	/* 3 single values, and bad[1] and bad[3]: index 0 is below first,
	 * index 2's label is empty */
	assert_int_equal(n, 5);
	assert_string_equal(f[0].name, "tern_demo_requests_total");
	assert_int_equal(f[0].offset, offsetof(struct demo, requests));
	assert_string_equal(f[0].labels, "");
	assert_int_equal(f[2].type, STATS_GAUGE);
	assert_string_equal(f[3].labels, "cause=\"bad \\\"opcode\\\"\"");
	assert_int_equal(f[3].offset, offsetof(struct demo, bad) + 8);
	assert_string_equal(f[4].labels, "cause=\"a\\\\b\"");
	assert_int_equal(f[4].offset, offsetof(struct demo, bad) + 24);
	/* max 2: counted all the same, only 2 written */
	assert_int_equal(stats_fields(defs, NDEFS, sizeof(struct demo), f, 2), 5);
	/* a struct shorter than a def says: that def's values are left out */
	assert_int_equal(stats_fields(defs, NDEFS, offsetof(struct demo, bad) + 16, f, 8), 4);
}

struct seen {
	unsigned files, fields;
	uint64_t requests, bad3;
	bool alive;
	char daemon[16], instance[16], file[64];
};

static int look(const struct stats_view *v, void *arg)
{
	struct seen *s = arg;

	s->files++;
	snprintf(s->file, sizeof s->file, "%s", v->file);
	snprintf(s->daemon, sizeof s->daemon, "%s", v->head->daemon);
	snprintf(s->instance, sizeof s->instance, "%s", v->head->instance);
	s->alive = v->alive;
	s->fields = v->head->nfields;
	for (unsigned i = 0; i < v->head->nfields; i++) {
		if (!strcmp(v->fields[i].name, "tern_demo_requests_total"))
			s->requests = stats_value(v, i);
		if (!strcmp(v->fields[i].labels, "cause=\"a\\\\b\""))
			s->bad3 = stats_value(v, i);
	}
	return 0;
}

static void reader_sees_the_daemons_own_counters(void **state)
{
	struct demo *d = stats_open("demo", 2, defs, NDEFS, sizeof *d);
	struct stats_reader *r = stats_reader_open(NULL);
	struct seen s = { 0 };
	unsigned bad = 0;
	struct stat st;
	char path[160];

	(void)state;
	assert_non_null(d);
	assert_non_null(r);
	snprintf(path, sizeof path, "%s/demo.2", statsdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	d->requests += 41;
	d->requests++;
	d->bad[3] = 7;
	assert_int_equal(stats_scan(r, look, &s, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(s.files, 1);
	assert_string_equal(s.file, "demo.2");
	assert_string_equal(s.daemon, "demo");
	assert_string_equal(s.instance, "2");
	assert_true(s.alive);
	assert_int_equal(s.fields, 5);
	assert_int_equal(s.requests, 42);
	assert_int_equal(s.bad3, 7);
	/* and the next increment, on the next scan */
	d->requests++;
	memset(&s, 0, sizeof s);
	assert_int_equal(stats_scan(r, look, &s, NULL), 0);
	assert_int_equal(s.requests, 43);
	stats_reader_close(r);
}

static void broken_files_skipped_dead_writer_flagged(void **state)
{
	struct stats_reader *r = stats_reader_open(statsdir);
	struct seen s = { 0 };
	unsigned bad = 0;
	char path[160];
	FILE *f;
	pid_t pid;
	int status;

	(void)state;
	assert_non_null(r);
	/* a file of garbage, and one being made (a dot file: not listed) */
	snprintf(path, sizeof path, "%s/junk", statsdir);
	assert_non_null(f = fopen(path, "w"));
	fputs("not a stats file, but long enough to be read as a header, surely, yes", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/.demo.7.123", statsdir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	/* a writer that exits */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct demo *d = stats_open("gone", -1, defs, NDEFS, sizeof *d);

		d->requests = 5;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(stats_scan(r, look, &s, &bad), 0);
	assert_int_equal(bad, 1);          /* junk */
	assert_int_equal(s.files, 1);      /* gone: each test has its own directory */
	assert_string_equal(s.file, "gone");
	assert_string_equal(s.instance, "");
	assert_false(s.alive);
	assert_int_equal(s.requests, 5);  /* what it had counted, still there */
	stats_reader_close(r);
}

static void restarted_daemon_starts_a_fresh_file(void **state)
{
	struct demo *a = stats_open("again", -1, defs, NDEFS, sizeof *a);
	struct demo *b;
	struct stats_reader *r = stats_reader_open(statsdir);
	struct seen s = { 0 };

	(void)state;
	a->requests = 9;
	b = stats_open("again", -1, defs, NDEFS, sizeof *b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(b->requests, 0);
	b->requests = 1;
	assert_int_equal(stats_scan(r, look, &s, NULL), 0);
	assert_int_equal(s.files, 1);
	assert_int_equal(s.requests, 1);
	/* closed with remove: its file goes (relayd's removed rules) */
	stats_close(b, true);
	memset(&s, 0, sizeof s);
	assert_int_equal(stats_scan(r, look, &s, NULL), 0);
	assert_int_equal(s.files, 0);
	stats_reader_close(r);
}

static void labels_appended(void **state)
{
	char l[64] = "", m[12] = "";

	(void)state;
	stats_label(l, sizeof l, "rule", "eth0 239.1.1.1:5000");
	stats_label(l, sizeof l, "output", "a\"b");
	assert_string_equal(l, "rule=\"eth0 239.1.1.1:5000\",output=\"a\\\"b\"");
	/* cut to fit, still one whole quoted value */
	stats_label(m, sizeof m, "rule", "eth0 239.1.1.1:5000");
	assert_string_equal(m, "rule=\"eth0\"");
}

static void no_directory_private_memory(void **state)
{
	struct demo *d;
	char other[128];

	(void)state;
	snprintf(other, sizeof other, "%s/none", run);
	setenv("TERN_RUN_DIR", other, 1);
	d = stats_open("demo", -1, defs, NDEFS, sizeof *d);
	assert_non_null(d);
	assert_int_equal(d->requests, 0);
	d->requests++;
	assert_null(stats_reader_open(NULL));
	stats_close(d, true);
	setenv("TERN_RUN_DIR", run, 1);
}

static void check_refuses_what_the_reader_must_not_trust(void **state)
{
	struct demo *d = stats_open("chk", -1, defs, NDEFS, sizeof *d);
	int dir = open(statsdir, O_RDONLY | O_DIRECTORY);
	size_t len;
	unsigned char *map = stats_map_ro(dir, "chk", &len), *copy;
	struct stats_head *h;
	struct stats_field *f;

	(void)state;
	assert_non_null(map);
	assert_null(stats_check(map, len));
	assert_non_null(stats_check(map, sizeof(struct stats_head) - 1));
	copy = malloc(len);
	h = (struct stats_head *)copy;
	f = (struct stats_field *)(copy + ((struct stats_head *)map)->fields_off);
#define BROKEN(change)                              \
	do {                                        \
		memcpy(copy, map, len);             \
		change;                             \
		assert_non_null(stats_check(copy, len)); \
	} while (0)
	BROKEN(h->magic[0] = 'X');
	BROKEN(h->version = 2);
	BROKEN(h->nfields = 1000000);
	BROKEN(h->values_size = (uint32_t)len);
	BROKEN(f[1].offset = h->values_size);
	BROKEN(f[1].offset = 4);
	BROKEN(f[2].type = 0);
	BROKEN(memset(f[0].name, 'a', sizeof f[0].name));
	BROKEN(f[0].name[0] = 0);
	BROKEN(memset(h->daemon, 'a', sizeof h->daemon));
	/* the file as made is whole, a page-rounded values area included */
	memcpy(copy, map, len);
	assert_null(stats_check(copy, len));
	free(copy);
	munmap(map, len);
	close(dir);
	(void)d;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_rendered_with_labels_escaped),
		cmocka_unit_test(labels_appended),
		cmocka_unit_test_setup_teardown(reader_sees_the_daemons_own_counters, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(broken_files_skipped_dead_writer_flagged, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(restarted_daemon_starts_a_fresh_file, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(no_directory_private_memory, setup,
						run_dir_teardown),
		cmocka_unit_test_setup_teardown(check_refuses_what_the_reader_must_not_trust, setup,
						run_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
