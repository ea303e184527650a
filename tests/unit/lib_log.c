/* SPDX-License-Identifier: MIT */
/* lib_log -- the logger's held lines (app/lib/log.c): between log_hold()
 * and log_flush() lines wait, and leave together in writes of at most
 * PIPE_BUF bytes of whole lines; outside a hold each line leaves at once.
 * stderr is a pipe here, read back after each step (cmocka's own failure
 * messages go there too: run it again by hand, without the pipe, to read
 * them). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int saved_stderr, rd;
static char got[1 << 16];

static int setup(void **state)
{
	int p[2];

	(void)state;
	if (pipe(p) < 0)
		return -1;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETPIPE_SZ, 1 << 16);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 16);
	saved_stderr = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	rd = p[0];
	log_init("/sbin/lt");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(rd);
	return 0;
}

/* What the pipe holds now, into got; its length. */
static size_t drain(void)
{
	size_t len = 0;
	ssize_t r;

	while ((r = read(rd, got + len, sizeof got - 1 - len)) > 0)
		len += (size_t)r;
	got[len] = 0;
	return len;
}

static void lines_leave_at_once_unheld(void **state)
{
	(void)state;
	log_info("one %d", 1);
	assert_int_equal(drain(), strlen("lt: one 1\n"));
	assert_string_equal(got, "lt: one 1\n");
	log_warn("two");
	drain();
	assert_string_equal(got, "lt: warning: two\n");
}

static void held_lines_wait_for_the_flush(void **state)
{
	(void)state;
	log_hold();
	log_info("a");
	log_err("b");
	errno = ENOENT;
	log_errno("c");
	assert_int_equal(drain(), 0);
	errno = EINTR;
	log_flush();
	assert_int_equal(errno, EINTR); /* preserved */
	drain();
	assert_string_equal(got, "lt: a\nlt: error: b\nlt: error: c: No such file or directory\n");
	log_info("after");
	drain();
	assert_string_equal(got, "lt: after\n"); /* the flush ended the hold */
}

/* More than PIPE_BUF bytes held: written as the buffer fills, in order,
 * none lost. */
static void a_full_hold_loses_nothing(void **state)
{
	char line[120];
	size_t len, n = 0;
	const char *p;

	(void)state;
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = 0;
	log_hold();
	for (int i = 0; i < 100; i++)
		log_info("%03d %s", i, line);
	log_flush();
	len = drain();
	assert_int_equal(len, 100 * (4 + 4 + 119 + 1));
	for (p = got; *p; p = strchr(p, '\n') + 1) {
		char want[8];

		snprintf(want, sizeof want, "lt: %03zu", n++);
		assert_memory_equal(p, want, 7);
	}
	assert_int_equal(n, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_leave_at_once_unheld),
		cmocka_unit_test(held_lines_wait_for_the_flush),
		cmocka_unit_test(a_full_hold_loses_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
