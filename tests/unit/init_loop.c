/* SPDX-License-Identifier: MIT */
/* init_loop -- init's list of steps (app/init/loop.c): each runs every
 * turn in list order, the loop waits until the nearest is due, a step
 * that takes itself off does not stop the next from running, and the
 * supervisor's step stands down once a stop signal came. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "loop.h"

static struct supervisor sv; /* empty: its tick has nothing to do */
static char trace[16];
static size_t ran;

static int64_t step_a(struct loop *l, void *ctx)
{
	(void)l;
	trace[ran++] = 'a';
	return *(int64_t *)ctx;
}

static int64_t step_b(struct loop *l, void *ctx)
{
	(void)l;
	trace[ran++] = 'b';
	return *(int64_t *)ctx;
}

static int64_t once(struct loop *l, void *ctx)
{
	(void)ctx;
	trace[ran++] = 'o';
	loop_remove(l, once);
	return 0; /* not counted: it is gone */
}

static bool stops(int signo)
{
	return signo == SIGTERM;
}

static void turn(struct loop *l, int expect, const char *order)
{
	memset(trace, 0, sizeof trace);
	ran = 0;
	assert_int_equal(loop_steps(l), expect);
	assert_string_equal(trace, order);
}

static void nearest(void **state)
{
	struct loop l;
	int64_t a = 500, b = 20;

	(void)state;
	loop_init(&l, &sv, -1, stops);
	turn(&l, -1, ""); /* the supervisor's step alone: nothing scheduled */
	loop_add(&l, step_a, &a);
	loop_add(&l, step_b, &b);
	turn(&l, 20, "ab");
	b = -1;
	turn(&l, 500, "ab");
	a = 0;
	turn(&l, 0, "ab");
}

static void taken_off(void **state)
{
	struct loop l;
	int64_t a = 300, b = 40;

	(void)state;
	loop_init(&l, &sv, -1, stops);
	loop_add(&l, step_a, &a);
	loop_add(&l, once, NULL);
	loop_add(&l, step_b, &b);
	turn(&l, 40, "aob"); /* b still ran after once went */
	turn(&l, 40, "ab");
	loop_remove(&l, step_b);
	turn(&l, 300, "a");
	loop_remove(&l, step_b); /* not there: nothing */
	turn(&l, 300, "a");
}

static void full(void **state)
{
	struct loop l;
	int64_t a = 1;

	(void)state;
	loop_init(&l, &sv, -1, stops);
	for (int i = 1; i < LOOP_STEPS_MAX; i++)
		loop_add(&l, step_a, &a);
	assert_int_equal(l.n, LOOP_STEPS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nearest),
		cmocka_unit_test(taken_off),
		cmocka_unit_test(full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
