/* SPDX-License-Identifier: MIT */
/* init_output -- how init cuts a service's output into lines
 * (output_feed in app/init/output.c): whole lines, lines split across
 * reads, CR LF, over-long lines cut, empty lines kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "output.h"

struct seen {
	size_t n;
	char line[8][OUTPUT_LINE_MAX + 1];
	size_t len[8];
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	assert_true(len <= OUTPUT_LINE_MAX);
	memcpy(s->line[s->n], line, len);
	s->line[s->n][len] = '\0';
	s->len[s->n++] = len;
}

static void feed(struct outbuf *b, struct seen *s, const char *text)
{
	output_feed(b, text, strlen(text), collect, s);
}

static void whole_lines_come_out_one_by_one(void **state)
{
	struct outbuf b = { 0 };
	struct seen s = { 0 };

	(void)state;
	feed(&b, &s, "one\ntwo\n\nthree\n");
	assert_int_equal(s.n, 4);
	assert_string_equal(s.line[0], "one");
	assert_string_equal(s.line[1], "two");
	assert_string_equal(s.line[2], "");
	assert_string_equal(s.line[3], "three");
	assert_int_equal(b.len, 0);
}

static void a_line_split_across_reads_is_joined(void **state)
{
	struct outbuf b = { 0 };
	struct seen s = { 0 };

	(void)state;
	feed(&b, &s, "lis");
	feed(&b, &s, "tening on ");
	assert_int_equal(s.n, 0);
	feed(&b, &s, "port 69\npart");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.line[0], "listening on port 69");
	assert_int_equal(b.len, 4); /* "part" waits for its newline */
}

static void crlf_loses_its_cr(void **state)
{
	struct outbuf b = { 0 };
	struct seen s = { 0 };

	(void)state;
	feed(&b, &s, "dos\r\nmid\rdle\n");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.line[0], "dos");
	assert_string_equal(s.line[1], "mid\rdle");
}

static void a_long_line_is_cut_into_full_pieces(void **state)
{
	static char text[OUTPUT_LINE_MAX * 2 + 11];
	struct outbuf b = { 0 };
	struct seen s = { 0 };

	(void)state;
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 2] = '\n';
	feed(&b, &s, text);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.len[0], OUTPUT_LINE_MAX);
	assert_int_equal(s.len[1], OUTPUT_LINE_MAX);
	assert_int_equal(s.len[2], 9);
	assert_int_equal(b.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_lines_come_out_one_by_one),
		cmocka_unit_test(a_line_split_across_reads_is_joined),
		cmocka_unit_test(crlf_loses_its_cr),
		cmocka_unit_test(a_long_line_is_cut_into_full_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
