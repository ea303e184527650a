/* SPDX-License-Identifier: MIT */
/* init_record -- init's restarts per service shared with the status page
 * (app/init/record.c): a field a service, labelled service="NAME", each
 * pointing at the count its struct service increments; published anew
 * when the table changes, counts carried over by name (a changed service's
 * replacement continues its retiring predecessor's count, and only one of
 * them is published). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "run_dir.h"
#include "stats.h"
#include "supervise.h"

static struct supervisor sv;

static void add(const char *name, bool retiring)
{
	struct service *s = &sv.svc[sv.n++];

	memset(s, 0, sizeof *s);
	strcpy(s->spec.name, name);
	s->retiring = retiring;
}

struct seen {
	unsigned files, fields;
	char labels[4][STATS_LABELS_MAX];
	uint64_t value[4];
};

static int look(const struct stats_view *v, void *arg)
{
	struct seen *s = arg;

	s->files++;
	assert_string_equal(v->head->daemon, "init");
	for (unsigned i = 0; i < v->head->nfields && i < 4; i++) {
		assert_string_equal(v->fields[i].name, "tern_init_service_restarts_total");
		strcpy(s->labels[i], v->fields[i].labels);
		s->value[i] = stats_value(v, i);
	}
	s->fields = v->head->nfields;
	return 0;
}

static struct seen scan(void)
{
	struct stats_reader *r = stats_reader_open(NULL);
	struct seen s = { 0 };

	assert_non_null(r);
	assert_int_equal(stats_scan(r, look, &s, NULL), 0);
	stats_reader_close(r);
	return s;
}

static void restarts_by_service_carried_across_a_reload(void **state)
{
	struct seen s;

	(void)state;
	sv.n = 0;
	add("tftpd", false);
	add("pxed", false);
	record_services(&sv);
	++*sv.svc[0].restarts;
	++*sv.svc[0].restarts;
	++*sv.svc[1].restarts;
	s = scan();
	assert_int_equal(s.files, 1);
	assert_int_equal(s.fields, 2);
	assert_string_equal(s.labels[0], "service=\"tftpd\"");
	assert_int_equal(s.value[0], 2);
	assert_string_equal(s.labels[1], "service=\"pxed\"");
	assert_int_equal(s.value[1], 1);

	/* a reload: tftpd changed (the old one retiring, a new one of the
	 * same name), pxed removed (retiring), httpd added */
	sv.svc[1].retiring = true;
	sv.svc[0].retiring = true;
	add("tftpd", false);
	add("httpd", false);
	record_services(&sv);
	s = scan();
	assert_int_equal(s.files, 1);
	assert_int_equal(s.fields, 2);
	assert_string_equal(s.labels[0], "service=\"tftpd\"");
	assert_int_equal(s.value[0], 2);
	assert_string_equal(s.labels[1], "service=\"httpd\"");
	assert_int_equal(s.value[1], 0);
	/* the retiring ones count nowhere the page reads */
	++*sv.svc[0].restarts;
	++*sv.svc[2].restarts;
	s = scan();
	assert_int_equal(s.value[0], 3);
}

static int setup(void **state)
{
	(void)state;
	return run_dir_make("stats");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(restarts_by_service_carried_across_a_reload, setup,
						run_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
