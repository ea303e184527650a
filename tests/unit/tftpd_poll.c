/* SPDX-License-Identifier: MIT */
/* tftpd_poll -- busy polling backs off while it does not pay
 * (app/tftpd/xfer.h, poll_backoff): each poll that gives up in a row
 * makes the next polls wait twice as many turns, 1 to POLL_BACKOFF_MAX;
 * a poll that is answered starts over; a turn without a poll changes
 * nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xfer.h"

static void test_doubles_while_polls_give_up(void **state)
{
	unsigned backoff = 0, skip = 0, want = 1;

	(void)state;
	for (int i = 0; i < 12; i++) {
		poll_backoff(&backoff, &skip, true, false);
		assert_int_equal(skip, want);
		want = want * 2 > POLL_BACKOFF_MAX ? POLL_BACKOFF_MAX : want * 2;
	}
	assert_int_equal(skip, POLL_BACKOFF_MAX);
}

static void test_answer_starts_over(void **state)
{
	unsigned backoff = 0, skip = 0;

	(void)state;
	for (int i = 0; i < 5; i++)
		poll_backoff(&backoff, &skip, true, false);
	assert_int_equal(skip, 16);
	poll_backoff(&backoff, &skip, false, true);
	poll_backoff(&backoff, &skip, true, false);
	assert_int_equal(skip, 1);
}

static void test_no_poll_changes_nothing(void **state)
{
	unsigned backoff = 0, skip = 0;

	(void)state;
	poll_backoff(&backoff, &skip, true, false);
	poll_backoff(&backoff, &skip, true, false);
	skip = 0; /* the loop spent its turns without polling */
	poll_backoff(&backoff, &skip, false, false);
	assert_int_equal(skip, 0);
	poll_backoff(&backoff, &skip, true, false);
	assert_int_equal(skip, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_while_polls_give_up),
		cmocka_unit_test(test_answer_starts_over),
		cmocka_unit_test(test_no_poll_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
