/* SPDX-License-Identifier: MIT */
/* tftpd_turn -- how tftpd's (and relayd's) loop waits (app/lib/turn.h),
 * on a real io_uring with NOPs as the completions that come: a plain wait
 * returns with what it wants, coalescing waits for more or for its time,
 * a busy poll answers without sleeping, gives up on a far peer and stays
 * off until a sleep ends within poll_us again. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "turn.h"

static struct io_uring ring;

static int setup(void **state)
{
	(void)state;
	return uring_init_flags(&ring, 64, 256, IORING_SETUP_TASKRUN_FLAG) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	io_uring_queue_exit(&ring);
	return 0;
}

static void nops(unsigned n)
{
	while (n--)
		io_uring_prep_nop(uring_sqe(&ring));
}

static unsigned reap(void)
{
	unsigned n = io_uring_cq_ready(&ring);

	io_uring_cq_advance(&ring, n);
	return n;
}

static void plain(void **state)
{
	struct turn t = turn_new(0, 0);

	(void)state;
	nops(1);
	assert_true(turn_wait(&t, &ring, 0, 0, -1, false) >= 0);
	assert_int_equal(reap(), 1);
	/* nothing comes: the caller's deadline ends it */
	assert_int_equal(turn_wait(&t, &ring, 0, 0, 2000, false), -ETIME);
	assert_int_equal(t.coalesced + t.polled + t.poll_slept, 0);
}

/* After a busy turn: waits for `more` completions, or coalesce_us. */
static void coalescing(void **state)
{
	struct turn t = turn_new(20000, 0);
	int64_t start;
	int r;

	(void)state;
	nops(3);
	assert_true(turn_wait(&t, &ring, 0, 3, -1, false) >= 0);
	assert_int_equal(reap(), 3);
	assert_int_equal(t.coalesced, 1);
	nops(1);
	start = clock_us();
	r = turn_wait(&t, &ring, 0, 4, -1, false);
	assert_true(r >= 0 || r == -ETIME);
	assert_true(clock_us() - start >= 20000); /* held for more, up to its time */
	assert_int_equal(reap(), 1);
	/* a lone packet (more 1) is never held */
	nops(1);
	start = clock_us();
	assert_true(turn_wait(&t, &ring, 0, 1, -1, false) >= 0);
	assert_true(clock_us() - start < 20000);
	assert_int_equal(reap(), 1);
	assert_int_equal(t.coalesced, 2);
}

static void polling(void **state)
{
	struct turn t = turn_new(0, 5000);

	(void)state;
	/* an answer already there: found without sleeping */
	nops(1);
	assert_int_equal(turn_wait(&t, &ring, 0, 0, 100000, true), 0);
	assert_int_equal(reap(), 1);
	assert_int_equal(t.polled, 1);
	/* not allowed (too many peers): no poll */
	nops(1);
	assert_true(turn_wait(&t, &ring, 0, 0, 100000, false) >= 0);
	assert_int_equal(reap(), 1);
	assert_int_equal(t.polled, 1);
	/* nothing comes within poll_us: it gives up, sleeps, and turns off */
	assert_int_equal(turn_wait(&t, &ring, 0, 0, 10000, true), -ETIME);
	assert_int_equal(t.poll_slept, 1);
	assert_true(t.poll_off);
	/* off: a sleep that ends later than poll_us keeps it off */
	assert_int_equal(turn_wait(&t, &ring, 0, 0, 10000, true), -ETIME);
	turn_done(&t, 1);
	assert_true(t.poll_off);
	assert_int_equal(t.poll_slept, 1);
	/* a sleep a packet ends within poll_us turns it back on */
	nops(1);
	assert_true(turn_wait(&t, &ring, 0, 0, 10000, true) >= 0);
	assert_int_equal(reap(), 1);
	turn_done(&t, 0);
	assert_true(t.poll_off); /* no packet: no news */
	nops(1);
	assert_true(turn_wait(&t, &ring, 0, 0, 10000, true) >= 0);
	assert_int_equal(reap(), 1);
	turn_done(&t, 1);
	assert_false(t.poll_off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain),
		cmocka_unit_test(coalescing),
		cmocka_unit_test(polling),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
