/* SPDX-License-Identifier: MIT */
/* tftpd_window -- the sender's window of a read transfer
 * (app/tftpd/window.c): lockstep, RFC 7440 windows, gaps, duplicate ACKs
 * that must not cause a resend (Sorcerer's Apprentice), timeouts,
 * rollover past block 65535. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "window.h"

static void due(const struct window *w, uint64_t from, uint64_t to)
{
	uint64_t f, t;

	window_due(w, &f, &t);
	assert_int_equal(f, from);
	assert_int_equal(t, to);
}

static void send_all(struct window *w)
{
	uint64_t f, t;

	window_due(w, &f, &t);
	window_sent(w, t);
}

static void lockstep_sends_one_block_per_ack(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 1, 0);
	w.last = 3;
	due(&w, 1, 2);
	send_all(&w);
	due(&w, 2, 2); /* nothing until the ACK */
	assert_int_equal(window_ack(&w, 1), WINDOW_MOVED);
	due(&w, 2, 3);
	send_all(&w);
	assert_int_equal(window_ack(&w, 2), WINDOW_MOVED);
	send_all(&w);
	assert_int_equal(window_ack(&w, 3), WINDOW_DONE);
}

static void duplicate_ack_never_resends(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 1, 0);
	send_all(&w);
	assert_int_equal(window_ack(&w, 1), WINDOW_MOVED);
	send_all(&w);                                     /* block 2 out */
	assert_int_equal(window_ack(&w, 1), WINDOW_IGNORED); /* a late duplicate */
	due(&w, 3, 3);                                    /* nothing to send */
	assert_int_equal(window_ack(&w, 7), WINDOW_IGNORED); /* never sent */
}

static void oack_comes_first(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 0, 8, 0);
	due(&w, 0, 8);
	window_sent(&w, 1); /* the OACK only: data waits for ACK 0 */
	assert_int_equal(window_ack(&w, 0), WINDOW_MOVED);
	due(&w, 1, 9);
}

static void a_window_moves_by_its_last_ack(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 4, 0);
	due(&w, 1, 5);
	send_all(&w);
	assert_int_equal(window_ack(&w, 4), WINDOW_MOVED);
	due(&w, 5, 9);
}

static void a_gap_resends_after_the_ack(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 8, 0);
	send_all(&w); /* 1..8 */
	/* The client got 1..3 and lost 4 (RFC 7440: it ACKs 3). */
	assert_int_equal(window_ack(&w, 3), WINDOW_MOVED);
	due(&w, 4, 12);
}

static void timeout_resends_from_the_first_unacked(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 4, 0);
	send_all(&w);
	assert_int_equal(window_ack(&w, 2), WINDOW_MOVED);
	send_all(&w); /* up to 6 */
	assert_true(window_timeout(&w, 2));
	due(&w, 3, 7);
	assert_true(window_timeout(&w, 2));
	assert_false(window_timeout(&w, 2)); /* retries used up */
	send_all(&w);
	assert_int_equal(window_ack(&w, 6), WINDOW_MOVED);
	assert_int_equal(w.retries, 0); /* progress resets them */
}

static void block_numbers_roll_over(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 2, 0);
	w.acked = 65534;
	w.next = 65535;
	w.last = 65537;
	due(&w, 65535, 65537);
	send_all(&w);
	assert_int_equal(window_ack(&w, 0), WINDOW_MOVED); /* index 65536 */
	assert_int_equal(w.acked, 65536);
	send_all(&w);
	assert_int_equal(window_ack(&w, 1), WINDOW_DONE); /* index 65537 */
}

static void rollover_to_one_skips_zero(void **state)
{
	struct window w;

	(void)state;
	window_start(&w, 1, 1, 1);
	w.acked = 65534;
	w.next = 65535;
	send_all(&w);
	assert_int_equal(window_ack(&w, 65535), WINDOW_MOVED);
	send_all(&w); /* index 65536 goes out as number 1 */
	assert_int_equal(window_ack(&w, 0), WINDOW_IGNORED);
	assert_int_equal(window_ack(&w, 1), WINDOW_MOVED);
	assert_int_equal(w.acked, 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lockstep_sends_one_block_per_ack),
		cmocka_unit_test(duplicate_ack_never_resends),
		cmocka_unit_test(oack_comes_first),
		cmocka_unit_test(a_window_moves_by_its_last_ack),
		cmocka_unit_test(a_gap_resends_after_the_ack),
		cmocka_unit_test(timeout_resends_from_the_first_unacked),
		cmocka_unit_test(block_numbers_roll_over),
		cmocka_unit_test(rollover_to_one_skips_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
